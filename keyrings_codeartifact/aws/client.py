"""The botocore client, and the one call a lookup makes: GetAuthorizationToken.

botocore is used without boto3's resource layer, which a single API call does
not need. Every call runs inside ``calling_aws``: botocore's logging silenced
(at DEBUG it logs request headers and response bodies, secrets included), and
its failures turned into our one-line errors (``translation``).
"""

import contextlib
import gzip
import json
import logging
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import timezone
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, NamedTuple, Optional, cast

import botocore.session
from botocore.client import BaseClient
from botocore.config import Config
from botocore.credentials import CredentialResolver, create_credential_resolver
from botocore.exceptions import UnknownCredentialError
from botocore.loaders import JSONFileLoader, Loader

from .. import __version__
from ..errors import ServiceError, endpoint_error
from ..settings import MAX_ATTEMPTS
from ..token_record import Token, measured_offset, trusted, well_formed
from .translation import translatable, translate

if TYPE_CHECKING:  # the generated clients' types (mypy-boto3-*): nothing of them at run time
    from mypy_boto3_codeartifact import CodeArtifactClient
    from mypy_boto3_codeartifact.type_defs import GetAuthorizationTokenResultTypeDef
    from mypy_boto3_sts import STSClient
    from mypy_boto3_sts.type_defs import AssumeRoleRequestTypeDef

    from ..endpoint import Endpoint
    from ..settings import Settings

log = logging.getLogger(__package__)  # "keyrings_codeartifact.aws", for every module of the package
log_loader = logging.getLogger("botocore.loaders")  # _DictJSONFileLoader logs as botocore's loader does

SERVICES = ("codeartifact", "sts")  # the only AWS APIs this backend calls
PROCESS_TIMEOUT = 120.0  # seconds a profile's credential_process may run (botocore waits forever)
_SILENT = logging.CRITICAL + 1


class Keys(NamedTuple):
    """Credentials a client uses instead of botocore's chain (both keys None: the chain)."""

    access_key: Optional[str] = None
    secret_key: Optional[str] = None
    session_token: Optional[str] = None

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
    with calling_aws(endpoint, settings):
        codeartifact = codeartifact_client(endpoint, settings)
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
    if not isinstance(response["authorizationToken"], str) or not well_formed(response["authorizationToken"]):
        raise endpoint_error(ServiceError, endpoint, "AWS sent a token with whitespace or control characters, "
                             "which no token has; check endpoint_url and any proxy in between")
    log.debug("got a token for %s, valid for %.0fs, AWS's clock %+.0f s from this machine's",
              endpoint.describe(), expires_at - issued_at, offset)
    return Token(response["authorizationToken"], issued_at, expires_at, offset), measured


def _date(response: "GetAuthorizationTokenResultTypeDef") -> Optional[float]:
    """The response's ``Date`` header (AWS's clock), in epoch seconds; None if absent or unreadable."""
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


@contextlib.contextmanager
def calling_aws(endpoint: "Endpoint", settings: "Settings") -> Iterator[None]:
    """Keep botocore quiet, and turn its failures into our one-line errors: its own
    exceptions, a ValueError (its verdict on an endpoint URL it cannot read), and
    whatever a credential source raises (a file it cannot read, a bad credential_process)."""
    try:
        with _botocore_quiet():
            yield
    except Exception as error:
        if not translatable(error):
            raise
        log.debug("AWS call failed: %s", type(error).__name__)
        raise translate(error, endpoint, settings) from None


def session_for(endpoint: "Endpoint", settings: "Settings") -> tuple[botocore.session.Session, Keys]:
    """A botocore session, and the explicit credentials its clients should use, if any."""
    session = botocore.session.Session(profile=settings.profile_name)
    session.register_component("data_loader", _loader_of_our_services(session))
    session.lazy_register_component("credential_provider", lambda: _credential_chain(session, endpoint.region))
    return session, _keys(session, endpoint, settings)


def _credential_chain(session: botocore.session.Session, region: str) -> CredentialResolver:
    """botocore's credential chain, made as botocore makes it (with the region of the
    clients), whose profile's credential_process gets PROCESS_TIMEOUT seconds, then is
    stopped. Not reached: the process of a role's source_profile, which botocore makes later."""
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


class _OurServicesLoader(Loader):
    """botocore's data loader, told that the services we call exist instead of
    listing the ~400 folders of its data to find out: about 30 ms of every cold
    lookup. Other services (SSO credentials, say) are looked up as botocore does."""

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


class _DictJSONFileLoader(JSONFileLoader):
    """botocore's JSON file loader, reading JSON objects as dicts (ordered, as every
    dict is) where botocore asks for OrderedDicts, which take twice as long: about
    20 ms of every cold lookup go on endpoints.json (1.2 MB), read for every client."""

    def load_file(self, file_path: str) -> Any:
        for extension, opener in ((".json", open), (".json.gz", gzip.open)):  # botocore's order
            path = file_path + extension
            if os.path.isfile(path):
                with opener(path, "rb") as file:
                    payload = file.read().decode("utf-8")
                log_loader.debug("Loading JSON file: %s", path)
                return json.loads(payload)
        return super().load_file(file_path)  # none of these: as botocore reads it


def _loader_of_our_services(session: botocore.session.Session) -> Loader:
    """An _OurServicesLoader that searches AWS_DATA_PATH too, as botocore's own does."""
    data_path = session.get_config_variable("data_path")  # AWS_DATA_PATH, as botocore reads it
    extra = [os.path.expanduser(os.path.expandvars(p)) for p in data_path.split(os.pathsep)] if data_path else []
    return _OurServicesLoader(extra_search_paths=extra, file_loader=_DictJSONFileLoader())


def codeartifact_client(endpoint: "Endpoint", settings: "Settings") -> "CodeArtifactClient":
    """A CodeArtifact client for ``endpoint``'s region, asking as ``settings`` say."""
    session, keys = session_for(endpoint, settings)
    return cast("CodeArtifactClient", client(session, "codeartifact", endpoint, settings, keys, settings.endpoint_url))


def client(
    session: botocore.session.Session,
    service: str,
    endpoint: "Endpoint",
    settings: "Settings",
    keys: Keys,
    endpoint_url: Optional[str] = None,
) -> BaseClient:
    """A client of ``service`` from ``session``, with ``keys`` if they are given."""
    return session.create_client(
        service,
        region_name=endpoint.region,
        endpoint_url=endpoint_url,
        verify=settings.verify,
        aws_access_key_id=keys.access_key,
        aws_secret_access_key=keys.secret_key,
        aws_session_token=keys.session_token,
        config=_client_config(settings),
    )


def _keys(session: botocore.session.Session, endpoint: "Endpoint", settings: "Settings") -> Keys:
    """Explicit credentials for the clients, if the settings give any: an assumed
    role's, or keyringrc.cfg's keys."""
    static = Keys(settings.aws_access_key_id, settings.aws_secret_access_key) if settings.aws_access_key_id else Keys()
    if not settings.role_arn:
        return static
    sts = cast("STSClient", client(session, "sts", endpoint, settings, static))
    request: AssumeRoleRequestTypeDef = {"RoleArn": settings.role_arn, "RoleSessionName": settings.role_session_name}
    if settings.external_id:
        request["ExternalId"] = settings.external_id
    credentials = sts.assume_role(**request)["Credentials"]
    return Keys(credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"])


def _client_config(settings: "Settings") -> Config:
    """Timeouts from the settings, botocore's standard retries, and our name in the User-Agent."""
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
