"""Clocks that disagree with AWS. The offset learnt from each token response's
``Date`` header judges lifetimes and freshness by the later of AWS's clock and this
machine's, so a machine whose clock is a little or 10 minutes off reuses its tokens
and never serves one after it really expired, and a ``Date`` re-stamped behind
AWS's (a proxy's) cannot keep a token longer.

Real botocore against the stand-in, whose clock (its ``Date`` header, each token's
``expiration``, the SigV4 skew it accepts) is shifted from this machine's; time
moves with the token source's injectable clock, or by ageing a cache entry,
instead of waiting."""

import base64
import calendar
import email.utils
import json
import re
import time

import pytest

from helpers import (
    CLI,
    KEYRING,
    URL,
    cache_entries,
    edit_entry,
    lookup,
    only_entry,
    read_entry,
    run,
    write_keyring_config,
)
from keyrings_codeartifact import aws, settings
from keyrings_codeartifact.endpoint import parse
from keyrings_codeartifact.errors import CodeArtifactError
from keyrings_codeartifact.token_record import (
    CLOCK_SLACK,
    MANDATORY_MARGIN,
    MAX_DURATION,
    MAX_OFFSET,
    Token,
    is_fresh,
    measured_offset,
    trusted,
)
from keyrings_codeartifact.token_source import TokenSource

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
    source = TokenSource(aws.fetch_token, clock=clock)
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


# -- a Date header behind AWS's clock never keeps a token longer --------------------------

# A Date re-stamped behind AWS's clock (by a proxy, say), yet within SigV4's skew, so that
# it passes for AWS's. AWS's real clock is this machine's in these tests.
RESTAMPED = {"date-14min-behind": -840.0, "date-5min-behind": -300.0}
restamped = pytest.mark.parametrize("date_shift", RESTAMPED.values(), ids=RESTAMPED.keys())


@restamped
def test_a_date_behind_aws_never_serves_a_token_in_its_last_minutes(standin, cache_dir, date_shift):
    """The offset it shows would push the token's end later: it is not used for that,
    neither from memory nor, in a new process, from the disk cache."""
    write_keyring_config("[codeartifact]\ntoken_duration = 3600\n")
    standin.date_header = email.utils.formatdate(time.time() + date_shift, usegmt=True)
    clock = Clock()
    get = token_source(clock)
    first = get()
    assert read_entry(only_entry(cache_dir))["offset"] == pytest.approx(date_shift, abs=1.5)
    expires_at = standin.issued[first]["expires_at"]
    standin.fault = "deny"
    clock.set_aws_time(standin, expires_at - MANDATORY_MARGIN - 5)
    assert get() == first
    clock.set_aws_time(standin, expires_at - MANDATORY_MARGIN + 1)
    with pytest.raises(CodeArtifactError, match="access denied"):
        get()
    with pytest.raises(CodeArtifactError, match="access denied"):
        token_source(clock)()


@restamped
def test_a_date_behind_aws_never_moves_the_credential_helper_s_expires_later(standin, cache_dir, date_shift):
    """Bazel reuses the headers until ``expires``: that is never after AWS's expiry less the margin."""
    from keyrings_codeartifact import credential_helper

    standin.date_header = email.utils.formatdate(time.time() + date_shift, usegmt=True)
    answer = credential_helper.response(URL)
    [value] = answer["headers"]["Authorization"]
    token = base64.b64decode(value.split()[1]).decode().partition(":")[2]
    expires = calendar.timegm(time.strptime(str(answer["expires"]), "%Y-%m-%dT%H:%M:%SZ"))
    assert expires <= standin.issued[token]["expires_at"] - MANDATORY_MARGIN


# -- what a cache entry must hold ---------------------------------------------------------


def test_an_entry_without_an_offset_is_a_miss_and_is_rewritten_with_one(standin, cache_dir):
    """An entry of an older version: its times mix this machine's clock and AWS's."""
    first = lookup()
    data = read_entry(only_entry(cache_dir))
    del data["offset"]
    only_entry(cache_dir).write_text(json.dumps(data))
    second = lookup()
    assert second not in ("", first) and "offset" in read_entry(only_entry(cache_dir))
    assert lookup() == second
    assert len(standin.token_requests()) == 2


FORGED_OFFSETS = {
    "beyond-sigv4-ahead": MAX_OFFSET + 1,
    "beyond-sigv4-behind": -MAX_OFFSET - 1,
    "a-day": 86400.0,
    "string": "600",
    "boolean": True,
    "null": None,
}


@pytest.mark.parametrize("offset", FORGED_OFFSETS.values(), ids=FORGED_OFFSETS.keys())
def test_an_entry_with_an_offset_aws_cannot_have_is_a_miss(standin, cache_dir, offset):
    """Times consistent with the offset, so only the offset gives the forgery away."""
    lookup()
    shift = offset if isinstance(offset, float) else 0.0
    aws_now = time.time() + shift
    edit_entry(only_entry(cache_dir), token="forged", offset=offset, issued_at=aws_now, expires_at=aws_now + 3600)
    assert lookup() not in ("", "forged")
    assert len(standin.token_requests()) == 2 and len(cache_entries(cache_dir)) == 1


# -- the boundaries of the clock rules ----------------------------------------------------

NOW = 1_700_000_000.0  # this machine's time in the unit tests below


