"""A cached token only ever goes back to the AWS principal that asked for it (issue 9).

For every source of botocore's credential chain: real ``keyring get`` processes
(disk cache on, as by default) are served the token of the principal botocore
really signs as; a repeated lookup by the same identity makes no call of any kind
(no STS, container endpoint, IMDS, SSO, credential_process or CodeArtifact call);
a change of who is asking makes a new call and gets the new principal's token.
The stand-ins record whose keys each token was issued to.
"""

import base64
import contextlib
import json
import os
import re
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import botocore.session
import pytest

from helpers import (
    ALICE,
    BOB,
    CAPTURED_OUTPUT,
    CLI,
    KEYRING,
    URL,
    Holder,
    closed_port,
    run,
    serve_expired_keys,
    write_aws_file,
    write_keyring_config,
)
from keyrings_codeartifact import cache, token_source
from keyrings_codeartifact import settings as config
from keyrings_codeartifact.endpoint import parse
from standin.credentials import SSO_START_URL, sso_profile

ACCOUNT = "111122223333"
OTHER_ACCOUNT = "444455556666"


def role(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:role/{name}"


def keys(name: str, user: tuple) -> str:
    """A credentials-file section with ``user``'s keys."""
    return f"[{name}]\naws_access_key_id = {user[1]}\naws_secret_access_key = {user[2]}\n"


def describe(calls: list) -> str:
    """The calls made, without any secret: API and who made or was served it."""
    shown = [f"{c['api']}({c.get('principal') or c.get('assumed') or c.get('identity') or ''})" for c in calls]
    return ", ".join(shown) or "none"


def lookup(sources, principal: str, new_call: bool) -> str:
    """``keyring get URL aws`` in a new process, as uv runs it. Asserts that it
    served a token issued to ``principal``, and that it asked CodeArtifact as
    ``principal`` (``new_call``) or made no call of any kind. Returns the token."""
    before = len(sources.calls())
    result = run(KEYRING, "get", URL, "aws")
    calls = sources.calls()[before:]
    problem = (result.stderr.strip().splitlines() or ["no output"])[-1]
    assert result.returncode == 0, f"expected {principal}'s token, got an error: {problem}"
    issued = sources.api.issued.get(result.stdout.strip())
    served = issued["identity"] if issued else "nobody (not a token the stand-in issued)"
    assert served == principal, (
        f"expected {principal}'s token, served {served}'s; calls of this lookup: {describe(calls)}"
    )
    if new_call:
        asked = [c.get("identity") for c in calls if c["api"] == "GetAuthorizationToken"]
        assert asked == [principal], f"expected one token request as {principal}, made: {describe(calls)}"
    else:
        assert calls == [], f"expected no call for {principal} (a cache hit), made: {describe(calls)}"
    return result.stdout.strip()


# -- identities the cache key named before issue 9 ---------------------------------


def test_environment_keys(sources, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ALICE[1])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", ALICE[2])
    alice = lookup(sources, "alice", new_call=True)
    assert lookup(sources, "alice", new_call=False) == alice
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", BOB[1])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", BOB[2])
    bob = lookup(sources, "bob", new_call=True)
    assert lookup(sources, "bob", new_call=False) == bob
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ALICE[1])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", ALICE[2])
    assert lookup(sources, "alice", new_call=False) == alice
    # AWS_PROFILE does not outrank environment keys (botocore drops its
    # EnvProvider only for a profile passed to the session, not for AWS_PROFILE):
    # still alice, asked anew since every AWS_ variable is an input of the key.
    monkeypatch.setenv("AWS_PROFILE", "bob")
    lookup(sources, "alice", new_call=True)
    lookup(sources, "alice", new_call=False)
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    lookup(sources, "bob", new_call=True)  # profile bob: not the same identity as bob's keys in the environment


