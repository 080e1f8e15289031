"""Tokens remembered between lookups, and refreshed ahead of expiry.

A token is served only while more than a margin of its life is left, as
botocore's refreshable credentials do, so that no client is handed a token that
expires mid-download. Within one process this memory means twine's and
poetry's double lookups cost one API call.
"""

import time
from typing import Callable, Dict, Hashable, Optional

from .aws import Token

REFRESH_MARGIN = 300.0  # seconds; a quarter of the lifetime for shorter tokens


def is_fresh(token: Token, now: float) -> bool:
    """Whether ``token`` may still be handed out at ``now``."""
    lifetime = token.expires_at - token.issued_at
    margin = min(REFRESH_MARGIN, lifetime / 4)
    return now < token.expires_at - margin


def cache_key(endpoint, settings) -> Hashable:
    """What a token depends on: the endpoint, the identity and the duration."""
    return (
        endpoint.partition,
        endpoint.region,
        endpoint.domain,
        endpoint.owner,
        settings.profile_name,
        settings.role_arn,
        settings.aws_access_key_id,
        settings.endpoint_url,
        settings.token_duration,
    )


class TokenMemory:
    """Tokens kept in this process, fetched again when they are no longer fresh."""

    def __init__(self, fetch: Callable[..., Token], clock: Callable[[], float] = time.time):
        self._fetch = fetch
        self._clock = clock
        self._tokens: Dict[Hashable, Token] = {}

    def get(self, endpoint, settings) -> str:
        """Return a fresh token for ``endpoint``, fetching one if need be."""
        key = cache_key(endpoint, settings)
        token: Optional[Token] = self._tokens.get(key)
        if token is None or not is_fresh(token, self._clock()):
            token = self._fetch(endpoint, settings)
            self._tokens[key] = token
        return token.value
