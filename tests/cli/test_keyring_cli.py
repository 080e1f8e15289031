"""The real ``keyring`` CLI with the installed plugin, in subprocesses, as pip and uv run it.

keyrings.alt's PlaintextKeyring is installed beside the plugin as the user's
storing keyring, so keyring's chainer is active, as on a desktop.
"""

import json
import time

import pytest

from helpers import DOMAIN, KEYRING, OWNER, REGION, TOOLS, URL, run, write_keyring_config

# The newest keyring, and the oldest this package supports (24.0.0, beside poetry 1.8).
KEYRING_24 = TOOLS / "poetry-1.8" / "bin" / "keyring"
NEEDS_KEYRING_24 = pytest.mark.skipif(
    not KEYRING_24.exists(), reason="keyring 24.0 lives in the poetry-1.8 tool environment, which `make test` builds"
)
EVERY_KEYRING = pytest.mark.parametrize(
    "keyring_cli",
    [pytest.param(str(KEYRING), id="keyring-25.7"), pytest.param(str(KEYRING_24), id="keyring-24.0", marks=NEEDS_KEYRING_24)],
)


@EVERY_KEYRING
def test_keyring_get_prints_the_token(standin, tools, keyring_cli):
    result = run(keyring_cli, "get", URL, "aws")
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    assert standin.issued[token]["domain"] == DOMAIN
    assert [(r["domain"], r["owner"], r["region"]) for r in standin.token_requests()] == [(DOMAIN, OWNER, REGION)]


def test_keyring_creds_mode_as_pip_calls_it(standin):
    result = run(KEYRING, "--mode=creds", "--output=json", "get", URL)
    assert result.returncode == 0, result.stderr
    credential = json.loads(result.stdout)
    assert credential["username"] == "aws"
    assert credential["password"] in standin.issued


def test_keyring_creds_mode_with_an_empty_username_as_pdm_calls_it(standin):
    # unearth (pdm's finder) runs `keyring --mode=creds get URL ""` when it cannot import keyring.
    result = run(KEYRING, "--mode=creds", "get", URL, "")
    assert result.returncode == 0, result.stderr
    username, password = result.stdout.splitlines()
    assert (username, standin.issued[password]["domain"]) == ("aws", DOMAIN)


@EVERY_KEYRING
def test_keyring_get_for_another_user_or_service_finds_nothing(standin, tools, keyring_cli):
    assert run(keyring_cli, "get", URL, "someone").returncode == 1
    assert run(keyring_cli, "get", "https://pypi.org/simple/", "aws").returncode == 1
    assert standin.requests() == []


def test_set_get_and_del_for_other_services_reach_the_storing_keyring(standin):
    assert run(KEYRING, "set", "https://example.org/simple/", "me", stdin="hunter2\n").returncode == 0
    got = run(KEYRING, "get", "https://example.org/simple/", "me")
    assert (got.returncode, got.stdout) == (0, "hunter2\n")
    assert run(KEYRING, "del", "https://example.org/simple/", "me").returncode == 0
    assert run(KEYRING, "get", "https://example.org/simple/", "me").returncode == 1
    assert standin.requests() == []


@EVERY_KEYRING
def test_a_failure_ends_with_our_one_line_message(standin, tools, keyring_cli):
    standin.fault = "deny"
    result = run(keyring_cli, "get", URL, "aws")
    assert result.returncode == 1
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("keyrings_codeartifact.errors.AccessDenied: codeartifact-keyring: ")
    assert "sts:GetServiceBearerToken" in last_line
    assert result.stdout == ""


def test_invalid_config_ends_with_our_one_line_message(standin):
    write_keyring_config("[codeartifact]\ntoken_duration = 5\n")
    result = run(KEYRING, "get", URL, "aws")
    assert result.returncode == 1
    assert "invalid token_duration in section [codeartifact]" in result.stderr.strip().splitlines()[-1]


@EVERY_KEYRING
def test_keyring_lists_the_backend(tools, keyring_cli):
    result = run(keyring_cli, "--list-backends")
    assert "keyrings_codeartifact.backend.CodeArtifactBackend (priority: 9)" in result.stdout


