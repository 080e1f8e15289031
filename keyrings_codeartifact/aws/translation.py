"""botocore's failures, translated into our one-line errors (``translate``).

For failures on the wire they name the host and the kind of failure, never the
SDK's own text (urllib3 quotes the URL it could not read, password and all);
for an AWS file or credential source botocore rejects, the file or profile and
the fix, never what the file or a credential_process holds or printed.
"""

import os
import subprocess
import urllib.request
from types import FrameType
from typing import TYPE_CHECKING, Any, Optional

import botocore.exceptions as boto
from botocore.compat import compat_shell_split
from botocore.credentials import (
    CachedCredentialFetcher,
    ContainerProvider,
    CredentialProvider,
    OriginalEC2Provider,
    ProcessProvider,
)
from botocore.utils import FileWebIdentityTokenLoader

from .. import redact
from ..errors import (
    AccessDenied,
    CodeArtifactError,
    ConfigError,
    CredentialsError,
    DomainNotFound,
    ServiceError,
    Throttled,
    Unreachable,
    endpoint_error,
)
from ..identity import first_set, who_asks

if TYPE_CHECKING:
    from ..endpoint import Endpoint
    from ..settings import Settings


def translatable(error: Exception) -> bool:
    """Whether ``error`` is botocore's verdict, not a fault of ours."""
    return (
        isinstance(error, (boto.BotoCoreError, boto.ClientError, ValueError))
        or _still_expired_error(error)
        or _failed_source(error) is not None
    )


def _still_expired_error(error: Exception) -> bool:
    return isinstance(error, RuntimeError) and "refreshed credentials are still expired" in str(error)


_PERMISSIONS = "codeartifact:GetAuthorizationToken and sts:GetServiceBearerToken"
_THROTTLING = {"ThrottlingException", "Throttling", "TooManyRequestsException"}
_BAD_CREDENTIALS = {"ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId", "UnrecognizedClientException",
                    "InvalidSignatureException", "SignatureDoesNotMatch"}
# AWS's answers by error code, first match wins: (codes, our error class, advice with
# {code} and {message}, both redacted). Other codes: ServiceError, "try again later".
_CLIENT_ERRORS = (
    ({"AccessDeniedException", "AccessDenied"}, AccessDenied,
     f"access denied; the AWS identity needs {_PERMISSIONS} on this domain"),
    ({"ResourceNotFoundException"}, DomainNotFound,
     "no such domain; check the domain, owner and region in the repository URL"),
    (_THROTTLING, Throttled, "AWS throttled the request even after retries; wait a minute and try again"),
    (_BAD_CREDENTIALS, CredentialsError, "AWS rejected the credentials ({code}); they are invalid or expired: "
     "refresh them (`aws sso login`, `aws configure`) and try again"),
    ({"ValidationException"}, ServiceError, "AWS rejected the request: {message}"),
)


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


def translate(error: Exception, endpoint: "Endpoint", settings: "Settings") -> CodeArtifactError:
    """Turn a botocore exception into one of ours, with advice a person can act on.

    A ValueError (botocore's verdict on an endpoint URL it cannot read) becomes
    a ConfigError naming where that URL was set."""
    if isinstance(error, boto.ClientError):
        return _translate_client_error(error, endpoint, settings)
    if _still_expired_error(error):  # a credential_process or the container endpoint gave expired ones
        return endpoint_error(CredentialsError, endpoint, "the AWS credentials are still expired after a refresh "
                              f"({who_asks(settings).words}); make that source hand out current credentials, "
                              "or check this machine's clock")
    details = getattr(error, "kwargs", {})
    chosen = first_set(os.environ, "AWS_DEFAULT_PROFILE", "AWS_PROFILE")  # botocore's, when none is given
    profile = details.get("profile") or settings.profile_name or ("default" if chosen is None else chosen)
    known = _config_problem(error, profile) or _source_problem(error, profile)
    if known:
        return endpoint_error(known[0], endpoint, known[1])
    if isinstance(error, ValueError) and not isinstance(error, boto.BotoCoreError):
        return _unreadable_endpoint(endpoint, settings)
    return _sdk_failure(error, details, profile, endpoint, settings)


