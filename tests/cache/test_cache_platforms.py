"""What the cache enforces where: Linux and macOS keep the POSIX owner and mode
checks; Windows, whose os.stat makes up modes and owners, does not, and locks with
msvcrt. Windows and macOS are simulated here (sys.platform, and on Windows the os
calls it lacks and an msvcrt that locks as Windows would)."""

import fcntl
import json
import os
import sys
import types
from pathlib import Path

import pytest

from helpers import CACHE_KEY, Holder, edit_entry, new_token, read_entry
from keyrings_codeartifact import cache
from keyrings_codeartifact.settings import Settings

pytestmark = pytest.mark.usefixtures("fresh_warnings")

ANOTHER_USER = 65534


class FakeMsvcrt(types.ModuleType):
    """msvcrt.locking as Windows does it (OSError when another process holds the
    byte), done with flock so that a real process can hold it."""

    LK_UNLCK, LK_LOCK, LK_NBLCK = 0, 1, 2

    def __init__(self):
        super().__init__("msvcrt")
        self.calls = []

    def locking(self, descriptor: int, mode: int, count: int) -> None:
        self.calls.append(mode)
        assert count == 1 and os.lseek(descriptor, 0, os.SEEK_CUR) == 0
        if mode == self.LK_UNLCK:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
            return
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PermissionError(13, "Permission denied") from None


@pytest.fixture
def windows(monkeypatch, tmp_path):
    """Windows as far as the cache can tell: sys.platform, %LOCALAPPDATA%, no
    O_NOFOLLOW / O_DIRECTORY / O_NONBLOCK, no dir_fd, no fcntl, and msvcrt."""
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "AppData" / "Local"))
    for flag in ("O_NOFOLLOW", "O_DIRECTORY", "O_NONBLOCK", "O_CLOEXEC"):
        monkeypatch.delattr(os, flag, raising=False)
    monkeypatch.setitem(sys.modules, "fcntl", None)  # `import fcntl` fails, as on Windows
    msvcrt = FakeMsvcrt()
    monkeypatch.setitem(sys.modules, "msvcrt", msvcrt)

    def no_dir_fd(real):
        def call(*args, **kwargs):
            if kwargs.get("dir_fd") is not None or kwargs.get("src_dir_fd") is not None:
                raise NotImplementedError("dir_fd unavailable on this platform")
            if real is os.listdir and args and isinstance(args[0], int):
                raise TypeError("listdir: path should be string, bytes or os.PathLike, not int")
            return real(*args, **kwargs)

        return call

    for name in ("open", "mkdir", "unlink", "replace", "stat", "listdir"):
        monkeypatch.setattr(os, name, no_dir_fd(getattr(os, name)))
    return msvcrt


@pytest.fixture
def macos(monkeypatch):
    monkeypatch.setattr(sys, "platform", "darwin")


# -- where the folder is ------------------------------------------------------------


def test_windows_folder_is_in_local_app_data(windows, tmp_path):
    assert cache.folder_for() == tmp_path / "AppData" / "Local" / "codeartifact-keyring" / "Cache"


def test_macos_folder_is_in_library_caches(macos, isolated_env):
    assert cache.folder_for() == isolated_env / "Library" / "Caches" / "codeartifact-keyring"


def test_linux_folder_follows_xdg(isolated_env):
    assert cache.folder_for() == isolated_env / ".cache" / "codeartifact-keyring"


# -- owner and mode checks -----------------------------------------------------------------


def windows_like(folder: Path) -> None:
    """Give ``folder`` and its files the modes and owner that Windows' os.stat shows
    for any folder: 0o777 folders, 0o666 files, and an owner that is not our uid."""
    folder.chmod(0o777)
    for path in [folder, *folder.iterdir()]:
        if path.is_file():
            path.chmod(0o666)
        if os.geteuid() == 0:
            os.chown(path, ANOTHER_USER, ANOTHER_USER)


def test_windows_uses_a_folder_whatever_its_posix_mode_and_owner(windows, caplog):
    with cache.open_cache(Settings()) as disk:
        assert isinstance(disk, cache.DiskCache)
        written = disk.fetch_through(CACHE_KEY, new_token, lambda entry: False, 5)
    windows_like(cache.folder_for())
    with cache.open_cache(Settings()) as disk:
        assert isinstance(disk, cache.DiskCache)
        assert disk.read(CACHE_KEY) == written
        assert [entry["key"] for _, entry in disk.entries()] == [CACHE_KEY]
    assert "not using the token cache" not in caplog.text


