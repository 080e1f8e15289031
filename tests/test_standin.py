"""The stand-ins themselves: they must refuse what CodeArtifact refuses, or the other
tests would prove nothing."""

import base64
import socket
import ssl
import time

import botocore.session
import pytest
from botocore.exceptions import ClientError

from helpers import ALICE, DOMAIN, OWNER, REGION
from standin.index import PackageIndex
from standin.proxy import ConnectProxy

# These tests drive the stand-in with botocore directly, whose DEBUG logs hold
# the tokens it receives: the suite-wide no-secrets check does not apply.
pytestmark = pytest.mark.prints_secrets


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
