"""Many processes asking at once for a token that is not cached: one API call per
identity, every process served, tokens never mixed."""

import os
import subprocess
from concurrent.futures import ThreadPoolExecutor

from helpers import KEYRING, URL


def keyring_get_all(profiles: list) -> list:
    """Start one `keyring get` per entry of ``profiles`` (None: the default) at once."""

    def one(profile):
        env = dict(os.environ)
        if profile:
            env["AWS_PROFILE"] = profile
        return profile, subprocess.run(
            [str(KEYRING), "get", URL, "aws"], env=env, capture_output=True, text=True, timeout=300
        )

    with ThreadPoolExecutor(max_workers=len(profiles)) as pool:
        return list(pool.map(one, profiles))


def test_32_cold_processes_make_one_call(standin):
    results = keyring_get_all([None] * 32)
    assert [r.returncode for _, r in results] == [0] * 32
    assert len({r.stdout for _, r in results}) == 1
    assert len(standin.token_requests()) == 1


def test_32_cold_processes_with_a_slow_api_make_one_call(standin):
    standin.fault = "slow"  # every answer takes 2 s
    results = keyring_get_all([None] * 32)
    assert [r.returncode for _, r in results] == [0] * 32
    assert len({r.stdout for _, r in results}) == 1
    assert len(standin.token_requests()) == 1


def test_two_identities_make_two_calls_and_never_mix(standin):
    results = keyring_get_all([None, "bob"] * 16)
    assert [r.returncode for _, r in results] == [0] * 32
    for profile, result in results:
        assert standin.issued[result.stdout.strip()]["identity"] == (profile or "alice")
    assert sorted(r["identity"] for r in standin.token_requests()) == ["alice", "bob"]
