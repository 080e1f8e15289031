"""Local stand-ins for the credential sources of botocore's chain other than STS.

One plain-HTTP server on 127.0.0.1 serves:

- a container credentials endpoint (``AWS_CONTAINER_CREDENTIALS_FULL_URI`` =
  ``{url}/container/credentials``): the ``Authorization`` header, from
  ``AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE]``, says which task asks;
- the EC2 instance metadata service, v2 only (``AWS_EC2_METADATA_SERVICE_ENDPOINT``
  = ``url``): ``PUT /latest/api/token``, then the role name and its credentials
  under ``/latest/meta-data/iam/security-credentials/``;
- AWS IAM Identity Center's ``GetRoleCredentials`` (``AWS_ENDPOINT_URL_SSO`` =
  ``url``): ``GET /federation/credentials`` with the ``x-amz-sso_bearer_token``
  header, an access token of a test's SSO session;
- ``GET /process/PRINCIPAL``, which the ``credential_process`` script of
  ``credential_process.py`` asks, so that its runs are counted too.

Every answer carries new temporary keys of a named principal, registered with the
CodeArtifact stand-in, so each token it issues records whose it is
(``issued[token]["identity"]``). ``expired`` makes a source hand out credentials
that have already expired. Every request is recorded in ``requests``.
"""

import hashlib
import http.server
import json
import secrets
import sys
import threading
import time
from pathlib import Path
from typing import Optional
from urllib.parse import parse_qs, urlsplit

from .codeartifact import CodeArtifactStandIn
from .serving import Handler, Serving

PROCESS_SCRIPT = Path(__file__).with_name("credential_process.py")
IMDS_CREDENTIALS = "/latest/meta-data/iam/security-credentials/"
SSO_START_URL = "https://my-team.awsapps.com/start"
SSO_REGION = "us-east-1"


class CredentialSources(Serving):
    """The server. Use as a context manager, or call start() and stop()."""

    def __init__(self, api: CodeArtifactStandIn):
        self.api = api
        self.container_tasks: dict[str, str] = {}  # authorization token -> principal
        self.instance_role: Optional[str] = None  # IMDS role name; principal "instance:ROLE"
        self.sso_access_tokens: dict[str, str] = {}  # SSO session name -> its access token
        self.expired: set[str] = set()  # sources ("container", "imds", "sso", "process") handing out expired keys
        self.requests: list[dict] = []
        self._imds_tokens: set[str] = set()
        self._secrets: set[str] = set()  # never forgotten: checked after each test
        self._lock = threading.Lock()
        self._serve(_Server(("127.0.0.1", 0), _Handler, self))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def container_url(self) -> str:
        return f"{self.url}/container/credentials"

    def add_container_task(self, authorization: str, principal: str) -> None:
        self.container_tasks[authorization] = principal
        self._secrets.add(authorization)

    def sso_login(self, home: Path, session: str) -> str:
        """Do what ``aws sso login --sso-session SESSION`` does: a new access token
        for the session (the previous one no longer works), written where
        botocore's SSOTokenProvider reads it: ~/.aws/sso/cache/SHA1(SESSION).json."""
        access_token = "sso-" + secrets.token_urlsafe(32)
        self.sso_access_tokens[session] = access_token
        self._secrets.add(access_token)
        cache = home / ".aws" / "sso" / "cache" / (hashlib.sha1(session.encode()).hexdigest() + ".json")
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps({
            "startUrl": SSO_START_URL, "region": SSO_REGION, "accessToken": access_token,
            "expiresAt": _iso(time.time() + 8 * 3600),
        }))
        return access_token

    def process_command(self, principal: str) -> str:
        """A ``credential_process`` value whose runs print keys of ``principal``."""
        return f"{sys.executable} {PROCESS_SCRIPT} {self.url}/process/{principal}"

    def calls(self) -> list[dict]:
        """Every request to any stand-in (the AWS APIs' and this one's), oldest first."""
        with self._lock:
            mine = list(self.requests)
        return sorted(self.api.requests() + mine, key=lambda entry: entry["time"])

    def secrets(self) -> set[str]:
        return set(self._secrets)

    def reset(self) -> None:
        """Forget tasks, roles, SSO sessions, faults and the request log."""
        with self._lock:
            self.container_tasks.clear()
            self.instance_role = None
            self.sso_access_tokens.clear()
            self.expired.clear()
            self.requests.clear()
            self._imds_tokens.clear()

    # -- called by the handler -------------------------------------------------

    def log(self, **entry) -> None:
        entry["time"] = time.time()
        with self._lock:
            self.requests.append(entry)

    def new_imds_token(self) -> str:
        token = "imds-" + secrets.token_urlsafe(24)
        with self._lock:
            self._imds_tokens.add(token)
            self._secrets.add(token)
        return token

    def knows_imds_token(self, token: Optional[str]) -> bool:
        with self._lock:
            return token in self._imds_tokens

    def keys_for(self, source: str, principal: str) -> tuple[dict, float]:
        """New temporary keys of ``principal``, and when they expire."""
        identity = self.api.temporary_identity(principal)
        expires_at = time.time() + (-3600 if source in self.expired else 3600)
        keys = {"access_key": identity.access_key, "secret_key": identity.secret_key, "token": identity.session_token}
        return keys, expires_at