def test_named_profile(sources, monkeypatch):
    alice = lookup(sources, "alice", new_call=True)  # [default]
    monkeypatch.setenv("AWS_PROFILE", "bob")
    bob = lookup(sources, "bob", new_call=True)
    assert lookup(sources, "bob", new_call=False) == bob
    monkeypatch.delenv("AWS_PROFILE")
    assert lookup(sources, "alice", new_call=False) == alice


def test_profile_name_in_keyringrc_outranks_environment_keys(sources, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ALICE[1])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", ALICE[2])
    write_keyring_config("[codeartifact]\nprofile_name = bob\n")
    lookup(sources, "bob", new_call=True)  # a profile given to the session: botocore ignores the variables
    lookup(sources, "bob", new_call=False)
    write_keyring_config("[codeartifact]\n")
    lookup(sources, "alice", new_call=True)


def test_role_arn_in_keyringrc(sources):
    write_keyring_config(f"[codeartifact]\nrole_arn = {role('reader')}\n")
    reader = lookup(sources, f"role:{role('reader')}", new_call=True)
    assert lookup(sources, f"role:{role('reader')}", new_call=False) == reader
    write_keyring_config(f"[codeartifact]\nrole_arn = {role('publisher')}\n")
    lookup(sources, f"role:{role('publisher')}", new_call=True)
    lookup(sources, f"role:{role('publisher')}", new_call=False)


# -- profiles: what the profile name does not say ------------------------------------


def test_one_profile_name_in_two_credential_files(sources, isolated_env, monkeypatch):
    first = write_aws_file(isolated_env / "a" / "credentials", keys("work", ALICE))
    second = write_aws_file(isolated_env / "b" / "credentials", keys("work", BOB))
    monkeypatch.setenv("AWS_PROFILE", "work")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(first))
    lookup(sources, "alice", new_call=True)
    lookup(sources, "alice", new_call=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(second))
    lookup(sources, "bob", new_call=True)
    lookup(sources, "bob", new_call=False)


def test_a_profile_edited_in_place(sources, isolated_env):
    lookup(sources, "alice", new_call=True)
    write_aws_file(isolated_env / ".aws" / "credentials", keys("default", BOB))  # keys rotated to bob's
    lookup(sources, "bob", new_call=True)
    lookup(sources, "bob", new_call=False)


def test_both_profile_variables_set(sources, isolated_env, monkeypatch):
    write_aws_file(isolated_env / ".aws" / "credentials", keys("alice", ALICE) + "\n" + keys("bob", BOB))
    monkeypatch.setenv("AWS_DEFAULT_PROFILE", "alice")
    monkeypatch.setenv("AWS_PROFILE", "bob")
    # botocore's own answer: AWS_DEFAULT_PROFILE comes first (configprovider's
    # 'profile': ['AWS_DEFAULT_PROFILE', 'AWS_PROFILE'], a chain, first set wins).
    assert botocore.session.Session().get_config_variable("profile") == "alice"
    lookup(sources, "alice", new_call=True)
    lookup(sources, "alice", new_call=False)
    monkeypatch.delenv("AWS_DEFAULT_PROFILE")
    lookup(sources, "bob", new_call=True)
    monkeypatch.setenv("AWS_DEFAULT_PROFILE", "bob")
    monkeypatch.setenv("AWS_PROFILE", "alice")
    lookup(sources, "bob", new_call=True)  # other variables: asked anew, and as bob
    lookup(sources, "bob", new_call=False)


def test_credential_process(sources, isolated_env, monkeypatch):
    config = isolated_env / ".aws" / "config"
    monkeypatch.setenv("AWS_PROFILE", "ci")
    write_aws_file(config, f"[profile ci]\ncredential_process = {sources.process_command('process:reader')}\n")
    lookup(sources, "process:reader", new_call=True)
    lookup(sources, "process:reader", new_call=False)
    write_aws_file(config, f"[profile ci]\ncredential_process = {sources.process_command('process:publisher')}\n")
    lookup(sources, "process:publisher", new_call=True)
    lookup(sources, "process:publisher", new_call=False)


