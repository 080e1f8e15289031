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
        disk = _disk_cache(settings)
        if disk is None:
            return self._fetch(endpoint, settings)
        token = disk.read(key)
        if self._fresh(token, settings):
            log.debug("token for %s from the disk cache", endpoint.describe())
            return token
        from .cache import LOCK_TIMEOUT

        try:
            lock = disk.lock(key)
            locked = lock.acquire(timeout=LOCK_TIMEOUT)
        except OSError as error:
            log.debug("cache lock not taken (%s); asking AWS directly", error.strerror)
            locked = False
        if not locked:
            return self._fetch(endpoint, settings)
        try:
            token = disk.read(key)  # another process may have fetched it meanwhile
            if self._fresh(token, settings):
                return token
            token = self._fetch(endpoint, settings)
            disk.write(key, token)
            return token
        finally:
            lock.release()


def _disk_cache(settings):
    """The disk cache these settings ask for, or None (turned off, or unsafe)."""
    if not settings.cache:
        return None
    from .cache import DiskCache, folder_for

    disk = DiskCache(folder_for(settings.cache_dir))
    return disk if disk.usable() else None
