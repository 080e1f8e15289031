"""No lookup waits for nothing: a lock held by another process costs at most the
wait limit (a healthy fetch, ``token_source.wait_limit``), once; when the process that
holds the lock fails within it, those waiting for it fail at once with its error
instead of asking AWS in turn. (test_cache_stuck: holders stopped or gone.)"""

import errno
import json
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from helpers import CACHE_KEY, KEYRING, URL, Holder, lookup, new_token, only_entry, run, write_keyring_config
from keyrings_codeartifact import cache, errors, safefolder, token_source
from keyrings_codeartifact.settings import MAX_ATTEMPTS, Settings


def test_fetch_budget_bounds_one_fetch_with_its_retries():
    settings = Settings(timeout=2)
    budget = token_source.fetch_budget(settings)
    assert budget >= MAX_ATTEMPTS * 2 * 2  # every attempt may connect and read for `timeout` each
    assert token_source.fetch_budget(settings._replace(timeout=20)) > budget
    assert token_source.fetch_budget(settings._replace(role_arn="arn:aws:iam::111122223333:role/r")) > budget


def test_a_lock_held_by_another_process_costs_one_wait_limit_once(standin, cache_dir, capsys):
    write_keyring_config("[codeartifact]\ntimeout = 0.5\n")
    lookup()
    entry = only_entry(cache_dir)
    entry.unlink()
    holder = Holder(Path(f"{entry}.lock"))
    try:
        started = time.monotonic()
        first = run(KEYRING, "get", URL, "aws", timeout=80)  # the old fixed wait was 90 s
        waited = time.monotonic() - started
        second = run(KEYRING, "get", URL, "aws", timeout=80)
    finally:
        holder.release()
    assert first.returncode == 0, first.stderr
    assert second.stdout == first.stdout  # written back: served from the cache
    assert len(standin.token_requests()) == 2  # the first lookup, and the one past the held lock
    limit, budget = token_source.wait_limit(Settings(timeout=0.5)), token_source.fetch_budget(Settings(timeout=0.5))
    with capsys.disabled():
        print(f"\n  held lock: the lookup took {waited:.1f} s (wait limit {limit:.1f} s, fetch budget {budget:.1f} s)")


def test_six_cold_lookups_against_a_stalled_api_fail_together(standin, cache_dir, capsys):
    # With timeout = 0.5 the asking process fails (3 attempts, backoff) well within the
    # 10 s wait limit. With a longer timeout those waiting would stop waiting at the
    # limit and ask AWS themselves.
    write_keyring_config("[codeartifact]\ntimeout = 0.5\n")
    standin.fault = "stall"
    started = time.monotonic()

    def keyring_get(_):
        result = run(KEYRING, "get", URL, "aws", timeout=150)
        return result, time.monotonic() - started

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(keyring_get, range(6)))
    finished = sorted(seconds for _, seconds in outcomes)
    last_lines = {result.stderr.strip().splitlines()[-1] for result, _ in outcomes}
    assert [result.returncode for result, _ in outcomes] == [1] * 6
    [line] = last_lines  # the same one-line error for all six
    assert line.startswith("keyrings_codeartifact.errors.Unreachable: ") and "did not answer in time" in line
    assert len(standin.token_requests()) == MAX_ATTEMPTS  # one process asked AWS; the others did not
    budget = token_source.fetch_budget(Settings(timeout=0.5))
    assert token_source.wait_limit(Settings(timeout=0.5)) == 10.0
    with capsys.disabled():
        print(f"\n  stalled API: six lookups failed at {', '.join(f'{s:.1f}' for s in finished)} s (budget {budget:.1f} s)")
    assert finished[-1] - finished[0] < budget


# -- fetch_through, between processes ---------------------------------------------------

MESSAGE = "codeartifact-keyring: cannot get a token for domain 'my-team' (owner 111122223333, region us-east-1): access denied"

# Takes the entry's lock through fetch_through, says so, and fails when told to.
FAILER = """
import json, sys
from keyrings_codeartifact import cache, errors
from keyrings_codeartifact.settings import Settings

def fetch():
    print("fetching", flush=True)
    sys.stdin.readline()
    raise errors.AccessDenied(sys.argv[3])

with cache.open_cache(Settings(cache_dir=sys.argv[1])) as disk:
    try:
        disk.fetch_through(json.loads(sys.argv[2]), fetch, lambda entry: False, 60)
    except errors.AccessDenied:
        print("failed", flush=True)
"""


