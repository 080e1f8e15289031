"""Where tokens come from: this process's memory, then the disk cache, then AWS.

Refreshing follows botocore's refreshable credentials. Inside the *advisory*
window (``advisory_margin``, 15 minutes of life left) a token is refreshed if
AWS answers; if it does not, the still-valid token is served and one warning is
logged. Inside the *mandatory* window (``refresh_margin``, 5 minutes) a token is
never served: the refresh must succeed, or the user gets the error. A short token
uses a quarter of its life for either margin if that is shorter. An expired token
is never served.

Tokens are kept per cache key (endpoint, identity, duration): the identity is a
digest of every input that can change who botocore asks as (``fingerprint``), so
one principal's token never goes back to another. The key is computed again after
each fetch: if the inputs changed meanwhile (a profile rewritten while this lookup
waited for another's fetch), the token is served to this lookup only, neither kept
nor written under a key that no longer names its principal. A lock per key makes
the threads of a host program (poetry downloads in threads) wait for one fetch
instead of each making one.
"""

import logging
import os
import threading
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Callable, Optional, Union

from . import fingerprint
from .authtoken import Token, is_fresh
from .errors import CodeArtifactError

if TYPE_CHECKING:
    from .cache import DiskCache, NullCache
    from .endpoint import Endpoint
    from .settings import Settings

log = logging.getLogger(__name__)

RETRY_ADVISORY_AFTER = 60.0  # seconds: a failed advisory refresh is not retried sooner

_Remembered = tuple[tuple[str, object], ...]  # a cache key as a dict key: its sorted items
Served = Callable[[str, dict[str, object]], None]  # told where a token came from, and its cache key


def cache_key(
    endpoint: "Endpoint", settings: "Settings", environ: Mapping[str, str] = os.environ
) -> dict[str, object]:
    """What a token depends on: where (``where``), for whom, and for how long."""
    return {
        **where(endpoint),
        "identity": fingerprint.identity_key(settings, environ),
        "duration": settings.token_duration,
    }


def where(endpoint: "Endpoint") -> dict[str, object]:
    """The part of a cache key that names the endpoint's domain: partition, region,
    domain and owner (a domain's repositories share its tokens)."""
    return {
        "partition": endpoint.partition,
        "region": endpoint.region,
        "domain": endpoint.domain,
        "owner": endpoint.owner,
    }


def belongs_to(key: Mapping[str, object], endpoint: "Endpoint") -> bool:
    """Whether the cache key ``key`` is for ``endpoint``'s domain, owner and region."""
    return all(key.get(name) == value for name, value in where(endpoint).items())


STARTUP_SECONDS = 5.0  # importing botocore and making a client, on a slow machine


def fetch_budget(settings: "Settings") -> float:
    """An upper bound, in seconds, of one token fetch with botocore's retries: every
    attempt may take ``timeout`` to connect and ``timeout`` to read, and botocore's
    standard retry mode waits at most min(2**n, 20) s (+5 s if AWS asks for more)
    before retry n. With ``role_arn``, AssumeRole comes first, with its own retries."""
    from .aws import MAX_ATTEMPTS

    backoff = sum(min(2.0 ** n, 20.0) + 5.0 for n in range(MAX_ATTEMPTS - 1))
    one_call = MAX_ATTEMPTS * 2 * settings.timeout + backoff
    return (2 if settings.role_arn else 1) * one_call + STARTUP_SECONDS


HEALTHY_CALL = 5.0  # seconds an answering AWS call takes at most (or half the timeout, if longer)


def wait_limit(settings: "Settings") -> float:
    """How long, in seconds, a lookup waits for another process's fetch of the same
    token before asking AWS itself: what a healthy fetch takes on a slow machine
    (start-up, then each call answered within half a ``timeout``), never more than
    ``fetch_budget``. 10 s with the defaults."""
    calls = 2 if settings.role_arn else 1
    return min(fetch_budget(settings), STARTUP_SECONDS + calls * max(HEALTHY_CALL, settings.timeout / 2))


class _InputsChanged(Exception):
    """The inputs of a cache key changed while its token was fetched: the token is
    served to this lookup, never remembered or written under the old key."""

    def __init__(self, token: Token) -> None:
        super().__init__("the AWS setup changed during the fetch")
        self.token = token


