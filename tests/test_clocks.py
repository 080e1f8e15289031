"""Clocks that disagree with AWS. The offset learnt from each token response's
``Date`` header judges lifetimes and freshness in AWS's time, so a machine whose
clock is a little or 10 minutes off reuses its tokens and never serves one after
it really expired.

Real botocore against the stand-in, whose clock (its ``Date`` header, each token's
``expiration``, the SigV4 skew it accepts) is shifted from this machine's; time
moves with the token source's injectable clock, or by ageing a cache entry,
instead of waiting."""

import time

import pytest

from helpers import KEYRING, URL, edit_entry, lookup, only_entry, read_entry, run, write_keyring_config
from keyrings_codeartifact import aws, settings, tokens
from keyrings_codeartifact.authtoken import MANDATORY_MARGIN
from keyrings_codeartifact.endpoint import parse
from keyrings_codeartifact.errors import CodeArtifactError

# AWS's clock minus this machine's, as the stand-in plays it.
SHIFTS = {"aws-2s-behind": -2.0, "aws-2s-ahead": 2.0, "aws-10min-ahead": 600.0}
shifts = pytest.mark.parametrize("shift", SHIFTS.values(), ids=SHIFTS.keys())


class Clock:
    """This machine's clock for a token source: real time plus an offset the test moves."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def set_aws_time(self, standin, aws_time: float) -> None:
        """Move this clock so that the stand-in's (AWS's) time reads ``aws_time`` now."""
        self.offset = aws_time - standin.now()


def token_source(clock: Clock):
    """Tokens for URL as a new process would get them: an empty memory, the disk cache, AWS."""
    source = tokens.TokenSource(aws.fetch_token, clock=clock)
    endpoint = parse(URL)
    return lambda: source.get(endpoint, settings.load(endpoint)).value


# -- a skewed clock reuses its tokens ---------------------------------------------------


@shifts
def test_four_lookups_of_a_12_hour_token_make_one_call(standin, cache_dir, shift):
    write_keyring_config("[codeartifact]\ntoken_duration = 43200\n")
    standin.clock_shift = shift
    assert len({lookup() for _ in range(4)}) == 1
    assert len(standin.token_requests()) == 1


@shifts
def test_four_keyring_get_processes_of_a_12_hour_token_make_one_call(standin, cache_dir, shift):
    write_keyring_config("[codeartifact]\ntoken_duration = 43200\n")
    standin.clock_shift = shift
    results = [run(KEYRING, "get", URL, "aws") for _ in range(4)]
    assert [r.returncode for r in results] == [0] * 4, results[0].stderr
    assert len({r.stdout for r in results}) == 1
    assert len(standin.token_requests()) == 1
    assert read_entry(only_entry(cache_dir))["offset"] == pytest.approx(shift, abs=1.5)


# -- a skewed clock never serves an expired token ---------------------------------------


@shifts
@pytest.mark.parametrize("duration", [900, 3600, 43200])
def test_no_token_is_served_inside_its_last_minutes_by_aws_clock(standin, cache_dir, shift, duration):
    """Served while AWS fails up to the mandatory window (in AWS's time), never inside it,
    neither from memory nor, in a new process, from the disk cache."""
    write_keyring_config(f"[codeartifact]\ntoken_duration = {duration}\n")
    standin.clock_shift = shift
    clock = Clock()
    get = token_source(clock)
    first = get()
    expires_at = standin.issued[first]["expires_at"]  # AWS's clock
    margin = min(MANDATORY_MARGIN, duration / 4)
    standin.fault = "deny"
    clock.set_aws_time(standin, expires_at - margin - 5)  # advisory window: kept while AWS fails
    assert get() == first
    clock.set_aws_time(standin, expires_at - margin + 1)
    with pytest.raises(CodeArtifactError, match="access denied"):
        get()
    with pytest.raises(CodeArtifactError, match="access denied"):
        token_source(clock)()  # a new process, reading the disk cache
    clock.set_aws_time(standin, expires_at + 1)
    with pytest.raises(CodeArtifactError, match="access denied"):
        token_source(clock)()
    standin.fault = None
    assert get() not in ("", first)


@shifts
def test_a_keyring_get_process_never_serves_a_token_in_its_last_minutes_by_aws_clock(standin, cache_dir, shift):
    """The entry is aged instead of waiting: it keeps the offset its fetch learnt, and
    by AWS's clock its token has 250 s left, inside the 5-minute mandatory window."""
    write_keyring_config("[codeartifact]\ntoken_duration = 3600\n")
    standin.clock_shift = shift
    first = run(KEYRING, "get", URL, "aws").stdout.strip()
    aws_now = standin.now()
    edit_entry(only_entry(cache_dir), issued_at=aws_now - 3600 + 250, expires_at=aws_now + 250)
    standin.fault = "deny"
    refused = run(KEYRING, "get", URL, "aws")
    assert refused.returncode != 0 and refused.stdout.strip() == ""
    standin.fault = None
    second = run(KEYRING, "get", URL, "aws")
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() not in ("", first)
    assert len(standin.token_requests()) == 3
