"""Where a cache folder set by hand may be on Windows: inside the user's profile
folder, as the file system resolves the path (``..``, links and junctions, case),
not as its text reads.

Windows is simulated (``sys.platform``, ``USERPROFILE``) for ``cache.folder_for``,
on this machine's file system with real symbolic links, which ``os.path.realpath``
resolves as it resolves junctions and symbolic links on Windows. Windows' own path
rules (drives, case, backslashes) are checked with ``ntpath``, the ``os.path`` of
Windows, which is pure Python."""

import ntpath
import sys
from pathlib import Path

import pytest

from keyrings_codeartifact import cache, safefolder
from keyrings_codeartifact.safefolder import is_inside
from keyrings_codeartifact.userfolders import CACHE_DIR_VARIABLE


@pytest.fixture
def profile(tmp_path, monkeypatch) -> Path:
    """A simulated Windows whose user profile folder is tmp_path/Users/me."""
    monkeypatch.setattr(sys, "platform", "win32")
    folder = tmp_path / "Users" / "me"
    (folder / "AppData" / "Local").mkdir(parents=True)
    (tmp_path / "Users" / "Public").mkdir()  # writable by every user on Windows
    monkeypatch.setenv("USERPROFILE", str(folder))
    return folder


def cache_dir_is(path, monkeypatch) -> Path:
    monkeypatch.setenv(CACHE_DIR_VARIABLE, str(path))
    return cache.folder_for()


def test_a_dot_dot_out_of_the_profile_is_refused(profile, monkeypatch):
    with pytest.raises(safefolder.Unsafe, match="must be inside your profile folder"):
        cache_dir_is(f"{profile}/../Public/tokens", monkeypatch)
    with pytest.raises(safefolder.Unsafe, match="must be inside your profile folder"):
        cache_dir_is(f"{profile}/AppData/../../Public", monkeypatch)


def test_a_link_in_the_profile_to_a_folder_outside_is_refused(profile, monkeypatch):
    """A junction (here a symbolic link) under the profile whose target is shared."""
    (profile / "AppData" / "Local" / "tokens").symlink_to(profile.parent / "Public", target_is_directory=True)
    with pytest.raises(safefolder.Unsafe, match="must be inside your profile folder"):
        cache_dir_is(profile / "AppData" / "Local" / "tokens", monkeypatch)
    with pytest.raises(safefolder.Unsafe, match="must be inside your profile folder"):
        cache_dir_is(profile / "AppData" / "Local" / "tokens" / "cache", monkeypatch)


def test_a_folder_inside_the_profile_is_used_however_it_is_spelt(profile, monkeypatch):
    inside = profile / "AppData" / "Local" / "tokens"
    assert cache_dir_is(inside, monkeypatch) == inside
    assert cache_dir_is(f"{profile}/AppData/../AppData/Local/tokens", monkeypatch) == Path(
        f"{profile}/AppData/../AppData/Local/tokens")  # used as given: it resolves inside
    assert cache_dir_is(profile, monkeypatch) == profile


def test_a_profile_moved_behind_a_link_keeps_its_folders_inside(tmp_path, profile, monkeypatch):
    """USERPROFILE names a link to the real profile (moved to another disk): a folder
    named either way is inside."""
    moved = tmp_path / "Users" / "me-link"
    moved.symlink_to(profile, target_is_directory=True)
    monkeypatch.setenv("USERPROFILE", str(moved))
    assert cache_dir_is(profile / "AppData" / "Local" / "tokens", monkeypatch)
    assert cache_dir_is(moved / "AppData" / "Local" / "tokens", monkeypatch)
    with pytest.raises(safefolder.Unsafe, match="must be inside your profile folder"):
        cache_dir_is(tmp_path / "Users" / "Public", monkeypatch)


def test_a_path_through_another_users_folder_to_a_link_into_the_profile_is_refused(tmp_path, profile, monkeypatch):
    r"""D:\shared\j\cache with j a junction (here a symbolic link) into the profile: it
    resolves inside, but whoever owns D:\shared can point j elsewhere later, so the path
    must also read as inside the profile."""
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "j").symlink_to(profile / "AppData" / "Local", target_is_directory=True)
    with pytest.raises(safefolder.Unsafe, match="must be inside your profile folder"):
        cache_dir_is(shared / "j" / "cache", monkeypatch)
    assert not is_inside(shared / "j" / "cache", profile)
    assert not is_inside(shared / "j", profile)
    assert is_inside(profile / "AppData" / "Local" / "cache", profile)


def test_inside_as_read_and_as_resolved_both_count(tmp_path, profile):
    """The profile named by a link (a moved profile): a folder spelt through that name or
    through the real one is inside; one spelt through a link to the profile that is not
    the profile's name is not (the link's folder decides where it leads); a path that
    reads inside but leads out is not."""
    moved = tmp_path / "Users" / "me-link"
    moved.symlink_to(profile, target_is_directory=True)
    assert is_inside(moved / "AppData", moved) and is_inside(profile / "AppData", moved) and is_inside(profile, moved)
    assert not is_inside(moved / "AppData", profile)
    (profile / "out").symlink_to(tmp_path / "Users" / "Public", target_is_directory=True)
    assert not is_inside(profile / "out" / "x", profile) and not is_inside(moved / "out", moved)


# -- Windows' own path rules, with ntpath ---------------------------------------------

PROFILE = r"C:\Users\me"


@pytest.mark.parametrize("folder", [
    r"C:\Users\me",
    r"C:\Users\me\AppData\Local\tokens",
    r"c:\USERS\ME\AppData\Local\tokens",  # Windows paths are case-insensitive
    r"C:/Users/me/AppData/Local/tokens",  # either separator
    r"C:\Users\me\AppData\..\tokens",
    r"C:\Users\me\.\AppData\Local\tokens\\",
])
def test_windows_paths_inside_the_profile(folder):
    assert is_inside(folder, PROFILE, ntpath)


@pytest.mark.parametrize("folder", [
    r"C:\Users\me\..\Public\tokens",  # ".." out of the profile: the text starts with it
    r"C:\Users\me\AppData\..\..\Public",
    r"C:\Users\me2\tokens",  # shares the text's prefix, not a folder of it
    r"C:\Users",
    r"D:\Users\me\tokens",  # another drive
    r"\\server\share\Users\me\tokens",  # a network share
    r"\\?\C:\Users\me\..\Public",  # no normalisation on Windows for \\?\ paths: refused
])
def test_windows_paths_outside_the_profile(folder):
    assert not is_inside(folder, PROFILE, ntpath)


def test_a_folder_spelt_with_the_profile_s_short_name_is_inside():
    r"""%TEMP% on a GitHub Windows runner is C:\Users\RUNNER~1\AppData\Local\Temp while
    USERPROFILE is C:\Users\runneradmin: the file system resolves the short name (here a
    stand-in for Windows' realpath), and the path reads inside the profile's short name."""
    profile, short_profile = "C:\\Users\\runneradmin", "C:\\Users\\RUNNER~1"

    class Windows:  # ntpath, with realpath and the short name as Windows gives them
        def __getattr__(self, name):
            return getattr(ntpath, name)

        @staticmethod
        def realpath(path):
            return ntpath.abspath(path).replace(short_profile, profile)

    def short(path):
        return path.replace(profile, short_profile)

    folder = short_profile + "\\AppData\\Local\\Temp\\ck"
    assert is_inside(folder, profile, paths=Windows(), short=short)
    assert not is_inside(folder, profile, paths=Windows(), short=lambda path: path)  # before: refused
