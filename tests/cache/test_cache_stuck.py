"""A stuck lock holder costs little: a lookup waits for another process's fetch of
the same token about as long as a healthy fetch takes (``token_source.wait_limit``), and
not at all once that process is seen stopped (Ctrl-Z) or gone; it then asks AWS
itself, once, and writes its token back. A slow but healthy holder is waited for."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from helpers import CACHE_KEY, KEYRING, URL, Holder, new_token, run
from keyrings_codeartifact import cache, lockholder, token_source
from keyrings_codeartifact.settings import Settings

ROLE = "arn:aws:iam::111122223333:role/r"
needs_proc = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def wait_until(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def start_holder(standin) -> subprocess.Popen:
    """A `keyring get` that has taken the entry's lock and waits for its token request."""
    holder = subprocess.Popen([str(KEYRING), "get", URL, "aws"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_until(lambda: standin.token_arrivals == 1)
    return holder


def state(pid: int) -> str:
    """The state letter of process ``pid`` (Linux)."""
    stat = Path(f"/proc/{pid}/stat").read_bytes()
    return stat[stat.rindex(b")") + 2:].split()[0].decode()


# -- real keyring processes ------------------------------------------------------------


def test_a_stopped_holder_is_passed_and_the_token_written_back(standin, cache_dir):
    standin.fault = "stall-first"  # the holder's request is never answered
    holder = start_holder(standin)
    try:
        os.kill(holder.pid, signal.SIGSTOP)  # Ctrl-Z in the middle of its fetch
        waiter = run(KEYRING, "get", URL, "aws", timeout=60)  # before: the whole fetch budget, 78 s
        assert waiter.returncode == 0, waiter.stderr
        assert standin.token_arrivals == 2  # the holder's request, and the waiter's own
        if sys.platform.startswith("linux"):
            assert state(holder.pid) == "T"  # passed while the holder is still stopped
        repeat = run(KEYRING, "get", URL, "aws", timeout=60)
        assert repeat.stdout == waiter.stdout and standin.token_arrivals == 2  # written back
    finally:
        holder.kill()
        holder.wait(timeout=30)


def test_a_holder_killed_mid_fetch_is_passed(standin, cache_dir):
    standin.fault = "stall-first"
    holder = start_holder(standin)
    holder.kill()
    holder.wait(timeout=30)
    waiter = run(KEYRING, "get", URL, "aws", timeout=60)
    assert waiter.returncode == 0, waiter.stderr
    repeat = run(KEYRING, "get", URL, "aws", timeout=60)
    assert repeat.stdout == waiter.stdout and standin.token_arrivals == 2


def test_a_slow_but_healthy_holder_is_waited_for(standin, cache_dir):
    standin.fault = "slow"  # its answer takes 2 s, well within the wait limit
    holder = start_holder(standin)
    waiter = run(KEYRING, "get", URL, "aws", timeout=60)
    held, _ = holder.communicate(timeout=60)
    assert holder.returncode == 0 and waiter.returncode == 0, waiter.stderr
    assert waiter.stdout == held.decode()
    assert standin.token_arrivals == 1 and len(standin.token_requests()) == 1


# -- fetch_through, against a real holder process ---------------------------------------------

# Holds the entry's lock through fetch_through (its note written), fetching until stdin closes.
FETCHER = """
import json, sys
from keyrings_codeartifact import cache
from keyrings_codeartifact.settings import Settings
from helpers import new_token

def fetch():
    print("fetching", flush=True)
    sys.stdin.read()
    return new_token("holder's")

with cache.open_cache(Settings(cache_dir=sys.argv[1])) as disk:
    disk.fetch_through(json.loads(sys.argv[2]), fetch, lambda entry: False, 60)
"""


class Fetcher:
    """Another process in the middle of fetch_through for CACHE_KEY."""

    def __init__(self, folder: Path):
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).parent.parent), os.environ.get("PYTHONPATH")]))}
        self.process = subprocess.Popen(
            [sys.executable, "-c", FETCHER, str(folder), json.dumps(CACHE_KEY)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
        )
        assert self.process.stdout.readline() == "fetching\n"

    def finish(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=30)


def wait_in_thread(folder: Path, budget: float, patience=None) -> tuple[threading.Thread, list]:
    """fetch_through CACHE_KEY in a thread, waiting at most ``budget`` (``patience`` for a
    holder not seen to run); its outcome lands in the list."""
    outcome: list = []

    def waiter():
        with cache.open_cache(Settings(cache_dir=str(folder))) as disk:
            outcome.append(disk.fetch_through(CACHE_KEY, lambda: new_token("waiter's"), lambda entry: entry is not None,
                                              budget, patience))
            outcome.append(disk.read(CACHE_KEY))

    thread = threading.Thread(target=waiter)
    thread.start()
    return thread, outcome


@needs_proc
def test_a_waiter_gives_up_on_a_stopped_holder_at_once(tmp_path, caplog):
    folder = tmp_path / "cache"
    fetcher = Fetcher(folder)
    try:
        os.kill(fetcher.process.pid, signal.SIGSTOP)
        thread, outcome = wait_in_thread(folder, 600)
        thread.join(timeout=60)
        assert not thread.is_alive()  # before: it waited the whole budget
        assert [token.value for token in outcome] == ["waiter's", "waiter's"]  # fetched, and written back
    finally:
        fetcher.kill()
    decisions = [r.getMessage() for r in caplog.records if "asking AWS without it" in r.getMessage()]
    assert decisions == ["cache lock held by a process that is stopped; asking AWS without it"]


def test_a_waiter_waits_for_a_running_holder(tmp_path):
    folder = tmp_path / "cache"
    fetcher = Fetcher(folder)
    thread, outcome = wait_in_thread(folder, 600)
    thread.join(timeout=1)  # a fifth of a healthy fetch's wait limit: long enough to have judged it stuck
    assert thread.is_alive()
    fetcher.finish()
    thread.join(timeout=60)
    assert [token.value for token in outcome] == ["holder's", "holder's"]


@needs_proc
def test_a_holder_seen_running_is_waited_for_past_the_wait_limit(tmp_path):
    # A healthy fetch slowed by a loaded machine (32 cold lookups on 2 cores, say) must
    # not send every waiter to AWS once the wait limit has passed: on Linux a holder seen
    # running is waited for up to the fetch budget. Before: the waiter fetched at 0.5 s.
    folder = tmp_path / "cache"
    fetcher = Fetcher(folder)
    thread, outcome = wait_in_thread(folder, 600, patience=0.5)
    thread.join(timeout=3)  # six times the wait limit
    assert thread.is_alive()
    fetcher.finish()
    thread.join(timeout=60)
    assert [token.value for token in outcome] == ["holder's", "holder's"]


def test_a_holder_not_seen_to_run_is_waited_for_only_the_wait_limit(tmp_path):
    # A lock held by a process that writes no note (an older version, another machine):
    # the wait limit applies, then the waiter asks AWS itself and writes its token back.
    folder = tmp_path / "cache"
    folder.mkdir(mode=0o700)
    holder = Holder(folder / (cache.entry_name(CACHE_KEY) + ".lock"))
    try:
        thread, outcome = wait_in_thread(folder, 600, patience=0.5)
        thread.join(timeout=60)
        assert not thread.is_alive()  # it did not wait the budget
    finally:
        holder.release()
    assert [token.value for token in outcome] == ["waiter's", "waiter's"]


@needs_proc
def test_a_holders_note_is_there_while_it_holds_the_lock_and_no_longer(tmp_path):
    folder = tmp_path / "cache"
    lock_file = folder / (cache.entry_name(CACHE_KEY) + ".lock")
    fetcher = Fetcher(folder)
    try:
        note = json.loads(lock_file.read_bytes())
        assert note["pid"] == fetcher.process.pid and note["started"] > 0
        assert (lock_file.stat().st_mode & 0o777) == 0o600
    finally:
        fetcher.finish()
    assert lock_file.read_bytes() == b""


# -- what a note makes a waiter do ----------------------------------------------------------

# Stays alive, having printed its note, until stdin closes.
NOTER = """
import sys
from keyrings_codeartifact import lockholder
print(lockholder.record().decode(), flush=True)
sys.stdin.read()
"""


@pytest.fixture
def noter():
    process = subprocess.Popen([sys.executable, "-c", NOTER], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    note = process.stdout.readline().strip()
    yield process, note
    process.kill()
    process.wait(timeout=30)


@needs_proc
def test_linux_verdicts(noter):
    process, note = noter
    machine = lockholder._machine()
    assert lockholder.verdict(note, machine) is None  # it runs
    os.kill(process.pid, signal.SIGSTOP)
    wait_until(lambda: state(process.pid) == "T")
    assert lockholder.verdict(note, machine) == "stopped"
    assert lockholder.verdict(note, "linux another-boot pid:[1]") is None  # another machine: only the time limit
    reused = json.dumps({**json.loads(note), "started": json.loads(note)["started"] + 1}).encode()
    assert lockholder.verdict(reused, machine) == "gone"  # its pid, another process
    os.kill(process.pid, signal.SIGCONT)
    wait_until(lambda: state(process.pid) != "T")
    assert lockholder.verdict(note, machine) is None
    process.kill()
    process.wait(timeout=30)
    assert lockholder.verdict(note, machine) == "gone"


def test_macos_tells_gone_but_not_stopped(noter, monkeypatch):
    process, _ = noter
    monkeypatch.setattr(sys, "platform", "darwin")
    machine = lockholder._machine()
    note = json.dumps({"pid": process.pid, "machine": machine, "started": None}).encode()
    os.kill(process.pid, signal.SIGSTOP)
    assert lockholder.verdict(note, machine) is None  # stopped: cannot be told cheaply, the time limit applies
    process.kill()
    process.wait(timeout=30)
    assert lockholder.verdict(note, machine) == "gone"


def test_windows_notes_nothing(monkeypatch):
    monkeypatch.setattr(sys, "platform", "win32")
    assert lockholder.record() == b"" and lockholder._machine() is None


@needs_proc
def test_a_verdict_counts_once_the_same_note_held_a_moment(noter, monkeypatch):
    # A new holder has the lock before it writes its note: the previous holder's note
    # (a stopped or gone process) must not pass for the new holder's.
    process, note = noter
    os.kill(process.pid, signal.SIGSTOP)
    wait_until(lambda: state(process.pid) == "T")
    clock = [100.0]
    monkeypatch.setattr(lockholder.time, "monotonic", lambda: clock[0])
    watch = lockholder.Watch()
    assert watch.stuck(note) is None
    clock[0] += lockholder.CONFIRM_SECONDS / 2
    assert watch.stuck(note) is None
    assert watch.stuck(b"") is None  # the new holder's note: nothing judged
    clock[0] += lockholder.CONFIRM_SECONDS
    assert watch.stuck(note) is None  # judged anew from here
    clock[0] += lockholder.CONFIRM_SECONDS
    assert watch.stuck(note) == "stopped"


JUNK = [
    b"", b"\x00" * 512, b"\xff\xfe", b"null", b"[1, 2]", b"[" * 500, b'{"pid": 1e999}',
    b'{"pid": 0, "machine": "M"}', b'{"pid": -1, "machine": "M"}', b'{"pid": true, "machine": "M"}',
    b'{"pid": 99999999999999999999, "machine": "M"}', b'{"pid": "1", "machine": "M"}',
    b'{"pid": 1, "machine": ["M"]}', b'{"pid": 1, "machine": "M", "started": -5}',
    b'{"pid": 1, "machine": "M", "started": 1.5}', b'{"pid": 1, "machine": "M", "started": NaN}',
]


@pytest.mark.parametrize("junk", JUNK)
def test_no_lock_file_content_crashes_a_waiter_or_names_a_process_to_check(junk, monkeypatch):
    machine = lockholder._machine() or "M"
    checked = []
    monkeypatch.setattr(lockholder, "_linux_process", lambda pid: checked.append(pid))
    monkeypatch.setattr(lockholder.os, "kill", lambda pid, signal: checked.append(pid))
    note = junk.replace(b'"M"', json.dumps(machine).encode())
    assert lockholder.verdict(note, machine) is None
    assert checked == []  # never pid 0 or -1 (a process group, every process), never a made-up number


def test_a_large_or_hostile_note_leaves_the_wait_to_the_time_limit(tmp_path):
    folder = tmp_path / "cache"
    with cache.open_cache(Settings(cache_dir=str(folder))) as disk:
        assert disk.read(CACHE_KEY) is None
    lock_file = folder / (cache.entry_name(CACHE_KEY) + ".lock")
    lock_file.touch(mode=0o600)
    lock_file.write_bytes(b"[" * 100_000 + b'{"pid": 1}')
    holder = Holder(lock_file)
    try:
        thread, outcome = wait_in_thread(folder, 0.5)
        thread.join(timeout=60)
    finally:
        holder.release()
    assert [token.value for token in outcome] == ["waiter's", "waiter's"]


# -- how long is long enough ------------------------------------------------------------------


def test_the_wait_limit_is_a_healthy_fetch_not_the_worst_case():
    defaults = Settings()
    assert token_source.wait_limit(defaults) == 10.0
    for settings in (defaults, Settings(role_arn=ROLE), Settings(timeout=300, role_arn=ROLE), Settings(timeout=0.5)):
        assert token_source.wait_limit(settings) <= token_source.fetch_budget(settings)
    assert token_source.wait_limit(Settings(timeout=300, role_arn=ROLE)) < token_source.fetch_budget(Settings(timeout=300, role_arn=ROLE)) / 10
    assert token_source.wait_limit(Settings(timeout=60)) > token_source.wait_limit(defaults)  # a slow network, said so
