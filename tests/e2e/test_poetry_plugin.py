"""Poetry 2 brings the backend itself: `[tool.poetry.requires-plugins]` makes a poetry
that has never heard of this package install it from a plain index (into the
project's .poetry/plugins) and then authenticate to CodeArtifact with it, no
`poetry self add`."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import CLI, ROOT, URL, run
from standin.index import PlainIndex
from support import ONE_TOKEN, ok, publish, token_requests

POETRY = "poetry==2.5.1"
# What poetry and this package depend on on other platforms only (pip evaluates markers
# for this interpreter, even with --platform, so these are named here).
OTHER_PLATFORMS = {"macosx_11_0_arm64": ["xattr"], "win_amd64": ["colorama", "pywin32-ctypes"]}


@pytest.fixture(scope="session")
def bare_poetry(tmp_path_factory) -> Path:
    """A poetry 2 of its own, from the package registry, without this package."""
    venv = tmp_path_factory.mktemp("bare-poetry") / "venv"
    alone = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}  # not this worktree's
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", POETRY], check=True,
                   capture_output=True, env=alone)
    listed = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "list"], capture_output=True, text=True,
                            env=alone)
    assert "codeartifact-keyring" not in listed.stdout and "boto" not in listed.stdout
    return venv / "bin" / "poetry"


@pytest.fixture(scope="session")
def plain_index(bare_poetry, tmp_path_factory):
    """A plain (unauthenticated) index, as PyPI is: a wheel of this worktree and of each of
    its dependencies, and of everything in poetry's environment (poetry's plugin solver
    pins those and looks them up too)."""
    folder = tmp_path_factory.mktemp("plain-index")
    frozen = folder.parent / "poetry-environment.txt"
    frozen.write_text(subprocess.run([str(bare_poetry.parent / "python"), "-m", "pip", "freeze", "--all"],
                                     capture_output=True, text=True, check=True).stdout)
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(folder), "-r", str(frozen)],
                   check=True, capture_output=True)
    source = tmp_path_factory.mktemp("source")  # a copy: building leaves egg-info and build/ behind
    archive = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                             capture_output=True, check=True)
    for name in archive.stdout.decode().split("\0"):
        if name and (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "-w", str(folder), str(source)], check=True,
                   capture_output=True)
    for platform, names in OTHER_PLATFORMS.items():  # the plugin solver resolves for every platform
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
                        "--platform", platform, "-d", str(folder), *names], check=True, capture_output=True)
    with PlainIndex(folder) as server:
        yield server


def test_requires_plugins_installs_the_backend_and_authenticates(bare_poetry, plain_index, e2e, standin, tmp_path,
                                                                 monkeypatch):
    publish(e2e, tmp_path, "poetry-hello", message="from the plugin")
    app = tmp_path / "app"
    app.mkdir()
    (app / "pyproject.toml").write_text(
        '[project]\nname = "app"\nversion = "1.0"\nrequires-python = ">=3.9"\ndependencies = ["poetry-hello==1.0"]\n\n'
        "[tool.poetry]\npackage-mode = false\n"
    )
    told = ok(run(CLI, "setup", "poetry", "--requires-plugins", URL, cwd=app)).stdout
    assert "`poetry source add --priority=supplemental PyPI`" in told  # CodeArtifact is primary: PyPI is off
    assert "run `poetry install` again" in told
    environment = dict(NO_PROXY="127.0.0.1", POETRY_CACHE_DIR=str(tmp_path / "poetry-cache"),
                       POETRY_VIRTUALENVS_IN_PROJECT="true", POETRY_NO_INTERACTION="1")
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("PYTHONPATH", raising=False)  # this poetry must not see the package under test
    # The plain index stands in for PyPI, as the note says (PyPI's name would mean pypi.org).
    ok(run(bare_poetry, "source", "add", "--priority=supplemental", "plain", plain_index.url, cwd=app))

    # poetry checks keyring (PoetryKeyring.preflight_check, cached) and loads keyring's
    # backends before it installs the project's plugins, and puts .poetry/plugins on
    # sys.path only when it starts: the first install gets the backend but cannot use it.
    first = run(bare_poetry, "install", cwd=app)
    assert first.returncode == 1, first.stdout + first.stderr
    assert "Installing codeartifact-keyring (" in first.stdout
    assert "poetry-hello (1.0) which doesn't match any versions" in first.stdout + first.stderr
    assert token_requests(standin) == []
    assert any(path.endswith(".whl") and "codeartifact_keyring" in path for path in plain_index.requests)
    assert list((app / ".poetry" / "plugins").glob("codeartifact_keyring-*.dist-info"))

    ok(run(bare_poetry, "install", cwd=app))
    check = run(app / ".venv" / "bin" / "python", "-c", "import poetry_hello; print(poetry_hello.MESSAGE)")
    assert check.stdout.strip() == "from the plugin"
    assert token_requests(standin) == ONE_TOKEN
    own = run(bare_poetry.parent / "python", "-m", "pip", "list")  # no `poetry self add`: poetry's env unchanged
    assert "codeartifact-keyring" not in own.stdout and "boto3" not in own.stdout
