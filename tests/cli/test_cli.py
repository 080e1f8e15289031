"""The codeartifact-keyring command, run as users run it."""

import hashlib
import json
import re

import pytest

from helpers import BIN, PLANTED, URL, run, write_keyring_config

CLI = BIN / "codeartifact-keyring"


def assert_one_line_error(result, code: int) -> str:
    assert result.returncode == code
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("codeartifact-keyring: ")
    return lines[0]


def test_token_prints_the_token_and_caches_it(standin):
    first = run(CLI, "token", URL)
    assert first.returncode == 0, first.stderr
    token = first.stdout.strip()
    assert token in standin.issued
    assert run(CLI, "token", URL).stdout.strip() == token
    assert len(standin.token_requests()) == 1


def test_token_json_has_token_and_expiration(standin):
    result = run(CLI, "token", "--json", URL)
    data = json.loads(result.stdout)
    assert data["token"] in standin.issued
    assert data["expiration"].endswith("Z") and data["expiration"][:2] == "20"


def test_token_duration_and_profile(standin):
    assert run(CLI, "token", "--duration", "900", "--profile", "bob", URL).returncode == 0
    [request] = standin.token_requests()
    assert (request["duration"], request["identity"]) == (900, "bob")


def test_python_dash_m_is_the_same_command(standin):
    result = run(BIN / "python", "-m", "keyrings_codeartifact", "token", URL)
    assert result.stdout.strip() in standin.issued


def test_bad_duration_is_a_usage_error(standin):
    line = assert_one_line_error(run(CLI, "token", "--duration", "5", URL), 2)
    assert line == "codeartifact-keyring: --duration: '5' is not allowed; use 0 (as long as the AWS role session) or 900 to 43200 seconds"
    assert standin.requests() == []


@pytest.mark.parametrize(
    "url, hint",
    [
        ("https://pypi.org/simple/", "expected https://DOMAIN-OWNER.d.codeartifact.REGION.amazonaws.com/pypi/REPO/..."),
        (URL.replace("https://", "http://"), "plain http:// never gets a token; use https://"),
    ],
)
def test_not_a_codeartifact_url(standin, url, hint):
    line = assert_one_line_error(run(CLI, "token", url), 2)
    assert line.endswith(hint)


def test_a_password_in_a_rejected_url_is_not_echoed(standin):
    line = assert_one_line_error(run(CLI, "token", "https://aws:hunter2@pypi.org/simple/"), 2)
    assert "hunter2" not in line and "https://pypi.org/simple/" in line


def test_aws_failure_is_one_line_exit_1(standin):
    standin.fault = "deny"
    line = assert_one_line_error(run(CLI, "token", URL), 1)
    assert "access denied" in line


def test_invalid_config_is_one_line_exit_1(standin):
    write_keyring_config("[codeartifact]\ntoken_duration = 5\n")
    line = assert_one_line_error(run(CLI, "token", URL), 1)
    assert "invalid token_duration in section [codeartifact]" in line


def test_token_from_the_environment(standin, monkeypatch):
    monkeypatch.setenv("CODEARTIFACT_AUTH_TOKEN", "from-ci")
    assert json.loads(run(CLI, "token", "--json", URL).stdout) == {"token": "from-ci", "expiration": None}
    assert standin.requests() == []


def test_explain_shows_recognition_sources_keyring_and_cache(standin):
    write_keyring_config('[codeartifact]\ntoken_duration = 900\n[codeartifact domain="my-team"]\nprofile_name = bob\n')
    token = run(CLI, "token", URL).stdout.strip()
    result = run(CLI, "explain", URL)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for expected in (
        "form:                  standard",
        "domain:                my-team",
        "owner:                 111122223333",
        "region:                us-east-1 (partition aws)",
        "repository:            python",
        'applicable sections:   [codeartifact], [codeartifact domain="my-team"]',
        'profile_name:          bob  <- config file [codeartifact domain="my-team"]',
        "token_duration:        900  <- config file [codeartifact]",
        "timeout:               10.0  <- default",
        "reaches this backend:  yes",
        "asks AWS as:           AWS profile: name bob, in ",
        "cache key:             profile:bob:",
        "this endpoint:         fresh, ",
    ):
        assert expected in out, expected
    assert token not in out


def test_explain_says_when_keyring_is_forced_elsewhere(standin, monkeypatch):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    out = run(CLI, "doctor", URL).stdout
    assert "reaches this backend:  NO: PYTHON_KEYRING_BACKEND=keyring.backends.fail.Keyring selects another backend" in out


def test_explain_check_reports_the_caller_and_a_token(standin):
    result = run(CLI, "explain", "--check", URL)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "caller identity:       arn:aws:iam::111122223333:user/alice" in result.stdout
    assert "token:                 issued to that caller; expires 20" in result.stdout
    assert len(standin.token_requests()) == 1
    assert run(CLI, "cache", "list").stdout.startswith("No cached tokens")  # --check bypasses the cache
    assert standin.issued and not any(token in result.stdout for token in standin.issued)


def test_explain_check_reports_a_failure(standin):
    standin.fault = "deny"
    result = run(CLI, "explain", "--check", URL)
    assert result.returncode == 1
    assert "result:                FAILED: codeartifact-keyring: cannot get a token" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_explain_never_shows_the_external_id(standin):
    role = "arn:aws:iam::111122223333:role/builder"
    write_keyring_config(f"[codeartifact]\nrole_arn = {role}\nexternal_id = {PLANTED}\n")
    result = run(CLI, "explain", "--check", URL)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "external_id:           (set)  <- config file [codeartifact]" in result.stdout
    assert f"then assumes role {role} codeartifact-keyring, external id (set)" in result.stdout
    assert PLANTED not in result.stdout + result.stderr
    assert hashlib.sha256(PLANTED.encode()).hexdigest()[:16] not in result.stdout  # nor a digest to guess it by
    assert PLANTED in {r.get("external_id") for r in standin.requests()}  # it was sent to AWS, as it must be


