"""Faults in the cache: in every case no crash, no expired token served, nothing
secret written where it should not be, and the next lookup recovers."""

import errno
import json
import os
import signal
import subprocess
import time

import pytest

from helpers import BIN, URL, cache_entries, edit_entry, lookup, only_entry, read_entry
from keyrings_codeartifact import aws, cache, token_source
from keyrings_codeartifact.endpoint import parse
from keyrings_codeartifact.settings import Settings


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give a file to another user")
def test_entry_of_another_user_is_not_used_and_is_replaced(standin, cache_dir, caplog):
    lookup()
    os.chown(only_entry(cache_dir), 65534, 65534)
    token = lookup()
    assert len(standin.token_requests()) == 2
    assert only_entry(cache_dir).stat().st_uid == os.getuid()
    assert read_entry(only_entry(cache_dir))["token"] == token
    assert "it belongs to another user" in caplog.text


def test_group_writable_entry_is_not_used(standin, cache_dir, caplog):
    lookup()
    only_entry(cache_dir).chmod(0o620)
    lookup()
    assert len(standin.token_requests()) == 2
    assert "it is writable by group or others" in caplog.text


@pytest.mark.parametrize("code", [errno.EROFS, errno.ENOSPC, errno.EACCES], ids=["read-only", "disk-full", "no-permission"])
def test_a_failed_write_still_serves_the_token_and_leaves_nothing(standin, cache_dir, caplog, monkeypatch, code):
    def failing_dump(payload, file):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(cache.json, "dump", failing_dump)
    token = lookup()
    assert token in standin.issued
    assert cache_entries(cache_dir) == [] and list(cache_dir.glob(".tmp-*")) == []
    warnings = [r.getMessage() for r in caplog.records if "could not be saved" in r.getMessage()]
    assert len(warnings) == 1 and os.strerror(code) in warnings[0]
    lookup()  # warned once only
    assert len([r for r in caplog.records if "could not be saved" in r.getMessage()]) == 1


def test_a_process_killed_mid_write_never_leaves_a_torn_entry(standin, cache_dir, tmp_path):
    key = token_source.cache_key(parse(URL), Settings())
    cache_dir.mkdir(parents=True, mode=0o700)
    path = cache_dir / cache.entry_name(key)
    tokens_written = [f"token-{n}-" + "x" * 12_000 for n in range(2)]  # big, to widen the window
    writer = (
        "import sys, json, time\n"
        "from pathlib import Path\n"
        "from keyrings_codeartifact.cache import DiskCache\n"
        "from keyrings_codeartifact.token_record import Token\n"
        "key = json.loads(sys.argv[2]); cache = DiskCache.open(Path(sys.argv[1]))\n"
        "values = [f'token-{n}-' + 'x' * 12_000 for n in range(2)]\n"
        "n = 0\n"
        "while True:\n"
        "    cache.write(key, Token(values[n % 2], time.time(), time.time() + 3600)); n += 1\n"
    )
    seen = 0
    for attempt in range(15):
        process = subprocess.Popen([str(BIN / "python"), "-c", writer, str(cache_dir), json.dumps(key)])
        time.sleep(0.05 + attempt * 0.02)
        process.send_signal(signal.SIGKILL)
        process.wait()
        if path.exists():  # whole, whatever moment the writer was killed at
            assert json.loads(path.read_bytes())["token"] in tokens_written
            seen += 1
    assert seen  # writes did land
    # Leftover temporary files are harmless, and `cache clear` sweeps them once they are
    # a minute old (a younger one may be a write under way).
    assert lookup() in tokens_written
    minutes_ago = time.time() - cache.WRITING_SECONDS - 60
    for leftover in cache_dir.glob(".tmp-*"):
        os.utime(leftover, (minutes_ago, minutes_ago))
    with cache.DiskCache.open(cache_dir) as disk:
        disk.clear()
    assert list(cache_dir.iterdir()) == []


def test_clock_moved_past_expiry_fetches_anew(standin, cache_dir):
    cached = lookup()
    later = token_source.TokenSource(aws.fetch_token, clock=lambda: time.time() + 7200)
    fresh = later.get(parse(URL), Settings())
    assert fresh.value != cached
    assert len(standin.token_requests()) == 2
    assert read_entry(only_entry(cache_dir))["token"] == fresh.value


def test_an_expired_entry_is_never_served_even_if_aws_fails(standin, cache_dir):
    lookup()
    edit_entry(only_entry(cache_dir), expires_at=time.time() - 1)
    standin.fault = "error"
    with pytest.raises(Exception) as caught:
        lookup()
    assert "codeartifact-keyring: cannot get a token" in str(caught.value)
