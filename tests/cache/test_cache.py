"""The disk cache: one API call per token lifetime per identity, across processes."""

import os
import stat
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from helpers import (
    KEYRING,
    URL,
    cache_entries,
    cache_warnings,
    edit_entry,
    lookup,
    only_entry,
    read_entry,
    run,
    write_aws_file,
    write_keyring_config,
)
from keyrings_codeartifact import errors


def test_lookups_in_new_processes_share_one_token(standin, cache_dir):
    first = lookup()
    assert lookup() == first
    assert len(standin.token_requests()) == 1
    entry = only_entry(cache_dir)
    assert stat.S_IMODE(cache_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    key = read_entry(entry)["key"]
    assert key.pop("identity").startswith("profile:default:")
    assert key == {
        "partition": "aws", "region": "us-east-1", "domain": "my-team", "owner": "111122223333",
        "duration": 3600,
    }


def test_keyring_cli_processes_share_one_token(standin):
    tokens = {run(KEYRING, "get", URL, "aws").stdout for _ in range(3)}
    assert len(tokens) == 1
    assert len(standin.token_requests()) == 1


def test_concurrent_cold_processes_make_one_api_call(standin):
    def keyring_get(_):
        return run(KEYRING, "get", URL, "aws")

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(keyring_get, range(16)))
    assert [r.returncode for r in results] == [0] * 16
    assert len({r.stdout for r in results}) == 1
    assert len(standin.token_requests()) == 1


def test_identities_never_share_a_token(standin, cache_dir, monkeypatch):
    alice = lookup()
    monkeypatch.setenv("AWS_PROFILE", "bob")
    bob = lookup()
    assert alice != bob
    assert [r["identity"] for r in standin.token_requests()] == ["alice", "bob"]
    assert lookup() == bob
    monkeypatch.delenv("AWS_PROFILE")
    assert lookup() == alice
    assert len(cache_entries(cache_dir)) == 2


def test_durations_never_share_a_token(standin):
    short = lookup()
    write_keyring_config("[codeartifact]\ntoken_duration = 900\n")
    assert lookup() != short
    assert [r["duration"] for r in standin.token_requests()] == [3600, 900]


def test_a_refreshed_assumed_role_session_keeps_the_cache(standin, isolated_env, monkeypatch):
    # Profile dev assumes a role: every session (every new process) gets new
    # temporary keys from STS, and the stand-in, like STS, never hands out the
    # same keys twice. The token is cached for what selects the role, not for
    # those keys, so the next session is a cache hit: no STS call, no token call.
    role = "arn:aws:iam::111122223333:role/dev"
    write_aws_file(isolated_env / ".aws" / "config", f"[profile dev]\nrole_arn = {role}\nsource_profile = default\n")
    monkeypatch.setenv("AWS_PROFILE", "dev")
    token = lookup()
    assert standin.issued[token]["identity"] == f"role:{role}"
    assert lookup() == token
    assert [r["api"] for r in standin.requests()] == ["AssumeRole", "GetAuthorizationToken"]


def age(folder: Path, seconds_left: float) -> None:
    """Make the cached token expire ``seconds_left`` from now."""
    now = time.time()
    edit_entry(only_entry(folder), issued_at=now - 3600 + seconds_left, expires_at=now + seconds_left)


def test_a_token_near_expiry_is_refreshed(standin, cache_dir):
    old = lookup()
    age(cache_dir, 299)  # under five minutes left
    new = lookup()
    assert new != old
    assert len(standin.token_requests()) == 2
    assert read_entry(only_entry(cache_dir))["token"] == new


def test_refresh_margin_is_configurable(standin, cache_dir):
    write_keyring_config("[codeartifact]\nrefresh_margin = 60\nadvisory_margin = 60\n")
    old = lookup()
    age(cache_dir, 299)
    assert lookup() == old  # 299 s left is fine with a 60 s margin
    age(cache_dir, 59)
    assert lookup() != old


def test_failed_refresh_raises_and_never_serves_the_old_token(standin, cache_dir):
    lookup()
    age(cache_dir, 10)
    standin.fault = "deny"
    with pytest.raises(errors.AccessDenied):
        lookup()


