"""The last failed lookup, per endpoint and identity, for ``explain`` to show.

pip 26.2+, uv and poetry hide what keyring printed, so a failed lookup leaves a
record in the cache folder: when, which client (``asking_program``), who asked (the
identity), and our one-line message, which says what to do. One small JSON file per
cache key, named by the key's digest (``cache.entry_name``), written and read
through ``safefolder`` (never through a link, mode 0600, ours, size-limited) like a
token entry; it holds no secret, and what is read back is shown only through
``redact``. A failure before the identity is known (an unreadable keyringrc.cfg)
is kept under the endpoint's domain alone.

Every failed lookup in any process writes its record; a lookup served from the
disk cache or AWS removes the records of its key and of its domain alone (an
unlink that finds nothing writes nothing), one served from memory or
``CODEARTIFACT_AUTH_TOKEN`` touches no file. Records older than ``KEEP`` are
removed when one is written. Nothing is written when ``cache = false``. Any
problem with the folder leaves the record unwritten: a record never makes a lookup fail.
"""

import contextlib
import json
import logging
import time
from typing import TYPE_CHECKING, Any, NamedTuple, Optional

from . import cache, redact
from .cache import belongs_to, cache_key
from .errors import PREFIX, CodeArtifactError
from .safefolder import Folder, Unsafe

if TYPE_CHECKING:
    from .endpoint import Endpoint
    from .settings import Settings

log = logging.getLogger(__name__)

VERSION = 1
SUFFIX = cache.FAILURE_RECORD
LIMIT = 4096  # bytes of a record: a message is at most redact.LINE_LIMIT characters
KEEP = 7 * 86400.0  # seconds a record is kept


class Failure(NamedTuple):
    """A failed lookup, as a record shows it (every text already safe to print)."""

    at: float  # epoch seconds
    client: Optional[str]
    who: Optional[str]  # the identity, in words; None if not known
    host: str
    repository: Optional[str]
    message: str  # our one-line message, without its "codeartifact-keyring: " prefix
    key: dict[str, object]


def record(endpoint: "Endpoint", settings: Optional["Settings"], error: Exception) -> None:
    """Keep ``error`` as the last failure of ``endpoint`` for ``settings``' identity
    (None: settings not known); never raises."""
    if settings is not None and not settings.cache:
        return
    from . import asking_program  # here: only a record names the client

    try:
        key, who = _key_and_who(endpoint, settings)
        payload = {
            "version": VERSION, "key": key, "at": time.time(), "client": asking_program.name(), "who": who,
            "host": endpoint.host, "repository": endpoint.repository,
            "message": redact.text(str(error), redact.LINE_LIMIT),
        }
        with _folder(settings, create=True) as folder:
            _prune(folder, time.time())
            with folder.replacing(cache.failure_record_name(key)) as file:
                json.dump(payload, file)
    except (OSError, Unsafe, ValueError) as problem:
        log.debug("the failure was not recorded: %s", redact.text(problem))


def clear(endpoint: "Endpoint", settings: "Settings", key: dict[str, object]) -> None:
    """Remove the records of ``key`` and of ``endpoint``'s domain alone, if any."""
    if not settings.cache:
        return
    try:
        with _folder(settings, create=False) as folder:
            for name in (cache.failure_record_name(key), cache.failure_record_name(cache.domain_key(endpoint))):
                folder.remove(name)
    except (OSError, Unsafe):
        pass


def recent(settings: Optional["Settings"], endpoint: Optional["Endpoint"] = None) -> list[Failure]:
    """The kept failures, newest first: all of them, or those of ``endpoint``'s domain."""
    found = []
    try:
        with _folder(settings, create=False) as folder:
            for name in folder.names():
                if name.endswith(SUFFIX):
                    failure = _load(folder, name)
                    if failure is not None and (endpoint is None or belongs_to(failure.key, endpoint)):
                        found.append(failure)
    except (OSError, Unsafe):
        return []
    return sorted(found, key=lambda failure: -failure.at)


def describe(failure: Failure, now: float) -> str:
    """'3 min ago, from pip, as AWS profile dev: MESSAGE'."""
    parts = [f"{_ago(now - failure.at)} ago"]
    if failure.client:
        parts.append(f"from {failure.client}")
    if failure.who:
        parts.append(f"as {failure.who}")
    return f"{', '.join(parts)}: {failure.message}"


def _key_and_who(endpoint: "Endpoint", settings: Optional["Settings"]) -> tuple[dict[str, object], Optional[str]]:
    """The cache key of the lookup that failed and who asked; the domain alone
    if the settings, or the identity they name, cannot be read."""
    if settings is not None:
        from . import identity  # here: only a record names who asked; a clear needs no identity

        try:
            return cache_key(endpoint, settings), identity.who_asks(settings).words
        except CodeArtifactError:
            pass
    return cache.domain_key(endpoint), None  # identity not known: kept under its domain alone


def _folder(settings: Optional["Settings"], create: bool) -> "contextlib.closing[Folder]":
    """The cache folder, open (FileNotFoundError if missing and not ``create``)."""
    return contextlib.closing(Folder.open(cache.folder_for(settings.cache_dir if settings else None), create))


def _load(folder: Folder, name: str) -> Optional[Failure]:
    """The record in file ``name``, if it is a valid one; its texts made safe to show."""
    try:
        data: Any = json.loads(folder.read(name, LIMIT))
    except (OSError, Unsafe, ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("key"), dict):
        return None
    at, message = data.get("at"), data.get("message")
    if isinstance(at, bool) or not isinstance(at, (int, float)) or not isinstance(message, str):
        return None
    if message.startswith(PREFIX):
        message = message[len(PREFIX):]
    return Failure(float(at), _text(data.get("client")), _text(data.get("who")), _text(data.get("host")) or "?",
                   _text(data.get("repository")), redact.text(message, redact.LINE_LIMIT), data["key"])


def _text(value: object) -> Optional[str]:
    return redact.text(value) if isinstance(value, str) and value else None


def _prune(folder: Folder, now: float) -> None:
    """Remove records older than ``KEEP``."""
    for name in folder.names():
        if not name.endswith(SUFFIX):
            continue
        try:
            if folder.modified(name) < now - KEEP:
                folder.remove(name)
        except OSError:
            pass


def _ago(seconds: float) -> str:
    """``seconds`` in words, roughly: "12 s", "3 min", "2 h", "4 days"."""
    seconds = max(0.0, seconds)
    for unit, size in (("days", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{int(seconds // size)} {unit}"
    return f"{int(seconds)} s"
