"""The errors this backend raises.

Every error carries a one-line message that says which endpoint failed and what
to do about it. Messages never hold a token or a secret: every value in them
goes through ``redact``. AWS failures are translated into these classes in
``aws``, the one module that imports botocore.

They are plain exceptions, so that a lookup imports no keyring (the fast
``keyring`` command answers without it); the backend, the boundary with keyring,
raises each as a ``keyring.errors.KeyringError`` that is also an instance of its
class here (poetry catches only KeyringError).
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .endpoint import Endpoint

PREFIX = "codeartifact-keyring: "


class CodeArtifactError(Exception):
    """A token could not be had for a CodeArtifact endpoint."""


class ConfigError(CodeArtifactError):
    """A setting, in keyringrc.cfg or the environment, is not valid."""


class CredentialsError(CodeArtifactError):
    """No usable AWS credentials: missing, expired or rejected."""


class AccessDenied(CodeArtifactError):
    """The AWS identity may not get a token for this domain."""


class DomainNotFound(CodeArtifactError):
    """No such domain for this owner in this region."""


class Throttled(CodeArtifactError):
    """AWS throttled the request, even after retries."""


class Unreachable(CodeArtifactError):
    """The CodeArtifact API could not be reached, or did not answer in time."""


class ServiceError(CodeArtifactError):
    """AWS answered with an error not covered by the other classes."""


def endpoint_error(cls: type[CodeArtifactError], endpoint: "Endpoint", problem: str) -> CodeArtifactError:
    """Build an error that names ``endpoint`` and the problem with it."""
    return cls(f"{PREFIX}cannot get a token for {endpoint.describe()}: {problem}")
