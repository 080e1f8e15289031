"""The one way to a token for an endpoint, for the backend and the CLI alike.

The rule: the settings for the endpoint (``owners`` may refuse it, before any
call); then ``CODEARTIFACT_AUTH_TOKEN`` if set (checked); else the token source
(``tokens``: memory, the disk cache, AWS). Nothing here imports botocore, and
the token source is made, with its imports, only when it is first needed.
"""

import logging
import os
import threading
from typing import TYPE_CHECKING, Callable, NamedTuple, Optional

from . import settings as config
from .errors import PREFIX, ConfigError

if TYPE_CHECKING:
    from .authtoken import Token
    from .endpoint import Endpoint
    from .tokens import TokenSource

log = logging.getLogger(__name__)

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
        self._lock = threading.Lock()

    def token(
        self, endpoint: "Endpoint", adjust: Optional[Callable[[config.Settings], config.Settings]] = None
    ) -> Found:
        """A token for ``endpoint``; OwnerRefused if ``owners`` refuses it. ``adjust``
        changes the settings (command-line overrides) when the token source is asked."""
        settings = allowed_settings(endpoint)
        from_environment = environment_token()
        if from_environment:
            log.debug("using the token in %s", TOKEN_VARIABLE)
            return Found(from_environment, None)
        if adjust is not None:
            settings = adjust(settings)
        token = self._tokens().get(endpoint, settings)
        return Found(token.value, token.expires_at, token.served_until(settings.refresh_margin))

    def _tokens(self) -> "TokenSource":
        with self._lock:
            if self._source is None:
                from . import tokens

                self._source = tokens.TokenSource(_fetch_token)
            return self._source


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