def role_profile(role_name: str) -> str:
    return f"[profile dev]\nrole_arn = {role(role_name)}\nsource_profile = default\n"


def test_one_role_profile_in_two_config_files(sources, isolated_env, monkeypatch):
    reader = write_aws_file(isolated_env / "reader" / "config", role_profile("reader"))
    publisher = write_aws_file(isolated_env / "publisher" / "config", role_profile("publisher"))
    monkeypatch.setenv("AWS_PROFILE", "dev")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(reader))
    lookup(sources, f"role:{role('reader')}", new_call=True)
    lookup(sources, f"role:{role('reader')}", new_call=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(publisher))
    lookup(sources, f"role:{role('publisher')}", new_call=True)
    lookup(sources, f"role:{role('publisher')}", new_call=False)


def test_a_refreshed_assumed_role_session_keeps_the_cache(sources, isolated_env, monkeypatch):
    # Every process assumes the role anew and gets new temporary keys (the
    # stand-in, like STS, never hands out the same keys twice): the next
    # process is still a cache hit, with no STS call.
    write_aws_file(isolated_env / ".aws" / "config", role_profile("reader"))
    monkeypatch.setenv("AWS_PROFILE", "dev")
    token = lookup(sources, f"role:{role('reader')}", new_call=True)
    assert [c["api"] for c in sources.calls()] == ["AssumeRole", "GetAuthorizationToken"]
    assert lookup(sources, f"role:{role('reader')}", new_call=False) == token


# -- SSO ------------------------------------------------------------------------------


@pytest.fixture
def sso(sources, isolated_env, monkeypatch):
    """Profile ``dev`` signs in through SSO session ``my-sso`` (logged in) as ReadOnly."""
    write_aws_file(isolated_env / ".aws" / "config", sso_profile("dev", "my-sso", ACCOUNT, "ReadOnly"))
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", sources.url)
    monkeypatch.setenv("AWS_PROFILE", "dev")
    sources.sso_login(isolated_env, "my-sso")
    return sources


def test_sso(sso, isolated_env):
    lookup(sso, f"sso:{ACCOUNT}/ReadOnly", new_call=True)
    lookup(sso, f"sso:{ACCOUNT}/ReadOnly", new_call=False)
    write_aws_file(isolated_env / ".aws" / "config", sso_profile("dev", "my-sso", ACCOUNT, "Publisher"))
    lookup(sso, f"sso:{ACCOUNT}/Publisher", new_call=True)
    lookup(sso, f"sso:{ACCOUNT}/Publisher", new_call=False)


def test_a_refreshed_sso_session_keeps_the_cache(sso, isolated_env):
    token = lookup(sso, f"sso:{ACCOUNT}/ReadOnly", new_call=True)
    # Next morning: `aws sso login` again. The old access token is dead, the
    # cache file holds a new one, GetRoleCredentials would hand out new keys.
    sso.sso_login(isolated_env, "my-sso")
    assert lookup(sso, f"sso:{ACCOUNT}/ReadOnly", new_call=False) == token


# -- sources outside the AWS files ----------------------------------------------------


def test_web_identity(sources, isolated_env, monkeypatch):
    token_file = isolated_env / "web-identity-token"

    def write_token(subject: str, issued_at: int) -> None:
        token = service_account_token(subject, issued_at)
        sources.api.web_identity_tokens.add(token)
        token_file.write_text(token)

    write_token("ci", 1)
    monkeypatch.setenv("AWS_WEB_IDENTITY_TOKEN_FILE", str(token_file))
    monkeypatch.setenv("AWS_ROLE_ARN", role("publish"))
    publish = lookup(sources, f"role:{role('publish')}", new_call=True)
    assert lookup(sources, f"role:{role('publish')}", new_call=False) == publish
    # The token file's content is rotated in place (as on EKS): the same issuer and
    # subject, the same identity.
    write_token("ci", 2)
    assert lookup(sources, f"role:{role('publish')}", new_call=False) == publish
    write_token("release", 3)  # another service account's token: asked anew
    lookup(sources, f"role:{role('publish')}", new_call=True)
    monkeypatch.setenv("AWS_ROLE_ARN", role("readonly"))
    lookup(sources, f"role:{role('readonly')}", new_call=True)
    lookup(sources, f"role:{role('readonly')}", new_call=False)
    # Web identity from the environment comes before [default]'s keys in botocore's
    # chain; without it, [default] (alice) asks.
    monkeypatch.delenv("AWS_ROLE_ARN")
    monkeypatch.delenv("AWS_WEB_IDENTITY_TOKEN_FILE")
    lookup(sources, "alice", new_call=True)