def _sdk_failure(
    error: Exception, details: dict[str, Any], profile: str, endpoint: "Endpoint", settings: "Settings"
) -> CodeArtifactError:
    """botocore's failures that are not answers from AWS: the wire, the proxy, the profile."""
    kind = _failure_kind(error)
    configured_proxy = urllib.request.getproxies().get("https", "")  # botocore's, from the environment
    proxy = redact.origin(details.get("proxy_url") or configured_proxy or "none")
    override = _endpoint_override(settings)
    suffix = "amazonaws.com.cn" if endpoint.partition == "aws-cn" else "amazonaws.com"
    api = override[1] if override else f"https://codeartifact.{endpoint.region}.{suffix}"  # botocore's choice
    host = redact.origin(details.get("endpoint_url") or api)
    if kind == _UNREADABLE and isinstance(error, boto.HTTPClientError):
        where = f"the proxy {proxy} (HTTPS_PROXY)" if configured_proxy else f"the endpoint {host}"
        return endpoint_error(Unreachable, endpoint, f"{where} cannot be read; {_ENCODE}")
    facts = {"profile": redact.text(profile), "host": host, "proxy": proxy, "kind": kind}
    for names, cls, advice in _SDK_FAILURES:
        classes = tuple(getattr(boto, name) for name in names if hasattr(boto, name))
        if isinstance(error, classes):
            return endpoint_error(cls, endpoint, advice.format(**facts))
    problem = f"AWS SDK error {type(error).__name__}: {redact.text(error)}"
    return endpoint_error(ServiceError, endpoint, problem)


_Problem = tuple[type[CodeArtifactError], str]  # our error class, and what to say


def _config_problem(error: Exception, profile: str) -> Optional[_Problem]:
    """An AWS config or credentials file that botocore rejects, named, with the fix."""
    details = getattr(error, "kwargs", {})
    if isinstance(error, boto.ConfigParseError):
        return ConfigError, (f"the AWS file {redact.name(details.get('path'))} cannot be parsed; it must be UTF-8 text "
                             "with each `name = value` line under a [section] header: fix or remove it")
    if isinstance(error, boto.InfiniteLoopConfigError):
        names = ", ".join(redact.text(name, 80) for name in details.get("visited_profiles") or ())
        return ConfigError, (f"the AWS profiles {names} name each other as source_profile, in a loop; "
                             "give one of them keys, or credential_source instead")
    if isinstance(error, boto.InvalidConfigError):
        said = redact.text(details.get("error_msg", "")).rstrip(".")
        return ConfigError, f"the AWS config is not valid: {said}; fix the profile in the AWS config file"
    if isinstance(error, boto.PartialCredentialsError) and details.get("provider") == "assume-role":
        return ConfigError, (f"the AWS profile '{redact.text(profile)}' assumes a role but names no source_profile or "
                             "credential_source; add one to it")
    return None


def _failed_source(error: BaseException) -> Optional[tuple[object, FrameType]]:
    """The botocore credential source (a provider, a role fetcher, a token file loader)
    in whose code ``error`` was raised, the innermost, and that frame; or None."""
    sources = (CredentialProvider, CachedCredentialFetcher, FileWebIdentityTokenLoader)
    found = None
    trace = error.__traceback__
    while trace is not None:
        owner = trace.tb_frame.f_locals.get("self")
        if isinstance(owner, sources):
            found = (owner, trace.tb_frame)
        trace = trace.tb_next
    return found


def _source_problem(error: Exception, profile: str) -> Optional[_Problem]:
    """What a credential source failed at: a credential_process, the boto2 file, a token
    file. Never the source's own text (a process's output or stderr may hold secrets)."""
    found = _failed_source(error)
    if found is None:
        return None
    source, frame = found
    if isinstance(source, ProcessProvider):
        return CredentialsError, _process_problem(error, source, frame)
    if isinstance(source, OriginalEC2Provider):
        return ConfigError, _legacy_problem(error)
    reason = _reason(error)
    if isinstance(source, FileWebIdentityTokenLoader) and isinstance(error, OSError):
        path = redact.name(getattr(source, "_web_identity_token_path", "?"))
        return ConfigError, (f"the web identity token file {path} cannot be read ({reason}); check "
                             "AWS_WEB_IDENTITY_TOKEN_FILE, or web_identity_token_file in the AWS profile")
    if isinstance(source, ContainerProvider) and isinstance(error, (OSError, ValueError)):
        variable = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"
        if isinstance(error, OSError):
            return ConfigError, (f"the container authorization token file {redact.name(os.environ.get(variable, '?'))} "
                                 f"({variable}) cannot be read ({reason}); check {variable}")
        return ConfigError, "the container authorization token holds a line break; remove it"
    if isinstance(error, boto.BotoCoreError):
        return None  # botocore's own words, translated below
    if isinstance(error, EOFError):
        return CredentialsError, (
            f"botocore asked for an MFA code (mfa_serial in AWS profile '{redact.text(profile)}') and there "
            "is no terminal to read it from; use a profile without mfa_serial"
        )
    name = getattr(source, "METHOD", type(source).__name__)
    return CredentialsError, f"botocore's {name} credential source failed ({type(error).__name__}); check its settings"


def _reason(error: BaseException) -> str:
    """Why a file could not be read, in the system's words (never the file's content)."""
    if isinstance(error, UnicodeDecodeError):
        return "not UTF-8 text"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    if type(error).__name__ == "ConfigNotFound":
        return "no such file, or not readable"
    return type(error).__name__


