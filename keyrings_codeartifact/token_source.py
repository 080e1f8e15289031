"""Where tokens come from: this process's memory, then the disk cache, then AWS.

Refreshing follows botocore's refreshable credentials, as one explicit state
(``refresh_state``) that one flow (``TokenSource.get``) acts on. Inside the
*advisory* window (``advisory_margin``, 15 minutes of life left) a token is
refreshed if AWS answers; if it does not, the still-valid token is served and one
warning is logged, and for a minute no process tries again. Inside the
*mandatory* window (``refresh_margin``, 5 minutes) a token is never served: the
refresh must succeed, or the user gets the error. A short token uses a quarter of
its life for either margin if that is shorter. An expired token is never served.

Tokens are kept per cache key (``cache.cache_key``: endpoint, identity, duration):
the identity is a digest of every input that can change who botocore asks as
(``fingerprint``), so one principal's token never goes back to another. The key
is computed again after each fetch: if the inputs changed meanwhile (a profile
rewritten while this lookup waited for another's fetch), the token is served to
this lookup only, neither kept nor written under a key that no longer names its
principal. A lock per key makes the threads of a host program (poetry downloads in
threads) wait for one fetch instead of each making one.
"""

import time
from _thread import LockType, allocate_lock  # threading.Lock itself, as in lookup
from typing import TYPE_CHECKING, Callable, NamedTuple, Optional, Union

from . import loggers
from .cache import Cache, Key, cache_key, open_cache
from .errors import CodeArtifactError
from .settings import MAX_ATTEMPTS
from .token_record import Token

if TYPE_CHECKING:
    from .endpoint import Endpoint
    from .settings import Settings

__all__ = ["TokenSource", "cache_key", "fetch_budget", "refresh_state", "wait_limit"]  # cache_key: as before

log = loggers.get(__name__)

RETRY_ADVISORY_AFTER = 60.0  # seconds: a failed advisory refresh is not retried sooner
STARTUP_SECONDS = 5.0  # importing botocore and making a client, on a slow machine
HEALTHY_CALL = 5.0  # seconds an answering AWS call takes at most (or half the timeout, if longer)

_Remembered = tuple[tuple[str, object], ...]  # a cache key as a dict key: its sorted items
Served = Callable[[str, Key], None]  # told where a token came from ("memory", "cache", "AWS"), and its cache key


class Fresh(NamedTuple):
    """Served as it is: outside the advisory window, or inside it while a refresh
    failed less than RETRY_ADVISORY_AFTER ago (an outage does not make every lookup wait)."""

    token: Token


class Advisory(NamedTuple):
    """Inside the advisory window: refreshed if AWS answers, else served."""

    token: Token


class Due(NamedTuple):
    """Missing, expired or inside the mandatory window: never served; a new token, or the error."""


State = Union[Fresh, Advisory, Due]


def refresh_state(
    token: Optional[Token], now: float, settings: "Settings", failed_lately: Callable[[], bool] = lambda: False
) -> State:
    """What ``token`` needs at ``now`` (this machine's time) under the settings' margins;
    ``failed_lately`` (asked inside the advisory window only) says whether a refresh
    failed less than RETRY_ADVISORY_AFTER ago."""
    if token is None or not token.usable(now, settings.refresh_margin):
        return Due()
    if token.usable(now, settings.advisory_margin) or failed_lately():
        return Fresh(token)
    return Advisory(token)


def fetch_budget(settings: "Settings") -> float:
    """An upper bound, in seconds, of one token fetch with botocore's retries: every
    attempt may take ``timeout`` to connect and ``timeout`` to read, and botocore's
    standard retry mode waits at most min(2**n, 20) s (+5 s if AWS asks for more)
    before retry n. With ``role_arn``, AssumeRole comes first, with its own retries."""
    backoff = sum(min(2.0 ** n, 20.0) + 5.0 for n in range(MAX_ATTEMPTS - 1))
    one_call = MAX_ATTEMPTS * 2 * settings.timeout + backoff
    return (2 if settings.role_arn else 1) * one_call + STARTUP_SECONDS


