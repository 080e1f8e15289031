"""Tokens cached on disk, shared by every process of the user.

One file per cache key (``cache_key``: partition, region, domain, owner, identity,
duration), named by a digest, in a folder of our own that ``safefolder`` opens so that nobody else can
swap it or what is in it. Writes go to a temporary file renamed into place, so a
reader sees the old token or the new one, never a torn file. An entry holds the
token's times by AWS's clock and the offset from this machine's clock to AWS's,
so every process judges it alike. An entry that is not a regular file of ours,
larger than a few KiB, unreadable, without an offset (written by an older
version), or whose lifetime or offset no AWS token can have, is a miss, and is
replaced by the next token fetched.

Processes that miss at the same time wait for the one that asks AWS (a lock per
entry), each about as long as a healthy fetch takes (``token_source.wait_limit``) unless
the holder is seen to run (Linux: then up to the fetch budget), and
not at all once that one is seen stopped (Ctrl-Z) or gone (``lockholder``); one
that stops waiting fetches itself and still writes its token back. When the
asking process fails, it leaves a marker for a few seconds, and those that were
waiting fail at once with its error.

``open_cache`` gives a ``DiskCache``, or a ``NullCache`` when the cache is off or
cannot be used safely (with one warning saying why and what fixes it), so that
callers never ask whether there is a cache.
"""

import json
import os
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional, Union

from . import errors, fingerprint, loggers, redact, userfolders
from .safefolder import Folder, Unsafe, is_inside
from .token_record import Token, well_formed
from .userfolders import CACHE_DIR_VARIABLE

log = loggers.get(__name__)

VERSION = 1
ENTRY_LIMIT = 16 * 1024  # bytes; an entry holds a token of ~1-2 KB
FAILURE_SECONDS = 5.0  # how long a failure marker speaks for the failed fetch
PRUNE_AFTER = 86400.0  # entries whose token expired longer ago are removed on writes
WRITING_SECONDS = 60.0  # a temporary file younger than this may be a write under way
_SUFFIX, _LOCK, _FAILED, _TEMPORARY = ".json", ".lock", ".failed", ".tmp-"
FAILURE_RECORD = ".failure"  # a failed lookup's record (``failures``): `cache clear` removes it too
_warned: set[Path] = set()
_INFINITY = float("inf")

UnsafeFolder = Unsafe  # what DiskCache.open raises for a folder that must not be used
Key = dict[str, object]
Entry = dict[str, Any]  # what an entry's (or a failure marker's) file holds, as JSON read it
Wanted = Callable[[Optional[Token]], bool]

if TYPE_CHECKING:
    from .endpoint import Endpoint
    from .settings import Settings


def cache_key(endpoint: "Endpoint", settings: "Settings", environ: Mapping[str, str] = os.environ) -> Key:
    """What a token depends on: where (``where``), for whom, and for how long."""
    return {
        **where(endpoint),
        "identity": fingerprint.identity_key(settings, environ),
        "duration": settings.token_duration,
    }


def where(endpoint: "Endpoint") -> Key:
    """The part of a cache key that names the endpoint's domain: partition, region,
    domain and owner (a domain's repositories share its tokens)."""
    return {
        "partition": endpoint.partition,
        "region": endpoint.region,
        "domain": endpoint.domain,
        "owner": endpoint.owner,
    }


def belongs_to(key: Mapping[str, object], endpoint: "Endpoint") -> bool:
    """Whether the cache key ``key`` is for ``endpoint``'s domain, owner and region."""
    return all(key.get(name) == value for name, value in where(endpoint).items())


def folder_for(configured: Optional[str] = None) -> Path:
    """The cache folder: $CODEARTIFACT_KEYRING_CACHE_DIR, else ``configured``
    (the cache_dir setting), else the user's cache folder as the platform names it.
    Raises UnsafeFolder for a relative folder (it would follow the working folder)."""
    override = os.environ.get(CACHE_DIR_VARIABLE) or configured
    if override:
        folder = Path(override).expanduser()
        if not folder.is_absolute():
            source = CACHE_DIR_VARIABLE if os.environ.get(CACHE_DIR_VARIABLE) else "cache_dir"
            raise Unsafe(folder, f"{source} is not an absolute path",
                         f"set {source} to an absolute path, or one starting with ~")
        _check_windows_folder(folder)
        return folder
    folder = userfolders.cache_folder("codeartifact-keyring")
    if not folder.is_absolute():  # HOME itself is relative
        raise Unsafe(folder, "it is relative, as HOME is, so it would follow the working folder",
                     f"set HOME, or {CACHE_DIR_VARIABLE}, to an absolute path")
    return folder


