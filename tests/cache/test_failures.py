"""The record of the last failed lookup (``failures``), and ``explain`` showing it:
written by a failed lookup in any process, kept with the cache's protections, cleared
by a success, never written by a success that has nothing to clear."""

import json
import stat

import pytest

from faults import FAULTS
from helpers import BIN, KEYRING, URL, run, write_keyring_config
from keyrings_codeartifact import asking_program, cache, failures, lookup
from keyrings_codeartifact.endpoint import parse

CLI = BIN / "codeartifact-keyring"
ENDPOINT = parse(URL)
OTHER = URL.replace("my-team", "other-team")


def records(folder) -> list:
    return sorted(folder.glob("*" + failures.SUFFIX))


def snapshot(folder) -> dict:
    """Every file in ``folder`` and when it last changed."""
    return {path.name: path.stat().st_mtime_ns for path in folder.iterdir()}


def test_a_failed_lookup_leaves_a_record_that_explain_shows_first(standin, cache_dir):
    standin.fault = "deny"
    result = run(KEYRING, "get", URL, "aws")
    assert result.returncode == 1
    [path] = records(cache_dir)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = json.loads(path.read_text())
    assert data["key"]["domain"] == "my-team" and data["key"]["identity"].startswith("profile:default")
    assert "needs codeartifact:GetAuthorizationToken" in data["message"]

    explained = run(CLI, "explain", URL)
    assert explained.returncode == 0, explained.stderr
    lines = explained.stdout.splitlines()
    assert lines[0].startswith("Last failures")
    assert lines[1].startswith("  lookup failed:")
    assert " s ago, " in lines[1] and "as AWS profile: name default" in lines[1]
    assert "access denied; the AWS identity needs codeartifact:GetAuthorizationToken" in lines[1]
    assert lines[3] == "Endpoint"


def test_a_success_from_aws_clears_the_record(standin, cache_dir):
    standin.fault = "deny"
    assert run(KEYRING, "get", URL, "aws").returncode == 1
    assert records(cache_dir)
    standin.fault = None
    assert run(KEYRING, "get", URL, "aws").returncode == 0
    assert records(cache_dir) == []
    assert run(CLI, "explain", URL).stdout.startswith("Endpoint\n")


def test_a_success_from_the_disk_cache_clears_a_record_another_identity_path_left(standin, cache_dir):
    # bob's lookup fails in one process; a process that finds bob's token cached clears it.
    write_keyring_config("[codeartifact]\nprofile_name = bob\n")
    assert run(KEYRING, "get", URL, "aws").returncode == 0  # bob's token, cached
    token_file = next(cache_dir.glob("*.json"))
    key = json.loads(token_file.read_text())["key"]
    failures.record(ENDPOINT, lookup.allowed_settings(ENDPOINT), RuntimeError("planted"))
    assert [p.name for p in records(cache_dir)] == [cache.failure_record_name(key)]
    assert run(KEYRING, "get", URL, "aws").returncode == 0
    assert records(cache_dir) == []
    assert len(standin.token_requests()) == 1


def test_a_cache_hit_with_no_record_writes_nothing(standin, cache_dir):
    assert run(KEYRING, "get", URL, "aws").returncode == 0
    before = snapshot(cache_dir)
    assert run(KEYRING, "get", URL, "aws").returncode == 0
    assert snapshot(cache_dir) == before
    assert len(standin.token_requests()) == 1


def test_an_expired_sso_session_names_the_login_command(standin, isolated_env, cache_dir, monkeypatch):
    set_up, _, _ = FAULTS["sso-expired"]
    set_up(standin, isolated_env, monkeypatch)
    assert run(KEYRING, "get", URL, "aws").returncode == 1
    out = run(CLI, "explain", URL).stdout
    assert "the AWS SSO session has expired or was never started; run `aws sso login --profile dev`" in out


def test_an_unreadable_config_is_kept_for_the_domain_and_listed_by_explain_without_url(standin, cache_dir):
    write_keyring_config("[codeartifact]\ntoken_duration = 5\n")
    assert run(KEYRING, "get", URL, "aws").returncode == 1
    [path] = records(cache_dir)
    assert path.name == cache.failure_record_name(cache.domain_key(ENDPOINT))
    listed = run(CLI, "explain")
    assert listed.returncode == 0
    assert listed.stdout.startswith("Failed lookups, newest first\n")
    assert f"{ENDPOINT.host}/python" in listed.stdout and "invalid token_duration" in listed.stdout