class TokenSource:
    """Fresh tokens, from memory, the disk cache (when enabled and safe) or AWS."""

    def __init__(
        self, fetch: Callable[["Endpoint", "Settings"], Token], clock: Callable[[], float] = time.time
    ) -> None:
        self._fetch = fetch
        self._clock = clock
        self._memory: dict[_Remembered, Token] = {}
        self._advisory_failed: dict[_Remembered, float] = {}  # key -> when a refresh last failed
        self._locks: dict[_Remembered, threading.Lock] = {}  # one per key: other endpoints never wait
        self._locks_lock = threading.Lock()

    def get(self, endpoint: "Endpoint", settings: "Settings", served: Optional[Served] = None) -> Token:
        """A token for ``endpoint`` with more than the mandatory margin of life left;
        ``served``, if given, is told where it came from ("memory", "cache" or "AWS")
        and its cache key."""
        key = cache_key(endpoint, settings)
        remembered = tuple(sorted(key.items()))
        with self._lock_for(remembered):
            token = self._memory.get(remembered)
            source = "memory"
            if not self._refresh_due(remembered, token, settings):
                _tell(served, source, key)
                return token  # type: ignore[return-value]
            from .cache import open_cache

            with open_cache(settings) as cache:
                stored = cache.read(key)
                if stored is not None and (token is None or stored.expires_at > token.expires_at):
                    log.debug("token for %s from the disk cache", endpoint.describe())
                    token, source = stored, "cache"
                due = self._refresh_due(remembered, token, settings)
                if due and not self._recently_failed(cache, key, token, settings):
                    try:
                        token, source = self._refresh(cache, key, remembered, (token, source), endpoint, settings)
                    except _InputsChanged as changed:
                        log.debug("the AWS setup changed during the fetch; the token is not cached")
                        _tell(served, "AWS", key)
                        return changed.token
            # Not None: a missing token is always due, and a due one is fetched or raises.
            self._memory[remembered] = token  # type: ignore[assignment]
            _tell(served, source, key)
            return token  # type: ignore[return-value]

    def _lock_for(self, remembered: _Remembered) -> threading.Lock:
        with self._locks_lock:
            return self._locks.setdefault(remembered, threading.Lock())

    def _refresh_due(self, remembered: _Remembered, token: Optional[Token], settings: "Settings") -> bool:
        now = self._clock()
        if not is_fresh(token, now, settings.refresh_margin):
            return True  # missing, expired, or inside the mandatory window
        if is_fresh(token, now, settings.advisory_margin):
            return False
        return now - self._advisory_failed.get(remembered, -RETRY_ADVISORY_AFTER) >= RETRY_ADVISORY_AFTER

    def _recently_failed(
        self,
        cache: Union["DiskCache", "NullCache"],
        key: dict[str, object],
        token: Optional[Token],
        settings: "Settings",
    ) -> bool:
        """Inside the advisory window: whether any process failed to refresh this token
        lately, so that an outage does not make every new process wait for AWS."""
        now = self._clock()
        if not is_fresh(token, now, settings.refresh_margin):
            return False  # mandatory: always try
        failed = cache.failed_since(key, now - RETRY_ADVISORY_AFTER)
        if failed:
            log.debug("a refresh failed lately; serving the cached token, still valid")
        return failed

    def _refresh(
        self,
        cache: Union["DiskCache", "NullCache"],
        key: dict[str, object],
        remembered: _Remembered,
        had: tuple[Optional[Token], str],
        endpoint: "Endpoint",
        settings: "Settings",
    ) -> tuple[Token, str]:
        """A new token and where it came from ("AWS", or "cache" if another process
        fetched it meanwhile); or, if AWS fails inside the advisory window, ``had``."""
        token = had[0]
        fetched: list[Token] = []

        def fetch() -> Token:
            fetched.append(self._fetch_for(key, endpoint, settings))
            return fetched[-1]

        try:
            found = cache.fetch_through(
                key,
                fetch,
                wanted=lambda found: is_fresh(found, self._clock(), settings.advisory_margin),
                budget=wait_limit(settings),
            )
            return found, ("AWS" if fetched else "cache")
        except CodeArtifactError as error:
            if not is_fresh(token, self._clock(), settings.refresh_margin):
                raise
            self._advisory_failed[remembered] = self._clock()
            minutes = int(token.left(self._clock()) // 60)  # type: ignore[union-attr]
            log.warning("%s; serving the cached token, still valid for %d min", error, minutes)
            return had  # type: ignore[return-value]

    def _fetch_for(self, key: dict[str, object], endpoint: "Endpoint", settings: "Settings") -> Token:
        """A new token, if the inputs of ``key`` are still those it was computed from;
        else _InputsChanged with it (botocore may have read the new ones)."""
        token = self._fetch(endpoint, settings)
        if cache_key(endpoint, settings) != key:
            raise _InputsChanged(token)
        return token


def _tell(served: Optional[Served], source: str, key: dict[str, object]) -> None:
    if served is not None:
        served(source, key)
