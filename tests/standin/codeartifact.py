"""A local stand-in for the AWS CodeArtifact and STS APIs, which real botocore talks to.

moto has no CodeArtifact, so this implements the two calls the backend makes:
CodeArtifact ``GetAuthorizationToken`` (``POST /v1/authorization-token``, rest-json)
and ``GetRepositoryEndpoint`` (``GET /v1/repository/endpoint``)
and STS ``AssumeRole``, ``AssumeRoleWithWebIdentity`` and ``GetCallerIdentity``
(``POST /``, query protocol). Every signed request's SigV4 signature is checked with
botocore's own signer against known test keys, so a wrong secret is rejected as
AWS would; ``AssumeRoleWithWebIdentity`` is unsigned, as in AWS, and accepts only
the web identity tokens a test registered. An assumed role's principal is named
``role:ARN``; each session gets new temporary keys. Its clock (``now``) can be shifted
from this machine's (``clock_shift``), as AWS's may be: the ``Date`` header, a token's
``expiration`` and the 15 minutes of SigV4 skew it accepts follow it; ``date_header``
replaces the ``Date`` header (as a proxy might) or, empty, leaves it out. Every request is logged as a JSON line
(api, domain, owner, region from the signature scope, duration, identity, status)
so that tests can count and inspect the calls made. It listens on 127.0.0.1
only, on a port the OS picks, over TLS with a test CA.
"""

import calendar
import hmac
import http.server
import json
import re
import secrets
import ssl
import sys
import threading
import time
from pathlib import Path
from typing import Optional
from urllib.parse import parse_qs, urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from .serving import Handler, Serving

_AUTHORIZATION = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/"
    r"(?P<service>[^/]+)/aws4_request, ?SignedHeaders=(?P<signed>[^,]+), ?Signature=(?P<signature>[0-9a-f]{64})"
)

# Faults a test can ask for: (HTTP status, x-amzn-ErrorType), or "stall".
FAULTS = {
    "deny": (403, "AccessDeniedException"),
    "throttle": (429, "ThrottlingException"),
    "error": (500, "InternalServerException"),
    "expired": (403, "ExpiredTokenException"),
    "invalid": (400, "ValidationException"),
    "stall": None,  # accept the request and never answer
    "stall-first": None,  # stall the first token request, answer the others
    "reset": None,  # close the connection without an answer
    "slow": None,  # answer normally, after SLOW_SECONDS
}
SLOW_SECONDS = 2.0
CALLER_ACCOUNT = "111122223333"  # the account of every test identity
SIGV4_SKEW = 900  # seconds: AWS refuses a signature dated further from its clock


class Identity:
    """Test credentials the stand-in accepts, and who they belong to."""

    def __init__(self, name: str, access_key: str, secret_key: str, session_token: Optional[str] = None):
        self.name = name
        self.access_key = access_key
        self.secret_key = secret_key
        self.session_token = session_token


class Rejected(Exception):
    def __init__(self, status: int, error_type: str, message: str):
        super().__init__(message)
        self.status = status
        self.error_type = error_type