@pytest.mark.parametrize("platform", ["linux", "darwin"])
def test_linux_and_macos_refuse_that_folder(platform, monkeypatch, tmp_path, caplog):
    monkeypatch.setattr(sys, "platform", platform)
    folder = tmp_path / "cache"
    with cache.open_cache(Settings(cache_dir=str(folder))) as disk:
        disk.fetch_through(CACHE_KEY, new_token, lambda entry: False, 5)
    windows_like(folder)
    with cache.open_cache(Settings(cache_dir=str(folder))) as disk:
        assert isinstance(disk, cache.NullCache)
    problem = "it belongs to another user" if os.geteuid() == 0 else "it is writable by group or others"
    assert f"not using the token cache at {folder}: {problem}; " in caplog.text


@pytest.mark.parametrize("platform", ["linux", "darwin"])
def test_linux_and_macos_refuse_a_world_readable_entry(platform, monkeypatch, tmp_path, caplog):
    monkeypatch.setattr(sys, "platform", platform)
    with cache.open_cache(Settings(cache_dir=str(tmp_path))) as disk:
        disk.fetch_through(CACHE_KEY, new_token, lambda entry: False, 5)
        (tmp_path / cache.entry_name(CACHE_KEY)).chmod(0o644)
        assert disk.read(CACHE_KEY) is None
    assert "it is readable by group or others" in caplog.text


def test_windows_refuses_a_symlinked_folder(windows, tmp_path, caplog):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    folder = cache.folder_for()
    folder.parent.mkdir(parents=True)
    folder.symlink_to(elsewhere)
    with cache.open_cache(Settings()) as disk:
        assert isinstance(disk, cache.NullCache)
    assert "it is a symbolic link" in caplog.text
    assert list(elsewhere.iterdir()) == []


def test_windows_refuses_oversized_and_forged_entries(windows):
    with cache.open_cache(Settings()) as disk:
        disk.fetch_through(CACHE_KEY, new_token, lambda entry: False, 5)
        path = cache.folder_for() / cache.entry_name(CACHE_KEY)
        data = read_entry(path)
        edit_entry(path, expires_at=1e308)
        assert disk.read(CACHE_KEY) is None
        path.write_text(json.dumps(data) + " " * cache.ENTRY_LIMIT)
        assert disk.read(CACHE_KEY) is None
        assert disk.fetch_through(CACHE_KEY, lambda: new_token("again"), lambda entry: entry is not None, 5).value == "again"
        assert disk.read(CACHE_KEY).value == "again"


# -- locks --------------------------------------------------------------------------


def test_windows_locks_with_msvcrt(windows):
    with cache.open_cache(Settings()) as disk:
        disk.fetch_through(CACHE_KEY, new_token, lambda entry: False, 5)
    assert windows.calls == [FakeMsvcrt.LK_NBLCK, FakeMsvcrt.LK_UNLCK]


def test_windows_waits_for_a_lock_held_by_another_process_then_fetches_and_writes_back(windows, tmp_path):
    folder = cache.folder_for()
    folder.mkdir(parents=True)
    holder = Holder(folder / (cache.entry_name(CACHE_KEY) + ".lock"))
    try:
        with cache.open_cache(Settings()) as disk:
            token = disk.fetch_through(CACHE_KEY, new_token, lambda entry: False, 0.5)
            assert disk.read(CACHE_KEY) == token
    finally:
        holder.release()
    assert windows.calls.count(FakeMsvcrt.LK_NBLCK) > 1  # it tried, waited, and gave up


def test_windows_retries_a_replace_refused_while_another_process_reads(windows, monkeypatch):
    real_replace = os.replace
    refused = []

    def replace(source, target, **kwargs):
        if not refused:  # Windows: the target is open in another process
            refused.append(target)
            raise PermissionError(13, "Access is denied")
        return real_replace(source, target, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    with cache.open_cache(Settings()) as disk:
        token = disk.fetch_through(CACHE_KEY, new_token, lambda entry: False, 5)
        assert disk.read(CACHE_KEY) == token
    assert refused
