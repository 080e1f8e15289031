"""Ask AWS CodeArtifact for an authorization token.

The only module that talks to AWS, and the only one that imports botocore, which
costs about 100 ms: it is imported only when a token is really needed, never
when keyring merely loads its plugins. botocore is used without boto3's
resource layer, which a single API call does not need.

It also translates botocore's failures into our errors (``translate``): for
failures on the wire they name the host and the kind of failure, never the
SDK's own text (urllib3 quotes the URL it could not read, password and all);
for an AWS file or credential source botocore rejects, the file or profile and
the fix, never what the file or a credential_process holds or printed.
"""

import contextlib
import logging
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Optional, cast

from . import redact
from .authtoken import Token, measured_offset, trusted
from .errors import (
    PREFIX,
    AccessDenied,
    CodeArtifactError,
    ConfigError,
    CredentialsError,
    DomainNotFound,
    ServiceError,
    Throttled,
    Unreachable,
    endpoint_error,
)

if TYPE_CHECKING:  # botocore's types, and the calls made here as its generated clients have them
    from datetime import datetime
    from types import FrameType
    from typing import Protocol, TypedDict

    from botocore.client import BaseClient
    from botocore.config import Config
    from botocore.credentials import CredentialResolver
    from botocore.exceptions import ClientError
    from botocore.loaders import Loader
    from botocore.session import Session
    from typing_extensions import Unpack

    from .endpoint import Endpoint
    from .settings import Settings

    class _ResponseMetadata(TypedDict, total=False):
        HTTPHeaders: dict[str, str]  # names in lower case

    class _AuthorizationToken(TypedDict):
        authorizationToken: str
        expiration: datetime
        ResponseMetadata: _ResponseMetadata

    class _RepositoryEndpoint(TypedDict):
        repositoryEndpoint: str

    class _CodeArtifactClient(Protocol):
        def get_authorization_token(
            self, *, domain: str, domainOwner: str, durationSeconds: int
        ) -> _AuthorizationToken: ...

        def get_repository_endpoint(  # repository None: botocore's ParamValidationError, translated
            self, *, domain: str, repository: Optional[str], format: str, endpointType: str, domainOwner: str = ...
        ) -> _RepositoryEndpoint: ...

    class _CallerIdentity(TypedDict):
        Arn: str

    class _AssumedCredentials(TypedDict):
        AccessKeyId: str
        SecretAccessKey: str
        SessionToken: str

    class _AssumedRole(TypedDict):
        Credentials: _AssumedCredentials

    class _StsClient(Protocol):
        def get_caller_identity(self) -> _CallerIdentity: ...

        def assume_role(self, *, RoleArn: str, RoleSessionName: str, ExternalId: str = ...) -> _AssumedRole: ...

    class _Credentials(TypedDict, total=False):
        aws_access_key_id: Optional[str]
        aws_secret_access_key: Optional[str]
        aws_session_token: Optional[str]

    class _ClientArguments(_Credentials, total=False):
        """Arguments of ``Session.create_client`` beyond the region, the TLS check and the config."""

        endpoint_url: Optional[str]


log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # botocore "standard" retry mode, with backoff between attempts
SERVICES = ("codeartifact", "sts")  # the only AWS APIs this backend calls
PROCESS_TIMEOUT = 120.0  # seconds a profile's credential_process may run (botocore waits forever)
_SILENT = logging.CRITICAL + 1


def fetch_token(endpoint: "Endpoint", settings: "Settings") -> Token:
    """Call GetAuthorizationToken for ``endpoint`` as ``settings`` say; the token's
    times are AWS's, by the offset its response's ``Date`` shows (if trusted)."""
    return fetch_token_and_offset(endpoint, settings)[0]


