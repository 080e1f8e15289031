"""Recognise AWS CodeArtifact repository endpoints in keyring service strings.

Pure parsing, no I/O. A service string is either a URL or a bare ``host[:port]``
(the fallback pip and uv ask for). Only a string whose whole hostname is a
CodeArtifact repository endpoint, reached over HTTPS, is recognised: anything
else, however CodeArtifact-like, gets ``None`` so that no token can go there.

A bare host does not show its scheme: pip asks for the netloc as the index URL
spells it, uv for the host plus any port that is not the scheme's default. So a
bare host is recognised only without a port or on 443 (CodeArtifact listens on
443 alone; ``host:80`` is ``http://host:80/``). ``host`` alone may still be the
fallback of ``http://host/``: ``plain_http_host`` names the host of such a URL,
so that a caller that saw it can refuse the bare host that follows.
"""

import re
from typing import NamedTuple, Optional
from urllib.parse import urlsplit

_DOMAIN = r"[a-z][a-z0-9-]{0,48}[a-z0-9]"
_OWNER = r"[0-9]{12}"
_REGION = r"[a-z]{2}(?:-[a-z]+)+-[0-9]{1,2}"
_REPOSITORY = r"[A-Za-z0-9][A-Za-z0-9._-]{1,99}"
_DOMAIN_OWNER = rf"(?P<domain>{_DOMAIN})-(?P<owner>{_OWNER})"

# Patterns stay strings until a service string mentions CodeArtifact: ``re``
# compiles them then, and caches them. Compiling at import would tax every
# keyring call on the machine.

# Each form: (name, hostname pattern). Patterns are matched against the whole
# lower-cased hostname; ``cn`` marks the China partition.
_HOST_FORMS = (
    (
        "standard",
        rf"{_DOMAIN_OWNER}\.d\.codeartifact\.(?P<region>{_REGION})\.amazonaws\.com(?P<cn>\.cn)?",
    ),
    (
        "dualstack",
        rf"{_DOMAIN_OWNER}\.codeartifact\.(?P<region>{_REGION})\.on\.aws",
    ),
    (
        "vpc",
        rf"vpce-[a-z0-9]+(?:-[a-z0-9]+)+\.d\.codeartifact\.(?P<region>{_REGION})"
        r"\.vpce\.amazonaws\.com(?P<cn>\.cn)?",
    ),
)

# /FORMAT/REPO/... on the standard and dual-stack hosts.
_REPOSITORY_PATH = rf"/[a-z]+/(?P<repository>{_REPOSITORY})(?:/.*)?"
# /FORMAT/d/DOMAIN-OWNER/REPO/... on a VPC endpoint host.
_VPC_PATH = rf"/[a-z]+/d/{_DOMAIN_OWNER}(?:/(?P<repository>{_REPOSITORY})(?:/.*)?)?/?"

# Whitespace, control characters and backslashes: clients disagree on how to
# read them in a URL, so a string holding any of them is never ours.
_UNSAFE = r"[\x00-\x20\x7f\\]"
_MAX_LENGTH = 4096
HTTPS_PORT = 443  # the only port CodeArtifact listens on


class Endpoint(NamedTuple):
    """A CodeArtifact repository endpoint named by a service string."""

    form: str  # "standard", "dualstack" or "vpc"
    domain: str
    owner: str  # the 12-digit AWS account that owns the domain
    region: str
    partition: str  # "aws", "aws-cn" or "aws-us-gov"
    repository: Optional[str]  # None when the service names no repository
    host: str

    def describe(self) -> str:
        """Name the endpoint for people: domain, owner and region."""
        owner = self.owner or "the caller's account"
        return f"domain '{self.domain}' (owner {owner}, region {self.region})"


def parse(service: str) -> Optional[Endpoint]:
    """Return the endpoint that ``service`` names, or None if it names none.

    Never raises: what cannot be read (a malformed port, brackets around a name
    that is no IP literal) is not ours, and other keyrings may answer for it."""
    if (
        not isinstance(service, str)
        or "codeartifact" not in service.lower()  # the cheap answer for everything else
        or len(service) > _MAX_LENGTH
        or not service.isascii()
        or re.search(_UNSAFE, service)
    ):
        return None
    try:
        host, path = _host_and_path(service)
    except ValueError:  # urlsplit's verdict on brackets, ports and the like
        return None
    if host is None:
        return None
    return _match(host[:-1] if host.endswith(".") else host, path)


def _host_and_path(service: str) -> tuple[Optional[str], str]:
    """The lower-cased hostname and the path of an HTTPS URL or a bare ``host[:port]``
    (None: neither); raises ValueError for what urlsplit cannot read."""
    if "://" in service:
        parts = urlsplit(service)
        if parts.scheme.lower() != "https":
            return None, ""  # a token must never travel in clear text
    else:
        parts = urlsplit("//" + service)
        if parts.path or parts.query or parts.fragment:
            return None, ""  # bare form is host[:port] only
    if "[" in parts.netloc or "]" in parts.netloc:
        return None, ""  # an IP literal, never CodeArtifact (Python 3.9 does not check the brackets)
    port = parts.port  # raises ValueError for a malformed port
    if is_bare(service) and port is not None and not parts.netloc.endswith(f":{HTTPS_PORT}"):
        return None, ""  # a bare host:PORT may be the fallback of an http:// URL (":0443" too)
    return parts.hostname or "", parts.path


def plain_http_host(service: str) -> Optional[str]:
    """The hostname of ``service`` if it is an ``http://`` URL that would name a
    CodeArtifact endpoint over HTTPS (it gets no token), else None. Clients ask next
    for its bare host, which must get no token either."""
    if not isinstance(service, str) or service[:7].lower() != "http://":
        return None
    found = parse("https://" + service[7:])
    return None if found is None else found.host


def is_bare(service: str) -> bool:
    """Whether ``service`` is a bare ``host[:port]`` rather than a URL."""
    return "://" not in service


def partition(region: str) -> str:
    """The AWS partition of ``region``: "aws-cn", "aws-us-gov" or "aws"."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def _match(host: str, path: str) -> Optional[Endpoint]:
    for form, pattern in _HOST_FORMS:  # noqa: B007 (the form found is read after the loop)
        found = re.fullmatch(pattern, host)
        if found:
            break
    else:
        return None

    region = found["region"]
    china = bool(found.groupdict().get("cn"))
    if china != region.startswith("cn-"):
        return None

    if form == "vpc":
        # Without private DNS the path, not the host, names the domain.
        named = re.fullmatch(_VPC_PATH, path)
        if not named:
            return None
        repository = named["repository"]
    else:
        named = found
        in_path = re.fullmatch(_REPOSITORY_PATH, path)
        repository = in_path["repository"] if in_path else None
    return Endpoint(
        form=form,
        domain=named["domain"],
        owner=named["owner"],
        region=region,
        partition=partition(region),
        repository=repository,
        host=host,
    )