@pytest.mark.parametrize("message, shown", [
    (MESSAGE, MESSAGE),
    (MESSAGE + "\x1b[2J\x07", MESSAGE + " [2J "),  # the marker is a file: what it says is made printable
])
def test_waiters_fail_at_once_with_the_error_of_the_process_they_waited_for(tmp_path, message, shown):
    folder = tmp_path / "cache"
    failer = subprocess.Popen(
        [sys.executable, "-c", FAILER, str(folder), json.dumps(CACHE_KEY), message],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    assert failer.stdout.readline() == "fetching\n"  # it holds the lock now
    fetched, raised = [], []

    def waiter():
        with cache.open_cache(Settings(cache_dir=str(folder))) as disk:
            try:
                disk.fetch_through(CACHE_KEY, lambda: fetched.append(1) or new_token(), lambda entry: False, 60)
            except errors.CodeArtifactError as error:
                raised.append(error)

    thread = threading.Thread(target=waiter)
    thread.start()
    time.sleep(0.5)  # let it start waiting for the lock
    failer.stdin.write("\n")
    failer.stdin.flush()
    thread.join(timeout=30)
    assert failer.stdout.readline() == "failed\n"
    failer.wait(timeout=30)
    assert not thread.is_alive()
    assert fetched == []
    [error] = raised
    assert type(error) is errors.AccessDenied and str(error) == shown

    # A lookup that starts after the failure asks again, and its success clears the marker.
    with cache.open_cache(Settings(cache_dir=str(folder))) as disk:
        assert disk.fetch_through(CACHE_KEY, lambda: new_token("again"), lambda entry: False, 60).value == "again"
    assert not list(folder.glob("*.failed"))


def test_a_waiter_past_the_budget_fetches_itself_and_writes_back(tmp_path):
    folder = tmp_path / "cache"
    with cache.open_cache(Settings(cache_dir=str(folder))) as disk:
        assert disk.read(CACHE_KEY) is None
    holder = Holder(folder / (cache.entry_name(CACHE_KEY) + ".lock"))
    try:
        with cache.open_cache(Settings(cache_dir=str(folder))) as disk:
            token = disk.fetch_through(CACHE_KEY, new_token, lambda entry: False, 0.5)
            assert disk.read(CACHE_KEY) == token
    finally:
        holder.release()


def test_an_unexpected_exception_leaves_no_marker(tmp_path):
    folder = tmp_path / "cache"
    with cache.open_cache(Settings(cache_dir=str(folder))) as disk:
        with pytest.raises(ZeroDivisionError):
            disk.fetch_through(CACHE_KEY, lambda: 1 / 0, lambda entry: False, 5)
        assert not list(folder.glob("*.failed"))
        assert disk.fetch_through(CACHE_KEY, new_token, lambda entry: False, 5).value == "fetched"


def test_a_wanted_entry_is_served_without_fetching(tmp_path):
    with cache.open_cache(Settings(cache_dir=str(tmp_path / "cache"))) as disk:
        disk.fetch_through(CACHE_KEY, new_token, lambda entry: False, 5)
        served = disk.fetch_through(CACHE_KEY, lambda: 1 / 0, lambda entry: entry is not None, 5)
        assert served.value == "fetched"


def test_the_null_cache_just_fetches(tmp_path):
    with cache.open_cache(Settings(cache=False, cache_dir=str(tmp_path / "cache"))) as disk:
        assert disk.read(CACHE_KEY) is None
        assert disk.fetch_through(CACHE_KEY, new_token, lambda entry: True, 5).value == "fetched"
    assert not (tmp_path / "cache").exists()


# -- lock files that go away ----------------------------------------------------------------


def _lock_file(folder: Path) -> Path:
    return folder / (cache.entry_name(CACHE_KEY) + ".lock")


def test_cache_clear_leaves_a_lock_that_another_process_holds(tmp_path):
    # Removing it would let the next process lock a new file while the holder fetches: two calls.
    folder = tmp_path / "cache"
    with cache.open_cache(Settings(cache_dir=str(folder))) as disk:
        disk.fetch_through(CACHE_KEY, new_token, lambda entry: False, 5)
        holder = Holder(_lock_file(folder))
        try:
            disk.clear()
            assert _lock_file(folder).exists()
            assert disk.read(CACHE_KEY) is None  # the entry itself went
        finally:
            holder.release()
        disk.clear()
        assert list(folder.iterdir()) == []  # a lock nobody holds goes too


def test_a_waiter_whose_lock_file_was_replaced_waits_for_the_new_one(tmp_path, monkeypatch):
    # The waiter's file was removed (by hand, or by an older version's clear) and a new
    # process locked a new file under the name: when the old holder lets go, the waiter
    # must wait for the new one, not fetch beside it.
    folder = tmp_path / "cache"
    with cache.open_cache(Settings(cache_dir=str(folder))) as disk:
        assert disk.read(CACHE_KEY) is None  # makes the folder
    first = Holder(_lock_file(folder))
    fetched = []

    def waiter():
        with cache.open_cache(Settings(cache_dir=str(folder))) as disk:
            disk.fetch_through(CACHE_KEY, lambda: fetched.append(1) or new_token(), lambda entry: False, 60)

    tried = threading.Event()
    real_try_lock = safefolder._try_lock

    def try_lock(descriptor):
        tried.set()  # the waiter has its file open, and waits
        return real_try_lock(descriptor)

    monkeypatch.setattr(safefolder, "_try_lock", try_lock)
    thread = threading.Thread(target=waiter)
    thread.start()
    assert tried.wait(timeout=30)
    _lock_file(folder).unlink()
    second = Holder(_lock_file(folder))
    try:
        first.release()
        thread.join(timeout=1.5)
        assert fetched == [] and thread.is_alive()  # still waiting, now for the second holder
    finally:
        second.release()
    thread.join(timeout=30)
    assert fetched == [1]


def test_old_lock_files_of_entries_that_are_gone_are_pruned(tmp_path):
    folder = tmp_path / "cache"
    with cache.open_cache(Settings(cache_dir=str(folder))) as disk:
        disk.fetch_through(CACHE_KEY, new_token, lambda entry: False, 5)
        orphan, recent = folder / ("0" * 40 + ".json.lock"), folder / ("1" * 40 + ".json.lock")
        orphan.touch()
        recent.touch()
        day_and_more = time.time() - cache.PRUNE_AFTER - 60
        for old in (orphan, _lock_file(folder)):  # the second is the lock of an entry that is there
            os.utime(old, (day_and_more, day_and_more))
        disk.write({**CACHE_KEY, "domain": "other"}, new_token())  # a write prunes
        names = {path.name for path in folder.iterdir()}
    assert orphan.name not in names and recent.name in names and _lock_file(folder).name in names


def test_a_remover_that_made_way_leaves_the_file_of_the_next_holder(tmp_path, monkeypatch):
    # Two removers: R2 opened the old file; R1 removed it; a process C locked a new one
    # and fetches. When R2 then gets the old file's lock, the name is C's file: it stays.
    folder = safefolder.Folder.open(tmp_path / "cache", create=True)
    (tmp_path / "cache" / "k.lock").touch(mode=0o600)
    real_try_lock, held = safefolder._try_lock, []

    def interleave(descriptor):
        monkeypatch.setattr(safefolder, "_try_lock", real_try_lock)
        assert folder.remove_lock("k.lock")  # R1
        held.append(folder.lock("k.lock", 1, lambda note: True))  # C
        return real_try_lock(descriptor)

    monkeypatch.setattr(safefolder, "_try_lock", interleave)
    assert folder.remove_lock("k.lock")  # R2: the file it opened is gone
    assert held[0] is not None and (tmp_path / "cache" / "k.lock").exists()
    assert folder.lock("k.lock", 0.2, lambda note: True) is None  # the next process waits for C
    held[0].release()
    folder.close()


def test_without_file_locks_cache_clear_still_removes_lock_files(tmp_path, monkeypatch):
    # NFS without its lock manager: flock fails, nobody can hold a lock, the files go.
    folder = tmp_path / "cache"
    with cache.open_cache(Settings(cache_dir=str(folder))) as disk:
        disk.fetch_through(CACHE_KEY, new_token, lambda entry: False, 5)
        assert _lock_file(folder).exists()

        def no_locks(descriptor):
            raise OSError(errno.ENOLCK, "No locks available")

        monkeypatch.setattr(safefolder, "_try_lock", no_locks)
        disk.clear()
    assert list(folder.iterdir()) == []


def test_cache_clear_leaves_a_file_being_written(tmp_path):
    folder = tmp_path / "cache"
    with cache.open_cache(Settings(cache_dir=str(folder))) as disk:
        disk.fetch_through(CACHE_KEY, new_token, lambda entry: False, 5)
        writing, killed = folder / ".tmp-being-written", folder / ".tmp-killed"
        writing.touch(mode=0o600)
        killed.touch(mode=0o600)
        minutes_ago = time.time() - cache.WRITING_SECONDS - 60
        os.utime(killed, (minutes_ago, minutes_ago))
        disk.clear()
    assert [path.name for path in folder.iterdir()] == [writing.name]