def test_explain_url_shows_only_its_domain_and_explain_lists_all(standin, cache_dir):
    standin.fault = "deny"
    assert run(KEYRING, "get", URL, "aws").returncode == 1
    assert run(KEYRING, "get", OTHER, "aws").returncode == 1
    assert len(records(cache_dir)) == 2
    assert "other-team" not in run(CLI, "explain", URL).stdout.split("\nEndpoint\n")[0]
    listed = run(CLI, "explain").stdout
    assert "my-team" in listed and "other-team" in listed


def test_no_record_when_the_cache_is_off(standin, cache_dir):
    write_keyring_config("[codeartifact]\ncache = false\n")
    standin.fault = "deny"
    assert run(KEYRING, "get", URL, "aws").returncode == 1
    assert not cache_dir.exists()
    assert run(CLI, "explain").stdout.startswith("No failed lookups recorded")


def test_the_owner_refusing_is_no_failure(standin, cache_dir):
    write_keyring_config("[codeartifact]\nowners = 444455556666\n")
    with pytest.raises(lookup.OwnerRefused):
        lookup.Lookup().token(ENDPOINT)
    assert not cache_dir.exists() or records(cache_dir) == []


def test_a_record_is_never_written_through_a_link_and_a_linked_record_is_not_shown(standin, cache_dir, tmp_path):
    settings = lookup.allowed_settings(ENDPOINT)
    target = tmp_path / "target"
    target.write_text("untouched")
    cache_dir.mkdir(parents=True, mode=0o700)
    from keyrings_codeartifact.cache import cache_key

    (cache_dir / cache.failure_record_name(cache_key(ENDPOINT, settings))).symlink_to(target)
    assert failures.recent(settings, ENDPOINT) == []
    failures.record(ENDPOINT, settings, RuntimeError("codeartifact-keyring: it failed"))
    assert target.read_text() == "untouched"
    [failure] = failures.recent(settings, ENDPOINT)
    assert failure.message == "it failed"


def test_a_forged_record_is_shown_safely(standin, cache_dir):
    settings = lookup.allowed_settings(ENDPOINT)
    failures.record(ENDPOINT, settings, RuntimeError("first"))
    [path] = records(cache_dir)
    data = json.loads(path.read_text())
    data.update(message="\x1b[2Jcleared https://user:hunter2@example.com/x\nsecond line", client="pip\x07")
    path.write_text(json.dumps(data))
    out = run(CLI, "explain", URL).stdout
    assert "\x1b" not in out and "\x07" not in out and "hunter2" not in out
    assert "cleared https://example.com/x second line" in out


def test_cache_clear_removes_the_records(standin, cache_dir):
    standin.fault = "deny"
    assert run(KEYRING, "get", URL, "aws").returncode == 1
    assert records(cache_dir)
    assert run(CLI, "cache", "clear").returncode == 0
    assert records(cache_dir) == []


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["/usr/bin/python3.11", "/home/u/.venv/bin/pip", "install", "x"], "pip"),
        (["/usr/bin/python3", "-I", "-m", "pip.__main__", "install"], "pip"),
        (["python", "-c", "import keyring"], "python"),
        (["/opt/uv/bin/uv", "pip", "install"], "uv"),
        (["C:\\Python\\poetry.exe"], "C:\\Python\\poetry"),  # not a POSIX path: kept, only the suffix goes
        (["/usr/bin/python3", "/tmp/run_me.py"], "run_me"),
    ],
)
def test_the_program_is_named_from_its_command_line(argv, expected):
    assert asking_program._program(argv) == expected


def test_a_keyring_command_names_its_parent(standin, cache_dir):
    # The keyring CLI (a console script: python .../bin/keyring) started by a Python parent.
    standin.fault = "deny"
    script = "import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:]))"
    parent = run(BIN / "python", "-c", script, KEYRING, "get", URL, "aws")
    assert parent.returncode == 1
    [failure] = failures.recent(None, ENDPOINT)
    assert failure.client == "python"