def fetch_token_and_offset(endpoint: "Endpoint", settings: "Settings") -> tuple[Token, Optional[float]]:
    """``fetch_token``, and AWS's clock minus this machine's as the response's ``Date``
    measured it, trusted or not (None: no Date)."""
    log.debug(
        "requesting a token for %s, duration %ss", endpoint.describe(), settings.token_duration
    )
    with _calling_aws(endpoint, settings):
        codeartifact = _codeartifact_client(endpoint, settings)
        response = codeartifact.get_authorization_token(
            domain=endpoint.domain,
            domainOwner=endpoint.owner,
            durationSeconds=settings.token_duration,
        )
    received_at = time.time()
    date = _date(response)
    measured = None if date is None else measured_offset(date, received_at)
    offset = measured if measured is not None and trusted(measured) else 0.0
    if measured is not None and not trusted(measured):
        log.debug("AWS's Date header is %.0f s off this machine's clock, more than AWS accepts: "
                  "not AWS's clock, ignored", measured)
    issued_at = received_at + offset
    expires_at = response["expiration"].timestamp()
    if expires_at <= issued_at:
        raise endpoint_error(
            ServiceError,
            endpoint,
            "AWS sent a token that has already expired; check this machine's clock",
        )
    log.debug("got a token for %s, valid for %.0fs, AWS's clock %+.0f s from this machine's",
              endpoint.describe(), expires_at - issued_at, offset)
    return Token(response["authorizationToken"], issued_at, expires_at, offset), measured


def _date(response: "_AuthorizationToken") -> Optional[float]:
    """The response's ``Date`` header (AWS's clock), in epoch seconds; None if absent or unreadable."""
    from datetime import timezone
    from email.utils import parsedate_to_datetime

    header = response.get("ResponseMetadata", {}).get("HTTPHeaders", {}).get("date")
    if not isinstance(header, str):
        return None
    try:
        moment = parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError, OverflowError):  # TypeError: Python 3.9's answer to garbage
        return None
    if moment.tzinfo is None:  # "-0000": UTC, says RFC 5322; HTTP dates are GMT
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def repository_endpoint(endpoint: "Endpoint", settings: "Settings", endpoint_type: str = "ipv4") -> str:
    """The pypi URL of ``endpoint.repository`` (CodeArtifact GetRepositoryEndpoint).

    ``endpoint.owner`` may be empty: AWS then takes the caller's account."""
    with _calling_aws(endpoint, settings):
        codeartifact = _codeartifact_client(endpoint, settings)
        owner = {"domainOwner": endpoint.owner} if endpoint.owner else {}
        response = codeartifact.get_repository_endpoint(
            domain=endpoint.domain, repository=endpoint.repository, format="pypi",
            endpointType=endpoint_type, **owner,
        )
    return response["repositoryEndpoint"]


def default_region(profile_name: Optional[str] = None) -> Optional[str]:
    """The region the AWS config gives (AWS_REGION, the profile's region), or None."""
    import botocore.exceptions
    import botocore.session

    try:
        region: Optional[str] = botocore.session.Session(profile=profile_name).get_config_variable("region")
    except botocore.exceptions.BotoCoreError as error:
        raise ConfigError(
            f"{PREFIX}cannot read the AWS config for a default region: {redact.text(str(error))}; "
            "set AWS_PROFILE to a configured profile, or give --region"
        ) from None
    return region


def caller_identity(endpoint: "Endpoint", settings: "Settings") -> str:
    """The ARN that AWS sees when these settings ask for a token (STS GetCallerIdentity)."""
    with _calling_aws(endpoint, settings):
        session, credentials = _session(endpoint, settings)
        sts = cast("_StsClient", _client(session, "sts", endpoint, settings, **credentials))
        return sts.get_caller_identity()["Arn"]


@contextlib.contextmanager
def _calling_aws(endpoint: "Endpoint", settings: "Settings") -> Iterator[None]:
    """Keep botocore quiet, and turn its failures into our one-line errors: its own
    exceptions, a ValueError (its verdict on an endpoint URL it cannot read), and
    whatever a credential source raises (a file it cannot read, a bad credential_process)."""
    try:
        with _botocore_quiet():
            yield
    except Exception as error:
        if not _translatable(error):
            raise
        log.debug("AWS call failed: %s", type(error).__name__)
        raise translate(error, endpoint, settings) from None


