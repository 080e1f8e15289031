"""Real pdm (without keyring in its environment), pipenv and pipx install from the stand-in
through the fast ``keyring`` command that ``codeartifact-keyring setup keyring`` writes,
with ONLY that command on PATH (the keyring CLI nowhere on it, checked): one token call
per operation. (uv and pip through the same command: test_fast_keyring.py.)

- pdm's finder (unearth) cannot import keyring there, so it runs ``keyring --mode=creds
  get URL ""`` from PATH (and asks ``pdm-pypi-NAME`` the same way, which the fast command
  hands to keyring's CLI in its own Python).
- pipenv runs pip in the project's venv with ``--no-input``; with
  ``PIPENV_KEYRING_PROVIDER=subprocess`` (what ``setup pipenv`` tells the user to export)
  that pip runs ``keyring`` from PATH.
- pipx runs pip (its shared one) with ``--index-url`` and ``--pip-args``; the first run
  makes that pip by upgrading the Python's bundled one from the same index, and a pip
  before 26.2 asks keyring only with a username: so the URL carries ``aws@``.
"""

import os
import shutil
from pathlib import Path

import pytest

from helpers import CLI, URL, run
from keyrings_codeartifact.configure.launcher import is_ours
from support import (
    AT_URL,
    BASE_PYTHON,
    ONE_TOKEN,
    assert_no_token_in,
    ok,
    ok_served,
    pdm_add_lock_install,
    publish,
    token_requests,
)

SYSTEM_PATH = os.pathsep.join(["/usr/bin", "/bin"])  # sh and the like; no keyring there


@pytest.fixture
def fast_keyring_only(e2e, tmp_path, monkeypatch) -> Path:
    """PATH: the folder `setup keyring --bin` wrote to, then the system's folders; every
    `keyring` on that PATH is the one setup wrote."""
    folder = tmp_path / "fast-bin"
    folder.mkdir()
    ok(run(CLI, "setup", "keyring", "--bin", folder))
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{SYSTEM_PATH}")
    found = [Path(entry, "keyring") for entry in os.environ["PATH"].split(os.pathsep) if Path(entry, "keyring").exists()]
    assert found == [folder / "keyring"] and is_ours(folder / "keyring")
    assert shutil.which("keyring") == str(folder / "keyring")
    return folder


def _cannot_import_keyring(python: Path) -> None:
    result = run(python, "-c", "import keyring")
    assert result.returncode != 0 and "No module named 'keyring'" in result.stderr


# -- pdm ------------------------------------------------------------------------------

PDM_PYPROJECT = """
[project]
name = "app"
version = "0.1.0"
requires-python = ">=3.9"
dependencies = []

[tool.pdm]
distribution = false
"""


def test_pdm_without_keyring_add_lock_install(fast_keyring_only, e2e, standin, tools, tmp_path, monkeypatch):
    pdm = tools / "pdm-cli" / "bin" / "pdm"
    _cannot_import_keyring(tools / "pdm-cli" / "bin" / "python")
    monkeypatch.setenv("PDM_CHECK_UPDATE", "false")
    monkeypatch.setenv("PDM_NON_INTERACTIVE", "1")
    publish(e2e, tmp_path, "fast-pdm", message="for pdm")
    app = tmp_path / "app"
    app.mkdir()
    (app / "pyproject.toml").write_text(PDM_PYPROJECT)
    assert "reach" not in ok(run(CLI, "setup", "pdm", URL, cwd=app)).stdout  # no note: the keyring found reaches us
    pdm_add_lock_install(pdm, e2e, app, tmp_path, "fast-pdm")
    assert_no_token_in(standin, app / "pdm.lock", app / "pyproject.toml")
    assert token_requests(standin) == ONE_TOKEN  # the later runs: the fast command's cache


# -- pipenv ---------------------------------------------------------------------------

