"""botocore as the oracle of identity.resolve: over generated AWS setups (files,
environment variables set, unset or empty, container endpoints, boto2 files,
instance metadata), two setups with the same identity key must get the same
answer from botocore's real credential chain: the same access key, or the same
failure. A key that stays the same while botocore picks other credentials would
serve one principal's cached token to another.

Static keys, a local container endpoint and a local instance metadata service
answer botocore here; nothing leaves 127.0.0.1 (the relative container URI,
which means 169.254.170.2, is never generated; IMDS is either disabled or local).
"""

import http.server
import json
import threading
from pathlib import Path

import botocore.exceptions
import botocore.session
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keyrings_codeartifact.identity import resolve
from keyrings_codeartifact.settings import Settings


class _Metadata(http.server.BaseHTTPRequestHandler):
    """A container credentials endpoint (the Authorization header picks the task) and IMDSv2."""

    def log_message(self, *args) -> None:
        pass

    def do_PUT(self) -> None:
        self._send(b"imds-session")

    def do_GET(self) -> None:
        if self.path == "/latest/meta-data/iam/security-credentials/":
            return self._send(b"instance-role")
        task = self.headers.get("Authorization") or "no-authorization"
        key = "INSTANCE" if self.path.startswith("/latest/") else f"CONTAINER-{self.path}-{task}"
        credentials = {"AccessKeyId": key, "SecretAccessKey": "s", "Token": "t",
                       "Expiration": "2099-01-01T00:00:00Z", "Code": "Success"}
        self._send(json.dumps(credentials).encode())

    def _send(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def metadata():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Metadata)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def keys(name: str, key: str) -> str:
    return f"[{name}]\naws_access_key_id = {key}\naws_secret_access_key = secret\n"


# Pieces of config and credentials files; each setup picks some of them.
CONFIG_PIECES = (
    "[default]\nregion = us-east-1\n",
    "[default]\nmfa_serial = arn:aws:iam::111122223333:mfa/me\n",
    "[default]\nsso_session = corp\n",
    "[profile alice]\naws_access_key_id = AKIACONFIGALICE\naws_secret_access_key = s\n",
    "[profile dev]\nsso_start_url = https://corp.awsapps.com/start\n",
    "[profile bob]\nrole_session_name = me\n",
    "[profile default]\naws_access_key_id = AKIAPROFILEDEFAULT\naws_secret_access_key = s\n",
)
CREDENTIALS_PIECES = (
    keys("default", "AKIADEFAULT1"),
    keys("default", "AKIADEFAULT2"),
    keys("alice", "AKIAALICE"),
    keys("bob", "AKIABOB"),
    "[dev]\nregion = eu-west-1\n",
)
UNSET = None


def _maybe(*values):
    return st.sampled_from((UNSET, *values))


@st.composite
def setups(draw):
    """A generated AWS setup: file contents and environment variables (None: unset)."""
    return {
        "config": draw(st.lists(st.sampled_from(CONFIG_PIECES), max_size=3)),
        "other_config": draw(st.lists(st.sampled_from(CONFIG_PIECES), max_size=2)),
        "credentials": draw(st.lists(st.sampled_from(CREDENTIALS_PIECES), max_size=3)),
        "boto": draw(st.sampled_from(("", "[Credentials]\naws_access_key_id = AKIABOTO\naws_secret_access_key = s\n"))),
        "env": {
            "AWS_ACCESS_KEY_ID": draw(_maybe("", "AKIAENV1", "AKIAENV2")),
            "AWS_PROFILE": draw(_maybe("", "alice", "bob", "dev")),
            "AWS_DEFAULT_PROFILE": draw(_maybe("", "alice")),
            "AWS_CONFIG_FILE": draw(_maybe("", "{home}/.aws/config", "{home}/other-config")),
            "AWS_SHARED_CREDENTIALS_FILE": draw(_maybe("", "{home}/.aws/credentials")),
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": draw(_maybe("{metadata}/task", "{metadata}/other")),
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": draw(_maybe("", "task-a", "task-b")),
            "BOTO_CONFIG": draw(_maybe("/dev/null", "{home}/boto.cfg")),
            "AWS_EC2_METADATA_DISABLED": draw(st.sampled_from(("true", None))),
        },
    }


def botocore_answer(profile_name=None) -> str:
    """Whose credentials botocore's own chain picks here, or how it fails."""
    try:
        session = botocore.session.Session(profile=profile_name)
        session.get_scoped_config()  # a client needs it: a missing profile fails here
        credentials = session.get_credentials()
        return "none" if credentials is None else credentials.get_frozen_credentials().access_key
    except (botocore.exceptions.BotoCoreError, RuntimeError) as error:
        return f"fails: {type(error).__name__}"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(setup=setups(), profile_name=_maybe("bob"))
def test_same_identity_key_means_same_botocore_credentials(setup, profile_name, metadata, tmp_path, monkeypatch):
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True, exist_ok=True)
    (home / ".aws" / "config").write_text("".join(setup["config"]))
    (home / "other-config").write_text("".join(setup["other_config"]))
    (home / ".aws" / "credentials").write_text("".join(setup["credentials"]))
    (home / "boto.cfg").write_text(setup["boto"])
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", metadata)  # never 169.254.169.254
    for name, value in setup["env"].items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value.format(home=home, metadata=metadata))
    key = resolve(Settings(profile_name=profile_name)).key
    answer = botocore_answer(profile_name)
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
    first = (resolve(Settings()).key, botocore_answer())
    Path(tmp_path / "credentials").write_text(keys("default", "AKIATWO"))
    second = (resolve(Settings()).key, botocore_answer())
    assert first[1] == "AKIAONE" and second[1] == "AKIATWO"
    assert first[0] != second[0]
