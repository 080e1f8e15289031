"""Ask AWS CodeArtifact for an authorization token.

The only module that talks to AWS, and the only one that imports botocore, which
costs about 100 ms: it is imported only when a token is really needed, never
when keyring merely loads its plugins. botocore is used without boto3's
resource layer, which a single API call does not need.
"""

import contextlib
import logging
import os
import threading
import time
from typing import Iterator, Tuple

from . import errors
from .authtoken import Token

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # botocore "standard" retry mode, with backoff between attempts
SERVICES = ("codeartifact", "sts")  # the only AWS APIs this backend calls
_SILENT = logging.CRITICAL + 1


def fetch_token(endpoint, settings) -> Token:
    """Call GetAuthorizationToken for ``endpoint`` as ``settings`` say."""
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
    issued_at = time.time()
    expires_at = response["expiration"].timestamp()
    if expires_at <= issued_at:
        raise errors.endpoint_error(
            errors.ServiceError,
            endpoint,
            "AWS sent a token that has already expired; check this machine's clock",
        )
    log.debug("got a token for %s, valid for %.0fs", endpoint.describe(), expires_at - issued_at)
    return Token(response["authorizationToken"], issued_at, expires_at)


def repository_endpoint(endpoint, settings, endpoint_type: str = "ipv4") -> str:
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


def default_region(profile_name=None):
    """The region the AWS config gives (AWS_REGION, the profile's region), or None."""
    import botocore.session

    return botocore.session.Session(profile=profile_name).get_config_variable("region")


def caller_identity(endpoint, settings) -> str:
    """The ARN that AWS sees when these settings ask for a token (STS GetCallerIdentity)."""
    with _calling_aws(endpoint, settings):
        session, credentials = _session(endpoint, settings)
        return _client(session, "sts", endpoint, settings, **credentials).get_caller_identity()["Arn"]


@contextlib.contextmanager
def _calling_aws(endpoint, settings) -> Iterator[None]:
    """Keep botocore quiet, and turn its failures into our one-line errors (a
    ValueError is botocore's verdict on an endpoint URL it cannot read)."""
    import botocore.exceptions

    try:
        with _botocore_quiet():
            yield
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError, ValueError) as error:
        log.debug("AWS call failed: %s", type(error).__name__)
        raise errors.translate(error, endpoint, settings) from None
    except RuntimeError as error:
        if "refreshed credentials are still expired" not in str(error):
            raise
        raise _still_expired(endpoint, settings) from None


def _still_expired(endpoint, settings) -> errors.CodeArtifactError:
    """botocore's RuntimeError when a credential_process or the container endpoint
    hands out credentials that have already expired."""
    from .identity import resolve

    source = resolve(settings).words
    return errors.endpoint_error(
        errors.CredentialsError,
        endpoint,
        f"the AWS credentials are still expired after a refresh ({source}); "
        "make that source hand out current credentials, or check this machine's clock",
    )


def _session(endpoint, settings) -> Tuple[object, dict]:
    """A botocore session, and the explicit credentials its clients should use, if any."""
    import botocore.session

    session = botocore.session.Session(profile=settings.profile_name)
    session.register_component("data_loader", _loader_of_our_services(session))
    return session, _credentials(session, endpoint, settings)


def _loader_of_our_services(session):
    """botocore's data loader, told that the services we call exist instead of
    listing the ~400 folders of its data to find out: about 30 ms of every cold
    lookup. Other services (SSO credentials, say) are looked up as botocore does."""
    from botocore.loaders import Loader

    class OurServicesLoader(Loader):
        loading = None

        def load_service_model(self, service_name, type_name, api_version=None):
            self.loading = service_name
            try:
                return super().load_service_model(service_name, type_name, api_version)
            finally:
                self.loading = None

        def list_available_services(self, type_name):
            if self.loading in SERVICES:
                return [self.loading]
            return super().list_available_services(type_name)

    data_path = session.get_config_variable("data_path")  # AWS_DATA_PATH, as botocore reads it
    extra = [os.path.expanduser(p) for p in data_path.split(os.pathsep)] if data_path else []
    return OurServicesLoader(extra_search_paths=extra)


def _codeartifact_client(endpoint, settings):
    session, credentials = _session(endpoint, settings)
    return _client(
        session, "codeartifact", endpoint, settings, endpoint_url=settings.endpoint_url, **credentials
    )


def _client(session, service: str, endpoint, settings, **arguments):
    return session.create_client(
        service,
        region_name=endpoint.region,
        verify=settings.verify,
        config=_client_config(settings),
        **arguments,
    )


def _credentials(session, endpoint, settings) -> dict:
    """Explicit credentials for the clients, if the settings give any."""
    if settings.role_arn:
        sts = _client(session, "sts", endpoint, settings, **_static_keys(settings))
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


def _static_keys(settings) -> dict:
    if not settings.aws_access_key_id:
        return {}
    return {
        "aws_access_key_id": settings.aws_access_key_id,
        "aws_secret_access_key": settings.aws_secret_access_key,
    }


def _client_config(settings):
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
_quiet_saved: list = []


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


def _silence_botocore() -> list:
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