class CodeArtifactStandIn(Serving):
    """The stand-in server. Use as a context manager, or call start() and stop()."""

    def __init__(self, server_context: ssl.SSLContext, log_path: Path):
        self.log_path = log_path
        self.identities: dict[str, Identity] = {}
        self.domains: set[tuple[str, str]] = set()  # (domain, owner) pairs that exist
        self.issued: dict[str, dict] = {}  # token -> what it was issued for
        self.fault: Optional[str] = None  # a key of FAULTS, applied to every token request
        self.denied_roles: set[str] = set()  # role ARNs that AssumeRole refuses
        self.web_identity_tokens: set[str] = set()  # what AssumeRoleWithWebIdentity accepts
        self.clock_shift = 0.0  # seconds this "AWS"'s clock is ahead of this machine's
        self.token_suffix = ""  # appended to every token sent (a hostile endpoint's extra lines)
        self.date_header: Optional[str] = None  # the Date header sent instead of the clock's ("": none)
        self.token_arrivals = 0  # token requests received, answered or not (the log has the answered)
        self._stalled_first = False
        self._lock = threading.Lock()
        self._stop_stalling = threading.Event()
        self._serve(_Server(("127.0.0.1", 0), _Handler, self, server_context))

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self._server.server_address[1]}"

    def now(self) -> float:
        """This stand-in's clock: AWS's time, as it would be on a machine ``clock_shift`` off."""
        return time.time() + self.clock_shift

    def add_identity(self, name: str, access_key: str, secret_key: str) -> Identity:
        identity = Identity(name, access_key, secret_key)
        self.identities[access_key] = identity
        return identity

    def add_domain(self, domain: str, owner: str) -> None:
        self.domains.add((domain, owner))

    def requests(self) -> list[dict]:
        """Every request logged so far, oldest first."""
        if not self.log_path.exists():
            return []
        return [json.loads(line) for line in self.log_path.read_text().splitlines()]

    def token_requests(self) -> list[dict]:
        return [r for r in self.requests() if r["api"] == "GetAuthorizationToken"]

    def secrets(self) -> set[str]:
        """Everything this stand-in handed out or accepts that must never be printed."""
        found = set(self.issued) | self.web_identity_tokens
        for identity in self.identities.values():
            found.update(filter(None, (identity.secret_key, identity.session_token)))
        return found

    def reset(self) -> None:
        """Forget faults, the clock shift and the request log; identities, web identity
        tokens and domains stay."""
        self.fault = None
        self.clock_shift = 0.0
        self.date_header = None
        self.token_suffix = ""
        self.token_arrivals = 0
        self._stalled_first = False
        self.denied_roles.clear()
        self._stop_stalling.set()
        self._stop_stalling = threading.Event()
        if self.log_path.exists():
            self.log_path.unlink()

    def stop(self) -> None:
        self._stop_stalling.set()
        super().stop()

    # -- called by the handler -------------------------------------------------

    def log(self, **entry) -> None:
        entry["time"] = time.time()
        with self._lock, self.log_path.open("a") as log:
            log.write(json.dumps(entry) + "\n")

    def arrived(self) -> bool:
        """Count a token request as it arrives; whether it is to stall ("stall-first")."""
        with self._lock:
            self.token_arrivals += 1
            first, self._stalled_first = not self._stalled_first, True
        return self.fault == "stall" or (self.fault == "stall-first" and first)

    def stall(self) -> None:
        self._stop_stalling.wait(timeout=120)

    def authenticate(self, handler, body: bytes) -> tuple[Identity, dict]:
        """Check the request's SigV4 signature; return the identity and its scope."""
        found = _AUTHORIZATION.fullmatch(handler.headers.get("Authorization", ""))
        if not found:
            raise Rejected(403, "MissingAuthenticationTokenException", "Missing Authentication Token")
        identity = self.identities.get(found["key"])
        if identity is None:
            raise Rejected(403, "UnrecognizedClientException", "The security token included in the request is invalid.")
        if identity.session_token != handler.headers.get("X-Amz-Security-Token"):
            raise Rejected(403, "UnrecognizedClientException", "The security token included in the request is invalid.")
        signed = found["signed"].split(";")
        request = AWSRequest(
            method=handler.command,
            url=f"https://{handler.headers['Host']}{handler.path}",
            data=body,
            headers={name: handler.headers[name] for name in signed if name in handler.headers},
        )
        request.context["timestamp"] = handler.headers.get("X-Amz-Date", "")
        self._check_signing_time(request.context["timestamp"])
        signer = SigV4Auth(
            Credentials(identity.access_key, identity.secret_key, identity.session_token),
            found["service"],
            found["region"],
        )
        expected = signer.signature(signer.string_to_sign(request, signer.canonical_request(request)), request)
        if not hmac.compare_digest(expected, found["signature"]):
            raise Rejected(403, "InvalidSignatureException", "The request signature we calculated does not match the signature you provided.")
        return identity, {"region": found["region"], "service": found["service"]}

    def _check_signing_time(self, stamp: str) -> None:
        """AWS refuses a request signed more than 15 minutes from its own clock."""
        try:
            signed_at = calendar.timegm(time.strptime(stamp, "%Y%m%dT%H%M%SZ"))
        except ValueError:
            raise Rejected(403, "IncompleteSignatureException", "X-Amz-Date is missing or malformed") from None
        if abs(signed_at - self.now()) > SIGV4_SKEW:
            raise Rejected(403, "InvalidSignatureException", f"Signature expired: {stamp} is not within 15 min of the server's time")

    def issue_token(
        self, domain: str, owner: str, region: str, duration: int, identity: str = ""
    ) -> tuple[str, float]:
        token = "standin-" + secrets.token_urlsafe(32)
        issued_at = self.now()
        expires_at = issued_at + (duration or 3600)
        self.issued[token] = {
            "domain": domain, "owner": owner, "region": region, "issued_at": issued_at, "expires_at": expires_at,
            "identity": identity,
        }
        return token, expires_at

    def assume_role(self, role_arn: str, session_name: str) -> Identity:
        return self.temporary_identity(f"role:{role_arn}")

    def temporary_identity(self, name: str) -> Identity:
        """New temporary keys (with a session token) of principal ``name``."""
        identity = Identity(
            name=name,
            access_key="ASIA" + secrets.token_hex(8).upper(),
            secret_key=secrets.token_urlsafe(30),
            session_token=secrets.token_urlsafe(60),
        )
        self.identities[identity.access_key] = identity
        return identity


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        if isinstance(sys.exc_info()[1], OSError):
            return  # clients that hang up or reject the certificate are part of the tests
        super().handle_error(request, client_address)

    def __init__(self, address, handler, standin: CodeArtifactStandIn, context: ssl.SSLContext):
        super().__init__(address, handler)
        self.standin = standin
        self.socket = context.wrap_socket(self.socket, server_side=True, do_handshake_on_connect=False)