def _translatable(error: Exception) -> bool:
    """Whether ``error`` is botocore's verdict, not a fault of ours."""
    import botocore.exceptions

    return (
        isinstance(error, (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError, ValueError))
        or _still_expired_error(error)
        or _failed_source(error) is not None
    )


def _still_expired_error(error: Exception) -> bool:
    return isinstance(error, RuntimeError) and "refreshed credentials are still expired" in str(error)


def _still_expired(endpoint: "Endpoint", settings: "Settings") -> CodeArtifactError:
    """botocore's RuntimeError when a credential_process or the container endpoint
    hands out credentials that have already expired."""
    from .identity import resolve

    source = resolve(settings).words
    return endpoint_error(
        CredentialsError,
        endpoint,
        f"the AWS credentials are still expired after a refresh ({source}); "
        "make that source hand out current credentials, or check this machine's clock",
    )


def _session(endpoint: "Endpoint", settings: "Settings") -> tuple["Session", "_Credentials"]:
    """A botocore session, and the explicit credentials its clients should use, if any."""
    import botocore.session

    session = botocore.session.Session(profile=settings.profile_name)
    session.register_component("data_loader", _loader_of_our_services(session))
    session.lazy_register_component("credential_provider", lambda: _credential_chain(session, endpoint.region))
    return session, _credentials(session, endpoint, settings)


def _credential_chain(session: "Session", region: str) -> "CredentialResolver":
    """botocore's credential chain, made as botocore makes it (with the region of the
    clients), whose profile's credential_process gets PROCESS_TIMEOUT seconds, then is
    stopped. Not reached: the process of a role's source_profile, which botocore makes later."""
    from botocore.credentials import create_credential_resolver
    from botocore.exceptions import UnknownCredentialError

    chain = create_credential_resolver(session, region_name=region)
    try:
        provider = chain.get_provider("custom-process")
    except UnknownCredentialError:
        return chain
    if hasattr(provider, "_popen"):  # botocore's way to run it (a parameter of ProcessProvider)
        provider._popen = _BoundedProcess
    return chain


class _BoundedProcess(subprocess.Popen[bytes]):
    """A process whose ``communicate`` stops it after PROCESS_TIMEOUT seconds."""

    def communicate(self, input: Optional[bytes] = None, timeout: Optional[float] = None) -> tuple[Any, Any]:
        try:
            return super().communicate(input, PROCESS_TIMEOUT if timeout is None else timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            self.wait()  # not communicate(): a child it started may hold its pipes open
            raise


def _loader_of_our_services(session: "Session") -> "Loader":
    """botocore's data loader, told that the services we call exist instead of
    listing the ~400 folders of its data to find out: about 30 ms of every cold
    lookup. Other services (SSO credentials, say) are looked up as botocore does."""
    from botocore.loaders import Loader

    class OurServicesLoader(Loader):
        loading: Optional[str] = None

        def load_service_model(self, service_name: str, type_name: str, api_version: Optional[str] = None) -> Any:
            self.loading = service_name
            try:
                return super().load_service_model(service_name, type_name, api_version)
            finally:
                self.loading = None

        def list_available_services(self, type_name: str) -> list[str]:
            if self.loading in SERVICES:
                return [self.loading]
            return super().list_available_services(type_name)

    data_path = session.get_config_variable("data_path")  # AWS_DATA_PATH, as botocore reads it
    extra = [os.path.expanduser(p) for p in data_path.split(os.pathsep)] if data_path else []
    return OurServicesLoader(extra_search_paths=extra)


def _codeartifact_client(endpoint: "Endpoint", settings: "Settings") -> "_CodeArtifactClient":
    session, credentials = _session(endpoint, settings)
    client = _client(session, "codeartifact", endpoint, settings, endpoint_url=settings.endpoint_url, **credentials)
    return cast("_CodeArtifactClient", client)


def _client(
    session: "Session",
    service: str,
    endpoint: "Endpoint",
    settings: "Settings",
    **arguments: "Unpack[_ClientArguments]",
) -> "BaseClient":
    return session.create_client(
        service,
        region_name=endpoint.region,
        verify=settings.verify,
        config=_client_config(settings),
        **arguments,
    )


def _credentials(session: "Session", endpoint: "Endpoint", settings: "Settings") -> "_Credentials":
    """Explicit credentials for the clients, if the settings give any."""
    if settings.role_arn:
        sts = cast("_StsClient", _client(session, "sts", endpoint, settings, **_static_keys(settings)))
        extra = {"ExternalId": settings.external_id} if settings.external_id else {}
        assumed = sts.assume_role(
            RoleArn=settings.role_arn, RoleSessionName=settings.role_session_name, **extra
        )["Credentials"]
        return {
            "aws_access_key_id": assumed["AccessKeyId"],
            "aws_secret_access_key": assumed["SecretAccessKey"],
            "aws_session_token": assumed["SessionToken"],
        }
    return _static_keys(settings)


def _static_keys(settings: "Settings") -> "_Credentials":
    if not settings.aws_access_key_id:
        return {}
    return {
        "aws_access_key_id": settings.aws_access_key_id,
        "aws_secret_access_key": settings.aws_secret_access_key,
    }


def _client_config(settings: "Settings") -> "Config":
    from botocore.config import Config

    from . import __version__

    return Config(
        connect_timeout=settings.timeout,
        read_timeout=settings.timeout,
        retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},
        user_agent_extra=f"codeartifact-keyring/{__version__}",
    )