def _check_windows_folder(folder: Path) -> None:
    """On Windows a folder's safety is its ACLs, which we do not check: a folder set by
    hand must be inside the user's own profile folder, whose ACLs are the user's."""
    if sys.platform != "win32":
        return
    profile = Path(os.environ.get("USERPROFILE") or Path.home())
    if not is_inside(folder, profile):  # as read and as resolved: "..", junctions and links
        raise Unsafe(folder, f"on Windows the cache must be inside your profile folder ({profile}), "
                             "whose permissions are yours", "set cache_dir inside %LOCALAPPDATA%")


def domain_key(endpoint: "Endpoint") -> Key:
    """The key of a failed lookup (``failures``) whose identity is not known: the domain alone."""
    return {**where(endpoint), "identity": None, "duration": None}


def failure_record_name(key: Key) -> str:
    """The file name of the failure record (``failures``) of ``key``."""
    return entry_name(key)[: -len(_SUFFIX)] + FAILURE_RECORD


def has_failure_record(endpoint: "Endpoint", settings: "Settings", key: Key) -> bool:
    """Whether a failure record of ``key`` or of ``endpoint``'s domain alone may be in
    the cache folder (one lstat each), so a lookup need not import ``failures`` to clear none."""
    try:
        folder = folder_for(settings.cache_dir)
    except Unsafe:
        return False  # failures.clear could not use the folder either
    return any(os.path.lexists(folder / failure_record_name(k)) for k in (key, domain_key(endpoint)))


def entry_name(key: Key) -> str:
    """The file name for ``key``: a digest, so names carry no profile or role."""
    canonical = json.dumps(key, sort_keys=True).encode()
    return fingerprint.sha256(canonical).hexdigest()[:40] + _SUFFIX


def open_cache(settings: "Settings") -> "Cache":
    """The disk cache these settings ask for, made if need be; a NullCache if the
    cache is off, or if its folder cannot be used safely (warned once)."""
    if not settings.cache:
        return NullCache()
    try:
        return DiskCache.open(folder_for(settings.cache_dir), create=True)
    except Unsafe as unsafe:
        _warn_once(unsafe)
        return NullCache()


class NullCache:
    """No cache: nothing is ever found, every token is fetched."""

    def read(self, key: Key) -> Optional[Token]:
        return None

    def fetch_through(
        self, key: Key, fetch: Callable[[], Token], wanted: Wanted, budget: float, patience: Optional[float] = None
    ) -> Token:
        return fetch()

    def failed_since(self, key: Key, since: float) -> bool:
        return False

    def close(self) -> None:
        pass

    def __enter__(self) -> "NullCache":
        return self

    def __exit__(self, *exc: object) -> None:
        pass


