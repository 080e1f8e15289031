"""Poetry 2 brings the backend itself: `[tool.poetry.requires-plugins]` makes a poetry
that has never heard of this package install it from a plain index (into the
project's .poetry/plugins) and then authenticate to CodeArtifact with it, no
`poetry self add`."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import ROOT, URL, run
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
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", POETRY], check=True,
                   capture_output=True)
    listed = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "list"], capture_output=True, text=True)
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
    archive = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, check=True)
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
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.delenv("PYTHONPATH", raising=False)  # the bare poetry must not see this worktree's package
    monkeypatch.setenv("POETRY_CACHE_DIR", str(tmp_path / "poetry-cache"))
    monkeypatch.setenv("POETRY_VIRTUALENVS_IN_PROJECT", "true")
    monkeypatch.setenv("POETRY_NO_INTERACTION", "1")
    publish(e2e, tmp_path, "poetry-hello", message="from the plugin")
    app = tmp_path / "app"
    app.mkdir()
    (app / "pyproject.toml").write_text(f"""\
[project]
name = "app"
version = "1.0"
requires-python = ">=3.9"
dependencies = ["poetry-hello==1.0"]

[tool.poetry]
package-mode = false

[tool.poetry.requires-plugins]
codeartifact-keyring = ">=0.1"

[[tool.poetry.source]]
name = "codeartifact"
url = "{URL}"
priority = "primary"

[[tool.poetry.source]]
name = "plain"
url = "{plain_index.url}"
priority = "supplemental"
""")
    first = run(bare_poetry, "install", cwd=app)
    print(first.stdout[-3000:], first.stderr[-3000:])
    assert token_requests(standin) == []
    install = run(bare_poetry, "install", cwd=app)
    print(install.stdout[-6000:], install.stderr[-4000:])
    ok(install)
    check = run(app / ".venv" / "bin" / "python", "-c", "import poetry_hello; print(poetry_hello.MESSAGE)")
    assert check.stdout.strip() == "from the plugin"
    assert token_requests(standin) == ONE_TOKEN
