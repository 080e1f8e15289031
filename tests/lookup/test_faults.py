"""Every fault from AWS, the network and the AWS files, through the real keyring CLI
and our own commands: exit 1, our one line last (the keyring CLI prints a traceback
of our error; ours print none), nothing cached, and the next lookup recovers."""

import re

import pytest

from faults import FAULTS
from helpers import CLI, KEYRING, URL, cache_entries, run


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_fault_gives_one_actionable_line_and_caches_nothing(fault, standin_with_domain, isolated_env, cache_dir, monkeypatch):
    set_up, error_class, advice = FAULTS[fault]
    set_up(standin_with_domain, isolated_env, monkeypatch)
    result = run(KEYRING, "get", URL, "aws", timeout=120)
    assert result.returncode == 1
    assert result.stdout == ""
    last_line = result.stderr.strip().splitlines()[-1]
    prefix = f"keyrings_codeartifact.errors.{error_class}: codeartifact-keyring: cannot get a token for domain 'my-team' (owner 111122223333, region us-east-1): "
    assert last_line.startswith(prefix), last_line
    assert re.search(advice, last_line), last_line
    assert "During handling of the above exception" not in result.stderr  # ours, not botocore's
    assert cache_entries(cache_dir) == []


_FAILED = "codeartifact-keyring: cannot get a token for domain 'my-team' (owner 111122223333, region us-east-1): "


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_fault_through_our_commands_is_one_line(fault, standin_with_domain, isolated_env, monkeypatch, fast):
    set_up, _, advice = FAULTS[fault]
    set_up(standin_with_domain, isolated_env, monkeypatch)
    token = run(CLI, "token", URL, timeout=120)
    assert (token.returncode, token.stdout) == (1, "")
    assert "Traceback" not in token.stderr
    [line] = token.stderr.splitlines()
    assert line.startswith(_FAILED) and re.search(advice, line), line
    explain = run(CLI, "explain", "--check", URL, timeout=120)
    assert explain.returncode == 1
    assert "Traceback" not in explain.stdout + explain.stderr
    assert f"  result:                FAILED: {line}" in explain.stdout.splitlines()
    fast_get = run(fast, "get", URL, "aws", timeout=120)  # the fast keyring command: the line alone
    assert (fast_get.returncode, fast_get.stdout, fast_get.stderr.splitlines()) == (1, "", [line])


@pytest.mark.parametrize("fault", ["throttled", "server-error", "connection-reset", "denied"])
def test_the_next_lookup_recovers_once_the_fault_is_gone(fault, standin, isolated_env, monkeypatch):
    FAULTS[fault][0](standin, isolated_env, monkeypatch)
    assert run(KEYRING, "get", URL, "aws").returncode == 1
    standin.fault = None
    result = run(KEYRING, "get", URL, "aws")
    assert result.returncode == 0 and result.stdout.strip() in standin.issued