@pytest.mark.parametrize("offset, edge", [
    (0.0, NOW + 3600 - MANDATORY_MARGIN),
    (600.0, NOW + 3600 - MANDATORY_MARGIN - 600),  # when AWS's clock, 10 min ahead, reads expiry - margin
    (-600.0, NOW + 3600 - MANDATORY_MARGIN),  # by this machine's clock: AWS's behind would be later
], ids=["in-step", "aws-ahead", "aws-behind"])
def test_freshness_is_judged_by_the_later_clock_up_to_the_margin_exactly(offset, edge):
    token = Token("t", NOW, NOW + 3600, offset)
    assert token.left(edge) == MANDATORY_MARGIN
    assert token.served_until(MANDATORY_MARGIN) == edge
    assert is_fresh(token, edge - 1, MANDATORY_MARGIN)
    assert not is_fresh(token, edge, MANDATORY_MARGIN)


@pytest.mark.parametrize("offset", [-MAX_OFFSET, -600.0, -1.0, 0.0, 1.0, 600.0, MAX_OFFSET])
@pytest.mark.parametrize("duration", [900, 3600, MAX_DURATION])
def test_an_offset_only_ever_ends_a_token_sooner(offset, duration):
    """Against the same token judged by this machine's clock alone (fetched with no Date):
    the offset's record, issued_at by AWS's clock, never moves its end or the margin's later."""
    received_at = NOW
    expires_at = received_at + offset + duration  # what AWS, offset ahead of this machine, sends
    judged = Token("t", received_at + offset, expires_at, offset)
    unaided = Token("t", received_at, expires_at, 0.0)
    assert judged.served_until(MANDATORY_MARGIN) <= unaided.served_until(MANDATORY_MARGIN)
    for now in (received_at, judged.served_until(MANDATORY_MARGIN), unaided.served_until(MANDATORY_MARGIN)):
        assert judged.left(now) <= unaided.left(now)
        assert not is_fresh(judged, now, MANDATORY_MARGIN) or is_fresh(unaided, now, MANDATORY_MARGIN)


@pytest.mark.parametrize("offset", [0.0, 600.0, -600.0])
def test_a_lifetime_of_12_hours_and_the_slack_is_plausible_one_second_more_is_not(offset):
    issued_at = NOW + offset - 60
    assert Token("t", issued_at, issued_at + MAX_DURATION + CLOCK_SLACK, offset).plausible(NOW)
    assert not Token("t", issued_at, issued_at + MAX_DURATION + CLOCK_SLACK + 1, offset).plausible(NOW)
    assert not Token("t", issued_at, issued_at, offset).plausible(NOW)


@pytest.mark.parametrize("offset", [0.0, 600.0, -600.0])
def test_issued_up_to_the_slack_in_the_future_by_aws_clock_is_plausible_one_second_more_is_not(offset):
    aws_now = NOW + offset
    assert Token("t", aws_now + CLOCK_SLACK, aws_now + CLOCK_SLACK + 3600, offset).plausible(NOW)
    assert not Token("t", aws_now + CLOCK_SLACK + 1, aws_now + CLOCK_SLACK + 3601, offset).plausible(NOW)


@pytest.mark.parametrize("sign", [1, -1])
def test_an_offset_up_to_sigv4_skew_and_the_slack_is_trusted_one_second_more_is_not(sign):
    for offset, expected in ((MAX_OFFSET, True), (MAX_OFFSET + 1, False)):
        offset *= sign
        assert trusted(offset) is expected
        aws_now = NOW + offset
        assert Token("t", aws_now, aws_now + 3600, offset).plausible(NOW) is expected


def test_the_measured_offset_takes_the_latest_second_a_date_header_may_stand_for():
    assert measured_offset(NOW + 600, NOW) == 601.0  # "Date: ...:00" stands for :00.000 to :00.999
    assert measured_offset(NOW - 2, NOW + 0.25) == -1.25


@pytest.mark.parametrize("date_header", ["", "not a date", "Sun, 31 Dec 9999 23:59:59 GMT"],
                         ids=["none", "unreadable", "year-9999"])
def test_without_a_readable_date_the_offset_is_zero(standin, date_header):
    standin.date_header = date_header
    token, measured = aws.fetch_token_and_offset(parse(URL), settings.load(parse(URL)))
    assert token.offset == 0.0 and (measured is None or not trusted(measured))
    assert token.issued_at <= time.time()


# -- explain --check ----------------------------------------------------------------------


@pytest.mark.parametrize("shift, date_shift, shown", [
    (0.0, None, r"agrees with AWS \(within 5 s\)"),
    (600.0, None, r"this machine's clock is 10 min [01] s behind AWS; tokens are judged by AWS's clock"),
    (-600.0, None, r"this machine's clock is (9 min 59|10 min 0) s ahead of AWS; tokens are judged by this "
                   r"machine's clock, the later one \(a Date behind never keeps a token longer\)"),
    (0.0, 7200.0, r"the Date header is (1 h 59 min|2 h 0 min) ahead of this machine's clock, more than AWS accepts .*: "
                  r"tokens are judged by this machine's clock"),
    (0.0, "", r"AWS sent no Date header: tokens are judged by this machine's clock"),
], ids=["in-step", "10-min-behind", "10-min-ahead", "proxy-date", "no-date"])
def test_explain_check_shows_how_this_clock_stands_to_aws(standin, shift, date_shift, shown):
    standin.clock_shift = shift
    if date_shift is not None:
        standin.date_header = date_shift if date_shift == "" else email.utils.formatdate(
            time.time() + date_shift, usegmt=True)
    result = run(CLI, "explain", "--check", URL)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"\n  clock: +" + shown + "\n", result.stdout), result.stdout
