"""What every end-to-end test needs beside its fixtures: count the stand-in's token calls,
put a package in the index, check a client's exit."""

import subprocess
import sys
from pathlib import Path
from typing import Callable

from helpers import DOMAIN, OWNER, REGION, URL, run
from standin.wheels import make_wheel

UPLOAD_URL = URL.replace("/simple/", "/")
AT_URL = URL.replace("https://", "https://aws@")
ONE_TOKEN = [(DOMAIN, OWNER, REGION, 200)]  # what one client operation should cost
BASE_PYTHON = Path(sys.base_prefix) / "bin" / "python3"  # an interpreter that is no venv, for clients that make one


def token_requests(standin) -> list:
    """(domain, owner, region, status) of every GetAuthorizationToken call so far."""
    return [(r["domain"], r["owner"], r["region"], r["status"]) for r in standin.token_requests()]


def served(index) -> int:
    """How many requests the index has let through (with a valid token) in this test so far."""
    return sum(1 for r in index.requests if r["status"] == "passed to pypiserver")


def ok_served(index, operation: Callable[[], subprocess.CompletedProcess]) -> subprocess.CompletedProcess:
    """Run ``operation`` (a client command); it must succeed and must have got into the index."""
    before = served(index)
    result = ok(operation())
    assert served(index) > before, f"{result.args} never reached the index with a token"
    return result


def publish(index, tmp_path: Path, name: str, version: str = "1.0", message: str = "hello", script: str = "") -> Path:
    """Put a wheel of ``name`` into repository "python" of the index, as if uploaded."""
    wheel = make_wheel(tmp_path / "published", name, version, message=message, script=script)
    folder = index.root / "python"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / wheel.name).write_bytes(wheel.read_bytes())
    return wheel


def ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def assert_no_token_in(standin, *files: Path) -> None:
    """Lock and requirements files that clients write must never carry a token."""
    for file in files:
        text = file.read_text()
        assert not any(token in text for token in standin.issued), f"a token in {file.name}"


def pdm_add_lock_install(pdm: Path, index, app: Path, tmp_path: Path, package: str) -> None:
    """``pdm add PACKAGE`` and ``pdm lock --refresh`` in ``app`` (its pyproject.toml
    written), then ``pdm install`` from the lock file in a fresh checkout; each must get
    into the index, and the installed module must say "for pdm"."""
    ok(run(pdm, "venv", "create", BASE_PYTHON, cwd=app))
    ok_served(index, lambda: run(pdm, "add", package, cwd=app))
    ok_served(index, lambda: run(pdm, "lock", "--refresh", cwd=app))
    clone = tmp_path / "clone"  # a fresh checkout installs from the lock file
    clone.mkdir()
    for name in ("pyproject.toml", "pdm.lock"):
        (clone / name).write_bytes((app / name).read_bytes())
    ok(run(pdm, "venv", "create", BASE_PYTHON, cwd=clone))
    ok_served(index, lambda: run(pdm, "install", cwd=clone))
    module = package.replace("-", "_")
    check = ok(run(clone / ".venv" / "bin" / "python", "-c", f"import {module}; print({module}.MESSAGE)"))
    assert check.stdout.strip() == "for pdm"
