"""The stand-ins themselves: they must refuse what CodeArtifact refuses, or the other
tests would prove nothing."""

import base64
import email.utils
import socket
import ssl
import time
import urllib.error
import urllib.request

import botocore.session
import pytest
from botocore.exceptions import ClientError, UnauthorizedSSOTokenError

from helpers import ALICE, DOMAIN, OWNER, REGION, serve_expired_keys, write_aws_file
from standin.credentials import sso_profile
from standin.index import PackageIndex
from standin.proxy import ConnectProxy

# These tests drive the stand-in with botocore directly, whose DEBUG logs hold
# the tokens it receives: the suite-wide no-secrets check does not apply.
pytestmark = [pytest.mark.prints_secrets, pytest.mark.windows]


def client(standin, secret=ALICE[2], region=REGION):
    session = botocore.session.Session()
    return session.create_client(
        "codeartifact",
        region_name=region,
        endpoint_url=standin.url,
        aws_access_key_id=ALICE[1],
        aws_secret_access_key=secret,
    )


def error_code(call) -> str:
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response["Error"]["Code"]


def test_api_issues_tokens_and_logs_the_call(standin):
    response = client(standin).get_authorization_token(domain=DOMAIN, domainOwner=OWNER, durationSeconds=900)
    assert response["authorizationToken"] in standin.issued
    assert 890 < response["expiration"].timestamp() - time.time() <= 900
    [entry] = standin.requests()
    assert (entry["domain"], entry["owner"], entry["region"], entry["duration"], entry["status"]) == (
        DOMAIN, OWNER, REGION, 900, 200,
    )


def test_api_rejects_a_wrong_secret_an_unknown_domain_and_bad_durations(standin):
    api = client(standin)
    assert error_code(lambda: client(standin, secret="wrong").get_authorization_token(domain=DOMAIN, domainOwner=OWNER)) == "InvalidSignatureException"
    assert error_code(lambda: api.get_authorization_token(domain="nobody", domainOwner=OWNER)) == "ResourceNotFoundException"
    assert error_code(lambda: api.get_authorization_token(domain=DOMAIN, domainOwner="999999999999")) == "ResourceNotFoundException"
    assert error_code(lambda: api.get_authorization_token(domain=DOMAIN, domainOwner=OWNER, durationSeconds=60)) == "ValidationException"


def test_a_shifted_clock_dates_tokens_and_answers_and_refuses_signatures_15_minutes_off(standin):
    standin.clock_shift = 600.0
    response = client(standin).get_authorization_token(domain=DOMAIN, domainOwner=OWNER, durationSeconds=900)
    assert 1490 < response["expiration"].timestamp() - time.time() <= 1500
    date = email.utils.parsedate_to_datetime(response["ResponseMetadata"]["HTTPHeaders"]["date"]).timestamp()
    assert 598 <= date - time.time() <= 600
    standin.clock_shift = -960.0  # AWS allows 15 minutes of skew, then refuses the signature
    assert error_code(lambda: client(standin).get_authorization_token(domain=DOMAIN, domainOwner=OWNER)) == "InvalidSignatureException"


@pytest.fixture
def index(standin_server, server_context, tmp_path):
    with PackageIndex(standin_server, server_context, tmp_path / "index") as server:
        yield server


def index_status(index, ca_bundle, host, path, token=None) -> tuple:
    context = ssl.create_default_context(cafile=str(ca_bundle))
    with socket.create_connection(index.address) as raw, context.wrap_socket(raw, server_hostname=host) as tls:
        headers = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n"
        if token is not None:
            headers += "Authorization: Basic " + base64.b64encode(f"aws:{token}".encode()).decode() + "\r\n"
        tls.sendall((headers + "\r\n").encode())
        reply = b""
        while chunk := tls.recv(65536):
            reply += chunk
    head = reply.split(b"\r\n\r\n")[0].decode()
    status = int(head.split()[1])
    return status, "www-authenticate: basic" in head.lower()


def test_index_demands_a_token_for_its_own_domain_owner_and_region(standin, index, ca_bundle):
    host = f"{DOMAIN}-{OWNER}.d.codeartifact.{REGION}.amazonaws.com"
    path = "/pypi/python/simple/"
    good = client(standin).get_authorization_token(domain=DOMAIN, domainOwner=OWNER)["authorizationToken"]
    elsewhere = client(standin, region="eu-west-1").get_authorization_token(domain=DOMAIN, domainOwner=OWNER)["authorizationToken"]
    expired, _ = standin.issue_token(DOMAIN, OWNER, REGION, 900)
    standin.issued[expired]["expires_at"] = time.time() - 1

    assert index_status(index, ca_bundle, host, path) == (401, True)
    assert index_status(index, ca_bundle, host, path, token="made-up") == (401, True)
    assert index_status(index, ca_bundle, host, path, token=elsewhere) == (401, True)
    assert index_status(index, ca_bundle, host, path, token=expired) == (401, True)
    assert index_status(index, ca_bundle, host, path, token=good) == (200, False)


