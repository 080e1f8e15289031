"""botocore as the oracle of the cache key's identity (fingerprint.identity_key):
over generated AWS setups (files, environment variables set, unset or empty,
container endpoints, boto2 files, instance metadata, SSO sessions, credential
processes, API endpoints), two setups with the same identity key must get the
same answer from botocore: the same access key (or the same failure), and the same
CodeArtifact and STS endpoints. A key that stays the same while botocore picks other
credentials or another API would serve one principal's cached token to another.

Static keys, a local container endpoint, two local instance metadata services, a
local SSO portal and ``echo`` as a credential process answer botocore here; nothing
leaves 127.0.0.1 (the relative container URI, which means 169.254.170.2, is never
generated; IMDS is either disabled or local; clients are made, never called).
"""

import hashlib
import http.server
import json
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import botocore.credentials
import botocore.exceptions
import botocore.loaders
import botocore.session
import botocore.tokens
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keyrings_codeartifact.fingerprint import identity_key
from keyrings_codeartifact.settings import Settings

pytestmark = pytest.mark.xdist_group("identity-oracle")  # ANSWERS spans the module: one process


class _Metadata(http.server.BaseHTTPRequestHandler):
    """A container credentials endpoint (the Authorization header picks the task),
    IMDSv2 (each server its own instance role) and the SSO portal's GetRoleCredentials."""

    def log_message(self, *args) -> None:
        pass

    def do_PUT(self) -> None:
        self._send(b"imds-session")

    def do_GET(self) -> None:
        if self.path == "/latest/meta-data/iam/security-credentials/":
            return self._send(b"instance-role")
        if self.path.startswith("/federation/credentials"):
            return self._sso()
        task = self.headers.get("Authorization") or "no-authorization"
        instance = f"INSTANCE-{self.server.server_address[1]}"
        key = instance if self.path.startswith("/latest/") else f"CONTAINER-{self.path}-{task}"
        credentials = {"AccessKeyId": key, "SecretAccessKey": "s", "Token": "t",
                       "Expiration": "2099-01-01T00:00:00Z", "Code": "Success"}
        self._send(json.dumps(credentials).encode())

    def _sso(self) -> None:
        query = {name: values[0] for name, values in parse_qs(urlsplit(self.path).query).items()}
        key = f"SSO-{query.get('account_id')}-{query.get('role_name')}-{self.headers.get('x-amz-sso_bearer_token')}"
        credentials = {"accessKeyId": key, "secretAccessKey": "s", "sessionToken": "t", "expiration": 4070908800000}
        self._send(json.dumps({"roleCredentials": credentials}).encode())

    def _send(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def servers():
    """Two metadata servers: each an instance of its own."""
    started = [http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Metadata) for _ in range(2)]
    for server in started:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield [f"http://127.0.0.1:{server.server_port}" for server in started]
    for server in started:
        server.shutdown()


@pytest.fixture(scope="module")
def metadata(servers):
    return servers[0]


# A credential process (doubled braces: the config pieces are formatted with the servers' URLs).
PROCESS = """/bin/echo '{{"Version": 1, "AccessKeyId": "PROCESS", "SecretAccessKey": "s"}}'"""


def keys(name: str, key: str) -> str:
    return f"[{name}]\naws_access_key_id = {key}\naws_secret_access_key = secret\n"


