"""Real uv and pip install from the stand-in through the fast ``keyring`` command that
``codeartifact-keyring setup keyring`` writes, with ONLY that command on PATH (the keyring
CLI nowhere on it): one token call per operation."""

import os
import shutil
from pathlib import Path

import pytest

from helpers import BIN, CLI, URL, run
from support import AT_URL, BASE_PYTHON, ONE_TOKEN, ok, ok_served, publish, token_requests

UV = BIN / "uv"
SYSTEM_PATH = os.pathsep.join(["/usr/bin", "/bin"])  # sh and the like; no keyring there


@pytest.fixture
def fast_keyring_only(e2e, tmp_path, monkeypatch) -> Path:
    """PATH: the folder `setup keyring --bin` wrote to, then the system's folders."""
    folder = tmp_path / "fast-bin"
    folder.mkdir()
    ok(run(CLI, "setup", "keyring", "--bin", folder))
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{SYSTEM_PATH}")
    monkeypatch.setenv("UV_NO_CACHE", "1")
    monkeypatch.setenv("UV_PYTHON", str(BASE_PYTHON))
    assert shutil.which("keyring") == str(folder / "keyring")
    assert not any(Path(p, "keyring").exists() for p in SYSTEM_PATH.split(os.pathsep))
    return folder


def test_uv_pip_install_with_aws_in_the_url(fast_keyring_only, e2e, standin, tmp_path):
    # uv runs `keyring get URL aws`.
    publish(e2e, tmp_path, "fast-uv", message="fast")
    ok_served(e2e, lambda: run(UV, "pip", "install", "--target", tmp_path / "t", "--index-url", AT_URL,
                               "--keyring-provider", "subprocess", "fast-uv"))
    assert (tmp_path / "t" / "fast_uv" / "__init__.py").exists()
    assert token_requests(standin) == ONE_TOKEN


def test_uv_lock_with_authenticate_always(fast_keyring_only, e2e, standin, tmp_path):
    # uv runs `keyring get URL --mode creds`: no username anywhere.
    publish(e2e, tmp_path, "fast-always")
    app = tmp_path / "app"
    app.mkdir()
    (app / "pyproject.toml").write_text(
        '[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.9"\ndependencies = ["fast-always"]\n'
        f'[tool.uv]\nkeyring-provider = "subprocess"\n[[tool.uv.index]]\nname = "codeartifact"\nurl = "{URL}"\n'
        'default = true\nauthenticate = "always"\n'
    )
    ok_served(e2e, lambda: run(UV, "lock", cwd=app))
    assert "fast-always" in (app / "uv.lock").read_text()
    assert token_requests(standin) == ONE_TOKEN


@pytest.mark.parametrize("pip_version", ["26.3", "26.1"])
def test_pip_subprocess_provider(fast_keyring_only, e2e, standin, tmp_path, tools, pip_version):
    # pip 26.3 runs `keyring --mode=creds --output=json get URL`; 26.1 `keyring get URL aws`.
    pip, url = (BIN / "pip", URL) if pip_version == "26.3" else (tools / "pip-26.1" / "bin" / "pip", AT_URL)
    assert f"pip {pip_version}" in run(pip, "--version").stdout
    publish(e2e, tmp_path, "fast-pip")
    ok_served(e2e, lambda: run(pip, "install", "--index-url", url, "--keyring-provider", "subprocess",
                               "--target", tmp_path / "t", "--no-compile", "--no-input", "fast-pip"))
    assert (tmp_path / "t" / "fast_pip" / "__init__.py").exists()
    assert token_requests(standin) == ONE_TOKEN
