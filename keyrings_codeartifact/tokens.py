"""Where tokens come from: this process's memory, then the disk cache, then AWS.

A token is served only while more than a margin of its life is left, as
botocore's refreshable credentials do, so that no client is handed a token that
expires mid-download; past that it is fetched anew, and if that fails the user
gets the error, never the old token.
"""

import logging
import os
import time
from typing import Callable, Dict, Mapping, Optional, Tuple

from .authtoken import Token, is_fresh

log = logging.getLogger(__name__)


def identity(settings, environ: Mapping[str, str]) -> str:
    """Who asks AWS, named so that it stays the same across refreshed SSO and
    assumed-role sessions (a profile name, not a temporary access key id),
    following botocore's order: explicit keys, explicit profile, environment keys,
    AWS_PROFILE, the default chain."""
    if settings.aws_access_key_id:
        who = f"keys:{settings.aws_access_key_id}"
    elif settings.profile_name:
        who = f"profile:{settings.profile_name}"
    elif environ.get("AWS_ACCESS_KEY_ID"):
        who = f"env:{environ['AWS_ACCESS_KEY_ID']}"
    else:
        who = f"profile:{environ.get('AWS_PROFILE') or environ.get('AWS_DEFAULT_PROFILE') or 'default'}"
    if settings.role_arn:
        who += f" role:{settings.role_arn}"
    return who


def cache_key(endpoint, settings, environ: Mapping[str, str] = os.environ) -> Dict[str, object]:
    """What a token depends on: where, for whom, and for how long."""
    return {
        "partition": endpoint.partition,
        "region": endpoint.region,
        "domain": endpoint.domain,
        "owner": endpoint.owner,
        "identity": identity(settings, environ),
        "duration": settings.token_duration,
    }


class TokenSource:
    """Fresh tokens, from memory, the disk cache (when enabled and safe) or AWS."""

    def __init__(self, fetch: Callable[..., Token], clock: Callable[[], float] = time.time):
        self._fetch = fetch
        self._clock = clock
        self._memory: Dict[Tuple, Token] = {}

    def get(self, endpoint, settings) -> Token:
        """A fresh token for ``endpoint``, fetching one if need be."""
        key = cache_key(endpoint, settings)
        remembered = tuple(sorted(key.items()))
        token = self._memory.get(remembered)
        if not self._fresh(token, settings):
            token = self._from_disk_or_aws(key, endpoint, settings)
            self._memory[remembered] = token
        return token

    def _fresh(self, token: Optional[Token], settings) -> bool:
        return is_fresh(token, self._clock(), settings.refresh_margin)

    def _from_disk_or_aws(self, key, endpoint, settings) -> Token:
        with _disk_cache(settings) as disk:
            token = disk.read(key)
            if self._fresh(token, settings):
                log.debug("token for %s from the disk cache", endpoint.describe())
                return token
            return disk.fetch_through(
                key,
                fetch=lambda: self._fetch(endpoint, settings),
                wanted=lambda entry: self._fresh(entry, settings),
                budget=fetch_budget(settings),
            )


def _disk_cache(settings):
    """The disk cache these settings ask for: a DiskCache, or a NullCache (turned
    off, or unsafe)."""
    from .cache import open_cache

    return open_cache(settings)


STARTUP_SECONDS = 5.0  # importing botocore and making a client, on a slow machine


def fetch_budget(settings) -> float:
    """An upper bound, in seconds, of one token fetch with botocore's retries: every
    attempt may take ``timeout`` to connect and ``timeout`` to read, and botocore's
    standard retry mode waits at most min(2**n, 20) s (+5 s if AWS asks for more)
    before retry n. With ``role_arn``, AssumeRole comes first, with its own retries."""
    from .aws import MAX_ATTEMPTS

    backoff = sum(min(2.0 ** n, 20.0) + 5.0 for n in range(MAX_ATTEMPTS - 1))
    one_call = MAX_ATTEMPTS * 2 * settings.timeout + backoff
    return (2 if settings.role_arn else 1) * one_call + STARTUP_SECONDS