@pytest.fixture
def no_profile_keys(isolated_env):
    """No profile has keys: botocore's chain goes on to the container endpoint or IMDS."""
    (isolated_env / ".aws" / "credentials").write_text("")


@pytest.fixture
def tasks(sources, no_profile_keys, monkeypatch):
    """A container credentials endpoint serving two tasks, told apart by their
    authorization tokens (as ECS and EKS Pod Identity do)."""
    sources.add_container_task("task-a-authorization", "task-a")
    sources.add_container_task("task-b-authorization", "task-b")
    monkeypatch.setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", sources.container_url)
    return sources


def test_container_credentials(tasks, monkeypatch):
    monkeypatch.setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "task-a-authorization")
    lookup(tasks, "task-a", new_call=True)
    lookup(tasks, "task-a", new_call=False)
    monkeypatch.setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "task-b-authorization")
    lookup(tasks, "task-b", new_call=True)
    lookup(tasks, "task-b", new_call=False)


def test_profile_keys_come_before_the_container_endpoint(tasks, isolated_env, monkeypatch):
    monkeypatch.setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "task-a-authorization")
    write_aws_file(isolated_env / ".aws" / "credentials", keys("default", ALICE))
    lookup(tasks, "alice", new_call=True)  # the container endpoint is not asked
    (isolated_env / ".aws" / "credentials").write_text("")
    lookup(tasks, "task-a", new_call=True)
    lookup(tasks, "task-a", new_call=False)


def service_account_token(subject: str, issued_at: int) -> str:
    """A token shaped like EKS Pod Identity's: a JWT naming the pod's service account."""

    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    claims = {"iss": "https://oidc.eks.example", "sub": f"system:serviceaccount:ci:{subject}", "iat": issued_at}
    return f"{part({'alg': 'RS256'})}.{part(claims)}.signature-{issued_at}"


def test_container_credentials_with_a_token_file(tasks, isolated_env, monkeypatch):
    task_a = isolated_env / "task-a" / "token"
    task_b = isolated_env / "task-b" / "token"
    for path, authorization, principal in ((task_a, service_account_token("a", 1), "task-a"),
                                           (task_b, service_account_token("b", 1), "task-b")):
        tasks.add_container_task(authorization, principal)
        path.parent.mkdir()
        path.write_text(authorization)
    monkeypatch.setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", str(task_a))
    lookup(tasks, "task-a", new_call=True)
    lookup(tasks, "task-a", new_call=False)
    monkeypatch.setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", str(task_b))
    task_b_token = lookup(tasks, "task-b", new_call=True)
    # The agent rotates task B's token in its file (as EKS Pod Identity does): still task B.
    rotated = service_account_token("b", 2)
    tasks.add_container_task(rotated, "task-b")
    task_b.write_text(rotated)
    assert lookup(tasks, "task-b", new_call=False) == task_b_token


def test_one_token_path_for_two_service_accounts(tasks, isolated_env, monkeypatch):
    # EKS Pod Identity: every pod has the same URI and token path; the token in
    # the file says which service account (and so which role) the pod is.
    path = isolated_env / "eks-pod-identity-token"
    monkeypatch.setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", str(path))
    for subject, principal in (("a", "task-a"), ("b", "task-b")):
        token = service_account_token(subject, 1)
        tasks.add_container_task(token, principal)
        path.write_text(token)
        lookup(tasks, principal, new_call=True)


