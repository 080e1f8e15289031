"""Refreshing like botocore's refreshable credentials: an advisory window (refresh
if AWS answers, else keep serving), a mandatory window (refresh or fail), never an
expired token; and one call for many threads of one process.

Real botocore against the stand-in; the source's clock is moved forward instead
of waiting, and the stand-in's faults make AWS fail on demand."""

import logging
import sys
import threading
import time

import pytest

from helpers import KEYRING, URL, edit_entry, only_entry, run, write_keyring_config
from keyrings_codeartifact import aws, settings
from keyrings_codeartifact.backend import CodeArtifactBackend
from keyrings_codeartifact.endpoint import parse
from keyrings_codeartifact.errors import CodeArtifactError
from keyrings_codeartifact.token_source import RETRY_ADVISORY_AFTER, TokenSource

pytestmark = pytest.mark.windows

HOUR = 3600.0


class Clock:
    """Real time plus an offset the test moves."""

    def __init__(self):
        self.offset = 0.0

    def __call__(self) -> float:
        import time

        return time.time() + self.offset


@pytest.fixture(params=["cache on", "cache off"])
def source(request, standin):
    if request.param == "cache off":
        write_keyring_config("[codeartifact]\ncache = false\n")
    clock = Clock()
    token_source = TokenSource(aws.fetch_token, clock=clock)
    endpoint = parse(URL)

    def get():
        return token_source.get(endpoint, settings.load(endpoint)).value

    get.clock = clock
    return get


def test_inside_the_advisory_window_a_refresh_is_tried(standin, source):
    first = source()
    source.clock.offset = HOUR - 600  # ten minutes left: advisory, not mandatory
    second = source()
    assert second != first
    assert len(standin.token_requests()) == 2


def test_a_failed_advisory_refresh_keeps_serving_and_warns_once(standin, source, caplog):
    first = source()
    source.clock.offset = HOUR - 600
    standin.fault = "error"
    assert source() == first
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "serving the cached token, still valid for 9 min" in warnings[0]
    attempts = len(standin.requests())
    assert source() == first  # not retried at once: no second wait for a failing AWS
    assert len(standin.requests()) == attempts
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1
    standin.fault = None
    source.clock.offset += RETRY_ADVISORY_AFTER
    assert source() != first  # AWS is back: refreshed


def test_inside_the_mandatory_window_a_failed_refresh_is_an_error(standin, source):
    source()
    source.clock.offset = HOUR - 200  # under five minutes left
    standin.fault = "error"
    with pytest.raises(CodeArtifactError, match="InternalServerException"):
        source()


def test_an_expired_token_is_never_served(standin, source):
    source()
    source.clock.offset = HOUR + 1
    standin.fault = "deny"
    with pytest.raises(CodeArtifactError, match="access denied"):
        source()


@pytest.mark.parametrize("cache", ["true", "false"])
def test_sixteen_threads_of_one_process_make_one_call(standin, cache):
    write_keyring_config(f"[codeartifact]\ncache = {cache}\n")
    backend = CodeArtifactBackend()
    barrier = threading.Barrier(16)
    results = []

    def lookup():
        barrier.wait()
        results.append(backend.get_password(URL, "aws"))

    standin.fault = "slow"  # every thread arrives while the first call is under way
    threads = [threading.Thread(target=lookup) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 16 and len(set(results)) == 1
    assert len(standin.token_requests()) == 1


@pytest.mark.skipif(sys.platform == "win32", reason="starts bin/keyring, a POSIX path (see tests/conftest.py)")
def test_an_outage_in_the_advisory_window_costs_one_process_one_wait(standin, cache_dir):
    """pip's and uv's subprocess providers start a process per lookup: after one of
    them failed to refresh, the next ones serve the still-valid token at once."""
    first = run(KEYRING, "get", URL, "aws").stdout.strip()
    now = time.time()  # ten minutes left: inside the advisory window
    edit_entry(only_entry(cache_dir), issued_at=now - HOUR + 600, expires_at=now + 600)
    standin.fault = "error"
    failing = run(KEYRING, "get", URL, "aws")
    assert failing.stdout.strip() == first
    assert "serving the cached token, still valid for 9 min" in failing.stderr
    attempts = len(standin.requests())
    for _ in range(3):
        assert run(KEYRING, "get", URL, "aws").stdout.strip() == first
    assert len(standin.requests()) == attempts  # no further wait for a failing AWS
