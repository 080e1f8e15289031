"""A folder of our own, and the files in it, opened so that nobody else can swap them.

POSIX (Linux, macOS): the folder is opened once (``O_DIRECTORY | O_NOFOLLOW``) and
checked on that descriptor: a folder, ours, not writable by group or others.
Every later open, rename and unlink is relative to it, so replacing the path with
a symlink afterwards changes nothing. A missing folder (and missing parents) is
made one level at a time, and only inside a folder owned by us or by root. Files
are opened ``O_NOFOLLOW | O_NONBLOCK`` (a FIFO never blocks) and checked on their
descriptor: a regular file, ours, mode 0600 at most, no larger than asked. Locks
are ``flock`` on such a descriptor; the holder may note who it is in the file,
for those waiting.

Windows: ``os.stat`` makes up mode bits and owners there, so those checks do not
apply; the folder lives in the user's own ``%LOCALAPPDATA%``, whose ACLs are the
user's, or, set by hand, inside the user's profile folder both as resolved and as the
path reads (``is_inside``: no spelling leads out of it, and no path runs through
another user's folder to a junction into it). Files are
opened by path; a folder or file that is a symbolic link (or another reparse point)
is refused, and non-regular or oversized files too. Locks are ``msvcrt.locking``.

``sys.platform`` is read at each call (so tests can simulate Windows), and tested
as itself (so that a type checker knows which branch is whose: ``make test`` runs
mypy for Linux, macOS and Windows). The POSIX-only functions begin by refusing
Windows, which never calls them, so that the Windows check passes over their calls.
"""

import contextlib
import errno
import os
import stat
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Callable, Optional, TextIO, Union

from .userfolders import CACHE_DIR_VARIABLE

_DIRECTORY = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)
NOTE_LIMIT = 512  # bytes: what a lock holder may note about itself in the lock file
_REPARSE_POINT = 0x400  # FILE_ATTRIBUTE_REPARSE_POINT: symbolic links, junctions
_AS_ROOT = ("as under `sudo -E` or in a container whose HOME belongs to another user: "
            f"use sudo without -E, or set {CACHE_DIR_VARIABLE} to a folder of root's")


class Unsafe(Exception):
    """A folder or file that must not be used, why, and what would fix it."""

    def __init__(self, path: Path, problem: str, remedy: str):
        super().__init__(f"{path}: {problem}; {remedy}")
        self.path, self.problem, self.remedy = path, problem, remedy


