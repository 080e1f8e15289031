"""The keyring backend: CodeArtifact tokens as the password of user ``aws``.

keyring imports this module, and asks for its priority, on every keyring call
on the machine, so both are cheap: nothing here imports botocore, and a service
that is not a CodeArtifact endpoint is answered with None at once (a service
that looks like a repository name costs one read of keyringrc.cfg per process,
for [codeartifact-repositories]). The flow for an endpoint: service string ->
endpoint (``endpoint``) -> settings (``settings``) -> token (``tokens``: memory,
``cache``, ``aws``) -> credential.
"""

import importlib.util
import logging
import os
import threading
from typing import Optional

from jaraco.classes import properties
from keyring import backend, credentials

from . import endpoint as endpoints

log = logging.getLogger(__name__)

USERNAME = "aws"
TOKEN_VARIABLE = "CODEARTIFACT_AUTH_TOKEN"
_SOURCE_LOCK = threading.Lock()


class CodeArtifactBackend(backend.KeyringBackend):
    """Serves AWS CodeArtifact authorization tokens; stores nothing."""

    @properties.classproperty
    def priority(cls) -> float:
        """Ahead of the system keyrings (5), behind keyring's chainer (10)."""
        if importlib.util.find_spec("botocore") is None:
            raise RuntimeError("botocore is not installed")
        return 9

    def __init__(self) -> None:
        super().__init__()
        self._source = None  # a tokens.TokenSource, made on first use
        self._names = None  # repository name -> URL, read on first use

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
        from_environment = os.environ.get(TOKEN_VARIABLE)
        if from_environment:
            log.debug("using the token in %s", TOKEN_VARIABLE)
            return from_environment
        from . import settings

        return self._tokens().get(endpoint, settings.load(endpoint)).value

    def _named(self, service: str):
        """The endpoint a repository name stands for in [codeartifact-repositories]."""
        if not (
            isinstance(service, str)
            and 0 < len(service) <= 100
            and service.isascii()
            and service.replace("-", "").replace("_", "").isalnum()
        ):
            return None
        if self._names is None:
            from . import settings

            self._names = settings.repository_names()
        url = self._names.get(service.lower())
        return endpoints.parse(url) if url else None

    def _tokens(self):
        with _SOURCE_LOCK:  # threads of a host program share one source, and its locks
            if self._source is None:
                from . import aws, tokens

                self._source = tokens.TokenSource(aws.fetch_token)
            return self._source