def test_proxy_tunnels_only_codeartifact_hosts_on_443(standin_server):
    proxy = ConnectProxy(api=("127.0.0.1", 9), index=("127.0.0.1", 9))
    assert proxy.route("codeartifact.us-east-1.amazonaws.com", 443) == proxy.api
    assert proxy.route("sts.us-east-1.amazonaws.com", 443) == proxy.api
    assert proxy.route("vpce-1-2.api.codeartifact.us-east-1.vpce.amazonaws.com", 443) == proxy.api
    for host in (
        f"{DOMAIN}-{OWNER}.d.codeartifact.{REGION}.amazonaws.com",
        f"{DOMAIN}-{OWNER}.d.codeartifact.cn-north-1.amazonaws.com.cn",
        f"{DOMAIN}-{OWNER}.codeartifact.{REGION}.on.aws",
        "vpce-1-2.d.codeartifact.us-east-1.vpce.amazonaws.com",
    ):
        assert proxy.route(host, 443) == proxy.index, host
    for host, port in (("pypi.org", 443), ("files.pythonhosted.org", 443), (f"{DOMAIN}-{OWNER}.d.codeartifact.{REGION}.amazonaws.com", 80)):
        assert proxy.route(host, port) is None


def test_proxy_answers_403_to_anything_else(standin_server):
    with ConnectProxy(api=("127.0.0.1", 9), index=("127.0.0.1", 9)) as proxy:
        port = int(proxy.url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port)) as connection:
            connection.sendall(b"CONNECT pypi.org:443 HTTP/1.1\r\nHost: pypi.org:443\r\n\r\n")
            assert connection.recv(100).startswith(b"HTTP/1.1 403")
        assert proxy.tunnels == [{"host": "pypi.org", "port": 443, "allowed": False}]


# -- the credential sources of botocore's chain --------------------------------
# Real botocore, in this process, finds credentials in each source, and the API
# stand-in accepts them and records whose token it issued.

ACCOUNT = "111122223333"


def token_from_the_chain(**session_arguments) -> str:
    """A token got as botocore's default credential chain finds credentials."""
    session = botocore.session.Session(**session_arguments)
    codeartifact = session.create_client("codeartifact", region_name=REGION)
    return codeartifact.get_authorization_token(domain=DOMAIN, domainOwner=OWNER)["authorizationToken"]


def principal(standin, token: str) -> str:
    return standin.issued[token]["identity"]


def apis(sources) -> list:
    return [call["api"] for call in sources.calls()]


@pytest.fixture
def no_aws_files(isolated_env):
    """No profile has keys: botocore's chain goes on to the other sources."""
    (isolated_env / ".aws" / "credentials").write_text("")


def test_sts_assume_role_from_a_profile(standin, sources, isolated_env, monkeypatch):
    role = f"arn:aws:iam::{ACCOUNT}:role/reader"
    write_aws_file(isolated_env / ".aws" / "config", f"[profile dev]\nrole_arn = {role}\nsource_profile = default\n")
    first = token_from_the_chain(profile="dev")
    second = token_from_the_chain(profile="dev")
    assert principal(standin, first) == principal(standin, second) == f"role:{role}"
    assume = [r for r in standin.requests() if r["api"] == "AssumeRole"]
    assert [(r["identity"], r["role_arn"]) for r in assume] == [("alice", role)] * 2
    sessions = [r["access_key"] for r in standin.token_requests()]
    assert sessions[0] != sessions[1]  # every role session has keys of its own


def test_sts_assume_role_with_web_identity_is_unsigned_and_checks_the_token(standin, sources, tmp_path, monkeypatch):
    token_file = tmp_path / "web-identity-token"
    token_file.write_text("oidc-token-of-ci-job")
    standin.web_identity_tokens.add("oidc-token-of-ci-job")
    monkeypatch.setenv("AWS_WEB_IDENTITY_TOKEN_FILE", str(token_file))
    for role in ("publish", "readonly"):
        monkeypatch.setenv("AWS_ROLE_ARN", f"arn:aws:iam::{ACCOUNT}:role/{role}")
        assert principal(standin, token_from_the_chain()) == f"role:arn:aws:iam::{ACCOUNT}:role/{role}"
    web = [r for r in standin.requests() if r["api"] == "AssumeRoleWithWebIdentity"]
    assert [r["status"] for r in web] == [200, 200]
    assert web[0]["session_name"].startswith("botocore-session-")  # botocore's default name

    token_file.write_text("a-token-nobody-issued")
    with pytest.raises(ClientError) as caught:
        token_from_the_chain()
    assert caught.value.response["Error"]["Code"] == "InvalidIdentityToken"


