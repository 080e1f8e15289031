"""The domain record: an authorization token, its lifetime, and when to refresh it.

Freshness follows botocore's refreshable credentials: inside the *advisory*
window a token should be refreshed, but may still be served if AWS cannot give
a new one; inside the *mandatory* window it must not be served at all.

Lifetimes are judged by the later of AWS's clock and this machine's, so that a
token is never served past its end by either: AWS's ``expiration`` is absolute,
and botocore corrects no clock skew. Each token carries the offset between the
two clocks, learnt from the ``Date`` header of the response that brought it
(``measured_offset``, when ``trusted``). Only an offset showing AWS *ahead* is
applied: it makes a token end sooner by this machine's clock. One showing AWS
behind would make it end later, and a proxy that re-stamps ``Date`` could forge
that (within SigV4's 15 minutes), so it is not applied; the cost, on a machine
whose clock really runs ahead of AWS's, is refreshing that much earlier.
"""

from typing import NamedTuple, Optional

MIN_DURATION = 900  # seconds: the shortest token AWS issues (15 min); 0 asks for the role session's
MAX_DURATION = 43200  # seconds: the longest token AWS issues (12 h)
ADVISORY_MARGIN = 900.0  # seconds left: try to refresh, keep serving if that fails
MANDATORY_MARGIN = 300.0  # seconds left: never served; refresh or fail
CLOCK_SLACK = 5.0  # seconds: a Date header's whole seconds, and a response's time on the way
SIGV4_SKEW = 900.0  # seconds: AWS refuses a request signed further from its own clock
MAX_OFFSET = SIGV4_SKEW + CLOCK_SLACK  # a Date further off than this is not AWS's clock


class Token(NamedTuple):
    """An authorization token and its lifetime, in epoch seconds by AWS's clock, and
    ``offset``: AWS's clock minus this machine's when it was fetched (0: unknown).
    Freshness applies the offset only where it is positive (``ahead``)."""

    value: str
    issued_at: float
    expires_at: float
    offset: float = 0.0

    @property
    def ahead(self) -> float:
        """How far AWS's clock is taken to be ahead of this machine's when judging
        freshness: the offset if positive, else 0 (never makes a token last longer)."""
        return max(self.offset, 0.0)

    def left(self, now: float) -> float:
        """Seconds of life left at ``now``, this machine's time, by the later of the
        two clocks (so never more than by either)."""
        return self.expires_at - (now + self.ahead)

    def usable(self, now: float, margin: float) -> bool:
        """Whether more than ``margin`` seconds of life are left at ``now`` (this machine's time).

        A short-lived token uses a quarter of its life instead, if that is shorter,
        so that a 15-minute token is not always "due"."""
        lifetime = self.expires_at - self.issued_at
        return self.left(now) > min(margin, lifetime / 4)

    def served_until(self, margin: float) -> float:
        """The moment, by this machine's clock, from which ``usable(now, margin)`` is False:
        when a lookup stops serving this token (a tool may reuse it until then)."""
        lifetime = self.expires_at - self.issued_at
        return self.expires_at - self.ahead - min(margin, lifetime / 4)

    def plausible(self, now: float) -> bool:
        """Whether AWS could have issued this token, seen at ``now`` (this machine's time):
        an offset that SigV4 allows, not issued in the future by AWS's clock, and a
        lifetime of at most 12 hours, each give or take CLOCK_SLACK."""
        return (
            abs(self.offset) <= MAX_OFFSET
            and self.issued_at <= now + self.offset + CLOCK_SLACK
            and 0 < self.expires_at - self.issued_at <= MAX_DURATION + CLOCK_SLACK
        )


def well_formed(value: str) -> bool:
    """Whether ``value`` can be a token: printable ASCII, no whitespace. A token goes into
    headers, netrc lines and ``$GITHUB_ENV``, where a line break would start a line of
    its own (another variable, an unmasked secret)."""
    return bool(value) and value.isascii() and value.isprintable() and " " not in value


def is_fresh(token: Optional[Token], now: float, margin: float) -> bool:
    """Whether ``token`` may be handed out at ``now`` without refreshing (None: no)."""
    return token is not None and token.usable(now, margin)


def measured_offset(date: float, received_at: float) -> float:
    """AWS's clock minus this machine's, from a response whose ``Date`` header reads
    ``date`` (epoch seconds, rounded down by the header) and that arrived at
    ``received_at`` (this machine's time). The latest second the header may stand
    for is taken, so that an error leans towards refreshing early, not late."""
    return date + 1.0 - received_at


def trusted(offset: float) -> bool:
    """Whether a measured offset can be AWS's: AWS answered a request signed by this
    machine's clock, which it refuses beyond 15 minutes of skew, so a Date further off
    is another clock's (a proxy's, say), and tokens are judged by this machine's."""
    return abs(offset) <= MAX_OFFSET