_quiet_lock = threading.Lock()
_quiet_depth = 0  # calls under way; botocore's levels are restored when the last ends
_quiet_saved: list[tuple[logging.Logger, int]] = []


@contextlib.contextmanager
def _botocore_quiet() -> Iterator[None]:
    """Silence botocore's logging for the duration of our AWS calls.

    At DEBUG botocore logs request headers (with session tokens) and response
    bodies (with our token, or an assumed role's secret key); a host program
    that logs everything at DEBUG, such as ``pip -vv``, would print them. At
    INFO it says where it found credentials, at WARNING it prints tracebacks of
    failed SSO refreshes. Our own one-line errors already say what went wrong.
    Calls in several threads at once keep it silent until the last one ends.
    """
    global _quiet_depth
    with _quiet_lock:
        if _quiet_depth == 0:
            _quiet_saved[:] = _silence_botocore()
        _quiet_depth += 1
    try:
        yield
    finally:
        with _quiet_lock:
            _quiet_depth -= 1
            if _quiet_depth == 0:
                for logger, level in _quiet_saved:
                    logger.setLevel(level)


def _silence_botocore() -> list[tuple[logging.Logger, int]]:
    """Set botocore's loggers above CRITICAL; return their levels as they were."""
    manager = logging.Logger.manager
    loggers = [logging.getLogger("botocore")] + [
        logger
        for name, logger in list(manager.loggerDict.items())
        if name.startswith("botocore.") and isinstance(logger, logging.Logger)
    ]
    saved = [(logger, logger.level) for logger in loggers]
    for logger in loggers:
        if logger is loggers[0] or logger.level != logging.NOTSET:
            logger.setLevel(_SILENT)
    return saved


# -- botocore's failures, translated ----------------------------------------------

_PERMISSIONS = "codeartifact:GetAuthorizationToken and sts:GetServiceBearerToken"
_THROTTLING = {"ThrottlingException", "Throttling", "TooManyRequestsException"}
_BAD_CREDENTIALS = {
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
}