# Sections of config files and the bodies each may have; a setup picks at most one
# body per section (and, now and then, a piece that repeats a section: botocore fails).
_KEYS_BESIDE_PROCESS = "credential_process = " + PROCESS + "\naws_access_key_id = AKIACONFIGDEFAULT\naws_secret_access_key = s\n"
CONFIG_SECTIONS = {
    "default": (
        "region = us-east-1\n",
        "mfa_serial = arn:aws:iam::111122223333:mfa/me\n",
        "sso_session = corp\n",
        # keys beside a credential process: the file they are in decides botocore's order
        "credential_process = " + PROCESS + "\n",
        _KEYS_BESIDE_PROCESS,
        # API endpoints
        "endpoint_url = https://config.example\n",
        "services = local\n",
    ),
    "profile alice": ("aws_access_key_id = AKIACONFIGALICE\naws_secret_access_key = s\n", "services = local\n"),
    "profile dev": ("sso_start_url = https://corp.awsapps.com/start\n",),
    "profile bob": ("role_session_name = me\n", "ec2_metadata_service_endpoint = {metadata}\n"),
    "profile default": ("aws_access_key_id = AKIAPROFILEDEFAULT\naws_secret_access_key = s\n",),
    # SSO: options in the session section, which botocore merges into the profile
    "profile sso": ("sso_session = corp\nsso_role_name = ReadOnly\n",
                    "sso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Admin\n"),
    "sso-session corp": (
        "sso_start_url = https://a.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 111111111111\n",
        "sso_start_url = https://a.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 222222222222\n",
    ),
    "sso-sessions corp": (
        "sso_start_url = https://b.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 333333333333\n",
    ),
    # the metadata endpoint in a profile
    "profile imds": ("ec2_metadata_service_endpoint = {other_metadata}\n",),
    "services local": ("codeartifact =\n  endpoint_url = https://services.example\n",
                       "sts =\n  endpoint_url = https://sts.example\n"),
}
REPEATED = ("[default]\nregion = eu-west-1\n", "[profile bob]\nregion = eu-west-1\n")


@st.composite
def config_files(draw) -> str:
    """The text of a config file: some sections, each with one of its bodies."""
    text = ""
    for section, bodies in CONFIG_SECTIONS.items():
        body = draw(st.sampled_from((None, *bodies)))
        if body is not None:
            text += f"[{section}]\n{body}\n"
    return text + draw(st.sampled_from(("",) * 10 + REPEATED))


CREDENTIALS_PIECES = (  # two of [default]: botocore fails on a file that has both
    keys("default", "AKIADEFAULT1"),
    keys("default", "AKIADEFAULT2"),
    keys("alice", "AKIAALICE"),
    keys("bob", "AKIABOB"),
    "[dev]\nregion = eu-west-1\n",
)
UNSET = None


def _maybe(*values: object):
    return st.sampled_from((UNSET, *values))


@st.composite
def setups(draw):
    """A generated AWS setup: file contents and environment variables (None: unset)."""
    return {
        "config": draw(config_files()),
        "other_config": draw(config_files()),
        "credentials": draw(st.lists(st.sampled_from(CREDENTIALS_PIECES), max_size=3, unique=True)),
        "boto": draw(st.sampled_from(("", "[Credentials]\naws_access_key_id = AKIABOTO\naws_secret_access_key = s\n"))),
        "env": {
            "AWS_ACCESS_KEY_ID": draw(_maybe("", "AKIAENV1", "AKIAENV2")),
            "AWS_PROFILE": draw(_maybe("", "alice", "bob", "dev", "sso", "imds")),
            "AWS_DEFAULT_PROFILE": draw(_maybe("", "alice")),
            "AWS_CONFIG_FILE": draw(_maybe("", "{home}/.aws/config", "{home}/other-config")),
            "AWS_SHARED_CREDENTIALS_FILE": draw(_maybe("", "{home}/.aws/credentials")),
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": draw(_maybe("{metadata}/task", "{metadata}/other")),
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": draw(_maybe("", "task-a", "task-b")),
            "BOTO_CONFIG": draw(_maybe("/dev/null", "{home}/boto.cfg")),
            "AWS_EC2_METADATA_DISABLED": draw(st.sampled_from(("true", None))),
            "AWS_ENDPOINT_URL_CODEARTIFACT": draw(_maybe("", "https://localhost:1", "https://127.0.0.1:1")),
            "AWS_ENDPOINT_URL": draw(_maybe("https://localhost:2")),
            "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": draw(_maybe("true")),
        },
    }


