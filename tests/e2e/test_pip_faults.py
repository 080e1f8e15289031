"""Every fault, as pip meets it: pip shows our one line, carries on without keyring
(no crash, no traceback) and ends with its own 401 failure; nothing is cached."""

import re

import pytest

from faults import FAULTS
from helpers import BIN, URL, run
from keyrings_codeartifact import cache


@pytest.fixture
def standin_with_domain(standin):
    yield standin
    standin.add_domain("my-team", "111122223333")


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_pip_carries_on_with_our_message(fault, e2e, standin_with_domain, isolated_env, monkeypatch, tmp_path):
    set_up, _, advice = FAULTS[fault]
    set_up(standin_with_domain, isolated_env, monkeypatch)
    result = run(
        BIN / "pip", "install", "--index-url", URL, "--keyring-provider", "import", "--no-input",
        "--target", tmp_path / "t", "private-hello",
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert "Traceback" not in output
    assert "Keyring is skipped due to an exception: codeartifact-keyring: cannot get a token for domain 'my-team'" in output
    assert re.search(advice, output)
    assert [r["status"] for r in e2e.requests] == [401]  # pip asked once more without keyring, and stopped
    assert not list(cache.folder_for().glob("*.json"))