def test_cache_list_and_clear(standin):
    token = run(CLI, "token", URL).stdout.strip()
    run(CLI, "token", URL.replace("us-east-1", "eu-west-1"))
    listing = run(CLI, "cache", "list").stdout
    assert token not in listing
    assert re.search(r"my-team  111122223333  us-east-1  profile:default:[0-9a-f]{32}  3600", listing)
    assert "eu-west-1" in listing and re.search(r"fresh, 5\d min left", listing)
    cleared = run(CLI, "cache", "clear", URL)
    assert cleared.stdout.startswith("Removed 1 cached token from ")
    assert "us-east-1" not in run(CLI, "cache", "list").stdout
    assert run(CLI, "cache", "clear").stdout.startswith("Removed 1 cached token from ")
    assert run(CLI, "cache", "list").stdout.startswith("No cached tokens in ")


def test_help_and_usage():
    assert run(CLI, "--help").returncode == 0
    assert "token" in run(CLI, "token", "--help").stdout
    assert run(CLI).returncode == 2
    assert run(CLI, "cache").returncode == 2
    assert run(CLI, "no-such-command").returncode == 2


# -- echoes: nothing secret, nothing unbounded, no traceback --------------------------


@pytest.mark.parametrize(
    "url, shown",
    [
        ("aws:PW#X@codeartifact.example", "codeartifact.example"),  # no ://, '#' in the password
        ("https:/aws:PW@codeartifact.example/pypi/r/", "https:/codeartifact.example/pypi/r/"),  # one slash
        ("https://aws:P/W?#@pypi.org/simple/", "https://pypi.org/simple/"),
        ("https://[codeartifact/", "https://[codeartifact/"),  # parse used to raise: traceback, exit 1
        ("https://[codeartifact-mirror]:8080/simple/", "https://[codeartifact-mirror]:8080/simple/"),
    ],
)
def test_rejected_urls_are_one_line_exit_2_without_userinfo(standin, url, shown):
    line = assert_one_line_error(run(CLI, "token", url), 2)
    assert f"not a CodeArtifact repository endpoint: {shown}; " in line
    assert "PW" not in line and "P/W" not in line


def test_a_huge_rejected_url_is_cut(standin):
    line = assert_one_line_error(run(CLI, "explain", "https://pypi.org/" + "x" * 100_000), 2)
    assert len(line) < 500 and "(100017 characters)" in line


def test_explain_hides_userinfo_of_the_endpoint_override(standin, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_CODEARTIFACT", "https://u:S3CRET#1@127.0.0.1:9")
    result = run(CLI, "explain", "--check", URL)
    assert "S3CRET" not in result.stdout + result.stderr
    assert "botocore uses AWS_ENDPOINT_URL_CODEARTIFACT=https://127.0.0.1:9" in result.stdout
    assert "Traceback" not in result.stderr


def test_a_token_variable_with_whitespace_is_refused(standin, monkeypatch):
    monkeypatch.setenv("CODEARTIFACT_AUTH_TOKEN", "tok3n with spaces")
    line = assert_one_line_error(run(CLI, "token", URL), 1)
    assert "CODEARTIFACT_AUTH_TOKEN holds whitespace or control characters" in line
    assert "tok3n" not in line
    assert "whitespace or control characters" in run(CLI, "explain", URL).stdout
    assert standin.requests() == []


def test_owners_refuse_other_accounts_and_explain_says_so(standin):
    write_keyring_config("[codeartifact]\nowners = 444455556666, 777788889999\n")
    line = assert_one_line_error(run(CLI, "token", URL), 1)
    assert "owner 111122223333 is not in owners (444455556666, 777788889999) in [codeartifact]" in line
    explained = run(CLI, "explain", "--check", URL)
    assert explained.returncode == 1
    assert "owners:                444455556666, 777788889999  <- config file [codeartifact]" in explained.stdout
    assert "owner allowed:         NO: 111122223333 is not in owners; no token, AWS is not called" in explained.stdout
    assert "result:                NOT RUN: the owner is not in owners, so AWS is not called" in explained.stdout
    assert standin.requests() == []  # neither token nor --check asked AWS
    write_keyring_config("[codeartifact]\nowners = 111122223333\n")
    assert "owner allowed:         yes" in run(CLI, "explain", URL).stdout


@pytest.mark.parametrize("where", ["config.toml", "poetry.toml", "variable"])
def test_explain_says_when_poetry_asks_no_keyring(standin, isolated_env, tmp_path, monkeypatch, where):
    project = tmp_path / "app"
    (project / "src").mkdir(parents=True)
    (project / "pyproject.toml").write_text('[project]\nname = "app"\n')
    assert "poetry asks keyring:   yes" in run(CLI, "explain", URL, cwd=project / "src").stdout
    if where == "variable":
        monkeypatch.setenv("POETRY_KEYRING_ENABLED", "false")
        undo = "undo: unset POETRY_KEYRING_ENABLED"
    else:
        config = isolated_env / ".config" / "pypoetry" / "config.toml" if where == "config.toml" else project / where
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text("[keyring]\nenabled = false\n")
        undo = "`poetry config --local --unset keyring.enabled`" if where == "poetry.toml" else "`poetry config keyring.enabled true`"
    out = run(CLI, "explain", URL, cwd=project / "src").stdout  # poetry finds the project from a subfolder too
    [line] = [line for line in out.splitlines() if "poetry asks keyring" in line]
    assert "NO: " in line and "poetry asks no keyring backend, this one included, so its installs get 401" in line
    assert undo in line