def test_pipenv_install(fast_keyring_only, e2e, standin, tools, tmp_path, monkeypatch):
    publish(e2e, tmp_path, "fast-pipenv", message="for pipenv")
    app = tmp_path / "app"
    app.mkdir()
    (app / "Pipfile").write_text('[packages]\nfast-pipenv = "==1.0"\n')
    out = ok(run(CLI, "setup", "pipenv", URL, cwd=app)).stdout
    assert "reach" not in out
    name, _, value = next(line.strip() for line in out.splitlines() if "PIPENV_KEYRING_PROVIDER=" in line) \
        .removeprefix("export ").partition("=")
    for variable, setting in {name: value, "PIPENV_VENV_IN_PROJECT": "1", "PIPENV_YES": "1", "PIPENV_NOSPIN": "1",
                              "PIPENV_IGNORE_VIRTUALENVS": "1"}.items():
        monkeypatch.setenv(variable, setting)
    ok_served(e2e, lambda: run(tools / "pipenv" / "bin" / "pipenv", "install", "--python", BASE_PYTHON, cwd=app))
    _cannot_import_keyring(app / ".venv" / "bin" / "python")  # pip there ran the keyring command
    check = ok(run(app / ".venv" / "bin" / "python", "-c", "import fast_pipenv; print(fast_pipenv.MESSAGE)"))
    assert check.stdout.strip() == "for pipenv"
    assert_no_token_in(standin, app / "Pipfile.lock")
    assert token_requests(standin) == ONE_TOKEN


# -- pipx -----------------------------------------------------------------------------

def _pip_wheel(tools: Path) -> tuple[Path, str]:
    """The newest wheel of pip on this disk that virtualenv (in pipenv's environment)
    carries, and its version: 26.1 or later, as pipx wants."""
    bundle = ok(run(tools / "pipenv" / "bin" / "python", "-c",
                    "from virtualenv.seed.wheels.embed import BUNDLE_FOLDER; print(BUNDLE_FOLDER)")).stdout.strip()
    wheels = {tuple(int(part) for part in wheel.name.split("-")[1].split(".")): wheel
              for wheel in Path(bundle).glob("pip-*-py3-none-any.whl")}
    newest = max(wheels)
    assert newest >= (26, 1), wheels
    return wheels[newest], ".".join(map(str, newest))


def test_pipx_install_of_a_private_application(fast_keyring_only, e2e, standin, tools, tmp_path, monkeypatch):
    # A first pipx install makes its shared pip: it upgrades the Python's bundled pip (23.2
    # here, whose subprocess provider runs `keyring get URL aws`) to pip >= 26.1 from the
    # index given (CodeArtifact's PyPI upstream serves it: here, the wheel put there).
    publish(e2e, tmp_path, "fast-pipx-app", message="for pipx", script="fast-pipx-app")
    wheel, pip_version = _pip_wheel(tools)
    (e2e.root / "python" / wheel.name).write_bytes(wheel.read_bytes())
    for variable, setting in {"PIPX_HOME": tmp_path / "pipx-home", "PIPX_BIN_DIR": tmp_path / "pipx-bin",
                              "PIPX_MAN_DIR": tmp_path / "pipx-man", "PIPX_DEFAULT_PYTHON": BASE_PYTHON}.items():
        monkeypatch.setenv(variable, str(setting))
    pipx = tools / "pipx" / "bin" / "pipx"
    ok_served(e2e, lambda: run(pipx, "install", "--index-url", AT_URL, "--pip-args=--keyring-provider=subprocess",
                               "fast-pipx-app"))
    assert ok(run(tmp_path / "pipx-bin" / "fast-pipx-app")).stdout.strip() == "for pipx"
    assert token_requests(standin) == ONE_TOKEN
    shared_pip = ok(run(tmp_path / "pipx-home" / "shared" / "bin" / "python", "-m", "pip", "--version")).stdout
    assert shared_pip.startswith(f"pip {pip_version} ")  # the upgrade came through the index too


def test_pipx_first_install_needs_the_username_in_the_url(fast_keyring_only, e2e, standin, tools, tmp_path,
                                                          monkeypatch):
    # What the docs say: without `aws@` the Python's bundled pip (23.2 here) that makes pipx's
    # shared pip never asks keyring (pip before 26.2 asks only with a username), so the
    # first pipx install fails at that step, before our command is ever run.
    wheel, _ = _pip_wheel(tools)
    (e2e.root / "python").mkdir(parents=True, exist_ok=True)
    (e2e.root / "python" / wheel.name).write_bytes(wheel.read_bytes())
    monkeypatch.setenv("PIPX_HOME", str(tmp_path / "pipx-home"))
    monkeypatch.setenv("PIPX_BIN_DIR", str(tmp_path / "pipx-bin"))
    monkeypatch.setenv("PIPX_DEFAULT_PYTHON", str(BASE_PYTHON))
    result = run(tools / "pipx" / "bin" / "pipx", "install", "--index-url", URL,
                 "--pip-args=--keyring-provider=subprocess", "fast-pipx-app")
    assert result.returncode != 0 and "No matching distribution found for pip>=26.1" in result.stderr
    assert {r["status"] for r in e2e.requests} == {401} and token_requests(standin) == []
