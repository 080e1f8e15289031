"""The errors this backend raises, and the translation of AWS failures into them.

Every error is a ``keyring.errors.KeyringError`` (poetry catches only those) with
a one-line message that says which endpoint failed and what to do about it.
Messages never hold a token or a secret.
"""

import os

from keyring.errors import KeyringError

from .endpoint import without_userinfo

PREFIX = "codeartifact-keyring: "


class CodeArtifactError(KeyringError):
    """A token could not be had for a CodeArtifact endpoint."""


class ConfigError(CodeArtifactError):
    """A setting in keyringrc.cfg is not valid."""


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


def endpoint_error(cls, endpoint, problem: str) -> CodeArtifactError:
    """Build an error that names ``endpoint`` and the problem with it."""
    return cls(f"{PREFIX}cannot get a token for {endpoint.describe()}: {problem}")


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
# (class names, our error class, advice). The advice may use {profile}, {url}
# (the API endpoint) and {proxy} (without any user:password).
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
     "TLS certificate check failed for {url}; set AWS_CA_BUNDLE or `verify` in keyringrc.cfg "
     "to your CA bundle"),
    (("ConnectTimeoutError", "ReadTimeoutError"), Unreachable,
     "CodeArtifact at {url} did not answer in time; check your network and proxy settings, "
     "or raise `timeout` in keyringrc.cfg"),
    (("ProxyConnectionError",), Unreachable,
     "the proxy {proxy} refused or failed the connection to CodeArtifact; check HTTPS_PROXY "
     "and NO_PROXY"),
    (("ConnectionError", "ConnectionClosedError"), Unreachable,
     "could not connect to CodeArtifact at {url}; check your network and proxy settings, "
     "and endpoint_url if you set it"),
)


def translate(error: Exception, endpoint, settings) -> CodeArtifactError:
    """Turn a botocore exception into one of ours, with advice a person can act on."""
    import botocore.exceptions as boto

    if isinstance(error, boto.ClientError):
        return _translate_client_error(error, endpoint, settings)
    details = getattr(error, "kwargs", {})
    facts = {
        "profile": details.get("profile") or settings.profile_name or os.environ.get("AWS_PROFILE") or "default",
        "url": details.get("endpoint_url", "the API endpoint"),
        "proxy": without_userinfo(str(details.get("proxy_url", ""))),
    }
    for names, cls, advice in _SDK_FAILURES:
        classes = tuple(getattr(boto, name) for name in names if hasattr(boto, name))
        if isinstance(error, classes):
            return endpoint_error(cls, endpoint, advice.format(**facts))
    return endpoint_error(ServiceError, endpoint, f"AWS SDK error: {_one_line(error)}")


def _translate_client_error(error, endpoint, settings) -> CodeArtifactError:
    details = error.response.get("Error", {})
    code = details.get("Code", "Unknown")
    message = _one_line(details.get("Message") or "")
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    if error.operation_name == "AssumeRole" and code == "AccessDenied":
        return endpoint_error(
            AccessDenied,
            endpoint,
            f"not allowed to assume role {settings.role_arn}; "
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


def _one_line(value: object) -> str:
    return " ".join(str(value).split())

