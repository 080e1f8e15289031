"""The errors this backend raises, and the translation of AWS failures into them.

Every error is a ``keyring.errors.KeyringError`` (poetry catches only those) with
a one-line message that says which endpoint failed and what to do about it.
Messages never hold a token or a secret: every value in them goes through
``redact``, and for failures on the wire they name the host and the kind of
failure, never the SDK's own text (urllib3 quotes the URL it could not read,
password and all).
"""

import os

from keyring.errors import KeyringError

from . import redact

PREFIX = "codeartifact-keyring: "


class CodeArtifactError(KeyringError):
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
# (class names, our error class, advice). The advice may use {profile}, {host}
# (where the call went, as scheme://host:port), {proxy} (the proxy, likewise)
# and {kind} (what failed on the wire).
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
     "TLS certificate check failed for {host}; set AWS_CA_BUNDLE or `verify` in keyringrc.cfg "
     "to your CA bundle"),
    (("ConnectTimeoutError", "ReadTimeoutError"), Unreachable,
     "CodeArtifact at {host} did not answer in time; check your network and proxy settings, "
     "or raise `timeout` in keyringrc.cfg"),
    (("ProxyConnectionError",), Unreachable,
     "the proxy {proxy} refused or failed the connection to CodeArtifact ({kind}); check "
     "HTTPS_PROXY and NO_PROXY"),
    (("ConnectionError", "HTTPClientError"), Unreachable,
     "could not connect to CodeArtifact at {host} ({kind}); check your network and proxy "
     "settings, and endpoint_url if you set it"),
)

_UNREADABLE = "a URL that cannot be read"
_ENCODE = "a password in a URL must be percent-encoded (# ? / @ as %23 %3F %2F %40)"

# What failed on the wire, by the names of the exception types in the chain
# (botocore's, urllib3's, the socket's), first match wins.
_KINDS = (
    (_UNREADABLE, {"LocationParseError", "LocationValueError", "InvalidURL", "ValueError",
                  "ProxySchemeUnknown", "ProxySchemeUnsupported", "InvalidProxyURL"}),
    ("host name not found", {"gaierror", "NameResolutionError"}),
    ("connection refused", {"ConnectionRefusedError"}),
    ("connection reset", {"ConnectionResetError", "ConnectionAbortedError", "BrokenPipeError",
                          "RemoteDisconnected", "ProtocolError", "IncompleteRead"}),
    ("timed out", {"TimeoutError", "timeout", "ConnectTimeoutError", "ReadTimeoutError"}),
    ("TLS failed", {"SSLError", "SSLCertVerificationError"}),
    ("network error", {"OSError"}),
)


def translate(error: Exception, endpoint, settings) -> CodeArtifactError:
    """Turn a botocore exception into one of ours, with advice a person can act on.

    A ValueError (botocore's verdict on an endpoint URL it cannot read) becomes
    a ConfigError naming where that URL was set."""
    import botocore.exceptions as boto

    if isinstance(error, boto.ClientError):
        return _translate_client_error(error, endpoint, settings)
    if isinstance(error, ValueError) and not isinstance(error, boto.BotoCoreError):
        return _unreadable_endpoint(endpoint, settings)
    details = getattr(error, "kwargs", {})
    kind = _failure_kind(error)
    configured_proxy = _configured_proxy()
    proxy = redact.origin(details.get("proxy_url") or configured_proxy or "none")
    host = redact.origin(details.get("endpoint_url") or _api_url(endpoint, settings))
    if kind == _UNREADABLE and isinstance(error, boto.HTTPClientError):
        where = f"the proxy {proxy} (HTTPS_PROXY)" if configured_proxy else f"the endpoint {host}"
        return endpoint_error(Unreachable, endpoint, f"{where} cannot be read; {_ENCODE}")
    facts = {
        "profile": redact.text(
            details.get("profile") or settings.profile_name or os.environ.get("AWS_PROFILE") or "default"
        ),
        "host": host,
        "proxy": proxy,
        "kind": kind,
    }
    for names, cls, advice in _SDK_FAILURES:
        classes = tuple(getattr(boto, name) for name in names if hasattr(boto, name))
        if isinstance(error, classes):
            return endpoint_error(cls, endpoint, advice.format(**facts))
    problem = f"AWS SDK error {type(error).__name__}: {redact.text(error)}"
    return endpoint_error(ServiceError, endpoint, problem)


def _failure_kind(error: BaseException) -> str:
    """What failed on the wire, named from the exception types ``error`` wraps,
    never from their text."""
    names = {type(link).__name__ for link in _chain(error)}
    for kind, markers in _KINDS:
        if names & markers:
            return kind
    return "connection failed"


def _chain(error: BaseException) -> list:
    """``error`` and the exceptions it wraps: causes, contexts, and the attributes
    botocore and urllib3 keep them in."""
    found, pending = [], [error]
    while pending and len(found) < 50:
        link = pending.pop()
        if not isinstance(link, BaseException) or any(link is seen for seen in found):
            continue
        found.append(link)
        kwargs = getattr(link, "kwargs", None)
        pending += [link.__cause__, link.__context__, getattr(link, "original_error", None),
                    getattr(link, "reason", None), *link.args]
        if isinstance(kwargs, dict):
            pending.append(kwargs.get("error"))
    return found


def _api_url(endpoint, settings) -> str:
    """The CodeArtifact API endpoint the call went to (botocore's choice, as far as it is known)."""
    override = _endpoint_override(settings)
    if override:
        return override[1]
    suffix = "amazonaws.com.cn" if endpoint.partition == "aws-cn" else "amazonaws.com"
    return f"https://codeartifact.{endpoint.region}.{suffix}"


def _endpoint_override(settings):
    """(where it is set, the URL) of the API endpoint override, or None."""
    if settings.endpoint_url:
        return "endpoint_url in keyringrc.cfg", settings.endpoint_url
    for variable in ("AWS_ENDPOINT_URL_CODEARTIFACT", "AWS_ENDPOINT_URL"):
        if os.environ.get(variable):
            return variable, os.environ[variable]
    return None


def _unreadable_endpoint(endpoint, settings) -> CodeArtifactError:
    override = _endpoint_override(settings)
    if override:
        where, url = override
        problem = f"the API endpoint {redact.origin(url)} ({where}) cannot be read"
    else:
        problem = "an AWS endpoint URL cannot be read (AWS_ENDPOINT_URL_STS, or the AWS config file's)"
    return endpoint_error(ConfigError, endpoint, f"{problem}; write it as https://HOST[:PORT]; {_ENCODE}")


def _configured_proxy() -> str:
    """The HTTPS proxy botocore reads from the environment, if any."""
    import urllib.request

    return urllib.request.getproxies().get("https", "")


def _translate_client_error(error, endpoint, settings) -> CodeArtifactError:
    details = error.response.get("Error", {})
    code = redact.text(details.get("Code", "Unknown"), limit=80)
    message = redact.text(details.get("Message") or "")
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    if error.operation_name == "AssumeRole" and code == "AccessDenied":
        return endpoint_error(
            AccessDenied,
            endpoint,
            f"not allowed to assume role {redact.text(settings.role_arn)}; "
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
