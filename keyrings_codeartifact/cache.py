"""Tokens cached on disk, shared by every process of the user.

One file per (partition, region, domain, owner, identity, duration), in a folder
of our own (0700; files 0600). Writes go to a temporary file renamed into place,
so a reader sees the old token or the new one, never a torn file. A per-entry
lock (fasteners, whose import costs ~3 ms against filelock's ~20 ms on this
cold path) makes processes that miss at the same time wait for the one
that asks AWS. A folder or file that is a symlink, owned by another user, or
writable by group or others is not used: we warn once and go to AWS directly.
Anything unreadable (corrupt, truncated, another version) counts as a miss.
"""

import hashlib
import json
import logging
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from .authtoken import Token

log = logging.getLogger(__name__)

VERSION = 1
DIR_VARIABLE = "CODEARTIFACT_KEYRING_CACHE_DIR"
LOCK_TIMEOUT = 90.0  # seconds; longer than a token request may take (3 attempts)
_SUFFIX = ".json"
_warned: set = set()


def folder_for(configured: Optional[str] = None) -> Path:
    """The cache folder: $CODEARTIFACT_KEYRING_CACHE_DIR, else ``configured``
    (the cache_dir setting), else the user's cache folder as the platform names it."""
    override = os.environ.get(DIR_VARIABLE) or configured
    if override:
        return Path(override).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        return base / "codeartifact-keyring" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "codeartifact-keyring"
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "codeartifact-keyring"


def entry_name(key: Dict[str, object]) -> str:
    """The file name for ``key``: a digest, so names carry no profile or role."""
    canonical = json.dumps(key, sort_keys=True).encode()
    return hashlib.sha256(canonical).hexdigest()[:40] + _SUFFIX


class DiskCache:
    """The cache folder. Every method degrades to "no cache" rather than fail."""

    def __init__(self, folder: Path):
        self.folder = folder

    def usable(self) -> bool:
        """Create the folder if need be; say whether it is safe to use."""
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            problem = _unsafe(os.lstat(self.folder), want_dir=True)
        except OSError as error:
            problem = f"it cannot be created or read ({error.strerror})"
        if problem:
            _warn_once(self.folder, problem, f"chmod 700 {self.folder}, or remove it")
            return False
        return True

    def read(self, key: Dict[str, object]) -> Optional[Token]:
        """The cached token for ``key``, or None (missing, unreadable, unsafe)."""
        path = self.folder / entry_name(key)
        try:
            flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
            descriptor = os.open(path, flags)
        except FileNotFoundError:
            return None
        except OSError as error:  # a symlink under O_NOFOLLOW, permissions
            _warn_once(path, f"it cannot be read safely ({error.strerror})", f"remove {path}")
            return None
        with os.fdopen(descriptor, "rb") as file:
            problem = _unsafe(os.fstat(file.fileno()), want_dir=False)
            if problem:
                _warn_once(path, problem, f"remove {path}")
                return None
            return _parse(file.read(), key)

    def write(self, key: Dict[str, object], token: Token) -> None:
        """Store ``token`` for ``key`` atomically; on failure, only warn."""
        path = self.folder / entry_name(key)
        try:
            if path.is_symlink() or (path.exists() and _unsafe(os.lstat(path), want_dir=False)):
                _warn_once(path, "it is not a regular file of yours with mode 0600", f"remove {path}")
                return
            payload = {"version": VERSION, "key": key, "token": token.value,
                       "issued_at": token.issued_at, "expires_at": token.expires_at}
            descriptor, temporary = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(descriptor, "w") as file:  # mkstemp makes it 0600
                    json.dump(payload, file)
                # No fsync: after a crash a torn entry reads as a miss and is replaced.
                os.replace(temporary, path)
            except BaseException:
                _remove(Path(temporary))
                raise
        except OSError as error:
            _warn_once(self.folder, f"a token could not be saved there ({error.strerror})",
                       "check free space and permissions")

    def lock(self, key: Dict[str, object]):
        """A cross-process lock for ``key``'s entry (``fasteners.InterProcessLock``)."""
        import fasteners

        path = self.folder / (entry_name(key) + ".lock")
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))  # 0600, as every file here
        return fasteners.InterProcessLock(str(path))

    def entries(self) -> List[Tuple[Path, dict]]:
        """Every readable entry: (path, what it holds minus the token)."""
        found = []
        for path in sorted(self.folder.glob("*" + _SUFFIX)):
            try:
                data = json.loads(path.read_bytes())
                if data.get("version") == VERSION and isinstance(data.get("key"), dict):
                    found.append((path, {k: v for k, v in data.items() if k != "token"}))
            except (OSError, ValueError):
                continue
        return found

    def clear(self, matches=lambda key: True) -> int:
        """Remove the entries whose key ``matches``; return how many went."""
        removed = 0
        for path, entry in self.entries():
            if matches(entry["key"]):
                _remove(path)
                _remove(path.with_name(path.name + ".lock"))
                removed += 1
        for leftover in self.folder.glob(".tmp-*"):  # from a process killed mid-write
            _remove(leftover)
        return removed


def _parse(raw: bytes, key: Dict[str, object]) -> Optional[Token]:
    try:
        data = json.loads(raw)
        if data["version"] != VERSION or data["key"] != key:
            return None
        token = Token(str(data["token"]), float(data["issued_at"]), float(data["expires_at"]))
    except (ValueError, KeyError, TypeError):
        return None
    return token if token.value else None


def _unsafe(status: os.stat_result, want_dir: bool) -> Optional[str]:
    """Why a cache folder or file with this lstat/fstat must not be used, or None."""
    if stat.S_ISLNK(status.st_mode):
        return "it is a symbolic link"
    if want_dir != stat.S_ISDIR(status.st_mode):
        return "it is not a folder" if want_dir else "it is not a regular file"
    if hasattr(os, "getuid") and status.st_uid != os.getuid():
        return "it belongs to another user"
    if status.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return "it is writable by group or others"
    if not want_dir and status.st_mode & (stat.S_IRGRP | stat.S_IROTH):
        return "it is readable by group or others"
    return None


def _warn_once(path: Path, problem: str, remedy: str) -> None:
    if path not in _warned:
        _warned.add(path)
        log.warning("codeartifact-keyring: not using the token cache at %s: %s; %s", path, problem, remedy)


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass



class NullCache:
    """No disk cache (turned off, or unsafe): every refresh goes to AWS."""

    def read(self, key: Dict[str, object]) -> Optional[Token]:
        return None

    def fetch_through(self, key, fetch, wanted, budget: float) -> Token:
        return fetch()


def open_cache(settings):
    """The disk cache these settings ask for, or a NullCache (turned off, or unsafe)."""
    if not settings.cache:
        return NullCache()
    disk = DiskCache(folder_for(settings.cache_dir))
    return disk if disk.usable() else NullCache()


def _fetch_through(disk: DiskCache, key, fetch, wanted, budget: float) -> Token:
    """Under the entry's lock: what another process stored meanwhile if ``wanted``,
    else ``fetch()``, stored. Without the lock after ``budget`` seconds."""
    try:
        lock = disk.lock(key)
        locked = lock.acquire(timeout=budget)
    except OSError as error:
        log.debug("cache lock not taken (%s); asking AWS directly", error.strerror)
        locked = False
    if not locked:
        token = fetch()
        disk.write(key, token)
        return token
    try:
        token = disk.read(key)
        if wanted(token):
            return token
        token = fetch()
        disk.write(key, token)
        return token
    finally:
        lock.release()


DiskCache.fetch_through = _fetch_through  # type: ignore[attr-defined]