LOADER = botocore.loaders.create_loader()  # one for every session: the service models are read once


def botocore_answer(profile_name=None, endpoint_url=None) -> str:
    """Whose credentials botocore's own chain picks here and which CodeArtifact and
    STS endpoints its clients use, or how it fails."""
    try:
        session = botocore.session.Session(profile=profile_name)
        session.register_component("data_loader", LOADER)
        session.get_scoped_config()  # a client needs it: a missing profile fails here
        credentials = session.get_credentials()
        who = "none" if credentials is None else credentials.get_frozen_credentials().access_key
        keys = {"aws_access_key_id": "x", "aws_secret_access_key": "y", "region_name": "us-east-1"}
        codeartifact = session.create_client("codeartifact", endpoint_url=endpoint_url, **keys)
        sts = session.create_client("sts", **keys)
        return f"{who} {codeartifact.meta.endpoint_url} {sts.meta.endpoint_url}"
    except (botocore.exceptions.BotoCoreError, RuntimeError) as error:
        return f"fails: {type(error).__name__}"


def sso_login(home: Path, monkeypatch) -> None:
    """A logged-in SSO session ``corp``, where botocore's SSO providers read it (they
    name the folder when botocore is imported: they are told this HOME's)."""
    folder = home / ".aws" / "sso" / "cache"
    for provider in (botocore.credentials.SSOProvider, botocore.tokens.SSOTokenProvider):
        monkeypatch.setattr(provider, "_SSO_TOKEN_CACHE_DIR", str(folder))
    cache = folder / (hashlib.sha1(b"corp").hexdigest() + ".json")
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps({"startUrl": "https://a.awsapps.com/start", "region": "us-east-1",
                                 "accessToken": "sso-access", "expiresAt": "2099-01-01T00:00:00Z"}))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(setup=setups(), profile_name=_maybe("bob", "sso"), endpoint_url=_maybe("https://settings.example"))
def test_same_identity_key_means_same_botocore_credentials(
    setup, profile_name, endpoint_url, servers, tmp_path, monkeypatch
):
    metadata, other_metadata = servers
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True, exist_ok=True)
    sso_login(home, monkeypatch)
    urls = {"metadata": metadata, "other_metadata": other_metadata}
    (home / ".aws" / "config").write_text(setup["config"].format(**urls))
    (home / "other-config").write_text(setup["other_config"].format(**urls))
    (home / ".aws" / "credentials").write_text("".join(setup["credentials"]))
    (home / "boto.cfg").write_text(setup["boto"])
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", metadata)  # never 169.254.169.254
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", metadata)
    for name, value in setup["env"].items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value.format(home=home, metadata=metadata))
    key = identity_key(Settings(profile_name=profile_name, endpoint_url=endpoint_url))
    answer = botocore_answer(profile_name, endpoint_url)
    seen = ANSWERS.setdefault(key, (answer, setup))
    assert seen[0] == answer, f"one identity key {key}, two botocore answers: {seen[0]} then {answer}\n{seen[1]}\n{setup}"


ANSWERS: dict = {}  # identity key -> (botocore's answer, the first setup that gave it)


@pytest.fixture(autouse=True, scope="module")
def _fresh_answers():
    ANSWERS.clear()
    yield
    ANSWERS.clear()


def test_the_oracle_sees_different_principals(metadata, tmp_path, monkeypatch):
    """The property above is not empty: setups differ in botocore's answer and in key."""
    (tmp_path / "credentials").write_text(keys("default", "AKIAONE"))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    first = (identity_key(Settings()), botocore_answer())
    Path(tmp_path / "credentials").write_text(keys("default", "AKIATWO"))
    second = (identity_key(Settings()), botocore_answer())
    assert first[1].startswith("AKIAONE ") and second[1].startswith("AKIATWO ")
    assert first[0] != second[0]
