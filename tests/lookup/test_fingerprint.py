"""fingerprint.identity_key: the identity part of the cache key changes whenever an
input that can change who asks AWS (or which API answers) changes, and stays the
same for values that only rotate with the same credentials. Pure: files, the
environment and the host name; no value is ever in the key."""

import base64
import json
import os
import re
import socket
import sys
from pathlib import Path

import pytest

from keyrings_codeartifact import fingerprint
from keyrings_codeartifact.settings import Settings

pytestmark = pytest.mark.windows

ROLE = "arn:aws:iam::111122223333:role/publish"


def jwt(subject: str, issued_at: int, issuer: str = "https://oidc.example", **claims) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    payload = {"iss": issuer, "sub": subject, "iat": issued_at, **claims}
    return f"{part({'alg': 'RS256'})}.{part(payload)}.signature-{issued_at}"


class Setup:
    """A home with AWS files, an environment naming them, and settings."""

    def __init__(self, home: Path):
        self.home = home
        (home / ".aws").mkdir(parents=True)
        self.config = home / ".aws" / "config"
        self.credentials = home / ".aws" / "credentials"
        self.config.write_text("[default]\nregion = us-east-1\n")
        self.credentials.write_text("[default]\naws_access_key_id = AKIAALICE\naws_secret_access_key = s1\n")
        self.environ = {"HOME": str(home), "AWS_CONFIG_FILE": str(self.config),
                        "AWS_SHARED_CREDENTIALS_FILE": str(self.credentials)}
        self.settings = Settings()

    def key(self) -> str:
        return fingerprint.identity_key(self.settings, self.environ)


@pytest.fixture
def setup(tmp_path: Path) -> Setup:
    return Setup(tmp_path / "home")


def _token_file(setup: Setup, name: str, token: str) -> str:
    path = setup.home / name
    path.write_text(token)
    return str(path)