# botocore exceptions that are not answers from AWS, first match wins:
# (class names, our error class, advice). The advice may use {profile}, {host}
# (where the call went, as scheme://host:port), {proxy} (the proxy, likewise)
# and {kind} (what failed on the wire).
_SDK_FAILURES = (
    (("ProfileNotFound",), CredentialsError,
     "AWS profile '{profile}' is not configured; check profile_name in keyringrc.cfg or "
     "AWS_PROFILE, or create it with `aws configure --profile NAME`"),
    (("SSOTokenLoadError", "UnauthorizedSSOTokenError", "TokenRetrievalError"), CredentialsError,
     "the AWS SSO session has expired or was never started; run `aws sso login --profile {profile}`"),
    (("NoCredentialsError", "PartialCredentialsError"), CredentialsError,
     "no AWS credentials found; run `aws configure`, or `aws sso login --profile NAME` "
     "and set AWS_PROFILE=NAME"),
    (("SSLError",), Unreachable,
     "TLS certificate check failed for {host}; set AWS_CA_BUNDLE or `verify` in keyringrc.cfg "
     "to your CA bundle"),
    (("ConnectTimeoutError", "ReadTimeoutError"), Unreachable,
     "CodeArtifact at {host} did not answer in time; check your network and proxy settings, "
     "or raise `timeout` in keyringrc.cfg"),
    (("ProxyConnectionError",), Unreachable,
     "the proxy {proxy} refused or failed the connection to CodeArtifact ({kind}); check "
     "HTTPS_PROXY and NO_PROXY"),
    (("ConnectionError", "HTTPClientError"), Unreachable,
     "could not connect to CodeArtifact at {host} ({kind}); check your network and proxy "
     "settings, and endpoint_url if you set it"),
)

_UNREADABLE = "a URL that cannot be read"
_ENCODE = "a password in a URL must be percent-encoded (# ? / @ as %23 %3F %2F %40)"

# What failed on the wire, by the names of the exception types in the chain
# (botocore's, urllib3's, the socket's), first match wins.
_KINDS = (
    (_UNREADABLE, {"LocationParseError", "LocationValueError", "InvalidURL", "ValueError",
                  "ProxySchemeUnknown", "ProxySchemeUnsupported", "InvalidProxyURL"}),
    ("host name not found", {"gaierror", "NameResolutionError"}),
    ("connection refused", {"ConnectionRefusedError"}),
    ("connection reset", {"ConnectionResetError", "ConnectionAbortedError", "BrokenPipeError",
                          "RemoteDisconnected", "ProtocolError", "IncompleteRead"}),
    ("timed out", {"TimeoutError", "timeout", "ConnectTimeoutError", "ReadTimeoutError"}),
    ("TLS failed", {"SSLError", "SSLCertVerificationError"}),
    ("network error", {"OSError"}),
)


def translate(error: Exception, endpoint: "Endpoint", settings: "Settings") -> CodeArtifactError:
    """Turn a botocore exception into one of ours, with advice a person can act on.

    A ValueError (botocore's verdict on an endpoint URL it cannot read) becomes
    a ConfigError naming where that URL was set."""
    import botocore.exceptions as boto

    if isinstance(error, boto.ClientError):
        return _translate_client_error(error, endpoint, settings)
    if _still_expired_error(error):
        return _still_expired(endpoint, settings)
    details = getattr(error, "kwargs", {})
    profile = details.get("profile") or settings.profile_name or _environment_profile()
    known = _config_problem(error, profile) or _source_problem(error, profile)
    if known:
        return endpoint_error(known[0], endpoint, known[1])
    if isinstance(error, ValueError) and not isinstance(error, boto.BotoCoreError):
        return _unreadable_endpoint(endpoint, settings)
    kind = _failure_kind(error)
    configured_proxy = _configured_proxy()
    proxy = redact.origin(details.get("proxy_url") or configured_proxy or "none")
    host = redact.origin(details.get("endpoint_url") or _api_url(endpoint, settings))
    if kind == _UNREADABLE and isinstance(error, boto.HTTPClientError):
        where = f"the proxy {proxy} (HTTPS_PROXY)" if configured_proxy else f"the endpoint {host}"
        return endpoint_error(Unreachable, endpoint, f"{where} cannot be read; {_ENCODE}")
    facts = {
        "profile": redact.text(profile),
        "host": host,
        "proxy": proxy,
        "kind": kind,
    }
    for names, cls, advice in _SDK_FAILURES:
        classes = tuple(getattr(boto, name) for name in names if hasattr(boto, name))
        if isinstance(error, classes):
            return endpoint_error(cls, endpoint, advice.format(**facts))
    problem = f"AWS SDK error {type(error).__name__}: {redact.text(error)}"
    return endpoint_error(ServiceError, endpoint, problem)