def test_instance_metadata(sources, isolated_env, monkeypatch):
    monkeypatch.delenv("AWS_EC2_METADATA_DISABLED")
    monkeypatch.setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", sources.url)
    sources.instance_role = "build-runner"
    lookup(sources, "alice", new_call=True)  # [default] has keys: IMDS is not asked
    (isolated_env / ".aws" / "credentials").write_text("")  # the keys are removed: the instance's role
    instance = lookup(sources, "instance:build-runner", new_call=True)
    assert lookup(sources, "instance:build-runner", new_call=False) == instance
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", BOB[1])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", BOB[2])
    lookup(sources, "bob", new_call=True)
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    assert lookup(sources, "instance:build-runner", new_call=False) == instance


# -- credentials that are already expired -----------------------------------------------

SOURCE_NAMED = {"process": r"credential[_ ]process|custom-process", "container": r"container"}


@pytest.fixture(params=["process", "container"])
def expired_source(request, sources, isolated_env, monkeypatch) -> str:
    """A credential_process or container endpoint that hands out expired keys."""
    serve_expired_keys(sources, request.param, isolated_env, monkeypatch)
    return request.param


def assert_names_expired_source(line: str, source: str) -> None:
    assert "expired" in line.lower(), f"expected the message to say the credentials expired: {line}"
    assert re.search(SOURCE_NAMED[source], line, re.IGNORECASE), f"expected the message to name the {source}: {line}"


def test_expired_credentials_end_keyring_get_with_our_one_line_error(expired_source, sources):
    result = run(KEYRING, "get", URL, "aws")
    assert (result.returncode, result.stdout) == (1, "")
    last_line = (result.stderr.strip().splitlines() or [""])[-1]
    assert "RuntimeError" not in result.stderr, f"botocore's RuntimeError reached keyring: {last_line}"
    assert last_line.startswith("keyrings_codeartifact.errors.CredentialsError: codeartifact-keyring: "), last_line
    assert_names_expired_source(last_line, expired_source)
    assert sources.api.token_requests() == []


def test_expired_credentials_are_one_line_from_our_cli(expired_source, sources):
    result = run(CLI, "token", URL)
    assert (result.returncode, result.stdout) == (1, "")
    lines = result.stderr.strip().splitlines()
    assert "Traceback" not in result.stderr, f"a traceback, ending: {lines[-1]}"
    assert len(lines) == 1 and lines[0].startswith("codeartifact-keyring: "), lines
    assert_names_expired_source(lines[0], expired_source)


# -- issue 18: the key digests every input, so a change the model missed is a new call ----


def test_account_and_role_set_in_the_sso_session_section(sources, isolated_env, monkeypatch):
    # botocore merges every option of [sso-session NAME] into the profile (which
    # needs its role or its account), so the account may live there; switching it
    # is another principal.
    config = isolated_env / ".aws" / "config"
    profile = "[profile dev]\nsso_session = my-sso\nsso_role_name = ReadOnly\n\n[sso-session my-sso]\n"
    session = f"sso_start_url = {SSO_START_URL}\nsso_region = us-east-1\n"
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", sources.url)
    monkeypatch.setenv("AWS_PROFILE", "dev")
    sources.sso_login(isolated_env, "my-sso")
    write_aws_file(config, profile + session + f"sso_account_id = {ACCOUNT}\n")
    lookup(sources, f"sso:{ACCOUNT}/ReadOnly", new_call=True)
    lookup(sources, f"sso:{ACCOUNT}/ReadOnly", new_call=False)
    write_aws_file(config, profile + session + f"sso_account_id = {OTHER_ACCOUNT}\n")
    lookup(sources, f"sso:{OTHER_ACCOUNT}/ReadOnly", new_call=True)
    lookup(sources, f"sso:{OTHER_ACCOUNT}/ReadOnly", new_call=False)


