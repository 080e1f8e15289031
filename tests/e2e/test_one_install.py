"""Issue #19's "Done when": from a fresh environment, the documented install, `uv tool
install codeartifact-keyring`, then `codeartifact-keyring setup uv URL` (or `setup pip
URL`) makes real uv and real pip install from the stand-in. Nothing else is installed by
hand: setup puts the fast ``keyring`` beside ``codeartifact-keyring``, and it is the only
``keyring`` on PATH. One token call per install.

The install is a real `uv tool install` of a copy of this checkout, its tool and bin
folders in tmp; its dependencies come from the package registry as this machine's uv is
configured (uv's usual cache: no network once it is warm). The user's pip is a fresh venv
with pip and nothing else, from the same place.
"""

import importlib.metadata
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from helpers import BIN, ROOT, URL, run
from keyrings_codeartifact.configure.launcher import MARKER
from support import BASE_PYTHON, ONE_TOKEN, ok, ok_served, publish, token_requests

ORIGINAL_ENVIRON = dict(os.environ)  # as the run began: this machine's registry and CA settings
SYSTEM_PATH = os.pathsep.join(["/usr/bin", "/bin"])  # sh and the like; no keyring there
SOURCES = ("keyrings_codeartifact", "setup.cfg", "pyproject.toml", "README.md")


def _registry(*args, **variables: str) -> None:
    """Run ``args`` with this machine's own settings (not the harness's proxy) and
    ``variables``: from uv's cache alone first, then from the package registry."""
    environment = {name: value for name, value in ORIGINAL_ENVIRON.items()
                   if not name.startswith(("UV_TOOL", "VIRTUAL_ENV", "PYTHONPATH"))}
    environment.update(variables, UV_PYTHON_DOWNLOADS="never")
    for network in (["--offline"], []):
        result = subprocess.run([str(arg) for arg in args] + network, env=environment, capture_output=True,
                                text=True, timeout=600)
        if result.returncode == 0:
            return
    raise AssertionError(f"{' '.join(map(str, args))} failed: {result.stderr}")


@pytest.fixture(scope="module")
def tool_bin(tmp_path_factory) -> Path:
    """The folder where `uv tool install codeartifact-keyring` put `codeartifact-keyring`."""
    root = tmp_path_factory.mktemp("one-install")
    (root / "source").mkdir()
    for name in SOURCES:  # a copy: the build writes build/ and *.egg-info beside the sources
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, root / "source" / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, root / "source" / name)
    _registry(BIN / "uv", "tool", "install", "--python", BASE_PYTHON, root / "source",
              UV_TOOL_DIR=str(root / "tools"), UV_TOOL_BIN_DIR=str(root / "bin"))
    assert (root / "bin" / "codeartifact-keyring").exists() and not (root / "bin" / "keyring").exists()
    return root / "bin"


@pytest.fixture(scope="module")
def users_venv(tmp_path_factory) -> Path:
    """A fresh venv holding pip (this test run's version) and nothing else."""
    venv = tmp_path_factory.mktemp("users-venv") / "venv"
    _registry(BIN / "uv", "venv", "--python", BASE_PYTHON, venv)
    _registry(BIN / "uv", "pip", "install", "--python", venv / "bin" / "python",
              f"pip=={importlib.metadata.version('pip')}")
    return venv


@pytest.fixture
def installed(tool_bin, e2e, tmp_path, monkeypatch) -> Path:
    """The tool's bin folder first on PATH, with no keyring in it yet (nor anywhere on
    PATH); the user's own config files count; the tool runs its own copy of the package."""
    ok(run(tool_bin / "codeartifact-keyring", "setup", "keyring", "--remove"))
    uv_only = tmp_path / "uv-bin"
    uv_only.mkdir()
    (uv_only / "uv").symlink_to(BIN / "uv")
    monkeypatch.setenv("PATH", os.pathsep.join([str(tool_bin), str(uv_only), SYSTEM_PATH]))
    for name in ("PYTHONPATH", "PIP_CONFIG_FILE", "UV_NO_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("UV_NO_CACHE", "1")
    assert shutil.which("keyring") is None
    return tool_bin


def assert_ours_answered(tool_bin: Path) -> None:
    """The only keyring on PATH is the launcher setup wrote, running the tool's Python."""
    launcher = tool_bin / "keyring"
    assert shutil.which("keyring") == str(launcher)
    text = launcher.read_text()
    assert MARKER in text and f"\npython={tool_bin.parent / 'tools' / 'codeartifact-keyring' / 'bin' / 'python'}\n" in text


def test_uv_tool_install_then_setup_uv_then_uv_pip_install(installed, e2e, standin, tmp_path, monkeypatch):
    publish(e2e, tmp_path, "one-install-uv", message="one install")
    out = ok(run(installed / "codeartifact-keyring", "setup", "uv", URL)).stdout
    assert f"{installed / 'keyring'}: updated; the keyring command uv runs from PATH" in out
    assert_ours_answered(installed)
    monkeypatch.setenv("UV_PYTHON", str(BASE_PYTHON))
    ok_served(e2e, lambda: run("uv", "pip", "install", "--target", tmp_path / "t", "one-install-uv"))
    assert (tmp_path / "t" / "one_install_uv" / "__init__.py").exists()
    assert token_requests(standin) == ONE_TOKEN
    again = ok(run(installed / "codeartifact-keyring", "setup", "uv", URL)).stdout
    assert f"{installed / 'keyring'}: already set up, unchanged" in again


def test_uv_tool_install_then_setup_pip_then_pip_install(installed, users_venv, e2e, standin, tmp_path, monkeypatch):
    # The user's venv is active: its pip is the `pip` on PATH, and its bin/ (which pip's
    # subprocess provider skips when it looks for keyring) comes first.
    monkeypatch.setenv("PATH", f"{users_venv / 'bin'}{os.pathsep}{os.environ['PATH']}")
    publish(e2e, tmp_path, "one-install-pip", message="one install")
    out = ok(run(installed / "codeartifact-keyring", "setup", "pip", URL)).stdout
    assert f"{installed / 'keyring'}: updated; the keyring command pip runs from PATH" in out
    assert_ours_answered(installed)
    ok_served(e2e, lambda: run("pip", "install", "--target", tmp_path / "t", "--no-compile", "one-install-pip"))
    assert (tmp_path / "t" / "one_install_pip" / "__init__.py").exists()
    assert token_requests(standin) == ONE_TOKEN