def _environment_profile() -> str:
    """The profile botocore takes when none is given: AWS_DEFAULT_PROFILE, AWS_PROFILE, default."""
    for variable in ("AWS_DEFAULT_PROFILE", "AWS_PROFILE"):
        if variable in os.environ:
            return os.environ[variable]
    return "default"


_Problem = tuple[type[CodeArtifactError], str]  # our error class, and what to say


def _config_problem(error: Exception, profile: str) -> Optional[_Problem]:
    """An AWS config or credentials file that botocore rejects, named, with the fix."""
    import botocore.exceptions as boto

    details = getattr(error, "kwargs", {})
    if isinstance(error, boto.ConfigParseError):
        return ConfigError, (
            f"the AWS file {redact.name(details.get('path'))} cannot be parsed; it must be UTF-8 text "
            "with each `name = value` line under a [section] header: fix or remove it"
        )
    if isinstance(error, boto.InfiniteLoopConfigError):
        names = ", ".join(redact.text(name, 80) for name in details.get("visited_profiles") or ())
        return ConfigError, (
            f"the AWS profiles {names} name each other as source_profile, in a loop; "
            "give one of them keys, or credential_source instead"
        )
    if isinstance(error, boto.InvalidConfigError):
        said = redact.text(details.get("error_msg", "")).rstrip(".")
        return ConfigError, f"the AWS config is not valid: {said}; fix the profile in the AWS config file"
    if isinstance(error, boto.PartialCredentialsError) and details.get("provider") == "assume-role":
        return ConfigError, (
            f"the AWS profile '{redact.text(profile)}' assumes a role but names no source_profile or "
            "credential_source; add one to it"
        )
    return None


def _failed_source(error: BaseException) -> Optional[tuple[object, "FrameType"]]:
    """The botocore credential source (a provider, a role fetcher, a token file loader)
    in whose code ``error`` was raised, the innermost, and that frame; or None."""
    from botocore.credentials import CachedCredentialFetcher, CredentialProvider
    from botocore.utils import FileWebIdentityTokenLoader

    sources = (CredentialProvider, CachedCredentialFetcher, FileWebIdentityTokenLoader)
    found = None
    trace = error.__traceback__
    while trace is not None:
        owner = trace.tb_frame.f_locals.get("self")
        if isinstance(owner, sources):
            found = (owner, trace.tb_frame)
        trace = trace.tb_next
    return found


def _source_problem(error: Exception, profile: str) -> Optional[_Problem]:
    """What a credential source failed at: a credential_process, the boto2 file, a token
    file. Never the source's own text (a process's output or stderr may hold secrets)."""
    import botocore.exceptions as boto
    from botocore.credentials import ContainerProvider, OriginalEC2Provider, ProcessProvider
    from botocore.utils import FileWebIdentityTokenLoader

    found = _failed_source(error)
    if found is None:
        return None
    source, frame = found
    if isinstance(source, ProcessProvider):
        return CredentialsError, _process_problem(error, source, frame)
    if isinstance(source, OriginalEC2Provider):
        return ConfigError, _legacy_problem(error)
    reason = _reason(error)
    if isinstance(source, FileWebIdentityTokenLoader) and isinstance(error, OSError):
        path = redact.name(getattr(source, "_web_identity_token_path", "?"))
        return ConfigError, (
            f"the web identity token file {path} cannot be read ({reason}); check "
            "AWS_WEB_IDENTITY_TOKEN_FILE, or web_identity_token_file in the AWS profile"
        )
    if isinstance(source, ContainerProvider) and isinstance(error, (OSError, ValueError)):
        variable = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"
        if isinstance(error, OSError):
            return ConfigError, (
                f"the container authorization token file {redact.name(os.environ.get(variable, '?'))} "
                f"({variable}) cannot be read ({reason}); check {variable}"
            )
        return ConfigError, "the container authorization token holds a line break; remove it"
    if isinstance(error, boto.BotoCoreError):
        return None  # botocore's own words, translated below
    if isinstance(error, EOFError):
        return CredentialsError, (
            f"botocore asked for an MFA code (mfa_serial in AWS profile '{redact.text(profile)}') and there "
            "is no terminal to read it from; use a profile without mfa_serial"
        )
    name = getattr(source, "METHOD", type(source).__name__)
    return CredentialsError, f"botocore's {name} credential source failed ({type(error).__name__}); check its settings"