def test_start_url_of_a_session_section_spelled_sso_sessions(sources, isolated_env, monkeypatch):
    # botocore takes any header that starts with "sso-session" and has two words.
    config = isolated_env / ".aws" / "config"
    text = (f"[profile dev]\nsso_session = corp\nsso_account_id = {ACCOUNT}\nsso_role_name = ReadOnly\n\n"
            "[sso-sessions corp]\nsso_start_url = {url}\nsso_region = us-east-1\n")
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", sources.url)
    monkeypatch.setenv("AWS_PROFILE", "dev")
    sources.sso_login(isolated_env, "corp")
    write_aws_file(config, text.format(url=SSO_START_URL))
    lookup(sources, f"sso:{ACCOUNT}/ReadOnly", new_call=True)
    lookup(sources, f"sso:{ACCOUNT}/ReadOnly", new_call=False)
    # Another organisation's portal: same account and role names, another directory.
    write_aws_file(config, text.format(url="https://other-org.awsapps.com/start"))
    lookup(sources, f"sso:{ACCOUNT}/ReadOnly", new_call=True)
    lookup(sources, f"sso:{ACCOUNT}/ReadOnly", new_call=False)


def test_metadata_endpoint_set_in_a_profile(sources, no_profile_keys, isolated_env, monkeypatch):
    monkeypatch.delenv("AWS_EC2_METADATA_DISABLED")
    sources.instance_role = "build-runner"
    nowhere = f"http://127.0.0.1:{closed_port()}"  # never 169.254.169.254
    write_aws_file(isolated_env / ".aws" / "config", (
        f"[profile a]\nec2_metadata_service_endpoint = {sources.url}\n\n"
        f"[profile b]\nec2_metadata_service_endpoint = {nowhere}\n"
        "metadata_service_num_attempts = 1\nmetadata_service_timeout = 1\n"))
    monkeypatch.setenv("AWS_PROFILE", "a")
    lookup(sources, "instance:build-runner", new_call=True)
    lookup(sources, "instance:build-runner", new_call=False)
    monkeypatch.setenv("AWS_PROFILE", "b")  # botocore finds no credentials for b
    before = len(sources.calls())
    result = run(KEYRING, "get", URL, "aws")
    assert (result.returncode, result.stdout) == (1, ""), f"b was served a token: {describe(sources.calls()[before:])}"
    assert "no AWS credentials found" in result.stderr
    assert [c for c in sources.calls()[before:] if c["api"] == "GetAuthorizationToken"] == []


def test_keys_moved_between_the_files_beside_a_credential_process(sources, isolated_env):
    # botocore's order: the credentials file's keys, then credential_process, then
    # the config file's keys. Moving alice's keys from one file to the other
    # leaves the merged profile as it was, and changes who asks.
    process = f"credential_process = {sources.process_command('process:reader')}\n"
    config, credentials = isolated_env / ".aws" / "config", isolated_env / ".aws" / "credentials"
    write_aws_file(config, "[default]\n" + process)
    write_aws_file(credentials, keys("default", ALICE))
    lookup(sources, "alice", new_call=True)
    lookup(sources, "alice", new_call=False)
    write_aws_file(config, keys("default", ALICE) + process)
    credentials.write_text("")
    lookup(sources, "process:reader", new_call=True)
    lookup(sources, "process:reader", new_call=False)


def test_a_credential_process_that_reads_outside_state_with_cache_off(sources, isolated_env, monkeypatch):
    # What a credential_process prints is not part of the key: one whose answer
    # depends on a file needs `cache = false` in the section for the repository.
    principal = isolated_env / "principal"
    principal.write_text("process:reader")
    command = f"sh -c 'exec {sources.process_command('')}$(cat {principal})'"
    write_aws_file(isolated_env / ".aws" / "config", f"[default]\ncredential_process = {command}\n")
    (isolated_env / ".aws" / "credentials").write_text("")
    write_keyring_config('[codeartifact domain="my-team"]\ncache = false\n')
    lookup(sources, "process:reader", new_call=True)
    principal.write_text("process:publisher")
    lookup(sources, "process:publisher", new_call=True)