class DiskCache:
    """The cache folder, open. Reading and writing degrade to "no cache" rather than fail."""

    def __init__(self, folder: Folder):
        self._folder = folder
        self.folder = folder.path

    @classmethod
    def open(cls, path: Path, create: bool = False) -> "DiskCache":
        """Open the cache at ``path``; raises UnsafeFolder if it must not be used,
        FileNotFoundError if it is missing and not ``create``."""
        return cls(Folder.open(path, create))

    def close(self) -> None:
        self._folder.close()

    def __enter__(self) -> "DiskCache":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()

    def read(self, key: Key) -> Optional[Token]:
        """The cached token for ``key``, or None (missing, unsafe, damaged, forged)."""
        data = self._load(entry_name(key))
        return None if data is None else _token(data, key, time.time())

    def fetch_through(
        self,
        key: Key,
        fetch: Callable[[], Token],
        wanted: Wanted,
        budget: float,
        patience: Optional[float] = None,
    ) -> Token:
        """Under ``key``'s lock, the entry if ``wanted``, else a token from ``fetch``,
        written back. The lock is waited for at most ``budget`` seconds while its holder
        is seen to run (Linux), at most ``patience`` (a healthy fetch) while it cannot be
        seen, and not at all once it is seen stopped or gone. If the process that held
        the lock meanwhile failed, raise its error instead of fetching."""
        from . import lockholder  # here: only a lookup that fetches waits for a lock

        name = entry_name(key)
        started, waiting = time.time(), time.monotonic()
        patience = budget if patience is None else min(patience, budget)
        holder, why = lockholder.Watch(), [f"not had within {budget:.0f} s"]

        def go_on(note: bytes) -> bool:
            self._raise_failure(name, key, started)
            stuck = holder.stuck(note)
            if stuck:
                why[0] = f"held by a process that is {stuck}"
                return False
            if time.monotonic() - waiting >= patience and not holder.running(note):
                why[0] = f"held by a process not seen to run, for {patience:.0f} s"
                return False
            return True

        lock = self._folder.lock(name + _LOCK, budget, go_on, lockholder.record())
        try:
            if lock is None:
                log.debug("cache lock %s; asking AWS without it", why[0])
            entry = self.read(key)
            if entry is not None and wanted(entry):
                return entry
            self._raise_failure(name, key, started)
            try:
                token = fetch()
            except errors.CodeArtifactError as error:
                self._mark_failure(name, key, error)
                raise
            self.write(key, token)
            return token
        finally:
            if lock is not None:
                lock.release()

    def write(self, key: Key, token: Token) -> None:
        """Store ``token`` for ``key`` atomically, and remove long-expired entries;
        on failure, only warn."""
        name = entry_name(key)
        payload = {"version": VERSION, "key": key, "token": token.value,
                   "issued_at": token.issued_at, "expires_at": token.expires_at, "offset": token.offset}
        try:
            with self._folder.replacing(name) as file:
                json.dump(payload, file)
            self._folder.remove(name + _FAILED)
            self._prune(time.time())
        except (OSError, Unsafe) as error:
            reason = getattr(error, "strerror", None) or getattr(error, "problem", str(error))
            _warn_once(Unsafe(self.folder, f"a token could not be saved there ({reason})",
                              "check free space and permissions"))

    def entries(self) -> list[tuple[str, Entry]]:
        """Every entry: (file name, what it holds minus the token, with "valid": whether
        it would be served while fresh). Unsafe and unreadable files are left out."""
        found = []
        now = time.time()
        for name in sorted(self._folder.names()):
            data = self._load(name, quiet=True) if name.endswith(_SUFFIX) else None
            if data is not None:
                shown = {k: v for k, v in data.items() if k != "token"}
                shown["valid"] = _token(data, data["key"], now) is not None
                found.append((name, shown))
        return found

    def clear(self, matches: Optional[Callable[[Key], bool]] = None) -> int:
        """Remove the entries whose key ``matches`` (None: everything of ours in the
        folder, unreadable files included); return how many entries went."""
        removed = 0
        for name in self._folder.names():
            if name.endswith(_SUFFIX):
                data = self._load(name, quiet=True)
                if data is not None and (matches is None or matches(data["key"])):
                    self._remove_entry(name)
                    removed += 1
                elif matches is None:
                    self._remove_entry(name)
            elif matches is None and (name.startswith(_TEMPORARY) or name.endswith((_LOCK, _FAILED, FAILURE_RECORD))):
                try:
                    if not name.startswith(_TEMPORARY) or self._folder.modified(name) < time.time() - WRITING_SECONDS:
                        self._remove(name)
                except OSError:  # a folder of that name, or a file in use (Windows)
                    log.debug("could not remove %s from the cache folder", redact.name(name))
        return removed

    # -- inside ------------------------------------------------------------------------

    def _load(self, name: str, quiet: bool = False) -> Optional[Entry]:
        """What file ``name`` holds if it is an entry of this version, else None."""
        try:
            data = json.loads(self._folder.read(name, ENTRY_LIMIT))
        except FileNotFoundError:
            return None
        except Unsafe as unsafe:
            if not quiet:
                _warn_once(unsafe)
            return None
        except (OSError, ValueError, RecursionError):
            return None
        if isinstance(data, dict) and data.get("version") == VERSION and isinstance(data.get("key"), dict):
            return data
        return None

    def _remove_entry(self, name: str) -> None:
        """Remove entry ``name``, its failure marker, and its lock file unless a process
        holds that lock (removing it would let the next process lock a new file beside it)."""
        for suffix in ("", _LOCK, _FAILED):
            try:
                self._remove(name + suffix)
            except OSError:
                pass

    def _remove(self, name: str) -> None:
        """Remove file ``name``; a lock file only if no process holds its lock."""
        if name.endswith(_LOCK):
            self._folder.remove_lock(name)
        else:
            self._folder.remove(name)

    def _prune(self, now: float) -> None:
        """Remove entries whose token expired over a day ago (tokens of temporary
        keys, which are never asked for again), and leftovers of killed processes."""
        names = set(self._folder.names())
        for name in names:
            if name.endswith(_SUFFIX):
                data = self._load(name, quiet=True)
                expires_at = data.get("expires_at") if data else None
                if isinstance(expires_at, (int, float)) and expires_at < now - PRUNE_AFTER:
                    self._remove_entry(name)
            elif name.startswith(_TEMPORARY) or name.endswith((_FAILED, _LOCK)):
                try:
                    if self._folder.modified(name) >= now - PRUNE_AFTER:
                        continue
                    if not name.endswith(_LOCK) or name[: -len(_LOCK)] not in names:  # a lock: of no entry
                        self._remove(name)
                except OSError:
                    pass

    def _mark_failure(self, name: str, key: Key, error: errors.CodeArtifactError) -> None:
        """Leave ``error`` for the processes waiting for this fetch (a few seconds)."""
        marker = {"version": VERSION, "key": key, "error": type(error).__name__,
                  "message": " ".join(str(error).split()), "at": time.time()}
        try:
            with self._folder.replacing(name + _FAILED) as file:
                json.dump(marker, file)
        except (OSError, Unsafe):
            pass

    def failed_since(self, key: Key, since: float) -> bool:
        """Whether a fetch for ``key`` failed at or after ``since`` (any process)."""
        marker = self._failure(entry_name(key), key)
        return marker is not None and since <= marker["at"] <= time.time()

    def _failure(self, name: str, key: Key) -> Optional[Entry]:
        """The failure marker for ``key``'s entry, if there is a valid one."""
        try:
            marker: Entry = json.loads(self._folder.read(name + _FAILED, ENTRY_LIMIT))
            if (
                marker["version"] == VERSION
                and marker["key"] == key
                and isinstance(marker["message"], str)
                and isinstance(marker["at"], (int, float))
            ):
                return marker
        except (OSError, Unsafe, ValueError, KeyError, TypeError, RecursionError):
            pass
        return None

    def _raise_failure(self, name: str, key: Key, started: float) -> None:
        """Raise the error of a fetch for ``key`` that failed since ``started``, if any."""
        marker = self._failure(name, key)
        if marker is None:
            return
        at, message, cls = marker["at"], marker["message"], getattr(errors, str(marker.get("error")), None)
        if not started <= at <= time.time() < at + FAILURE_SECONDS:
            return
        if not (isinstance(cls, type) and issubclass(cls, errors.CodeArtifactError)):
            cls = errors.CodeArtifactError
        log.debug("the process that held the cache lock failed; failing with its error")
        raise cls(redact.text(message, redact.LINE_LIMIT))  # the marker is a file: never trusted to be printable


