"""``codeartifact-credential-helper``, driven as Bazel drives a credential helper (the
client in bazel_client.py), against the API stand-in: the answer's shape and expiry,
one API call for many URIs, ``{}`` without botocore for what is not ours, and one line
and a non-zero exit for everything that goes wrong."""

import base64
import json
import os
import subprocess
import threading
import time

import pytest

from bazel_client import BazelClient, HelperFailed, check_response, parse_time
from helpers import BIN, DOMAIN, LOOKUP_FAULTS, REGION, URL, make_lookups_fail, watch_teardown, write_keyring_config

HELPER = BIN / "codeartifact-credential-helper"
HOST = URL.split("/")[2]
SCOPE = f"*.d.codeartifact.{REGION}.amazonaws.com"
MARGIN = 300  # seconds: the mandatory refresh margin (settings.refresh_margin's default)


@pytest.fixture
def client(tmp_path) -> BazelClient:
    if not HELPER.exists():
        pytest.fail(f"{HELPER} is missing: reinstall this package (pip install -e .) for its console scripts")
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    return BazelClient([(SCOPE, str(HELPER))], workspace)


def ask(*args: str, stdin: bytes = b"", env_extra=None) -> subprocess.CompletedProcess:
    """The helper run directly: (exit code, stdout, stderr) in a CompletedProcess."""
    import helpers

    env = {**os.environ, **(env_extra or {})}
    result = subprocess.run([str(HELPER), *args], input=stdin, capture_output=True, env=env, timeout=60)
    helpers.CAPTURED_OUTPUT.append(result.stderr.decode("utf-8", "replace"))
    return result


def token_of(headers: dict) -> str:
    """The password of the Basic ``Authorization`` header (user aws)."""
    [value] = headers["Authorization"]
    scheme, _, encoded = value.partition(" ")
    user, _, token = base64.b64decode(encoded).decode().partition(":")
    assert (scheme, user) == ("Basic", "aws")
    return token


def test_a_codeartifact_uri_gets_basic_auth_and_an_expiry(standin, client):
    headers = client.headers(URL)
    token = token_of(headers)
    assert standin.issued[token]["domain"] == DOMAIN
    assert list(headers) == ["Authorization"]
    [(uri, (_, expires))] = client.cache.items()
    expected = standin.issued[token]["expires_at"] - MARGIN  # AWS's clock is this machine's here
    assert abs(expires.timestamp() - expected) <= 2  # the offset is measured to about a second


def test_expires_is_by_this_machine_s_clock_when_aws_s_runs_ahead(standin, client):
    # AWS's clock 10 min ahead: the token's expiration is 10 min "later" than this
    # machine would say. Bazel compares expires with its own clock, so it must be moved back.
    standin.clock_shift = 600.0
    before = time.time()
    token = token_of(client.headers(URL))
    expires = client.cache[URL][1].timestamp()
    expected = standin.issued[token]["expires_at"] - 600.0 - MARGIN
    assert abs(expires - expected) <= 2  # the offset is measured to about a second
    assert expires <= before + 3600 - MARGIN + 60  # and not AWS's clock's moment, 10 min later


def test_expires_is_when_the_backend_stops_serving_the_token(standin, client):
    # One second after the answer's expires, a lookup refuses the token and fetches anew.
    client.headers(URL)
    expires = client.cache[URL][1].timestamp()
    from keyrings_codeartifact import cache
    from keyrings_codeartifact.settings import Settings
    from keyrings_codeartifact.token_record import Token

    [entry] = [json.loads(p.read_text()) for p in cache.folder_for().glob("*.json")]
    token = Token(entry["token"], entry["issued_at"], entry["expires_at"], entry["offset"])
    margin = Settings().refresh_margin
    assert token.usable(expires - 0.5, margin) and not token.usable(expires + 1, margin)


def test_many_uris_cost_one_api_call_and_each_is_cached_until_it_expires(standin, client):
    uris = [URL, URL + "requests/", URL + "numpy/", URL.replace("/python/", "/other/") + "six/"]
    tokens = {token_of(client.headers(uri)) for uri in uris}
    assert len(tokens) == 1 and len(standin.token_requests()) == 1
    assert client.invocations == uris
    client.headers(URL)  # cached: not asked again before expires
    assert client.invocations == uris
    later = client.cache[URL][1]
    client.headers(URL, now=later)  # at expires: asked again
    assert client.invocations == uris + [URL]


def test_cold_calls_at_once_make_one_api_call(standin, client):
    # Bazel fetches in parallel: several helpers start together with nothing cached.
    uris = [f"{URL}pkg{n}/" for n in range(4)]
    answers: dict = {}
    threads = [threading.Thread(target=lambda u=uri: answers.setdefault(u, client.run(str(HELPER), u))) for uri in uris]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == uris
    assert len({token_of(answer["headers"]) for answer in answers.values()}) == 1
    assert len(standin.token_requests()) == 1


def test_a_token_from_the_environment_has_no_expiry(standin, client, monkeypatch):
    monkeypatch.setenv("CODEARTIFACT_AUTH_TOKEN", "from-ci")
    answer = client.run(str(HELPER), URL)
    assert answer == {"headers": {"Authorization": ["Basic " + base64.b64encode(b"aws:from-ci").decode()]}}
    assert standin.requests() == []