class Folder:
    """An open folder of ours. Names given to its methods are plain file names."""

    def __init__(self, path: Path, descriptor: Optional[int]):
        self.path = path
        self._fd = descriptor  # None on Windows: files are opened by path there

    @classmethod
    def open(cls, path: Path, create: bool) -> "Folder":
        """Open ``path`` (making it first if ``create``); raise Unsafe if it must not
        be used, FileNotFoundError if it is missing and not to be made."""
        try:
            if sys.platform == "win32":
                _open_windows(path, create)
                return cls(path, None)
            return cls(path, _open_posix(path, create))
        except FileNotFoundError:
            if create:
                raise Unsafe(path, "it cannot be created (a parent folder vanished)", "try again") from None
            raise
        except OSError as error:
            problem = f"it cannot be {'created or ' if create else ''}opened ({error.strerror})"
            raise Unsafe(path, problem, "check its permissions, or set another cache folder") from None

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def names(self) -> list[str]:
        """The names of everything in the folder."""
        return os.listdir(self.path if self._fd is None else self._fd)

    def modified(self, name: str) -> float:
        """When ``name`` (not followed if a link) was last changed, in epoch seconds."""
        if self._fd is None:
            return os.lstat(self.path / name).st_mtime
        return os.stat(name, dir_fd=self._fd, follow_symlinks=False).st_mtime

    def read(self, name: str, limit: int) -> bytes:
        """The bytes of file ``name``; Unsafe if it is not a regular file of ours of at
        most ``limit`` bytes; FileNotFoundError if there is none."""
        descriptor = self._open(name, os.O_RDONLY)
        try:
            status = os.fstat(descriptor)
            _check_file(self.path / name, status)
            data = b""
            if status.st_size <= limit:
                data = _read_at_most(descriptor, limit + 1)
            if status.st_size > limit or len(data) > limit:
                raise Unsafe(self.path / name, f"it is larger than {limit} bytes", "it is replaced")
            return data
        finally:
            os.close(descriptor)

    @contextlib.contextmanager
    def replacing(self, name: str) -> Iterator[TextIO]:
        """A new text file that replaces ``name`` in one step when the block ends
        without an exception (a reader sees the old file or the new one, whole)."""
        temporary = f".tmp-{os.urandom(8).hex()}"
        descriptor = self._open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as file:
                yield file
            # No fsync: after a crash a torn entry reads as a miss and is replaced.
            self._replace(temporary, name)
        except BaseException:
            self.remove(temporary)
            raise

    def remove(self, name: str) -> None:
        """Remove ``name`` if it is there (a link itself, never what it points to)."""
        try:
            if self._fd is None:
                os.unlink(self.path / name)
            else:
                os.unlink(name, dir_fd=self._fd)
        except FileNotFoundError:
            pass

    def lock(
        self, name: str, seconds: float, check: Callable[[bytes], bool], note: bytes = b""
    ) -> Optional["Lock"]:
        """The lock of file ``name`` (made if missing), waiting at most ``seconds`` for
        it; None if not had by then, if ``check`` says to stop waiting, or if it cannot
        be taken here. While waiting, ``check`` is given what the holder noted in the
        file (``NOTE_LIMIT`` bytes at most, b"" on Windows), says whether to go on, and
        may raise. The file holds ``note`` while the lock is had (POSIX)."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                descriptor = self._lock_file(name)
            except (OSError, Unsafe):
                return None
            if not self._wait_for(descriptor, deadline, check):
                return None
            if self._still_named(name, descriptor):
                return Lock(descriptor, note)
            os.close(descriptor)  # the file went while we waited: lock the one there now
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            time.sleep(min(0.005, left))

    def _wait_for(self, descriptor: int, deadline: float, check: Callable[[bytes], bool]) -> bool:
        """Take the lock on ``descriptor`` by ``deadline`` unless ``check`` gives up
        first; if not had, close it and say so."""
        pause = 0.005
        try:
            while not _try_lock(descriptor):
                left = deadline - time.monotonic()
                if left <= 0 or not check(_noted(descriptor)):
                    os.close(descriptor)
                    return False
                time.sleep(min(pause, left))
                pause = min(pause * 2, 0.1)
        except OSError:  # no locks here (NFS without its lock manager): go on without
            os.close(descriptor)
            return False
        except BaseException:
            os.close(descriptor)
            raise
        return True

    def _still_named(self, name: str, descriptor: int) -> bool:
        """Whether ``name`` is still the file open on ``descriptor`` (Windows removes no
        open file, so there it always is)."""
        if sys.platform == "win32" or self._fd is None:
            return True
        try:
            named = os.stat(name, dir_fd=self._fd, follow_symlinks=False)
        except FileNotFoundError:
            return False
        held = os.fstat(descriptor)
        return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)

    def remove_lock(self, name: str) -> bool:
        """Remove lock file ``name`` unless another process holds its lock; whether it
        is gone. It is removed while locked here, and only if the name is still the file
        locked, so a process that waited for it finds it gone and locks the next one
        (``lock``), and a file another remover made way for is left to its holder.
        On Windows, OSError if another process has it open."""
        if sys.platform == "win32" or self._fd is None:
            self.remove(name)  # Windows refuses to remove a file open elsewhere
            return True
        try:
            descriptor = self._open(name, os.O_RDWR)
        except FileNotFoundError:
            return True
        except (Unsafe, PermissionError):  # a link, or a file no process of ours can lock
            self.remove(name)
            return True
        try:
            try:
                if not _try_lock(descriptor):
                    return False
            except OSError:  # no locks on this file system: nobody can hold it
                self.remove(name)
                return True
            if self._still_named(name, descriptor):
                self.remove(name)
            return True
        finally:
            os.close(descriptor)

    def _lock_file(self, name: str) -> int:
        """A descriptor of lock file ``name``, a regular file of ours; anything else
        found under that name is removed and the file made anew."""
        try:
            descriptor: Optional[int] = self._open(name, os.O_RDWR | os.O_CREAT)
        except Unsafe:  # a symbolic link
            descriptor = None
        if descriptor is not None:
            try:
                _check_file(self.path / name, os.fstat(descriptor))
                return descriptor
            except Unsafe:
                os.close(descriptor)
        self.remove(name)
        return self._open(name, os.O_RDWR | os.O_CREAT | os.O_EXCL)

    def _open(self, name: str, flags: int) -> int:
        """Open file ``name`` in the folder: never through a link, never blocking."""
        if sys.platform == "win32" or self._fd is None:
            path = self.path / name
            if os.path.lexists(path) and _is_link(os.lstat(path)):
                raise Unsafe(path, "it is a symbolic link", "it is replaced")
            return os.open(path, flags | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOINHERIT", 0), 0o600)
        flags |= os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
        try:
            return os.open(name, flags, 0o600, dir_fd=self._fd)
        except OSError as error:
            if error.errno in (errno.ELOOP, errno.EMLINK):  # EMLINK: FreeBSD's answer
                raise Unsafe(self.path / name, "it is a symbolic link", "it is replaced") from None
            raise

    def _replace(self, source: str, target: str) -> None:
        if self._fd is not None:
            os.replace(source, target, src_dir_fd=self._fd, dst_dir_fd=self._fd)
            return
        for attempt in range(5):  # Windows refuses while another process reads the target
            try:
                os.replace(self.path / source, self.path / target)
                return
            except PermissionError:
                if attempt == 4:
                    raise
                time.sleep(0.02 * (attempt + 1))


class Lock:
    """A lock held on a descriptor, its file holding ``note`` (POSIX; Windows locks
    the bytes a reader would read); released by ``release()``."""

    def __init__(self, descriptor: int, note: bytes = b""):
        self._fd = descriptor
        self._noted = False
        if note and sys.platform != "win32":
            with contextlib.suppress(OSError):  # a full disk: waiters go by their time limit
                os.ftruncate(descriptor, 0)
                self._noted = os.pwrite(descriptor, note[:NOTE_LIMIT], 0) > 0

    def release(self) -> None:
        if sys.platform == "win32":
            import msvcrt

            os.lseek(self._fd, 0, os.SEEK_SET)
            with contextlib.suppress(OSError):
                msvcrt.locking(self._fd, msvcrt.LK_UNLCK, 1)
        elif self._noted:
            with contextlib.suppress(OSError):  # the note speaks for a holder only while it holds
                os.ftruncate(self._fd, 0)
        os.close(self._fd)  # also drops a flock


def _noted(descriptor: int) -> bytes:
    """What the holder of the lock file open on ``descriptor`` noted in it."""
    if sys.platform == "win32":
        return b""
    try:
        return os.pread(descriptor, NOTE_LIMIT, 0)
    except OSError:
        return b""


def _try_lock(descriptor: int) -> bool:
    """Take the lock without waiting; False if another process holds it."""
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(descriptor, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _read_at_most(descriptor: int, count: int) -> bytes:
    chunks, total = [], 0
    while total < count:
        chunk = os.read(descriptor, count - total)
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


# -- POSIX -------------------------------------------------------------------------------


def _open_posix(path: Path, create: bool) -> int:
    if sys.platform == "win32":
        raise NotImplementedError
    try:
        descriptor = os.open(path, _DIRECTORY | os.O_NOFOLLOW)
    except FileNotFoundError:
        if not create:
            raise
        descriptor = _make_posix(path)
    except PermissionError:
        owner = os.lstat(path).st_uid  # a folder we may not open is most likely not ours
        if owner != os.getuid():
            raise _owned_by_another(path, owner) from None
        raise
    except OSError as error:
        if error.errno not in (errno.ELOOP, errno.EMLINK, errno.ENOTDIR):
            raise
        problem = "it is a symbolic link" if os.path.islink(path) else "it is not a folder"
        raise Unsafe(path, problem, "remove it, or set another cache folder") from None
    try:
        _check_folder(path, os.fstat(descriptor))
    except Unsafe:
        os.close(descriptor)
        raise
    return descriptor


def _make_posix(path: Path) -> int:
    """Make ``path`` and its missing parents (0700), each inside the one before, opened
    without following links; refuse to make anything inside another user's folder."""
    if sys.platform == "win32":
        raise NotImplementedError
    missing = []
    base = path
    while not os.path.isdir(base) and base != base.parent:
        missing.append(base.name)
        base = base.parent
    if base == path:  # it appeared meanwhile (maybe as a link): never follow it
        return os.open(path, _DIRECTORY | os.O_NOFOLLOW)
    parent = os.open(base, _DIRECTORY)  # existing parents may be links (/var on macOS)
    try:
        for name in reversed(missing):
            owner = os.fstat(parent).st_uid
            if owner not in (os.getuid(), 0):
                raise _not_made_inside(path, base, owner)
            with contextlib.suppress(FileExistsError):
                os.mkdir(name, 0o700, dir_fd=parent)
            child = os.open(name, _DIRECTORY | os.O_NOFOLLOW, dir_fd=parent)
            os.close(parent)
            parent, base = child, base / name
    except BaseException:
        os.close(parent)
        raise
    return parent