class _Handler(Handler):  # quiet: the JSON log says it all
    server: _Server

    def send_response(self, code, message=None) -> None:
        """The status line, ``Server``, and ``Date`` by the stand-in's (maybe shifted) clock or
        as ``date_header`` says."""
        date = self.server.standin.date_header
        self.log_request(code)
        self.send_response_only(code, message)
        self.send_header("Server", self.version_string())
        if date != "":
            self.send_header("Date", date or self.date_time_string(self.server.standin.now()))

    def do_GET(self) -> None:
        self.do_POST()

    def do_POST(self) -> None:
        standin = self.server.standin
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        entry: dict = {"api": "unknown", "path": self.path}
        service = "sts" if urlsplit(self.path).path == "/" else "codeartifact"
        try:
            if service == "sts" and _form(body).get("Action") == "AssumeRoleWithWebIdentity":
                self._assume_role_with_web_identity(standin, _form(body), entry)
                return
            identity, scope = standin.authenticate(self, body)
            entry.update(identity=identity.name, region=scope["region"], access_key=identity.access_key)
            service = scope["service"]
            if service == "sts":
                self._assume_role(standin, identity, body, entry)
            elif scope["service"] == "codeartifact" and urlsplit(self.path).path == "/v1/repository/endpoint":
                self._repository_endpoint(standin, scope, entry)
            elif scope["service"] == "codeartifact":
                self._authorization_token(standin, scope, entry)
            else:
                raise Rejected(400, "UnknownOperationException", f"unknown service {scope['service']}")
        except Rejected as rejected:
            entry.update(status=rejected.status, error=rejected.error_type)
            standin.log(**entry)
            if service == "sts":
                xml = (
                    f"<ErrorResponse><Error><Type>Sender</Type><Code>{rejected.error_type}</Code>"
                    f"<Message>{rejected}</Message></Error><RequestId>standin</RequestId></ErrorResponse>"
                ).encode()
                self.respond(rejected.status, xml, "text/xml")
            else:
                self._send(rejected.status, {"message": str(rejected)}, error_type=rejected.error_type)

    def _authorization_token(self, standin: CodeArtifactStandIn, scope: dict, entry: dict) -> None:
        url = urlsplit(self.path)
        if url.path != "/v1/authorization-token":
            raise Rejected(404, "UnknownOperationException", f"unknown path {url.path}")
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        domain, owner = query.get("domain"), query.get("domain-owner")
        raw_duration = query.get("duration")
        entry.update(api="GetAuthorizationToken", domain=domain, owner=owner, duration=raw_duration)
        stalls = standin.arrived()
        if standin.fault == "slow":
            time.sleep(SLOW_SECONDS)
        elif stalls or standin.fault not in (None, "stall-first"):
            self._fault(standin, entry)
            return
        if raw_duration is None:
            raw_duration = "43200"  # AWS's default: 12 hours
        duration = int(raw_duration) if raw_duration.isdigit() else None
        if duration is None or not (duration == 0 or 900 <= duration <= 43200):
            raise Rejected(400, "ValidationException", "durationSeconds must be 0 or between 900 and 43200")
        entry["duration"] = duration
        if (domain, owner) not in standin.domains:
            raise Rejected(404, "ResourceNotFoundException", f"Domain {domain} not found in account {owner}")
        token, expires_at = standin.issue_token(domain, owner, scope["region"], duration, entry["identity"])
        entry.update(status=200)
        standin.log(**entry)
        self._send(200, {"authorizationToken": token + standin.token_suffix, "expiration": expires_at})

    def _repository_endpoint(self, standin: CodeArtifactStandIn, scope: dict, entry: dict) -> None:
        query = {key: values[0] for key, values in parse_qs(urlsplit(self.path).query).items()}
        domain, repository = query.get("domain"), query.get("repository")
        owner = query.get("domain-owner") or CALLER_ACCOUNT  # AWS: the caller's own account
        entry.update(api="GetRepositoryEndpoint", domain=domain, owner=owner, repository=repository,
                     format=query.get("format"), endpoint_type=query.get("endpointType"))
        if query.get("format") != "pypi":
            raise Rejected(400, "ValidationException", "this stand-in serves format pypi only")
        if (domain, owner) not in standin.domains:
            raise Rejected(404, "ResourceNotFoundException", f"Domain {domain} not found in account {owner}")
        region = scope["region"]
        if query.get("endpointType") == "dualstack":
            url = f"https://{domain}-{owner}.codeartifact.{region}.on.aws/pypi/{repository}/"
        else:
            url = f"https://{domain}-{owner}.d.codeartifact.{region}.amazonaws.com/pypi/{repository}/"
        entry.update(status=200)
        standin.log(**entry)
        self._send(200, {"repositoryEndpoint": url})

    def _assume_role(self, standin: CodeArtifactStandIn, caller: Identity, body: bytes, entry: dict) -> None:
        form = _form(body)
        entry.update(api=form.get("Action", "unknown"), role_arn=form.get("RoleArn"), external_id=form.get("ExternalId"))
        if form.get("Action") == "GetCallerIdentity":
            entry.update(status=200)
            standin.log(**entry)
            arn = caller.name[5:] if caller.name.startswith("role:") else f"arn:aws:iam::{CALLER_ACCOUNT}:user/{caller.name}"
            xml = (
                '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
                f"<GetCallerIdentityResult><Arn>{arn}</Arn><UserId>AIDATEST</UserId>"
                f"<Account>{CALLER_ACCOUNT}</Account></GetCallerIdentityResult>"
                "<ResponseMetadata><RequestId>standin</RequestId></ResponseMetadata></GetCallerIdentityResponse>"
            ).encode()
            self.respond(200, xml, "text/xml")
            return
        if form.get("Action") != "AssumeRole":
            raise Rejected(400, "InvalidAction", "only AssumeRole, AssumeRoleWithWebIdentity and GetCallerIdentity are implemented")
        if form["RoleArn"] in standin.denied_roles:
            raise Rejected(403, "AccessDenied", f"not authorized to perform sts:AssumeRole on {form['RoleArn']}")
        role = standin.assume_role(form["RoleArn"], form.get("RoleSessionName", ""))
        entry.update(status=200, assumed=role.name)
        standin.log(**entry)
        self.respond(200, _assumed_role_xml("AssumeRole", role, form["RoleArn"], standin.now()), "text/xml")

    def _assume_role_with_web_identity(self, standin: CodeArtifactStandIn, form: dict, entry: dict) -> None:
        """Unsigned, as in AWS: the web identity token is the proof of who asks."""
        role_arn = form.get("RoleArn", "")
        entry.update(api="AssumeRoleWithWebIdentity", role_arn=role_arn, session_name=form.get("RoleSessionName"))
        if form.get("WebIdentityToken") not in standin.web_identity_tokens:
            raise Rejected(400, "InvalidIdentityToken", "the web identity token is not valid")
        if not role_arn or not form.get("RoleSessionName"):
            raise Rejected(400, "ValidationError", "RoleArn and RoleSessionName are required")
        if role_arn in standin.denied_roles:
            raise Rejected(403, "AccessDenied", f"not authorized to perform sts:AssumeRoleWithWebIdentity on {role_arn}")
        role = standin.assume_role(role_arn, form["RoleSessionName"])
        entry.update(identity=None, status=200, assumed=role.name)
        standin.log(**entry)
        subject = "<SubjectFromWebIdentityToken>standin-subject</SubjectFromWebIdentityToken><Audience>sts.amazonaws.com</Audience>"
        self.respond(200, _assumed_role_xml("AssumeRoleWithWebIdentity", role, role_arn, standin.now(), subject), "text/xml")

    def _fault(self, standin: CodeArtifactStandIn, entry: dict) -> None:
        entry.update(status="fault", error=standin.fault)
        standin.log(**entry)
        if standin.fault in ("stall", "stall-first"):
            standin.stall()
            self.close_connection = True
            return
        if standin.fault == "reset":
            self.close_connection = True
            self.connection.close()
            return
        status, error_type = FAULTS[standin.fault]
        self._send(status, {"message": f"stand-in fault: {standin.fault}"}, error_type=error_type)

    def _send(self, status: int, payload: dict, error_type: Optional[str] = None) -> None:
        headers = {"x-amzn-ErrorType": error_type} if error_type else {}
        self.respond(status, json.dumps(payload), "application/json", headers)


def _form(body: bytes) -> dict[str, str]:
    """A query-protocol request body, first value of each key."""
    return {key: values[0] for key, values in parse_qs(body.decode(errors="replace")).items()}


def _assumed_role_xml(action: str, role: Identity, role_arn: str, now: float, extra: str = "") -> bytes:
    """STS's answer to AssumeRole or AssumeRoleWithWebIdentity at ``now``, as botocore parses it."""
    expiration = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now + 3600))
    return (
        f'<{action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><{action}Result>'
        f"<Credentials><AccessKeyId>{role.access_key}</AccessKeyId>"
        f"<SecretAccessKey>{role.secret_key}</SecretAccessKey>"
        f"<SessionToken>{role.session_token}</SessionToken>"
        f"<Expiration>{expiration}</Expiration></Credentials>"
        f"<AssumedRoleUser><Arn>{role_arn}</Arn><AssumedRoleId>AROATEST:s</AssumedRoleId></AssumedRoleUser>"
        f"{extra}</{action}Result><ResponseMetadata><RequestId>standin</RequestId></ResponseMetadata>"
        f"</{action}Response>"
    ).encode()
