"""The one way to a token for an endpoint, for the backend and the CLI alike.

The rule: the settings for the endpoint (``owners`` may refuse it, before any
call); then ``CODEARTIFACT_AUTH_TOKEN`` if set (checked); else the token source
(``token_source``: memory, the disk cache, AWS). Nothing here imports botocore, and
the token source is made, with its imports, only when it is first needed.

Every front end comes through here, so this is where a failed lookup is recorded
for ``explain`` (``failures``) and each lookup logged when the log is on (``lookuplog``).
"""

import os
import time
from _thread import allocate_lock  # threading.Lock itself: importing threading is 0.7 ms of a warm lookup
from typing import TYPE_CHECKING, Callable, NamedTuple, Optional

from . import loggers
from . import settings as config
from .errors import PREFIX, CodeArtifactError, ConfigError

if TYPE_CHECKING:
    from .endpoint import Endpoint
    from .token_record import Token
    from .token_source import TokenSource

log = loggers.get(__name__)

TOKEN_VARIABLE = "CODEARTIFACT_AUTH_TOKEN"


class OwnerRefused(ConfigError):
    """``owners`` in [codeartifact] does not list the endpoint's owner."""

    def __init__(self, endpoint: "Endpoint", settings: config.Settings) -> None:
        self.reason = not_allowed(endpoint, settings)
        super().__init__(f"{PREFIX}{self.reason}; no token for it")


class Found(NamedTuple):
    """A token, when it expires by AWS's clock, and until when (this machine's clock)
    a lookup keeps serving it (both None: it came from ``CODEARTIFACT_AUTH_TOKEN``)."""

    value: str
    expires_at: Optional[float]
    served_until: Optional[float] = None


class Lookup:
    """Tokens for endpoints, by the one rule above; one token source per lookup,
    shared by the threads of a host program."""

    def __init__(self) -> None:
        self._source: Optional[TokenSource] = None  # made on first use
        self._lock = allocate_lock()

    def token(
        self, endpoint: "Endpoint", adjust: Optional[Callable[[config.Settings], config.Settings]] = None
    ) -> Found:
        """A token for ``endpoint``; OwnerRefused if ``owners`` refuses it. ``adjust``
        changes the settings (command-line overrides) when the token source is asked.
        A failure is recorded (``failures``) and a success from the disk cache or AWS
        clears its record; each lookup is logged if the log is on (``lookuplog``)."""
        attempt = _Attempt()
        try:
            found = self._token(endpoint, adjust, attempt)
        except OwnerRefused:
            attempt.log(endpoint, "refused")
            raise
        except CodeArtifactError as error:
            from . import failures  # here: only a failed lookup writes a record

            failures.record(endpoint, attempt.settings, error)
            attempt.log(endpoint, f"failed {type(error).__name__}: {str(error).replace(PREFIX, '', 1)}")
            raise
        attempt.log(endpoint, "ok")
        return found

    def _token(
        self,
        endpoint: "Endpoint",
        adjust: Optional[Callable[[config.Settings], config.Settings]],
        attempt: "_Attempt",
    ) -> Found:
        settings = attempt.settings = allowed_settings(endpoint)
        from_environment = environment_token()
        if from_environment:
            log.debug("using the token in %s", TOKEN_VARIABLE)
            attempt.source = "environment"
            return Found(from_environment, None)
        if adjust is not None:
            settings = attempt.settings = adjust(settings)
        token = self._tokens().get(endpoint, settings, served=attempt.served)
        if attempt.source != "memory":
            _clear_failures(endpoint, settings, attempt.key)
        return Found(token.value, token.expires_at, token.served_until(settings.refresh_margin))

    def _tokens(self) -> "TokenSource":
        with self._lock:
            if self._source is None:
                from . import token_source

                self._source = token_source.TokenSource(_fetch_token)
            return self._source


class _Attempt:
    """One lookup as it goes: its settings once read, where its token came from."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.settings: Optional[config.Settings] = None
        self.source = "-"
        self.key: dict[str, object] = {}

    def served(self, source: str, key: dict[str, object]) -> None:
        self.source, self.key = source, key

    def log(self, endpoint: "Endpoint", outcome: str) -> None:
        """Write this lookup's line, if the log is on."""
        path = config.log_path(self.settings)
        if path:
            from . import asking_program, lookuplog  # here: only a lookup with the log on writes a line

            took = (time.monotonic() - self.started) * 1000
            lookuplog.write(path, lookuplog.line(endpoint, self.source, took, outcome, asking_program.name()))


def _clear_failures(endpoint: "Endpoint", settings: config.Settings, key: dict[str, object]) -> None:
    """failures.clear, imported only when a record to clear is there: most lookups find none."""
    from . import cache  # here: loaded already by the token source that served the token

    if settings.cache and cache.has_failure_record(endpoint, settings, key):
        from . import failures

        failures.clear(endpoint, settings, key)


def _fetch_token(endpoint: "Endpoint", settings: config.Settings) -> "Token":
    """aws.fetch_token, imported when a token is fetched: a cached token needs no aws module."""
    from . import aws

    return aws.fetch_token(endpoint, settings)


def allowed_settings(endpoint: "Endpoint") -> config.Settings:
    """The settings for ``endpoint``; OwnerRefused if ``owners`` refuses it."""
    settings = config.load(endpoint)
    check_allowed(endpoint, settings)
    return settings


def check_allowed(endpoint: "Endpoint", settings: config.Settings) -> None:
    """OwnerRefused if ``owners`` in ``settings`` refuses ``endpoint``."""
    if not settings.allows(endpoint):
        raise OwnerRefused(endpoint, settings)


def not_allowed(endpoint: "Endpoint", settings: config.Settings) -> str:
    """Why ``owners`` refuses ``endpoint``, for a log line or an error."""
    return f"owner {endpoint.owner} is not in owners ({', '.join(settings.owners or ())}) in [codeartifact]"


def environment_token() -> Optional[str]:
    """The token in ``CODEARTIFACT_AUTH_TOKEN``, if set; a ConfigError if it holds
    whitespace or control characters, which no token has (a CR/LF from a file
    written on Windows, a paste with a space), rather than serving them."""
    token = os.environ.get(TOKEN_VARIABLE)
    if token and (" " in token or not token.isprintable()):
        raise ConfigError(
            f"{PREFIX}{TOKEN_VARIABLE} holds whitespace or control characters, which no token has; "
            f"set it to the token alone, e.g. {TOKEN_VARIABLE}=$(aws codeartifact get-authorization-token "
            "--domain D --query authorizationToken --output text), or unset it"
        )
    return token
