"""The disk cache cannot be turned against its user: planted FIFOs, a folder swapped
for a symlink, forged lifetimes, huge entries, relative folders, folders of other
users (sudo -E), and `cache list` / `cache clear` on all of these."""

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from helpers import (
    BIN,
    CLI,
    KEYRING,
    URL,
    cache_entries,
    cache_warnings,
    lookup,
    only_entry,
    read_entry,
    run,
    write_keyring_config,
)
from keyrings_codeartifact import cache, errors

ROOT_ONLY = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("setpriv"), reason="needs root and setpriv to act as another user"
)
NOBODY = 65534
AS_NOBODY = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]  # another user


def _nobody_can_run_python() -> bool:
    """Whether another user can run this Python (pyenv's under /root cannot: its
    libpython is in a folder only root may enter)."""
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        return False
    check = subprocess.run([*AS_NOBODY, sys.executable, "-c", "pass"], capture_output=True, cwd="/")
    return check.returncode == 0


AS_ANOTHER_USER = pytest.mark.skipif(
    not _nobody_can_run_python(), reason="needs root, setpriv, and a Python that another user may run"
)


def plant(folder: Path, like: dict, **changes) -> Path:
    """Write an entry shaped like ``like`` with ``changes``, under its key's own name."""
    data = {**like, **changes}
    path = folder / cache.entry_name(data["key"])
    path.write_text(json.dumps(data))
    path.chmod(0o600)
    return path


# -- planted FIFOs -------------------------------------------------------------------


@pytest.mark.parametrize("planted", ["entry", "lock", "failure-marker"])
def test_a_planted_fifo_never_makes_keyring_get_hang(standin, cache_dir, planted):
    lookup()
    entry = only_entry(cache_dir)
    fifo = {"entry": entry, "lock": Path(f"{entry}.lock"), "failure-marker": Path(f"{entry}.failed")}[planted]
    if planted != "entry":
        entry.unlink()  # a cold lookup, which takes the lock
    if fifo.exists():
        fifo.unlink()
    os.mkfifo(fifo, 0o600)
    result = run(KEYRING, "get", URL, "aws", timeout=30)
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    assert token in standin.issued and len(standin.token_requests()) == 2
    assert read_entry(entry)["token"] == token  # a regular file again
    assert run(KEYRING, "get", URL, "aws", timeout=30).stdout.strip() == token


def test_cache_list_and_clear_never_block_on_a_fifo(standin, cache_dir):
    lookup()
    os.mkfifo(cache_dir / ("0" * 40 + ".json"), 0o600)
    listing = run(CLI, "cache", "list", timeout=30)
    assert listing.returncode == 0 and "my-team  111122223333  us-east-1" in listing.stdout
    cleared = run(CLI, "cache", "clear", timeout=30)
    assert cleared.returncode == 0 and cleared.stdout.startswith("Removed 1 cached token from ")
    assert cache_entries(cache_dir) == []


# -- forged lifetimes and huge entries ------------------------------------------------

NOW = time.time()
FORGED = {
    "expires-in-1e308": (NOW, 1e308),
    "expires-never": (NOW, "Infinity"),
    "issued-at-nan": ("NaN", NOW + 3000),
    "expires-at-nan": (NOW, "NaN"),
    "ten-years": (NOW, NOW + 10 * 365 * 86400),
    "over-12-hours": (NOW, NOW + 13 * 3600),
    "issued-tomorrow": (NOW + 86400, NOW + 86400 + 3600),
    "boolean": (True, NOW + 3000),
}


@pytest.mark.parametrize("issued_at, expires_at", FORGED.values(), ids=FORGED.keys())
def test_a_forged_lifetime_is_a_miss_and_is_replaced(standin, cache_dir, issued_at, expires_at):
    lookup()
    entry = only_entry(cache_dir)
    data = read_entry(entry)
    data["token"] = "forged"
    text = json.dumps({**data, "issued_at": "ISSUED", "expires_at": "EXPIRES"})
    for name, value in (("ISSUED", issued_at), ("EXPIRES", expires_at)):
        text = text.replace(f'"{name}"', value if isinstance(value, str) else json.dumps(value))
    entry.write_text(text)
    token = lookup()
    assert token != "forged" and token in standin.issued
    assert len(standin.token_requests()) == 2
    replaced = read_entry(entry)
    assert replaced["token"] == token and 0 < replaced["expires_at"] - replaced["issued_at"] <= 43200


PEAK_MEMORY = """
import json, resource
from keyrings_codeartifact.backend import CodeArtifactBackend
token = CodeArtifactBackend().get_password(%r, "aws")
print(json.dumps({"token": token, "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def test_a_one_gigabyte_entry_is_not_read(standin, cache_dir):
    lookup()
    entry = only_entry(cache_dir)
    os.truncate(entry, 1 << 30)  # sparse: no disk space used
    result = run(BIN / "python", "-c", PEAK_MEMORY % URL, timeout=60)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["token"] in standin.issued and len(standin.token_requests()) == 2
    assert answer["peak_kib"] < 300 * 1024  # far from the 1 GiB a whole read would take
    assert entry.stat().st_size < 16 * 1024


# -- a folder swapped for a symlink ------------------------------------------------------

SWAPPER = """
import os, sys, time
cache, aside, link, seconds = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
deadline = time.time() + seconds
while time.time() < deadline:
    for source, target in ((cache, aside), (link, cache), (cache, link), (aside, cache)):
        try:
            os.rename(source, target)
        except OSError:
            pass
