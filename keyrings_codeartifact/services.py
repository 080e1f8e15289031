"""Which keyring requests are ours: the service string and username of a keyring call,
read as the backend and the fast ``keyring`` command both read them.

A service is ours if it is a CodeArtifact endpoint URL (``endpoint.parse``) or a
repository name listed in ``[codeartifact-repositories]``; the username must be
``aws``, absent, or empty (unearth asks ``keyring --mode=creds get URL ""``).
Standard library only: keyring is not imported here.
"""

from typing import Optional

from . import endpoint as endpoints
from . import loggers
from .errors import ConfigError

log = loggers.get(__name__)

USERNAME = "aws"


def answers_for(username: Optional[str]) -> bool:
    """Whether a token may be the password of ``username``."""
    return username in (None, "", USERNAME)


class Services:
    """Service strings to endpoints; repository names read once, on first use."""

    def __init__(self) -> None:
        self._names: Optional[dict[str, str]] = None  # repository name -> URL

    def endpoint(self, service: str) -> Optional[endpoints.Endpoint]:
        """The endpoint ``service`` names, as a URL or as a repository name; None if none."""
        return endpoints.parse(service) or self._named(service)

    def _named(self, service: str) -> Optional[endpoints.Endpoint]:
        """The endpoint a repository name stands for in [codeartifact-repositories]."""
        if not (
            isinstance(service, str)
            and 0 < len(service) <= 100
            and service.isascii()
            and service.replace("-", "").replace("_", "").isalnum()
        ):
            return None
        if self._names is None:
            self._names = _repository_names()
        url = self._names.get(service.lower())
        return endpoints.parse(url) if url else None


def _repository_names() -> dict[str, str]:
    """[codeartifact-repositories], or no names at all if keyringrc.cfg cannot be
    read: that is an error for CodeArtifact URLs only, never for other services."""
    from . import settings  # here: only a service that may be a repository name needs keyringrc.cfg read

    try:
        return settings.repository_names()
    except ConfigError as error:
        log.debug("repository names not read: %s", error)
        return {}
