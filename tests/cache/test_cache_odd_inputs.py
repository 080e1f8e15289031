"""The cache given odd folders, entries and file systems: relative home folders, a
Windows folder outside the profile, entries that would crash a parser, remedies a
shell would split, names the cache did not expect, locks a file system refuses,
and paths that carry control characters."""

import errno
import fcntl
import os
import sys
from pathlib import Path

import pytest

from helpers import CLI, KEYRING, URL, cache_entries, cache_warnings, edit_entry, lookup, only_entry, run
from keyrings_codeartifact import cache, safefolder
from keyrings_codeartifact.userfolders import CACHE_DIR_VARIABLE


def files_below(folder: Path) -> list:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


def test_a_relative_xdg_cache_home_is_ignored(standin, isolated_env, tmp_path, monkeypatch):
    work = tmp_path / "project"
    work.mkdir()
    monkeypatch.setenv("XDG_CACHE_HOME", ".cache")  # the XDG spec: ignore a relative value
    result = run(KEYRING, "get", URL, "aws", cwd=work)
    assert result.returncode == 0, result.stderr
    assert files_below(work) == []
    assert cache_entries(isolated_env / ".cache" / "codeartifact-keyring")


def test_a_relative_home_turns_the_cache_off(standin, tmp_path, monkeypatch, caplog, fresh_warnings):
    work = tmp_path / "project"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("HOME", "h")
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert lookup()
    assert files_below(work) == []
    [warning] = cache_warnings(caplog)
    assert "it is relative, as HOME is" in warning


def test_windows_refuses_a_cache_folder_outside_the_profile(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("USERPROFILE", str(tmp_path / "Users" / "me"))
    monkeypatch.setenv(CACHE_DIR_VARIABLE, str(tmp_path / "shared"))
    with pytest.raises(safefolder.Unsafe, match="must be inside your profile folder"):
        cache.folder_for()
    inside = tmp_path / "Users" / "me" / "AppData" / "Local" / "tokens"
    monkeypatch.setenv(CACHE_DIR_VARIABLE, str(inside))
    assert cache.folder_for() == inside


@pytest.mark.parametrize("forged", [
    {"expires_at": int("9" * 400)},  # an integer too large for a float
    {"issued_at": -int("9" * 400)},
])
def test_an_entry_with_a_huge_integer_is_a_miss(standin, cache_dir, forged):
    first = lookup()
    edit_entry(only_entry(cache_dir), **forged)
    assert lookup() not in ("", None, first)  # replaced by a fresh token
    listing = run(CLI, "cache", "list")
    assert listing.returncode == 0 and "Traceback" not in listing.stderr


@pytest.mark.parametrize("value", ["tok\nBASH_ENV=/tmp/evil", "tok en", "tok\x00"])
def test_an_entry_whose_token_has_a_line_break_or_control_character_is_a_miss(standin, cache_dir, value):
    first = lookup()
    edit_entry(only_entry(cache_dir), token=value)
    assert lookup() not in ("", None, first, value)  # replaced by a fresh token


def test_deeply_nested_json_is_a_miss_and_cache_clear_removes_it(standin, cache_dir):
    lookup()
    entry = only_entry(cache_dir)
    entry.write_text("[" * 5000)
    (cache_dir / (entry.name + ".failed")).write_text("[" * 5000)
    assert lookup()
    for command in (("cache", "list"), ("cache", "clear")):
        result = run(CLI, *command)
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr


def test_remedies_quote_the_path(tmp_path):
    folder = tmp_path / "Build Cache" / "codeartifact-keyring"
    folder.mkdir(parents=True)
    folder.chmod(0o777)
    with pytest.raises(safefolder.Unsafe) as raised:
        safefolder.Folder.open(folder, create=False)
    assert raised.value.remedy == f"chmod 700 '{folder}'"


def test_cache_clear_survives_a_folder_with_a_lock_name(standin, cache_dir):
    lookup()
    (cache_dir / "planted.lock").mkdir()
    result = run(CLI, "cache", "clear")
    assert result.returncode == 0 and result.stdout.startswith("Removed 1 cached token"), result.stderr


def test_a_file_system_without_locks_still_gets_a_token(standin, isolated_env, monkeypatch):
    def no_locks(descriptor, operation):
        raise OSError(errno.ENOLCK, "No locks available")  # NFS without its lock manager

    monkeypatch.setattr(fcntl, "flock", no_locks)
    assert lookup()
    assert len(standin.token_requests()) == 1


def test_warnings_escape_control_characters_in_paths(standin, tmp_path, monkeypatch, caplog, fresh_warnings):
    folder = tmp_path / "evil\x1b[2Jname"
    folder.mkdir(mode=0o777)
    folder.chmod(0o777)
    monkeypatch.setenv(CACHE_DIR_VARIABLE, str(folder))
    assert lookup()
    [warning] = cache_warnings(caplog)
    assert "\x1b" not in warning and "evil\\x1b[2Jname" in warning


def test_warnings_show_a_path_with_colon_slash_and_at_whole(standin, tmp_path, monkeypatch, caplog, fresh_warnings):
    # A path is not a URL: nothing of it is cut as if it were userinfo, so the remedy acts on it.
    folder = tmp_path / "nas:" / "share@2024" / "cache"
    folder.mkdir(parents=True)
    folder.chmod(0o777)
    monkeypatch.setenv(CACHE_DIR_VARIABLE, str(folder))
    assert lookup()
    [warning] = cache_warnings(caplog)
    assert f"chmod 700 '{folder}'" in warning or f"chmod 700 {folder}" in warning


def test_a_link_that_appears_while_the_folder_is_made_is_not_followed(tmp_path, monkeypatch):
    # The race the swap test (cache/test_cache_safety.py) met once in CI: the folder is
    # missing when first opened, and a link to a folder of ours appears before it is made.
    decoy = tmp_path / "root-only"
    decoy.mkdir(mode=0o700)
    folder = tmp_path / "cache"
    folder.symlink_to(decoy)
    real_open = os.open
    missing_once = []

    def open_(path, flags, *args, **kwargs):
        if str(path) == str(folder) and not missing_once:
            missing_once.append(path)
            raise FileNotFoundError(2, "No such file or directory")  # not there yet
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_)
    with pytest.raises(safefolder.Unsafe):
        safefolder.Folder.open(folder, create=True)
    assert missing_once
