"""The identity part of a cache key: a digest of every input that can change who asks AWS.

A token carries the permissions of the principal that asked for it. Rather than
predict which principal botocore's credential chain picks (``identity`` does that,
in words, for ``explain``), the key digests what the chain reads, as botocore's own
``CachedCredentialFetcher`` keys on its call's arguments: when any input changes,
the key does, at the cost of at most one extra call, never another principal's token.

The inputs: the settings of keyringrc.cfg that shape the call; every variable named
``AWS_*``, ``BOTO_*`` or ``BOTOCORE_*`` (those botocore reads, and a superset),
except the ones that only rotate with the same access key id (the secret key,
session tokens, expiry times); the bytes of the AWS config and credentials files
and of the boto2-era files, at the paths botocore would read; the web identity and
container token files, by the JWT's issuer, subject and session tags (a rotated
token of the same identity keeps the key), else by their bytes; and the host name
(a home folder shared by two hosts sees two instance roles). Files are read as
bytes and never parsed, so the key costs a file's size and nothing more.

Not covered: what a ``credential_process`` prints, and the SSO and login token
caches (a new login of the same session keeps the key). Values enter only the
digest; the label before it is a profile name, access key id or role name.
"""

import json
import os
import stat
import sys
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:
    from hashlib import sha256 as sha256  # re-exported: the cache names its entries by it

    from .settings import Settings
else:  # SHA-256 itself, without hashlib: loading OpenSSL for it is 2 ms of every warm lookup
    try:
        from _sha2 import sha256  # Python 3.12+
    except ImportError:
        try:
            from _sha256 import sha256  # Python 3.9 to 3.11
        except ImportError:  # a Python built without its own hashes
            from hashlib import sha256