# Each change: what it does to the setup. Every one must give another key.
CHANGES = {
    "config bytes": lambda s: s.config.write_text("[default]\nregion = us-east-1\n\n[profile b]\n"),
    "credentials bytes": lambda s: s.credentials.write_text(s.credentials.read_text() + "\n"),
    "config file moved": lambda s: s.environ.update(AWS_CONFIG_FILE=str(s.home / "other")),
    "config file set but empty": lambda s: s.environ.update(AWS_CONFIG_FILE=""),
    "config file removed": lambda s: s.config.unlink(),
    "config file a folder": lambda s: (s.config.unlink(), s.config.mkdir()),
    "credentials file from HOME": lambda s: s.environ.pop("AWS_SHARED_CREDENTIALS_FILE"),
    "legacy file": lambda s: s.environ.update(AWS_CREDENTIAL_FILE=_token_file(s, "legacy", "AWSAccessKeyId=A\n")),
    "boto config": lambda s: s.environ.update(BOTO_CONFIG=_token_file(s, "boto", "[Credentials]\n")),
    "~/.boto": lambda s: (s.home / ".boto").write_text("[Credentials]\naws_access_key_id = AKIABOTO\n"),
    "AWS_PROFILE": lambda s: s.environ.update(AWS_PROFILE="bob"),
    "AWS_PROFILE set but empty": lambda s: s.environ.update(AWS_PROFILE=""),
    "AWS_DEFAULT_PROFILE": lambda s: s.environ.update(AWS_DEFAULT_PROFILE="bob"),
    "AWS_ACCESS_KEY_ID": lambda s: s.environ.update(AWS_ACCESS_KEY_ID="AKIAENV"),
    "AWS_ENDPOINT_URL_CODEARTIFACT": lambda s: s.environ.update(AWS_ENDPOINT_URL_CODEARTIFACT="https://localhost:1"),
    "AWS_ENDPOINT_URL": lambda s: s.environ.update(AWS_ENDPOINT_URL="https://localhost:1"),
    "AWS_ENDPOINT_URL_STS": lambda s: s.environ.update(AWS_ENDPOINT_URL_STS="https://localhost:1"),
    "metadata endpoint": lambda s: s.environ.update(AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:1"),
    "container authorization": lambda s: s.environ.update(AWS_CONTAINER_AUTHORIZATION_TOKEN="task-b"),
    "botocore plugins": lambda s: s.environ.update(BOTOCORE_EXPERIMENTAL__PLUGINS="x=y"),
    "profile_name": lambda s: setattr(s, "settings", s.settings._replace(profile_name="bob")),
    "role_arn": lambda s: setattr(s, "settings", s.settings._replace(role_arn=ROLE)),
    "role_session_name": lambda s: setattr(s, "settings", s.settings._replace(role_session_name="other")),
    "external_id": lambda s: setattr(s, "settings", s.settings._replace(role_arn=ROLE, external_id="x")),
    "aws_access_key_id": lambda s: setattr(s, "settings", s.settings._replace(aws_access_key_id="AKIAX")),
    "endpoint_url": lambda s: setattr(s, "settings", s.settings._replace(endpoint_url="https://localhost:1")),
}


@pytest.mark.parametrize("change", CHANGES)
def test_every_input_changes_the_key(setup, change):
    before = setup.key()
    assert setup.key() == before  # nothing changed: the same key
    CHANGES[change](setup)
    assert setup.key() != before


def test_the_host_name_is_an_input(setup, monkeypatch):
    # A home folder shared by two hosts: each has its own instance role.
    before = setup.key()
    monkeypatch.setattr(socket, "gethostname", lambda: "another-host")
    if hasattr(os, "uname"):  # POSIX: the name is read from uname, which gethostname reads too
        real = os.uname()
        monkeypatch.setattr(os, "uname", lambda: os.uname_result((real[0], "another-host", *real[2:])))
    assert setup.key() != before


def test_the_host_name_is_the_one_socket_gives():
    # Keys made before the name was read from uname stay valid: it is the same name.
    assert fingerprint._hostname() == socket.gethostname()


# Changes that leave the principal as it was: the key stays.
SAME = {
    "secret key": lambda s: s.environ.update(AWS_SECRET_ACCESS_KEY="rotated"),
    "session token": lambda s: s.environ.update(AWS_SESSION_TOKEN="rotated"),
    "security token": lambda s: s.environ.update(AWS_SECURITY_TOKEN="rotated"),
    "credential expiration": lambda s: s.environ.update(AWS_CREDENTIAL_EXPIRATION="2030-01-01T00:00:00Z"),
    "another tool's variable": lambda s: s.environ.update(PIP_INDEX_URL="https://example/simple/"),
    "SSO login": lambda s: (s.home / ".aws" / "sso").mkdir(),
    "timeout": lambda s: setattr(s, "settings", s.settings._replace(timeout=30.0)),
    "secret key in keyringrc.cfg": lambda s: setattr(s, "settings", s.settings._replace(aws_secret_access_key="x")),
}


@pytest.mark.parametrize("change", SAME)
def test_what_only_rotates_keeps_the_key(setup, change):
    before = setup.key()
    SAME[change](setup)
    assert setup.key() == before


@pytest.mark.parametrize("variable", fingerprint.TOKEN_FILE_VARIABLES)
def test_token_files_by_issuer_and_subject(setup, variable):
    path = setup.home / "token"
    path.write_text(jwt("system:serviceaccount:ci:a", 1))
    setup.environ[variable] = str(path)
    first = setup.key()
    path.write_text(jwt("system:serviceaccount:ci:a", 2))  # rotated: same identity
    assert setup.key() == first
    path.write_text(jwt("system:serviceaccount:ci:b", 3))
    assert setup.key() != first
    path.write_text(jwt("system:serviceaccount:ci:a", 4, issuer="https://other-cluster"))
    assert setup.key() != first
    path.write_text(jwt("system:serviceaccount:ci:a", 5, **{"https://aws.amazon.com/tags": {"team": "x"}}))
    assert setup.key() != first  # session tags may decide permissions
    path.write_text("not-a-jwt-1")  # anything else: by its bytes
    opaque = setup.key()
    path.write_text("not-a-jwt-2")
    assert setup.key() != opaque


def test_a_token_file_named_in_the_config_file(setup):
    # Read only because the config file names one; a plain scan of its lines.
    path = setup.home / "token"
    path.write_text(jwt("a", 1))
    setup.config.write_text(f"[default]\nrole_arn = {ROLE}\nWeb_Identity_Token_File : {path}\n")
    first = setup.key()
    path.write_text(jwt("a", 2))
    assert setup.key() == first
    path.write_text(jwt("b", 3))
    assert setup.key() != first


def test_no_value_is_in_the_key(setup):
    setup.environ.update(AWS_CONTAINER_AUTHORIZATION_TOKEN="task-secret", AWS_ENDPOINT_URL="https://user:pw@h")
    setup.settings = Settings(role_arn=ROLE, external_id="external-secret")
    assert re.fullmatch(r"role:publish:[0-9a-f]{32}", setup.key())


@pytest.mark.parametrize("settings, environ, label", [
    (Settings(), {}, "profile:default"),
    (Settings(), {"AWS_PROFILE": "bob"}, "profile:bob"),
    (Settings(), {"AWS_DEFAULT_PROFILE": "alice", "AWS_PROFILE": "bob"}, "profile:alice"),
    (Settings(), {"AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_PROFILE": "bob"}, "environment:AKIAENV"),
    (Settings(profile_name="dev"), {"AWS_ACCESS_KEY_ID": "AKIAENV"}, "profile:dev"),
    (Settings(aws_access_key_id="AKIAKEYS", aws_secret_access_key="s"), {}, "keys:AKIAKEYS"),
    (Settings(role_arn=ROLE, profile_name="dev"), {}, "role:publish"),
])
def test_label_names_where_the_lookup_starts(settings, environ, label):
    assert fingerprint.label(settings, environ) == label


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX FIFOs")
def test_a_fifo_is_never_read(setup):
    setup.config.unlink()
    missing = setup.key()
    os.mkfifo(setup.config)  # opening it to read would block without a writer
    assert setup.key() != missing


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX FIFOs")
@pytest.mark.parametrize("where", ["environment", "config"])
def test_a_fifo_as_a_web_identity_token_file_is_never_read(setup, where):
    # A token file named by AWS_WEB_IDENTITY_TOKEN_FILE, or by web_identity_token_file in
    # the config, was opened with a plain open(): a FIFO there hung every lookup. Run in
    # a thread so that a hang fails the test instead of the suite.
    import threading

    fifo = setup.home / "token-fifo"
    os.mkfifo(fifo)
    if where == "environment":
        setup.environ["AWS_WEB_IDENTITY_TOKEN_FILE"] = str(fifo)
    else:
        setup.config.write_text(f"[default]\nweb_identity_token_file = {fifo}\nrole_arn = {ROLE}\n")
    keys: list = []
    thread = threading.Thread(target=lambda: keys.append(setup.key()), daemon=True)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive() and keys


def test_digests_are_sha256_as_hashlib_computes_them(tmp_path):
    # fingerprint.sha256 is Python's own SHA-256 module rather than hashlib's OpenSSL (off
    # the warm path): the digests, and so the keys and file names of tokens cached by
    # earlier versions, must be what they were.
    import hashlib

    from keyrings_codeartifact import cache

    data = os.urandom(fingerprint._CHUNK + 12345)  # more than one chunk
    path = tmp_path / "config"
    path.write_bytes(data)
    assert fingerprint._file(str(path)) == (hashlib.sha256(data).hexdigest(), False)
    key = {"partition": "aws", "region": "us-east-1", "domain": "d", "owner": "111122223333",
           "identity": "profile:default:0123", "duration": 3600}
    canonical = json.dumps(key, sort_keys=True).encode()
    assert cache.entry_name(key) == hashlib.sha256(canonical).hexdigest()[:40] + ".json"
