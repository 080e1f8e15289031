"""The domain record: an authorization token, its lifetime, and when to refresh it.

Freshness follows botocore's refreshable credentials: inside the *advisory*
window a token should be refreshed, but may still be served if AWS cannot give
a new one; inside the *mandatory* window it must not be served at all.
"""

from typing import NamedTuple, Optional

MIN_DURATION = 900  # seconds: the shortest token AWS issues (15 min); 0 asks for the role session's
MAX_DURATION = 43200  # seconds: the longest token AWS issues (12 h)
ADVISORY_MARGIN = 900.0  # seconds left: try to refresh, keep serving if that fails
MANDATORY_MARGIN = 300.0  # seconds left: never served; refresh or fail


class Token(NamedTuple):
    """An authorization token and its lifetime, in epoch seconds."""

    value: str
    issued_at: float
    expires_at: float

    def left(self, now: float) -> float:
        """Seconds of life left at ``now``."""
        return self.expires_at - now

    def usable(self, now: float, margin: float) -> bool:
        """Whether more than ``margin`` seconds of life are left at ``now``.

        A short-lived token uses a quarter of its life instead, if that is shorter,
        so that a 15-minute token is not always "due"."""
        lifetime = self.expires_at - self.issued_at
        return now < self.expires_at - min(margin, lifetime / 4)


def is_fresh(token: Optional[Token], now: float, margin: float) -> bool:
    """Whether ``token`` may be handed out at ``now`` without refreshing (None: no)."""
    return token is not None and token.usable(now, margin)