def test_container_endpoint_names_the_task_by_its_authorization(standin, sources, no_aws_files, tmp_path, monkeypatch):
    sources.add_container_task("task-a-authorization", "task-a")
    sources.add_container_task("task-b-authorization", "task-b")
    monkeypatch.setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", sources.container_url)
    monkeypatch.setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "task-a-authorization")
    assert principal(standin, token_from_the_chain()) == "task-a"
    monkeypatch.delenv("AWS_CONTAINER_AUTHORIZATION_TOKEN")
    token_file = tmp_path / "container-authorization"
    token_file.write_text("task-b-authorization")
    monkeypatch.setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", str(token_file))
    assert principal(standin, token_from_the_chain()) == "task-b"
    assert apis(sources) == ["container", "GetAuthorizationToken"] * 2


def test_container_endpoint_refuses_an_unknown_authorization(sources):
    request = urllib.request.Request(sources.container_url, headers={"Authorization": "made-up"})
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request)
    assert caught.value.code == 401


def test_instance_metadata_v2(standin, sources, no_aws_files, monkeypatch):
    monkeypatch.delenv("AWS_EC2_METADATA_DISABLED")
    monkeypatch.setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", sources.url)
    sources.instance_role = "build-runner"
    assert principal(standin, token_from_the_chain()) == "instance:build-runner"
    assert apis(sources) == ["imds-token", "imds-role", "imds-credentials", "GetAuthorizationToken"]


def test_instance_metadata_refuses_requests_without_a_session_token(sources):
    sources.instance_role = "build-runner"
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with pytest.raises(urllib.error.HTTPError) as caught:
        direct.open(sources.url + "/latest/meta-data/iam/security-credentials/")
    assert caught.value.code == 401


@pytest.fixture
def sso_cache_of_this_home(isolated_env, monkeypatch):
    """botocore fixes its SSO cache folder (under ~) when it is imported, before
    this test's HOME exists: point it at this HOME (subprocesses need no help)."""
    import botocore.credentials
    import botocore.tokens

    folder = str(isolated_env / ".aws" / "sso" / "cache")
    monkeypatch.setattr(botocore.credentials.SSOProvider, "_SSO_TOKEN_CACHE_DIR", folder)
    monkeypatch.setattr(botocore.tokens.SSOTokenProvider, "_SSO_TOKEN_CACHE_DIR", folder)


def test_sso_get_role_credentials(standin, sources, isolated_env, sso_cache_of_this_home, monkeypatch):
    write_aws_file(isolated_env / ".aws" / "config", sso_profile("dev", "my-sso", ACCOUNT, "ReadOnly"))
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", sources.url)
    sources.sso_login(isolated_env, "my-sso")
    first = token_from_the_chain(profile="dev")
    second = token_from_the_chain(profile="dev")
    assert principal(standin, first) == principal(standin, second) == f"sso:{ACCOUNT}/ReadOnly"
    assert apis(sources) == ["sso", "GetAuthorizationToken"] * 2
    keys = [r["access_key"] for r in standin.token_requests()]
    assert keys[0] != keys[1]  # new temporary keys for every GetRoleCredentials

    sources.sso_access_tokens["my-sso"] = "signed-out"  # the cached access token no longer works
    with pytest.raises(UnauthorizedSSOTokenError):
        token_from_the_chain(profile="dev")


def test_credential_process(standin, sources, isolated_env):
    write_aws_file(
        isolated_env / ".aws" / "config",
        f"[profile ci]\ncredential_process = {sources.process_command('process:reader')}\n",
    )
    assert principal(standin, token_from_the_chain(profile="ci")) == "process:reader"
    assert apis(sources) == ["process", "GetAuthorizationToken"]


@pytest.mark.parametrize("source", ["process", "container"])
def test_expired_credentials_make_botocore_raise_runtime_error(standin, sources, isolated_env, monkeypatch, source):
    # What the backend must turn into a one-line error (issue 9).
    serve_expired_keys(sources, source, isolated_env, monkeypatch)
    with pytest.raises(RuntimeError, match="refreshed credentials are still expired"):
        token_from_the_chain()
    assert apis(sources) == [source, source]  # botocore asked twice, then gave up