def _reason(error: BaseException) -> str:
    """Why a file could not be read, in the system's words (never the file's content)."""
    if isinstance(error, UnicodeDecodeError):
        return "not UTF-8 text"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    if type(error).__name__ == "ConfigNotFound":
        return "no such file, or not readable"
    return type(error).__name__


def _legacy_problem(error: Exception) -> str:
    """The boto2 file AWS_CREDENTIAL_FILE names, which botocore could not use."""
    path = redact.name(os.path.expanduser(os.environ.get("AWS_CREDENTIAL_FILE", "?")))
    where = f"the boto2 credentials file {path} (AWS_CREDENTIAL_FILE)"
    if isinstance(error, KeyError):
        return f"{where} has no AWSSecretKey line; add one beside AWSAccessKeyId, or unset AWS_CREDENTIAL_FILE"
    return f"{where} cannot be read ({_reason(error)}); fix it, or unset AWS_CREDENTIAL_FILE"


_PROCESS_ADVICE = (
    "check credential_process in the AWS config, and run it by hand: it must exit 0 and "
    'print JSON with "Version": 1, AccessKeyId and SecretAccessKey'
)


def _process_problem(error: Exception, source: object, frame: "FrameType") -> str:
    """A credential_process that failed: whose, which program (never its arguments),
    and what went wrong (never its output or stderr, which may hold secrets)."""
    seen = frame.f_locals
    profile = redact.text(getattr(source, "_profile_name", None) or "?")
    head = f"the credential_process of AWS profile '{profile}' ({_program(seen.get('credential_process'))}) failed: "
    return f"{head}{_process_failure(error, frame)}; {_PROCESS_ADVICE}"


def _process_failure(error: Exception, frame: "FrameType") -> str:
    """What went wrong with the process, from botocore's frame that ran it (its locals:
    ``p`` the process, ``parsed`` its output as JSON)."""
    seen = frame.f_locals
    if frame.f_code.co_name == "load":  # reading the answer after the process ran well
        return "its Expiration is not a date"
    if isinstance(error, subprocess.TimeoutExpired):
        return f"it did not finish in {error.timeout:g} s, and was stopped"
    if isinstance(error, OSError):
        return f"the program cannot be run ({_reason(error)})"
    if "p" not in seen:
        return "its command line cannot be read (empty, or unbalanced quotes)"
    returncode = getattr(seen["p"], "returncode", 0)
    if returncode:
        return f"it exited {returncode}"
    if "parsed" not in seen:
        return "its output is not JSON"
    parsed = seen["parsed"]
    if not isinstance(parsed, dict):
        return "its output is not a JSON object"
    if parsed.get("Version") != 1:
        return 'its output lacks "Version": 1'
    return "its output lacks AccessKeyId or SecretAccessKey"


def _program(command: object) -> str:
    """A command line's program name, without its arguments (which may hold secrets)."""
    from botocore.compat import compat_shell_split

    text = str(command or "")
    try:
        words = compat_shell_split(text)
    except ValueError:
        words = text.split()
    return redact.text(os.path.basename(words[0]) if words else "no program", 80)


def _failure_kind(error: BaseException) -> str:
    """What failed on the wire, named from the exception types ``error`` wraps,
    never from their text."""
    names = {type(link).__name__ for link in _chain(error)}
    for kind, markers in _KINDS:
        if names & markers:
            return kind
    return "connection failed"