def _legacy_problem(error: Exception) -> str:
    """The boto2 file AWS_CREDENTIAL_FILE names, which botocore could not use."""
    path = redact.name(os.path.expanduser(os.environ.get("AWS_CREDENTIAL_FILE", "?")))
    where = f"the boto2 credentials file {path} (AWS_CREDENTIAL_FILE)"
    if isinstance(error, KeyError):
        return f"{where} has no AWSSecretKey line; add one beside AWSAccessKeyId, or unset AWS_CREDENTIAL_FILE"
    return f"{where} cannot be read ({_reason(error)}); fix it, or unset AWS_CREDENTIAL_FILE"


def _process_problem(error: Exception, source: object, frame: FrameType) -> str:
    """A credential_process that failed: whose, which program (never its arguments),
    and what went wrong (never its output or stderr, which may hold secrets)."""
    profile = redact.text(getattr(source, "_profile_name", None) or "?")
    program = _program(frame.f_locals.get("credential_process"))
    return (f"the credential_process of AWS profile '{profile}' ({program}) failed: {_process_failure(error, frame)}; "
            "check credential_process in the AWS config, and run it by hand: it must exit 0 and "
            'print JSON with "Version": 1, AccessKeyId and SecretAccessKey')


def _process_failure(error: Exception, frame: FrameType) -> str:
    """What went wrong with the process, from botocore's frame that ran it (its locals:
    ``p`` the process, ``parsed`` its output as JSON)."""
    seen = frame.f_locals
    if frame.f_code.co_name == "load":  # reading the answer after the process ran well
        return "its Expiration is not a date"
    if isinstance(error, subprocess.TimeoutExpired):
        return f"it did not finish in {error.timeout:g} s, and was stopped"
    if isinstance(error, OSError):
        return f"the program cannot be run ({_reason(error)})"
    if "p" not in seen:
        return "its command line cannot be read (empty, or unbalanced quotes)"
    returncode = getattr(seen["p"], "returncode", 0)
    if returncode:
        return f"it exited {returncode}"
    if "parsed" not in seen:
        return "its output is not JSON"
    parsed = seen["parsed"]
    if not isinstance(parsed, dict):
        return "its output is not a JSON object"
    if parsed.get("Version") != 1:
        return 'its output lacks "Version": 1'
    return "its output lacks AccessKeyId or SecretAccessKey"


def _program(command: object) -> str:
    """A command line's program name, without its arguments (which may hold secrets)."""
    text = str(command or "")
    try:
        words = compat_shell_split(text)
    except ValueError:
        words = text.split()
    return redact.text(os.path.basename(words[0]) if words else "no program", 80)


def _failure_kind(error: BaseException) -> str:
    """What failed on the wire, named from the exception types ``error`` wraps,
    never from their text."""
    names = {type(link).__name__ for link in _chain(error)}
    for kind, markers in _KINDS:
        if names & markers:
            return kind
    return "connection failed"


def _chain(error: BaseException) -> list[BaseException]:
    """``error`` and the exceptions it wraps: causes, contexts, and the attributes
    botocore and urllib3 keep them in."""
    found: list[BaseException] = []
    pending: list[object] = [error]
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


def _endpoint_override(settings: "Settings") -> Optional[tuple[str, str]]:
    """(where it is set, the URL) of the API endpoint override, or None."""
    if settings.endpoint_url:
        return "endpoint_url in keyringrc.cfg", settings.endpoint_url
    for variable in ("AWS_ENDPOINT_URL_CODEARTIFACT", "AWS_ENDPOINT_URL"):
        if os.environ.get(variable):
            return variable, os.environ[variable]
    return None


def _unreadable_endpoint(endpoint: "Endpoint", settings: "Settings") -> CodeArtifactError:
    override = _endpoint_override(settings)
    if override:
        where, url = override
        problem = f"the API endpoint {redact.origin(url)} ({where}) cannot be read"
    else:
        problem = "an AWS endpoint URL cannot be read (AWS_ENDPOINT_URL_STS, or the AWS config file's)"
    return endpoint_error(ConfigError, endpoint, f"{problem}; write it as https://HOST[:PORT]; {_ENCODE}")


def _translate_client_error(error: boto.ClientError, endpoint: "Endpoint", settings: "Settings") -> CodeArtifactError:
    """AWS's answer, by its error code: our error class, and what to do about it."""
    details = error.response.get("Error", {})
    code = redact.text(details.get("Code", "Unknown"), limit=80)
    message = redact.text(details.get("Message") or "")
    if error.operation_name == "AssumeRole" and code == "AccessDenied":
        return endpoint_error(AccessDenied, endpoint, f"not allowed to assume role {redact.text(settings.role_arn)}; "
                              "check the role's trust policy and role_arn in keyringrc.cfg")
    for codes, cls, advice in _CLIENT_ERRORS:
        if code in codes:
            return endpoint_error(cls, endpoint, advice.format(code=code, message=message))
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return endpoint_error(ServiceError, endpoint, f"CodeArtifact answered {code} (HTTP {status}) {message}".rstrip()
                          + "; try again later")