"""


@pytest.fixture
def world_dir():
    """A folder under /tmp that other users can reach (pytest's tmp_path is root's alone)."""
    path = Path(tempfile.mkdtemp(prefix="codeartifact-keyring-test-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def remove_entries_unless_swapped(folder: Path) -> None:
    """Remove the entries in ``folder`` through a descriptor opened without following a
    link: checking the path first and then removing by path would race the swapper, and
    remove the decoy through the link."""
    try:
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return  # swapped for the link right now
    try:
        for name in os.listdir(descriptor):
            if name.endswith(".json"):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(name, dir_fd=descriptor)
    finally:
        os.close(descriptor)


@AS_ANOTHER_USER
def test_a_folder_swapped_for_a_symlink_is_never_followed(standin, world_dir, tmp_path, monkeypatch, fresh_warnings):
    shared = world_dir / "shared"
    shared.mkdir()
    shared.chmod(0o777)  # others may rename what is in it: no sticky bit
    folder = shared / "cache"
    monkeypatch.setenv("CODEARTIFACT_KEYRING_CACHE_DIR", str(folder))
    lookup()
    real_entry = only_entry(folder)
    decoy = tmp_path / "root-only"  # where root keeps things no one else may change
    decoy.mkdir(mode=0o700)
    planted = plant(decoy, read_entry(real_entry), token="decoy-token")
    decoy_before = {p.name: p.read_bytes() for p in decoy.iterdir()}
    (shared / "link").symlink_to(decoy)

    swapper = subprocess.Popen(  # another user of a shared machine
        [*AS_NOBODY, sys.executable, "-c", SWAPPER, str(folder), str(shared / "aside"), str(shared / "link"), "6"],
    )
    served = []
    try:
        deadline = time.time() + 5
        while time.time() < deadline:
            served.append(lookup())
            if len(served) % 10 == 0:  # cold lookups too: they lock and write
                remove_entries_unless_swapped(folder)
    finally:
        swapper.wait(timeout=30)
    assert swapper.returncode == 0  # the other user really swapped the folder
    assert len(served) > 20  # enough to meet every state of the swap
    assert "decoy-token" not in served
    assert {p.name: p.read_bytes() for p in decoy.iterdir()} == decoy_before  # nothing created there
    assert planted.read_text() == decoy_before[planted.name].decode()


# -- cache_dir ------------------------------------------------------------------------


def test_a_relative_cache_dir_is_refused(standin, tmp_path, monkeypatch):
    path = write_keyring_config("[codeartifact]\ncache_dir = tokens\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(errors.ConfigError) as raised:
        lookup()
    message = str(raised.value)
    assert message.startswith(f"codeartifact-keyring: invalid cache_dir in section [codeartifact] of {path}: ")
    assert "absolute" in message and "~" in message and "\n" not in message
    assert not (tmp_path / "tokens").exists() and standin.token_requests() == []


def test_a_cache_dir_under_home_is_accepted(standin, isolated_env):
    write_keyring_config("[codeartifact]\ncache_dir = ~/tokens\n")
    lookup()
    assert len(cache_entries(isolated_env / "tokens")) == 1


def test_a_relative_cache_folder_from_the_environment_is_not_used(standin, tmp_path, monkeypatch, caplog, cache_dir):
    monkeypatch.setenv("CODEARTIFACT_KEYRING_CACHE_DIR", "tokens")
    monkeypatch.chdir(tmp_path)
    assert lookup() in standin.issued
    assert not (tmp_path / "tokens").exists()
    [warning] = cache_warnings(caplog)
    assert "CODEARTIFACT_KEYRING_CACHE_DIR" in warning and "absolute" in warning


# -- other users' folders (sudo -E) ----------------------------------------------------------


@ROOT_ONLY
def test_root_with_another_users_home_creates_nothing_there(standin, isolated_env, cache_dir, caplog):
    os.chown(isolated_env, NOBODY, NOBODY)  # as after `sudo -E`: HOME is the user's, we are root
    assert lookup() in standin.issued
    assert not (isolated_env / ".cache").exists()
    [warning] = cache_warnings(caplog)
    assert f"{isolated_env} belongs to another user" in warning
    assert "sudo -E" in warning and "CODEARTIFACT_KEYRING_CACHE_DIR" in warning


@ROOT_ONLY
def test_root_does_not_use_a_users_cache_folder(standin, isolated_env, cache_dir, caplog):
    cache_dir.mkdir(parents=True, mode=0o700)
    os.chown(cache_dir, NOBODY, NOBODY)
    assert lookup() in standin.issued
    assert list(cache_dir.iterdir()) == []
    [warning] = cache_warnings(caplog)
    assert f"at {cache_dir}: it belongs to another user; " in warning
    assert "uid 65534" in warning and "sudo -E" in warning and "CODEARTIFACT_KEYRING_CACHE_DIR" in warning


@pytest.fixture
def user_home(world_dir, standin, ca_bundle):
    """A home of user nobody, with AWS credentials and the test CA it can read, whose
    cache folder a root lookup under `sudo -E` once made."""
    home = world_dir / "home"
    shutil.copytree(Path(os.environ["HOME"]), home)
    shutil.copy(ca_bundle, world_dir / "ca.pem")
    folder = home / ".cache" / "codeartifact-keyring"
    folder.mkdir(parents=True, mode=0o700)
    for path in [home, *home.rglob("*")]:
        os.chown(path, NOBODY, NOBODY)
    os.chown(folder, 0, 0)  # made by root
    env = {name: value for name, value in os.environ.items()}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), XDG_CACHE_HOME=str(home / ".cache"),
               XDG_DATA_HOME=str(home / ".local" / "share"),
               AWS_CONFIG_FILE=str(home / ".aws" / "config"),
               AWS_SHARED_CREDENTIALS_FILE=str(home / ".aws" / "credentials"),
               AWS_CA_BUNDLE=str(world_dir / "ca.pem"))
    return home, folder, env


def as_nobody(env: dict, *args) -> subprocess.CompletedProcess:
    return subprocess.run([*AS_NOBODY, *map(str, args)], env=env, capture_output=True, text=True, timeout=120, cwd="/")


@AS_ANOTHER_USER
def test_a_user_is_told_how_to_remove_a_folder_root_made(user_home):
    home, folder, env = user_home
    result = as_nobody(env, KEYRING, "get", URL, "aws")
    assert result.returncode == 0, result.stderr
    [warning] = [line for line in result.stderr.splitlines() if "not using the token cache" in line]
    assert f"at {folder}: it belongs to root" in warning
    assert f"sudo rm -r {folder}" in warning and f"sudo chown -R nobody {folder}" in warning
    assert "chmod" not in warning

    cleared = as_nobody(env, CLI, "cache", "clear")
    assert cleared.returncode == 1 and cleared.stdout == ""
    assert cleared.stderr.count("\n") == 1 and f"sudo rm -r {folder}" in cleared.stderr
    listed = as_nobody(env, CLI, "cache", "list")
    assert listed.returncode == 1 and f"sudo rm -r {folder}" in listed.stderr
    explained = as_nobody(env, CLI, "explain", URL)
    assert "(NOT usable: it belongs to root; " in explained.stdout and f"sudo rm -r {folder}" in explained.stdout


# -- expired entries are pruned ---------------------------------------------------------------


def test_entries_expired_over_a_day_ago_are_removed_when_the_cache_is_written(standin, cache_dir, monkeypatch):
    lookup()
    data = read_entry(only_entry(cache_dir))
    now = time.time()

    def rotated(n: int, expired_ago: float) -> Path:  # temporary keys: a new identity each session
        key = {**data["key"], "identity": f"env:ASIAEXAMPLE{n:08d}"}
        path = plant(cache_dir, data, key=key, issued_at=now - expired_ago - 3600, expires_at=now - expired_ago)
        Path(f"{path}.lock").touch(mode=0o600)
        return path

    long_gone = [rotated(n, 86400 + 60 * n + 60) for n in range(3)]
    recent = rotated(9, 3600)
    for leftover, age in ((".tmp-killed-long-ago", 2 * 86400), (".tmp-being-written", 0)):
        (cache_dir / leftover).touch(mode=0o600)
        os.utime(cache_dir / leftover, (now - age, now - age))
    monkeypatch.setenv("AWS_PROFILE", "bob")
    lookup()  # writes bob's entry
    names = sorted(p.name for p in cache_dir.iterdir())
    for path in long_gone:
        assert path.name not in names and f"{path.name}.lock" not in names
    assert recent.name in names and len(cache_entries(cache_dir)) == 3
    assert ".tmp-killed-long-ago" not in names and ".tmp-being-written" in names


# -- cache list -------------------------------------------------------------------------------


def test_cache_list_prints_control_characters_escaped(standin, cache_dir):
    lookup()
    data = read_entry(only_entry(cache_dir))
    key = {**data["key"], "domain": "evil\x1b[2J\rFAKE", "identity": "profile:x\nDOMAIN  OWNER"}
    plant(cache_dir, data, key=key)
    listing = run(CLI, "cache", "list", timeout=30)
    assert listing.returncode == 0
    assert "\x1b" not in listing.stdout and "\r" not in listing.stdout
    assert "evil\\x1b[2J\\rFAKE" in listing.stdout and "profile:x\\nDOMAIN  OWNER" in listing.stdout
    assert len(listing.stdout.splitlines()) == 4  # heading, column names, two entries
