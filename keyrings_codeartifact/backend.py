"""The keyring backend: CodeArtifact tokens as the password of user ``aws``.

keyring imports this module, and asks for its priority, on every keyring call
on the machine, so both are cheap: nothing here imports botocore, and a service
that is not a CodeArtifact endpoint is answered with None at once (a service
that looks like a repository name costs one read of keyringrc.cfg per process,
for [codeartifact-repositories]). The flow for an endpoint: service string ->
endpoint (``endpoint``) -> settings (``settings``; ``owners`` may refuse it
here, before any call) -> token (``CODEARTIFACT_AUTH_TOKEN``, else ``tokens``:
memory, ``cache``, ``aws``) -> credential. From settings to token is ``lookup``,
the one rule the CLI follows too.
"""

import importlib.util
import logging
import threading
from typing import TYPE_CHECKING, Optional

from jaraco.classes import properties
from keyring import backend, credentials

from . import endpoint as endpoints

if TYPE_CHECKING:
    from .lookup import Lookup

log = logging.getLogger(__name__)

USERNAME = "aws"
_LOOKUP_LOCK = threading.Lock()


class CodeArtifactBackend(backend.KeyringBackend):
    """Serves AWS CodeArtifact authorization tokens; stores nothing."""

    @properties.classproperty
    def priority(cls) -> float:
        """Ahead of the system keyrings (5), behind keyring's chainer (10)."""
        if importlib.util.find_spec("botocore") is None:
            raise RuntimeError("botocore is not installed")
        return 9

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # keyring 25's KeyringBackend.__init__ is unannotated
        self._lookups: Optional[Lookup] = None  # made on first use
        self._names: Optional[dict[str, str]] = None  # repository name -> URL, read on first use

    def get_credential(
        self, service: str, username: Optional[str]
    ) -> Optional[credentials.Credential]:
        """User ``aws`` and a token, if ``service`` is a CodeArtifact endpoint."""
        token = self._token_for(service, username)
        return None if token is None else credentials.SimpleCredential(USERNAME, token)

    def get_password(self, service: str, username: str) -> Optional[str]:
        """A token, if ``service`` is a CodeArtifact endpoint and ``username`` is ``aws``."""
        return self._token_for(service, username)

    def set_password(self, service: str, username: str, password: str) -> None:
        """Not stored here: keyring's chainer moves on to the next backend."""
        raise NotImplementedError()

    def delete_password(self, service: str, username: str) -> None:
        """Nothing is stored here: keyring's chainer moves on to the next backend."""
        raise NotImplementedError()

    def _token_for(self, service: str, username: Optional[str]) -> Optional[str]:
        if username not in (None, "", USERNAME):  # "": unearth's `keyring --mode=creds get URL ""`
            return None
        endpoint = endpoints.parse(service) or self._named(service)
        if endpoint is None:
            return None
        log.debug("%s is CodeArtifact %s", endpoint.host, endpoint.describe())
        from . import lookup

        try:
            return self._lookup().token(endpoint).value
        except lookup.OwnerRefused as refused:
            log.debug("%s; no token, AWS not called", refused.reason)
            return None

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

    def _lookup(self) -> "Lookup":
        """This backend's one lookup service, made on first use."""
        from . import lookup

        with _LOOKUP_LOCK:  # threads of a host program share one lookup, and its locks
            if self._lookups is None:
                self._lookups = lookup.Lookup()
            return self._lookups


def _repository_names() -> dict[str, str]:
    """[codeartifact-repositories], or no names at all if keyringrc.cfg cannot be
    read: that is an error for CodeArtifact URLs only, never for other services."""
    from . import settings
    from .errors import ConfigError

    try:
        return settings.repository_names()
    except ConfigError as error:
        log.debug("repository names not read: %s", error)
        return {}