def wait_limit(settings: "Settings") -> float:
    """How long, in seconds, a lookup waits for another process's fetch of the same
    token before asking AWS itself, when that process cannot be seen to run (not on
    Linux, another machine, no note): what a healthy fetch takes on a slow machine
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
        self._advisory_failed: dict[_Remembered, float] = {}  # key -> when a refresh last failed here
        self._locks: dict[_Remembered, LockType] = {}  # one per key: other endpoints never wait
        self._locks_lock = allocate_lock()

    def get(self, endpoint: "Endpoint", settings: "Settings", served: Served = lambda source, key: None) -> Token:
        """A token for ``endpoint`` with more than the mandatory margin of life left:
        from memory if Fresh there, else the newer of memory's and the disk cache's,
        acted on by its state. ``served`` is told where it came from, and its cache key."""
        key = cache_key(endpoint, settings)
        remembered = tuple(sorted(key.items()))
        with self._lock_for(remembered):
            state = self._state(self._memory.get(remembered), settings, remembered)
            if isinstance(state, Fresh):
                served("memory", key)
                return state.token
            with open_cache(settings) as cache:
                token, source = self._newer(self._memory.get(remembered), cache.read(key), endpoint)
                state = self._state(token, settings, remembered, lambda since: cache.failed_since(key, since))
                try:
                    token, source = self._act(state, source, cache, key, remembered, endpoint, settings)
                except _InputsChanged as changed:
                    log.debug("the AWS setup changed during the fetch; the token is not cached")
                    served("AWS", key)
                    return changed.token
            self._memory[remembered] = token
            served(source, key)
            return token

    def _lock_for(self, remembered: _Remembered) -> LockType:
        with self._locks_lock:
            return self._locks.setdefault(remembered, allocate_lock())

    @staticmethod
    def _newer(
        remembered: Optional[Token], stored: Optional[Token], endpoint: "Endpoint"
    ) -> tuple[Optional[Token], str]:
        """The token that lives longer, this process's or the disk cache's, and which."""
        if stored is not None and (remembered is None or stored.expires_at > remembered.expires_at):
            log.debug("token for %s from the disk cache", endpoint.describe())
            return stored, "cache"
        return remembered, "memory"

    def _state(
        self,
        token: Optional[Token],
        settings: "Settings",
        remembered: _Remembered,
        failed_elsewhere: Callable[[float], bool] = lambda since: False,
    ) -> State:
        """``refresh_state`` now, where a refresh failed lately if it failed in this
        process, or (``failed_elsewhere``: the disk cache's failure marker) in any."""
        now = self._clock()
        since = now - RETRY_ADVISORY_AFTER

        def failed_lately() -> bool:
            if self._advisory_failed.get(remembered, since - 1) > since:
                return True
            if failed_elsewhere(since):
                log.debug("a refresh failed lately; serving the cached token, still valid")
                return True
            return False

        return refresh_state(token, now, settings, failed_lately)

    def _act(
        self,
        state: State,
        source: str,
        cache: Cache,
        key: Key,
        remembered: _Remembered,
        endpoint: "Endpoint",
        settings: "Settings",
    ) -> tuple[Token, str]:
        """The token ``state`` says to serve, and where it came from: its own (from
        ``source``) if Fresh; else a new one ("AWS"), or another process's fetch
        ("cache"); if that fails while Advisory, its own, with one warning."""
        if isinstance(state, Fresh):
            return state.token, source
        fetched: list[Token] = []

        def fetch() -> Token:
            fetched.append(self._fetch_for(key, endpoint, settings))
            return fetched[-1]

        try:
            token = cache.fetch_through(
                key,
                fetch,
                wanted=lambda found: isinstance(refresh_state(found, self._clock(), settings), Fresh),
                budget=fetch_budget(settings),
                patience=wait_limit(settings),
            )
            return token, "AWS" if fetched else "cache"
        except CodeArtifactError as error:
            if not isinstance(state, Advisory):
                raise
            self._advisory_failed[remembered] = self._clock()
            minutes = int(state.token.left(self._clock()) // 60)
            log.warning("%s; serving the cached token, still valid for %d min", error, minutes)
            return state.token, source

    def _fetch_for(self, key: Key, endpoint: "Endpoint", settings: "Settings") -> Token:
        """A new token, if the inputs of ``key`` are still those it was computed from;
        else _InputsChanged with it (botocore may have read the new ones)."""
        token = self._fetch(endpoint, settings)
        if cache_key(endpoint, settings) != key:
            raise _InputsChanged(token)
        return token