def _chain(error: BaseException) -> list[BaseException]:
    """``error`` and the exceptions it wraps: causes, contexts, and the attributes
    botocore and urllib3 keep them in."""
    found: list[BaseException] = []
    pending: list[object] = [error]
    while pending and len(found) < 50:
        link = pending.pop()
        if not isinstance(link, BaseException) or any(link is seen for seen in found):
            continue
        found.append(link)
        kwargs = getattr(link, "kwargs", None)
        pending += [link.__cause__, link.__context__, getattr(link, "original_error", None),
                    getattr(link, "reason", None), *link.args]
        if isinstance(kwargs, dict):
            pending.append(kwargs.get("error"))
    return found


def _api_url(endpoint: "Endpoint", settings: "Settings") -> str:
    """The CodeArtifact API endpoint the call went to (botocore's choice, as far as it is known)."""
    override = _endpoint_override(settings)
    if override:
        return override[1]
    suffix = "amazonaws.com.cn" if endpoint.partition == "aws-cn" else "amazonaws.com"
    return f"https://codeartifact.{endpoint.region}.{suffix}"


def _endpoint_override(settings: "Settings") -> Optional[tuple[str, str]]:
    """(where it is set, the URL) of the API endpoint override, or None."""
    if settings.endpoint_url:
        return "endpoint_url in keyringrc.cfg", settings.endpoint_url
    for variable in ("AWS_ENDPOINT_URL_CODEARTIFACT", "AWS_ENDPOINT_URL"):
        if os.environ.get(variable):
            return variable, os.environ[variable]
    return None


def _unreadable_endpoint(endpoint: "Endpoint", settings: "Settings") -> CodeArtifactError:
    override = _endpoint_override(settings)
    if override:
        where, url = override
        problem = f"the API endpoint {redact.origin(url)} ({where}) cannot be read"
    else:
        problem = "an AWS endpoint URL cannot be read (AWS_ENDPOINT_URL_STS, or the AWS config file's)"
    return endpoint_error(ConfigError, endpoint, f"{problem}; write it as https://HOST[:PORT]; {_ENCODE}")


def _configured_proxy() -> str:
    """The HTTPS proxy botocore reads from the environment, if any."""
    import urllib.request

    return urllib.request.getproxies().get("https", "")


def _translate_client_error(error: "ClientError", endpoint: "Endpoint", settings: "Settings") -> CodeArtifactError:
    details = error.response.get("Error", {})
    code = redact.text(details.get("Code", "Unknown"), limit=80)
    message = redact.text(details.get("Message") or "")
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    if error.operation_name == "AssumeRole" and code == "AccessDenied":
        return endpoint_error(
            AccessDenied,
            endpoint,
            f"not allowed to assume role {redact.text(settings.role_arn)}; "
            "check the role's trust policy and role_arn in keyringrc.cfg",
        )
    if code in ("AccessDeniedException", "AccessDenied"):
        return endpoint_error(
            AccessDenied,
            endpoint,
            f"access denied; the AWS identity needs {_PERMISSIONS} on this domain",
        )
    if code == "ResourceNotFoundException":
        return endpoint_error(
            DomainNotFound,
            endpoint,
            "no such domain; check the domain, owner and region in the repository URL",
        )
    if code in _THROTTLING:
        return endpoint_error(
            Throttled,
            endpoint,
            "AWS throttled the request even after retries; wait a minute and try again",
        )
    if code in _BAD_CREDENTIALS:
        return endpoint_error(
            CredentialsError,
            endpoint,
            f"AWS rejected the credentials ({code}); they are invalid or expired: "
            "refresh them (`aws sso login`, `aws configure`) and try again",
        )
    if code == "ValidationException":
        return endpoint_error(ServiceError, endpoint, f"AWS rejected the request: {message}")
    return endpoint_error(
        ServiceError,
        endpoint,
        f"CodeArtifact answered {code} (HTTP {status}) {message}".rstrip()
        + "; try again later",
    )
