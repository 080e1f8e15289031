"""The keyring backend: CodeArtifact tokens as the password of user ``aws``.

keyring imports this module, and asks for its priority, on every keyring call
on the machine, so both are cheap: nothing here imports botocore, and a service
that is not a CodeArtifact endpoint is answered with None at once (a service
that looks like a repository name costs one read of keyringrc.cfg per process,
for [codeartifact-repositories]). The flow for an endpoint: service string ->
endpoint (``services``, ``endpoint``) -> settings (``settings``; ``owners`` may refuse it
here, before any call) -> token (``CODEARTIFACT_AUTH_TOKEN``, else ``token_source``:
memory, ``cache``, ``aws``) -> credential. From settings to token is ``lookup``,
the one rule the CLI and the fast ``keyring`` command follow too. Our errors
leave here as ``keyring.errors.KeyringError`` instances (``as_keyring_error``).
"""

import importlib.util
import logging
import sys
import threading
from typing import TYPE_CHECKING, Optional

from jaraco.classes import properties
from keyring import backend, credentials
from keyring.errors import KeyringError

from .endpoint import is_bare, plain_http_host
from .errors import CodeArtifactError
from .services import USERNAME, Services, answers_for

if TYPE_CHECKING:
    from .lookup import Lookup

log = logging.getLogger(__name__)

__all__ = ["USERNAME", "CodeArtifactBackend"]

_LOOKUP_LOCK = threading.Lock()
# Loaded in the process of pip (and pip-tools), of pipenv's own copy of pip
# (pipenv.patched.pip...) and of pdm (unearth, a fork of pip's finder): their host-only
# fallback may stand for http://.
_PIP_AUTH = "pip._internal.network.auth"
_UNEARTH_AUTH = "unearth.auth"
_KEYRING_CLASSES: dict[type[CodeArtifactError], type[KeyringError]] = {}


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
        self._services = Services()  # repository names read on first use
        self._plain_http_hosts: set[str] = set()  # hosts this process was asked for over http://
        self._https_hosts: set[str] = set()  # hosts this process was asked for as https:// URLs

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
        if not answers_for(username):
            return None
        endpoint = self._services.endpoint(service)
        if endpoint is None:
            self._note_plain_http(service)
            return None
        if not is_bare(service):
            self._https_hosts.add(endpoint.host)
        elif not self._bare_host_allowed(endpoint.host):
            return None
        log.debug("%s is CodeArtifact %s", endpoint.host, endpoint.describe())
        from . import lookup  # here: settings and the lookup, for a service of ours only

        try:
            return self._lookup().token(endpoint).value
        except lookup.OwnerRefused as refused:
            log.debug("%s; no token, AWS not called", refused.reason)
            return None
        except CodeArtifactError as error:
            raise as_keyring_error(error) from None

    def _note_plain_http(self, service: str) -> None:
        """Remember the host of an http:// CodeArtifact URL: pip asks for the bare host
        next, which cannot show that it is meant for clear text."""
        host = plain_http_host(service)
        if host is not None:
            self._plain_http_hosts.add(host)

    def _bare_host_allowed(self, host: str) -> bool:
        """Whether a bare ``host`` may get a token in this process. A bare host does not
        show its scheme: refused after this process was asked for it over http://, and,
        inside pip or a copy of its finder, unless it was first asked for as an https://
        URL (pip asks for the bare host alone for a direct URL or find-links, which may be
        http://)."""
        if host in self._plain_http_hosts:
            log.debug("%s was asked for over http:// in this process: its bare host gets no token", host)
            return False
        if host not in self._https_hosts and _inside_pip():
            log.debug("%s: pip asked for the bare host before any https:// URL of it (it may stand for a "
                      "direct http:// URL): no token; list the repository as an index", host)
            return False
        return True

    def _lookup(self) -> "Lookup":
        """This backend's one lookup service, made on first use."""
        from . import lookup  # here: settings and the lookup, for a service of ours only

        with _LOOKUP_LOCK:  # threads of a host program share one lookup, and its locks
            if self._lookups is None:
                self._lookups = lookup.Lookup()
            return self._lookups


def as_keyring_error(error: CodeArtifactError) -> KeyringError:
    """``error`` as a KeyringError (what keyring's callers, poetry among them, catch)
    that is still an instance of its own class, with the same name and message."""
    raised = _keyring_class(type(error))(*error.args)
    raised.__dict__.update(error.__dict__)
    return raised


def _keyring_class(cls: type[CodeArtifactError]) -> type[KeyringError]:
    """``cls`` and KeyringError in one class, named and placed as ``cls`` is (made once)."""
    made = _KEYRING_CLASSES.get(cls)
    if made is None:
        made = type(cls.__name__, (cls, KeyringError), {"__module__": cls.__module__, "__doc__": cls.__doc__})
        made = _KEYRING_CLASSES.setdefault(cls, made)
    return made


def _inside_pip() -> bool:
    """Whether pip's credential code, or a copy of it, is loaded in this process."""
    return any(name.endswith(_PIP_AUTH) or name == _UNEARTH_AUTH for name in list(sys.modules))
