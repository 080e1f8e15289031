"""Real poetry locks, installs and publishes against the CodeArtifact stand-in: poetry 2, and
poetry 1.8 with the oldest keyring this package supports (24.0.0, as poetry 1.8 requires < 25).

Never `poetry config http-basic` (it prompts and, with no terminal, spins forever):
the backend is all the credentials poetry gets.
"""

import re

import pytest

from helpers import CLI, URL, run
from standin.wheels import make_wheel
from support import ONE_TOKEN, UPLOAD_URL, ok, publish, token_requests

SOURCE = f"""
[[tool.poetry.source]]
name = "codeartifact"
url = "{URL}"
priority = "primary"
"""


@pytest.fixture(params=["poetry", "poetry-1.8"])
def poetry(request, e2e, tools, tmp_path, monkeypatch):
    monkeypatch.setenv("POETRY_CACHE_DIR", str(tmp_path / "poetry-cache"))
    monkeypatch.setenv("POETRY_VIRTUALENVS_IN_PROJECT", "true")
    monkeypatch.setenv("POETRY_NO_INTERACTION", "1")
    return tools / request.param / "bin" / "poetry"


def project(poetry, folder, name, dependencies=(), package_mode=False):
    """A poetry project: PEP 621 for poetry 2, the [tool.poetry] tables for poetry 1.8."""
    folder.mkdir(parents=True)
    mode = str(package_mode).lower()
    if poetry.parent.parent.name == "poetry-1.8":
        deps = "".join('{} = "{}"\n'.format(*d.split("==")) for d in dependencies)
        text = (
            f'[tool.poetry]\nname = "{name}"\nversion = "1.0"\ndescription = ""\nauthors = []\n'
            f'package-mode = {mode}\n\n[tool.poetry.dependencies]\npython = ">=3.9"\n{deps}'
        )
    else:
        deps = ", ".join(f'"{d}"' for d in dependencies)
        text = (
            f'[project]\nname = "{name}"\nversion = "1.0"\nrequires-python = ">=3.9"\n'
            f"dependencies = [{deps}]\n\n[tool.poetry]\npackage-mode = {mode}\n"
        )
    (folder / "pyproject.toml").write_text(text + SOURCE)
    return folder


def test_poetry_lock_and_install(poetry, e2e, standin, tmp_path):
    publish(e2e, tmp_path, "poetry-hello", message="for poetry")
    app = project(poetry, tmp_path / "app", "app", ["poetry-hello==1.0"])

    lock = run(poetry, "lock", cwd=app)
    assert lock.returncode == 0, lock.stdout + lock.stderr
    install = run(poetry, "install", cwd=app)
    assert install.returncode == 0, install.stdout + install.stderr
    check = run(app / ".venv" / "bin" / "python", "-c", "import poetry_hello; print(poetry_hello.MESSAGE)")
    assert check.stdout.strip() == "for poetry"
    # Two poetry processes and several lookups each: one API call, through the disk cache.
    assert token_requests(standin) == ONE_TOKEN


def test_poetry_publish(poetry, e2e, standin, tmp_path):
    lib = project(poetry, tmp_path / "lib", "poetry-published", package_mode=True)
    wheel = make_wheel(lib / "dist", "poetry-published", "1.0")
    configured = run(poetry, "config", "repositories.codeartifact", UPLOAD_URL, cwd=lib)
    assert configured.returncode == 0, configured.stderr
    publish = run(poetry, "publish", "--repository", "codeartifact", cwd=lib)
    assert publish.returncode == 0, publish.stdout + publish.stderr
    assert wheel.name in e2e.packages("python")
    assert token_requests(standin) == ONE_TOKEN


def test_poetry_reports_denied_access_cleanly(poetry, e2e, standin, tmp_path):
    standin.fault = "deny"
    app = project(poetry, tmp_path / "app", "app", ["poetry-hello==1.0"])
    lock = run(poetry, "lock", cwd=app)
    output = lock.stdout + lock.stderr
    assert lock.returncode == 1  # a clean failure, not a crash
    assert "Traceback" not in output
    assert "Authorization error accessing" in output
    # poetry logs keyring errors at debug level only: -vvv shows our message.
    debug = run(poetry, "lock", "-vvv", cwd=app)
    assert "codeartifact-keyring: cannot get a token for domain 'my-team'" in debug.stdout + debug.stderr


@pytest.mark.parametrize("turned_off", ["config", "variable"])
def test_keyring_turned_off_is_named_and_its_undo_works(turned_off, e2e, standin, tools, tmp_path, monkeypatch):
    """With keyring.enabled off, poetry asks no backend (a 401, no token request); setup
    poetry says so in one line, and the undo it names brings the backend back."""
    poetry = tools / "poetry" / "bin" / "poetry"
    monkeypatch.setenv("POETRY_CACHE_DIR", str(tmp_path / "poetry-cache"))
    monkeypatch.setenv("POETRY_VIRTUALENVS_IN_PROJECT", "true")
    monkeypatch.setenv("POETRY_NO_INTERACTION", "1")
    publish(e2e, tmp_path, "poetry-hello", message="keyring back on")
    app = project(poetry, tmp_path / "app", "app", ["poetry-hello==1.0"])
    if turned_off == "config":
        ok(run(poetry, "config", "keyring.enabled", "false", cwd=app))  # the common Windows workaround (poetry 9791)
    else:
        monkeypatch.setenv("POETRY_KEYRING_ENABLED", "false")

    refused = run(poetry, "lock", cwd=app)
    assert refused.returncode == 1 and "Authorization error accessing" in refused.stdout + refused.stderr
    assert token_requests(standin) == []  # poetry never asked the backend

    told = ok(run(CLI, "setup", "poetry", URL, cwd=app))
    [warning] = told.stderr.splitlines()
    assert "poetry asks no keyring backend, this one included, so its installs get 401" in warning
    if turned_off == "config":
        undo = re.search(r"undo: `(poetry config keyring\.enabled true)`", warning)[1]
        ok(run(poetry, *undo.split()[1:], cwd=app))
    else:
        assert "undo: unset POETRY_KEYRING_ENABLED" in warning
        monkeypatch.delenv("POETRY_KEYRING_ENABLED")
    assert run(CLI, "setup", "poetry", URL, cwd=app).stderr == ""

    ok(run(poetry, "lock", cwd=app))
    ok(run(poetry, "install", cwd=app))
    check = run(app / ".venv" / "bin" / "python", "-c", "import poetry_hello; print(poetry_hello.MESSAGE)")
    assert check.stdout.strip() == "keyring back on"
    assert token_requests(standin) == ONE_TOKEN
