"""What a client hides, explain shows: a lookup that fails inside real pip 26.3 (subprocess
provider, through keyring's CLI and through the fast keyring command) or real uv leaves a
record that `explain URL` shows with the remedy; and the opt-in log records the hits,
fetches and failures of real pip and uv runs, and holds no secret."""

import os
import re
import shutil
from pathlib import Path

import pytest

from faults import FAULTS
from helpers import ALICE, BIN, CLI, URL, run
from support import AT_URL, BASE_PYTHON, ok, ok_served, publish

UV = BIN / "uv"
SYSTEM_PATH = os.pathsep.join(["/usr/bin", "/bin"])
LOG_LINE = re.compile(
    r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z client=(?P<client>\S+) endpoint=(?P<endpoint>\S+) "
    r"source=(?P<source>\S+) ms=\d+ outcome=(?P<outcome>.*)"
)


@pytest.fixture(params=["keyring-cli", "fast-keyring"])
def keyring_command(request, e2e, tmp_path, monkeypatch) -> str:
    """The `keyring` on PATH: keyring's CLI with this backend (the e2e fixture's), or
    only the fast command `setup keyring --bin` writes."""
    if request.param == "fast-keyring":
        folder = tmp_path / "fast-bin"
        folder.mkdir()
        ok(run(CLI, "setup", "keyring", "--bin", folder))
        monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{SYSTEM_PATH}")
        assert shutil.which("keyring") == str(folder / "keyring")
    monkeypatch.setenv("UV_NO_CACHE", "1")
    monkeypatch.setenv("UV_PYTHON", str(BASE_PYTHON))
    return request.param


@pytest.fixture
def sso_expired(standin, isolated_env, monkeypatch):
    set_up, _, _ = FAULTS["sso-expired"]
    set_up(standin, isolated_env, monkeypatch)


def pip_install(tmp_path: Path, url: str = URL, package: str = "seen-pip"):
    return run(BIN / "pip", "install", "--index-url", url, "--keyring-provider", "subprocess",
               "--target", tmp_path / "t", "--no-compile", "--no-input", package)


def uv_install(tmp_path: Path, package: str = "seen-uv"):
    return run(UV, "pip", "install", "--target", tmp_path / "t", "--index-url", AT_URL,
               "--keyring-provider", "subprocess", package)


def explained_failure() -> str:
    """The first line under explain URL's failure heading (explain must put it first)."""
    out = ok(run(CLI, "explain", URL)).stdout.splitlines()
    assert out[0].startswith("Last failures"), out[:3]
    return out[1]


def test_pip_hides_an_expired_sso_session_explain_shows_it(keyring_command, e2e, sso_expired, tmp_path):
    publish(e2e, tmp_path, "seen-pip")
    result = run(BIN / "pip", "--version")
    assert "pip 26.3" in result.stdout
    failed = pip_install(tmp_path)
    assert failed.returncode == 1
    assert "aws sso login" not in failed.stdout + failed.stderr  # pip drops keyring's stderr
    line = explained_failure()
    assert re.search(r"lookup failed: +\d+ s ago, from pip, as AWS profile", line), line
    assert line.endswith("the AWS SSO session has expired or was never started; run `aws sso login --profile dev`")


def test_uv_hides_an_expired_sso_session_explain_shows_it(keyring_command, e2e, sso_expired, tmp_path):
    publish(e2e, tmp_path, "seen-uv")
    failed = uv_install(tmp_path)
    assert failed.returncode != 0  # (uv 0.13.9 passes on keyring's stderr; older ones printed nothing)
    line = explained_failure()
    assert re.search(r"lookup failed: +\d+ s ago, from uv, as AWS profile", line), line
    assert "run `aws sso login --profile dev`" in line


def test_the_log_records_fetches_hits_and_failures_of_pip_and_uv_and_no_secret(e2e, standin, tmp_path, monkeypatch):
    log = tmp_path / "logs" / "lookups.log"
    log.parent.mkdir()
    monkeypatch.setenv("CODEARTIFACT_KEYRING_LOG", str(log))
    monkeypatch.setenv("UV_NO_CACHE", "1")
    monkeypatch.setenv("UV_PYTHON", str(BASE_PYTHON))
    publish(e2e, tmp_path, "seen-pip")
    publish(e2e, tmp_path, "seen-uv")
    ok_served(e2e, lambda: pip_install(tmp_path / "a"))  # asks AWS
    ok_served(e2e, lambda: uv_install(tmp_path / "b"))  # the cached token
    standin.fault = "deny"
    run(CLI, "cache", "clear")
    assert pip_install(tmp_path / "c").returncode == 1

    text = log.read_text()
    assert oct(log.stat().st_mode & 0o777) == "0o600"
    lines = [LOG_LINE.fullmatch(line) for line in text.splitlines()]
    assert all(lines), text
    seen = [(m["client"], m["source"], m["outcome"].split(":")[0]) for m in lines]
    assert ("pip", "AWS", "ok") in seen
    assert ("uv", "cache", "ok") in seen
    assert ("pip", "-", "failed AccessDenied") in seen
    host = URL.split("/")[2]
    assert {m["endpoint"] for m in lines} <= {f"{host}/python", f"{host}/-"}  # pip also asks by host alone
    secrets = {ALICE[2], *standin.secrets(), *standin.issued}
    assert secrets and not [secret[:8] for secret in secrets if secret in text]
    assert "aws@" not in text  # uv asked for https://aws@HOST/...: no userinfo is logged