Cache = Union[DiskCache, NullCache]


def _token(data: Entry, key: Key, now: float) -> Optional[Token]:
    """The token in entry ``data`` if it is for ``key`` and is one AWS could have
    issued, seen at ``now`` (this machine's time; ``Token.plausible``)."""
    value = data.get("token")
    issued_at, expires_at, offset = (_finite(data.get(name)) for name in ("issued_at", "expires_at", "offset"))
    if data.get("key") != key or not isinstance(value, str) or not well_formed(value):
        return None
    if issued_at is None or expires_at is None or offset is None:
        return None
    token = Token(value, issued_at, expires_at, offset)
    return token if token.plausible(now) else None


def _finite(number: object) -> Optional[float]:
    """``number`` as a float if it is a finite JSON number (not a bool), else None."""
    if isinstance(number, bool) or not isinstance(number, (int, float)):
        return None
    try:
        value = float(number)
    except OverflowError:  # an integer of hundreds of digits
        return None
    return value if -_INFINITY < value < _INFINITY else None  # not NaN nor infinite


def _warn_once(unsafe: Unsafe) -> None:
    if unsafe.path not in _warned:
        _warned.add(unsafe.path)
        log.warning("codeartifact-keyring: not using the token cache at %s: %s; %s",
                    *(redact.name(part)
                      for part in (unsafe.path, unsafe.problem, unsafe.remedy)))