def _not_made_inside(path: Path, parent: Path, owner: int) -> Unsafe:
    if sys.platform == "win32":
        raise NotImplementedError
    problem = f"it does not exist, and {parent} belongs to another user, {_user(owner)}, so it is not made there"
    if os.getuid() == 0:
        remedy = f"this process runs as root with another user's HOME, {_AS_ROOT}"
    else:
        remedy = (f"make it yourself (mkdir -m 700 {_quoted(path)}), "
                  f"or set {CACHE_DIR_VARIABLE} to a folder of yours")
    return Unsafe(path, problem, remedy)


def _check_folder(path: Path, status: os.stat_result) -> None:
    if sys.platform == "win32":
        raise NotImplementedError
    if not stat.S_ISDIR(status.st_mode):
        raise Unsafe(path, "it is not a folder", "remove it, or set another cache folder")
    if status.st_uid != os.getuid():
        raise _owned_by_another(path, status.st_uid)
    if status.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise Unsafe(path, "it is writable by group or others", f"chmod 700 {_quoted(path)}")


def _owned_by_another(path: Path, owner: int) -> Unsafe:
    if sys.platform == "win32":
        raise NotImplementedError
    me = _name(os.getuid())
    if os.getuid() == 0:
        return Unsafe(path, "it belongs to another user",
                      f"{_user(owner)} owns it and this process runs as root, {_AS_ROOT}")
    fix = (f"remove it with `sudo rm -r {_quoted(path)}` (it is made anew), "
           f"or take it with `sudo chown -R {me} {_quoted(path)}`")
    if owner == 0:
        return Unsafe(path, "it belongs to root", f"a lookup run as root (sudo -E?) made it: {fix}")
    return Unsafe(path, "it belongs to another user",
                  f"{_user(owner)} owns it: {fix}, or set {CACHE_DIR_VARIABLE}")