@NEEDS_KEYRING_24
def test_keyring_before_25_2_has_no_creds_mode(tools):
    # Why pip 26.2+'s subprocess provider, uv's authenticate = "always" and pdm's CLI route
    # need keyring 25.2 or newer as the tool on PATH: they all run `keyring --mode=creds get URL`.
    result = run(KEYRING_24, "--mode=creds", "get", URL)
    assert result.returncode == 2
    assert "unrecognized arguments: --mode=creds" in result.stderr


# -- odd inputs affect only what they must -------------------------------------------


def test_a_password_for_a_bracketed_non_ip_host_stays_reachable(standin):
    service = "https://[codeartifact-mirror]:8080/simple/"
    assert run(KEYRING, "set", service, "aws", stdin="hunter2\n").returncode == 0
    got = run(KEYRING, "get", service, "aws")
    assert (got.returncode, got.stdout, got.stderr) == (0, "hunter2\n", "")
    as_pip_asks = run(KEYRING, "--mode=creds", "--output=json", "get", service, "aws")
    assert as_pip_asks.returncode == 0, as_pip_asks.stderr
    assert json.loads(as_pip_asks.stdout) == {"username": "aws", "password": "hunter2"}
    assert standin.requests() == []


def test_a_file_our_reader_cannot_read_leaves_name_lookups_alone(standin):
    # keyring's own parser accepts two [DEFAULT] sections; ours (strict) does not.
    write_keyring_config("[DEFAULT]\na = 1\n[DEFAULT]\nb = 2\n")
    by_name = run(KEYRING, "get", "github", "aws")
    assert (by_name.returncode, by_name.stdout, by_name.stderr) == (1, "", "")
    by_url = run(KEYRING, "get", URL, "aws")
    assert by_url.returncode == 1 and by_url.stdout == ""
    last_line = by_url.stderr.strip().splitlines()[-1]
    assert last_line.startswith("keyrings_codeartifact.errors.ConfigError: codeartifact-keyring: cannot read ")
    assert last_line.endswith("section 'DEFAULT' already exists")
    assert standin.requests() == []


def test_a_proxy_password_with_a_hash_is_never_printed(standin, monkeypatch):
    # urllib3 reads '#1@127.0.0.1:9/' as a fragment and fails on "host" 'user:Xk9p...'.
    monkeypatch.setenv("HTTPS_PROXY", "http://user:Xk9pS3CRETz#1@127.0.0.1:9/")
    monkeypatch.delenv("NO_PROXY", raising=False)
    result = run(KEYRING, "get", URL, "aws")
    assert result.returncode == 1 and result.stdout == ""
    last_line = result.stderr.strip().splitlines()[-1]
    assert "Xk9p" not in result.stderr and "S3CRET" not in result.stderr
    assert last_line.startswith("keyrings_codeartifact.errors.Unreachable: codeartifact-keyring: ")
    assert "the proxy http://127.0.0.1:9 (HTTPS_PROXY) cannot be read" in last_line  # named, without its password
    assert "percent-encode" in last_line


def test_a_token_variable_with_a_line_break_is_not_served(standin, monkeypatch):
    monkeypatch.setenv("CODEARTIFACT_AUTH_TOKEN", "tok3n-from-ci\r\n")
    result = run(KEYRING, "get", URL, "aws")
    assert result.returncode == 1 and result.stdout == ""
    last_line = result.stderr.strip().splitlines()[-1]
    assert "CODEARTIFACT_AUTH_TOKEN holds whitespace or control characters" in last_line
    assert "tok3n" not in result.stderr
    assert standin.requests() == []


# configparser's own option pattern is quadratic in a run of spaces that no '=' or
# ':' follows: keyring reads keyringrc.cfg with the stock configparser before any
# backend runs, so such a file fails in keyring first. What keyring does with one:
def test_keyring_itself_fails_on_configparsers_slow_line_before_any_backend_runs(standin):
    write_keyring_config("[codeartifact]\nx" + " " * 40_000 + "y\n")
    started = time.perf_counter()
    result = run(KEYRING, "get", URL, "aws")
    print(f"keyring took {time.perf_counter() - started:.1f} s to refuse the file")  # measured, not asserted
    assert result.returncode == 1 and "configparser.ParsingError" in result.stderr
    assert "codeartifact-keyring" not in result.stderr and standin.token_requests() == []