@pytest.mark.parametrize(
    "content",
    [b"", b"{", b"\x00\xff garbage", b'{"version": 99}', b'{"version": 1, "key": {}, "token": "x"}', b"[]"],
    ids=["empty", "truncated", "binary", "future-version", "other-key", "wrong-type"],
)
def test_a_damaged_entry_is_a_miss_and_is_replaced(standin, cache_dir, content):
    lookup()
    entry = only_entry(cache_dir)
    entry.write_bytes(content)
    token = lookup()
    assert len(standin.token_requests()) == 2
    assert read_entry(entry)["token"] == token


def test_cache_can_be_turned_off(standin, cache_dir):
    write_keyring_config("[codeartifact]\ncache = false\n")
    lookup()
    lookup()
    assert len(standin.token_requests()) == 2
    assert not cache_dir.exists()


def test_cache_folder_from_setting_and_environment(standin, tmp_path, monkeypatch):
    write_keyring_config(f"[codeartifact]\ncache_dir = {tmp_path / 'from-setting'}\n")
    lookup()
    assert len(cache_entries(tmp_path / "from-setting")) == 1
    monkeypatch.setenv("CODEARTIFACT_KEYRING_CACHE_DIR", str(tmp_path / "from-env"))
    lookup()
    assert len(cache_entries(tmp_path / "from-env")) == 1  # the variable wins over the setting


def test_token_from_the_environment_bypasses_the_cache(standin, cache_dir, monkeypatch):
    monkeypatch.setenv("CODEARTIFACT_AUTH_TOKEN", "from-ci")
    assert lookup() == "from-ci"
    assert not cache_dir.exists()


# -- unsafe places are not used ---------------------------------------------------


def assert_not_used(standin, caplog, folder: Path, where: Path, problem: str) -> None:
    before = {p: p.read_bytes() for p in folder.glob("*")} if folder.is_dir() else {}
    lookup()
    lookup()
    assert len(standin.token_requests()) == 2  # straight to AWS each time
    after = {p: p.read_bytes() for p in folder.glob("*")} if folder.is_dir() else {}
    assert after == before  # nothing written there
    warnings = cache_warnings(caplog)
    assert warnings == [f"codeartifact-keyring: not using the token cache at {where}: {problem}; " + warnings[0].split("; ", 1)[1]]


def test_group_writable_folder_is_not_used(standin, cache_dir, caplog):
    cache_dir.mkdir(parents=True)
    cache_dir.chmod(0o770)
    assert_not_used(standin, caplog, cache_dir, cache_dir, "it is writable by group or others")


def test_symlinked_folder_is_not_used(standin, cache_dir, caplog, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    cache_dir.parent.mkdir(parents=True, exist_ok=True)
    cache_dir.symlink_to(elsewhere)
    assert_not_used(standin, caplog, elsewhere, cache_dir, "it is a symbolic link")


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give a folder to another user")
def test_folder_of_another_user_is_not_used(standin, cache_dir, caplog):
    cache_dir.mkdir(parents=True, mode=0o700)
    os.chown(cache_dir, 65534, 65534)
    assert_not_used(standin, caplog, cache_dir, cache_dir, "it belongs to another user")


def test_symlinked_entry_is_not_followed_and_is_replaced(standin, cache_dir, caplog, tmp_path):
    lookup()
    entry = only_entry(cache_dir)
    target = tmp_path / "target.json"
    target.write_bytes(entry.read_bytes())
    entry.unlink()
    entry.symlink_to(target)
    standin.reset()
    before = target.read_bytes()
    token = lookup()
    assert lookup() == token  # the link was replaced by an entry of ours
    assert len(standin.token_requests()) == 1
    assert target.read_bytes() == before and not entry.is_symlink()
    assert any("it is a symbolic link" in r.getMessage() for r in caplog.records)


def test_world_readable_entry_is_not_used(standin, cache_dir, caplog):
    lookup()
    entry = only_entry(cache_dir)
    entry.chmod(0o644)
    standin.reset()
    lookup()
    assert len(standin.token_requests()) == 1
    assert any("it is readable by group or others" in r.getMessage() for r in caplog.records)