def _quoted(path: Path) -> str:
    """``path`` as a shell word, so that a pasted remedy acts on it and nothing else."""
    import shlex  # here: only a refusal's remedy quotes a path

    return shlex.quote(str(path))


def _check_file(path: Path, status: os.stat_result) -> None:
    if not stat.S_ISREG(status.st_mode):
        raise Unsafe(path, "it is not a regular file", "it is replaced")
    if sys.platform == "win32":
        return
    if status.st_uid != os.getuid():
        raise Unsafe(path, "it belongs to another user", "it is replaced")
    if status.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise Unsafe(path, "it is writable by group or others", "it is replaced")
    if status.st_mode & (stat.S_IRGRP | stat.S_IROTH):
        raise Unsafe(path, "it is readable by group or others", "it is replaced")


def _user(uid: int) -> str:
    """'NAME (uid N)', or 'uid N' for a uid with no name."""
    name = _name(uid)
    return f"uid {uid}" if name == str(uid) else f"{name} (uid {uid})"


def _name(uid: int) -> str:
    """The user name of ``uid``, or the number if it has none."""
    if sys.platform == "win32":
        return str(uid)
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return str(uid)


# -- Windows -----------------------------------------------------------------------------


def _short_name(path: str) -> str:
    """``path``'s 8.3 short form on Windows (``GetShortPathNameW``: no link followed),
    else ``path``."""
    if sys.platform != "win32":
        return path
    import ctypes  # Windows only: one call, for a cache folder set by hand

    windll = getattr(ctypes, "windll", None)  # None: Windows simulated (tests)
    if windll is None:
        return path
    buffer = ctypes.create_unicode_buffer(32768)
    size = windll.kernel32.GetShortPathNameW(path, buffer, len(buffer))
    return buffer.value if 0 < size < len(buffer) else path