def sso_profile(profile: str, session: str, account: str, role: str) -> str:
    """AWS config text: ``profile`` signs in through SSO session ``session`` as
    ``role`` in ``account`` (the form `aws configure sso` writes)."""
    section = "default" if profile == "default" else f"profile {profile}"
    return (
        f"[{section}]\nsso_session = {session}\nsso_account_id = {account}\nsso_role_name = {role}\n\n"
        f"[sso-session {session}]\nsso_start_url = {SSO_START_URL}\nsso_region = {SSO_REGION}\n"
        "sso_registration_scopes = sso:account:access\n"
    )


def _iso(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, handler, sources: CredentialSources):
        super().__init__(address, handler)
        self.sources = sources

    def handle_error(self, request, client_address) -> None:
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)


class _Handler(Handler):
    server: _Server

    def do_PUT(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path = urlsplit(self.path).path
        if path == "/latest/api/token" and self.headers.get("x-aws-ec2-metadata-token-ttl-seconds"):
            self._record("imds-token", 200)
            self.respond(200, self.server.sources.new_imds_token(), "text/plain")
        else:
            self._record("imds-token", 400)
            self.respond(400, "bad request", "text/plain")

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path.startswith("/container/"):
            self._container()
        elif path.startswith(IMDS_CREDENTIALS):
            self._instance_metadata(path[len(IMDS_CREDENTIALS):])
        elif path == "/federation/credentials":
            self._sso()
        elif path.startswith("/process/"):
            self._process(path[len("/process/"):])
        else:
            self._record("unknown", 404, path=path)
            self.respond(404, "not found", "text/plain")

    def _container(self) -> None:
        sources = self.server.sources
        principal = sources.container_tasks.get(self.headers.get("Authorization", ""))
        if principal is None:
            self._record("container", 401)
            self._send_json(401, {"code": "AccessDenied", "message": "unknown authorization token"})
            return
        keys, expires_at = sources.keys_for("container", principal)
        self._record("container", 200, principal=principal)
        self._send_json(200, {
            "AccessKeyId": keys["access_key"], "SecretAccessKey": keys["secret_key"], "Token": keys["token"],
            "Expiration": _iso(expires_at), "AccountId": "111122223333",
        })

    def _instance_metadata(self, role: str) -> None:
        sources = self.server.sources
        api = "imds-credentials" if role else "imds-role"
        if not sources.knows_imds_token(self.headers.get("x-aws-ec2-metadata-token")):
            self._record(api, 401)
            self.respond(401, "", "text/plain")  # IMDSv1 is off on this instance
            return
        if sources.instance_role is None or role not in ("", sources.instance_role):
            self._record(api, 404)
            self.respond(404, "not found", "text/plain")
            return
        if not role:
            self._record(api, 200)
            self.respond(200, sources.instance_role, "text/plain")
            return
        principal = f"instance:{role}"
        keys, expires_at = sources.keys_for("imds", principal)
        self._record(api, 200, principal=principal)
        self._send_json(200, {
            "Code": "Success", "LastUpdated": _iso(time.time()), "Type": "AWS-HMAC",
            "AccessKeyId": keys["access_key"], "SecretAccessKey": keys["secret_key"], "Token": keys["token"],
            "Expiration": _iso(expires_at),
        })

    def _sso(self) -> None:
        sources = self.server.sources
        query = {key: values[0] for key, values in parse_qs(urlsplit(self.path).query).items()}
        account, role = query.get("account_id"), query.get("role_name")
        if self.headers.get("x-amz-sso_bearer_token") not in sources.sso_access_tokens.values():
            self._record("sso", 401)
            self._send_json(401, {"message": "Session token not found or invalid"},
                            {"x-amzn-ErrorType": "UnauthorizedException"})
            return
        principal = f"sso:{account}/{role}"
        keys, expires_at = sources.keys_for("sso", principal)
        self._record("sso", 200, principal=principal)
        self._send_json(200, {"roleCredentials": {
            "accessKeyId": keys["access_key"], "secretAccessKey": keys["secret_key"],
            "sessionToken": keys["token"], "expiration": int(expires_at * 1000),
        }})

    def _process(self, principal: str) -> None:
        keys, expires_at = self.server.sources.keys_for("process", principal)
        self._record("process", 200, principal=principal)
        self._send_json(200, {
            "Version": 1, "AccessKeyId": keys["access_key"], "SecretAccessKey": keys["secret_key"],
            "SessionToken": keys["token"], "Expiration": _iso(expires_at),
        })

    def _record(self, api: str, status: int, **details) -> None:
        self.server.sources.log(api=api, status=status, **details)

    def _send_json(self, status: int, payload: dict, headers: Optional[dict] = None) -> None:
        self.respond(status, json.dumps(payload), "application/json", headers)