def test_owners_refusing_the_endpoint_is_no_credentials(standin, client):
    write_keyring_config("[codeartifact]\nowners = 444455556666\n")
    assert client.run(str(HELPER), URL) == {}
    assert standin.requests() == []


def imported_by(request: bytes, env_extra=None) -> tuple:
    """(stdout, the top-level packages the helper imported) for one request."""
    result = ask("get", stdin=request, env_extra={"PYTHONPROFILEIMPORTTIME": "1", **(env_extra or {})})
    assert result.returncode == 0, result.stderr
    names = set()
    for line in result.stderr.decode().splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    assert "keyrings_codeartifact" in names
    return json.loads(result.stdout), names


HEAVY = {"keyring", "botocore", "boto3", "jaraco", "urllib3"}


@pytest.mark.parametrize("uri", [
    "https://pypi.org/simple/requests/",
    "https://files.pythonhosted.org/packages/x.whl",
    URL.replace("https://", "http://"),  # a token never goes in clear text
    f"https://{HOST}.evil.example/pypi/python/simple/",
    "grpcs://remote.example.com/build.bazel.remote.execution.v2.Execution/Execute",
    "",
])
def test_a_uri_that_is_not_ours_is_no_credentials_without_botocore(standin, uri):
    answer, names = imported_by(json.dumps({"uri": uri}).encode())
    assert answer == {}
    assert not names & HEAVY
    assert standin.requests() == []


def test_a_warm_answer_imports_neither_keyring_nor_botocore(standin, client):
    request = json.dumps({"uri": URL, "other": "properties are allowed"}).encode()
    cold, names = imported_by(request)
    assert "botocore" in names  # the probe sees a fetch
    warm, names = imported_by(request)
    assert warm == cold and not names & HEAVY
    check_response(warm)
    assert len(standin.token_requests()) == 1


BAD = [
    ((), b'{"uri": "x"}'),
    (("store",), b'{"uri": "x"}'),
    (("get", "--verbose"), b'{"uri": "x"}'),
    (("get",), b""),
    (("get",), b"not json"),
    (("get",), b'["https://x"]'),
    (("get",), b'{"url": "https://x"}'),
    (("get",), b'{"uri": 42}'),
    (("get",), b'{"uri": null}'),
    (("get",), b"\xff\xfe\x00garbage"),
]


@pytest.mark.parametrize(("args", "stdin"), BAD, ids=lambda value: repr(value)[:30])
def test_bad_input_is_one_line_and_exit_2(standin, args, stdin):
    result = ask(*args, stdin=stdin)
    assert (result.returncode, result.stdout) == (2, b"")
    [line] = result.stderr.decode().splitlines()
    assert line.startswith("codeartifact-credential-helper: ") and "usage:" in line
    assert standin.requests() == []


@pytest.mark.parametrize("fault", LOOKUP_FAULTS)
def test_a_failed_lookup_is_our_one_line_and_exit_1(standin, client, fault):
    make_lookups_fail(standin, fault)
    with pytest.raises(HelperFailed) as failed:
        client.headers(URL)
    code, stderr = failed.value.args
    [line] = stderr.splitlines()
    assert code == 1 and line.startswith("codeartifact-keyring: ")
    assert "Traceback" not in stderr


def test_the_client_follows_bazel_s_scope_rules(tmp_path):
    # The test client itself: exact host first, then the most specific wildcard.
    client = BazelClient([("*.example.com", "wide"), ("*.a.example.com", "narrow"), ("x.a.example.com", "exact")],
                         tmp_path)
    assert [client.helper_for(f"https://{host}/") for host in
            ("x.a.example.com", "y.a.example.com", "a.example.com", "b.example.com", "example.com", "example.org")
            ] == ["exact", "narrow", "narrow", "wide", "wide", None]
    assert parse_time("2026-12-04T10:00:00Z").utcoffset().total_seconds() == 0
    with pytest.raises(AssertionError):
        check_response({"headers": {"Authorization": "Basic x"}})  # a value must be a list
    with pytest.raises(AssertionError):
        check_response({"expires": "tomorrow"})
    check_response({"headers": {}, "extra": 1})


def test_the_console_script_skips_the_teardown_unless_something_runs_at_exit(standin, client, tmp_path,
                                                                                monkeypatch):
    # As the fast keyring's launcher (oneshot.finish): a sitecustomize watches the teardown.
    monkeypatch.setenv("PYTHONPATH", watch_teardown(tmp_path))
    assert client.run(str(HELPER), URL)["headers"]  # a cold answer, then a warm one
    warm = ask("get", stdin=json.dumps({"uri": URL}).encode())
    assert warm.returncode == 0 and json.loads(warm.stdout)["headers"] and b"torn down" not in warm.stderr

    monkeypatch.setenv("PYTHONPATH", watch_teardown(tmp_path, at_exit=True))
    kept = ask("get", stdin=json.dumps({"uri": URL}).encode())
    assert kept.returncode == 0 and kept.stdout.endswith(b"\nat exit\n") and kept.stderr.endswith(b"torn down\n")