VERSION = "2"  # changes when what is digested changes, so that old keys are never matched
# Settings that change who asks AWS, or which API answers.
SETTINGS = ("profile_name", "role_arn", "role_session_name", "external_id", "aws_access_key_id", "endpoint_url")
PREFIXES = ("AWS_", "BOTO_", "BOTOCORE_")
# Values that change with every session of the same credentials: the access key id names them.
ROTATING = frozenset({
    "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION", "AWS_SESSION_EXPIRATION",
})
TOKEN_FILE_VARIABLES = ("AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
TOKEN_FILE_OPTION = b"web_identity_token_file"
_DEFAULT_FILES = {"AWS_CONFIG_FILE": "~/.aws/config", "AWS_SHARED_CREDENTIALS_FILE": "~/.aws/credentials"}
_BOTO_FILES = ("/etc/boto.cfg", "~/.boto")
_TAGS_CLAIM = "https://aws.amazon.com/tags"
_CHUNK = 1 << 20
_TOKEN_LIMIT = 65536  # bytes of a token file read for its claims
_CONFIG_LIMIT = 16 << 20  # bytes of a config file scanned for web_identity_token_file lines


def identity_key(settings: "Settings", environ: Mapping[str, str] = os.environ) -> str:
    """``LABEL:DIGEST``: the digest changes whenever an input that can change the
    principal (or the API endpoint) changes; the label is for people only."""
    digest = sha256(VERSION.encode())
    for part in _inputs(settings, environ):
        encoded = part.encode("utf-8", "surrogateescape")
        digest.update(b"%d:" % len(encoded) + encoded)
    return f"{label(settings, environ)}:{digest.hexdigest()[:32]}"


def label(settings: "Settings", environ: Mapping[str, str] = os.environ) -> str:
    """A name for people (``cache list``), from the settings and variables alone:
    the role, keys or profile the lookup starts from. It decides nothing."""
    if settings.role_arn:
        return "role:" + settings.role_arn.rpartition("/")[2]
    if settings.aws_access_key_id:
        return "keys:" + settings.aws_access_key_id
    if settings.profile_name:
        return "profile:" + settings.profile_name
    if environ.get("AWS_ACCESS_KEY_ID"):
        return "environment:" + environ["AWS_ACCESS_KEY_ID"]
    for variable in ("AWS_DEFAULT_PROFILE", "AWS_PROFILE"):  # botocore's order
        if environ.get(variable):
            return "profile:" + environ[variable]
    return "profile:default"


def _hostname() -> str:
    """socket.gethostname(), without importing socket where uname says the same (POSIX)."""
    if sys.platform != "win32":
        return os.uname().nodename
    import socket  # here: Windows has no uname; socket costs a warm lookup ~1 ms elsewhere

    return socket.gethostname()


def _inputs(settings: "Settings", environ: Mapping[str, str]) -> Iterator[str]:
    """Every input, as text, in a fixed order."""
    values = settings._asdict()
    yield json.dumps([(name, values[name]) for name in SETTINGS])
    variables = sorted((name, value) for name, value in environ.items()
                       if name.startswith(PREFIXES) and name not in ROTATING)
    yield json.dumps(variables)
    yield "host " + _hostname()
    for path in _files(environ):
        content, mentions_token_file = _file(path)
        yield f"file {path} {content}"
        if mentions_token_file:
            for token_path in _token_file_options(path):
                yield f"token file {token_path} {_token_subject(token_path)}"
    for variable in TOKEN_FILE_VARIABLES:
        if environ.get(variable):
            yield f"{variable} {_token_subject(os.path.abspath(environ[variable]))}"


def _files(environ: Mapping[str, str]) -> Iterator[str]:
    """The files botocore's chain may read: the shared config and credentials files
    (set but empty: none), AWS_CREDENTIAL_FILE, BOTO_CONFIG or its default files."""
    for variable, default in _DEFAULT_FILES.items():
        value = environ[variable] if variable in environ else default
        if value:
            yield _expanded(value)
    if environ.get("AWS_CREDENTIAL_FILE"):
        yield _expanded(environ["AWS_CREDENTIAL_FILE"])
    for path in [environ["BOTO_CONFIG"]] if "BOTO_CONFIG" in environ else _BOTO_FILES:
        if path:
            yield _expanded(path)


def _expanded(path: str) -> str:
    return os.path.abspath(os.path.expanduser(os.path.expandvars(path)))


def _open_regular(path: str) -> Union[int, str]:
    """A descriptor of the regular file at ``path``, or why there is none. Opened
    without blocking: a FIFO or device is never read (it could block a lookup)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except (FileNotFoundError, NotADirectoryError):
        return "missing"
    except OSError as error:
        return f"unopenable {error.errno}"
    mode = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        return f"not a file {stat.S_IFMT(mode)}"
    return descriptor


def _file(path: str) -> tuple[str, bool]:
    """A digest of the file's bytes (or why there are none), and whether it names a
    web identity token file."""
    descriptor = _open_regular(path)
    if isinstance(descriptor, str):
        return descriptor, False
    with open(descriptor, "rb") as file:
        digest = sha256()
        mentions, tail = False, b""
        try:
            for chunk in iter(lambda: file.read(_CHUNK), b""):
                digest.update(chunk)
                lowered = tail + chunk.lower()  # configparser lower-cases option names
                mentions = mentions or TOKEN_FILE_OPTION in lowered
                tail = lowered[-len(TOKEN_FILE_OPTION):]
        except OSError as error:
            return f"unreadable {error.errno}", False
    return digest.hexdigest(), mentions


def _token_file_options(path: str) -> list[str]:
    """The values of every ``web_identity_token_file`` line in the file at ``path``,
    as absolute paths (botocore opens them as given). Read only when the file
    mentions the option: a rare setup, and a plain scan of lines, no parsing."""
    descriptor = _open_regular(path)
    if isinstance(descriptor, str):
        return []
    try:
        with open(descriptor, "rb") as file:
            lines = file.read(_CONFIG_LIMIT).splitlines()
    except OSError:
        return []
    found = []
    for line in lines:
        option, delimiter, value = line.strip().partition(b"=")
        if not delimiter:
            option, delimiter, value = line.strip().partition(b":")
        if delimiter and option.strip().lower() == TOKEN_FILE_OPTION and value.strip():
            found.append(os.path.abspath(os.fsdecode(value.strip())))
    return found


def _token_subject(path: str) -> str:
    """Who a token file names: a JWT's issuer, subject and AWS session tags (which stay
    the same when the token is rotated), else a digest of the whole token."""
    descriptor = _open_regular(path)
    if isinstance(descriptor, str):
        return descriptor
    try:
        with open(descriptor, "rb") as file:
            token = file.read(_TOKEN_LIMIT).strip()
    except OSError as error:
        return f"unreadable {error.errno}"
    parts = token.split(b".")
    if len(parts) == 3:
        import base64  # here: only a web identity token's claims are decoded
        import binascii

        try:
            claims = json.loads(base64.urlsafe_b64decode(parts[1] + b"=" * (-len(parts[1]) % 4)))
        except (ValueError, binascii.Error, RecursionError):
            claims = None
        if isinstance(claims, dict) and claims.get("sub"):
            return json.dumps([claims.get("iss"), claims["sub"], claims.get(_TAGS_CLAIM)], sort_keys=True)
    return sha256(token).hexdigest()