def is_inside(folder: Union[str, Path], parent: Union[str, Path], paths: ModuleType = os.path,
              short: Callable[[str], str] = _short_name) -> bool:
    """Whether ``folder`` is ``parent`` or inside it both as the file system resolves them
    (``..``, symbolic links and, on Windows, junctions) and as ``folder`` reads (``..``
    folded; inside ``parent`` as written or as resolved, so a profile moved behind a link
    counts either way, or by its 8.3 short name, as in ``%TEMP%`` on Windows): a path
    through someone else's folder to a link into ``parent`` is not, as that link can be
    pointed elsewhere later. Case as the platform folds it; False on another drive.
    ``paths``: ``os.path`` (or ``ntpath``/``posixpath`` to judge another platform's
    paths); ``short``: a path's short form (``_short_name``)."""
    try:
        read, written = (paths.normcase(paths.abspath(path)) for path in (folder, parent))
        resolved, real_parent = (paths.normcase(paths.realpath(path)) for path in (folder, parent))
        names = (written, real_parent, paths.normcase(short(paths.abspath(parent))))
    except (OSError, ValueError):  # unresolvable
        return False
    return _within(resolved, real_parent, paths) and any(_within(read, name, paths) for name in names)


def _within(path: str, parent: str, paths: ModuleType) -> bool:
    """Whether the normalised ``path`` is ``parent`` or below it, by its text."""
    try:
        return bool(paths.commonpath([path, parent]) == parent)
    except ValueError:  # another drive, or absolute and relative mixed
        return False


def _open_windows(path: Path, create: bool) -> None:
    """Check (making it first if ``create``) that ``path`` is a folder, not a link."""
    if create:
        path.mkdir(parents=True, exist_ok=True)
    status = os.lstat(path)
    if _is_link(status):
        raise Unsafe(path, "it is a symbolic link", "remove it, or set another cache folder")
    if not stat.S_ISDIR(status.st_mode):
        raise Unsafe(path, "it is not a folder", "remove it, or set another cache folder")


def _is_link(status: os.stat_result) -> bool:
    return stat.S_ISLNK(status.st_mode) or bool(getattr(status, "st_file_attributes", 0) & _REPARSE_POINT)