def _waits_for_lock(process, lock: Path) -> None:
    """Return once ``process`` has ``lock`` open (it computed its key and waits for the
    lock); fail if it ends first."""
    fds = Path(f"/proc/{process.pid}/fd")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, "the lookup ended without waiting for the lock"
        with contextlib.suppress(OSError):
            if any(os.readlink(fd) == str(lock) for fd in fds.iterdir()):
                return
        time.sleep(0.01)
    pytest.fail("the lookup never opened the lock file")


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to see the waiting process")
def test_default_rewritten_while_a_lookup_waits_for_the_lock(sources, isolated_env, cache_dir):
    credentials = isolated_env / ".aws" / "credentials"
    endpoint = parse(URL)
    key = token_source.cache_key(endpoint, config.load(endpoint))  # alice's, as the lookup computes it
    cache.DiskCache.open(cache_dir, create=True).close()
    lock = cache_dir / (cache.entry_name(key) + ".lock")
    holder = Holder(lock)
    waiting = subprocess.Popen([str(KEYRING), "get", URL, "aws"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=os.environ.copy())
    try:
        _waits_for_lock(waiting, lock)
        write_aws_file(credentials, keys("default", BOB))  # another tool rewrites [default]
    finally:
        holder.release()
        out, err = waiting.communicate(timeout=180)
    CAPTURED_OUTPUT.append(err)
    assert waiting.returncode == 0, err
    assert sources.api.issued[out.strip()]["identity"] == "bob"  # botocore read the new file
    write_aws_file(credentials, keys("default", ALICE))
    lookup(sources, "alice", new_call=True)  # bob's token was not filed under alice's key
    lookup(sources, "alice", new_call=False)
    write_aws_file(credentials, keys("default", BOB))
    lookup(sources, "bob", new_call=True)
    lookup(sources, "bob", new_call=False)


def test_api_endpoint_wherever_it_is_set(sources, standin, isolated_env, monkeypatch):
    # A local emulator, then another endpoint: each endpoint's token stays its own.
    port = urlsplit(standin.url).port
    here, there = f"https://127.0.0.1:{port}", f"https://localhost:{port}"
    config = isolated_env / ".aws" / "config"
    lookup(sources, "alice", new_call=True)  # AWS_ENDPOINT_URL_CODEARTIFACT: here
    monkeypatch.setenv("AWS_ENDPOINT_URL_CODEARTIFACT", there)
    lookup(sources, "alice", new_call=True)
    lookup(sources, "alice", new_call=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_CODEARTIFACT")
    monkeypatch.setenv("AWS_ENDPOINT_URL", here)
    lookup(sources, "alice", new_call=True)
    lookup(sources, "alice", new_call=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    write_aws_file(config, f"[default]\nendpoint_url = {there}\n")
    lookup(sources, "alice", new_call=True)
    lookup(sources, "alice", new_call=False)
    config.write_text("")
    write_keyring_config(f"[codeartifact]\nendpoint_url = {here}\n")
    lookup(sources, "alice", new_call=True)
    lookup(sources, "alice", new_call=False)


def test_legacy_credential_file_with_repeated_keys(sources, no_profile_keys, isolated_env, monkeypatch):
    legacy = isolated_env / "legacy-credentials"
    pair = "AWSAccessKeyId = {}\nAWSSecretKey = {}\n"
    legacy.write_text(pair.format(*ALICE[1:]) + pair.format(*BOB[1:]))  # botocore: the last line wins
    monkeypatch.setenv("AWS_CREDENTIAL_FILE", str(legacy))
    lookup(sources, "bob", new_call=True)
    lookup(sources, "bob", new_call=False)
    legacy.write_text(pair.format(*BOB[1:]) + pair.format(*ALICE[1:]))
    lookup(sources, "alice", new_call=True)
    lookup(sources, "alice", new_call=False)
