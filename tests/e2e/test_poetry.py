"""Real poetry locks, installs and publishes against the CodeArtifact stand-in.

Never `poetry config http-basic` (it prompts and, with no terminal, spins forever):
the backend is all the credentials poetry gets.
"""

import textwrap

import pytest

from helpers import DOMAIN, OWNER, REGION, URL, run
from standin.wheels import make_wheel

UPLOAD_URL = URL.replace("/simple/", "/")


@pytest.fixture
def poetry(e2e, tools, tmp_path, monkeypatch):
    monkeypatch.setenv("POETRY_CACHE_DIR", str(tmp_path / "poetry-cache"))
    monkeypatch.setenv("POETRY_VIRTUALENVS_IN_PROJECT", "true")
    monkeypatch.setenv("POETRY_NO_INTERACTION", "1")
    return tools / "poetry" / "bin" / "poetry"


def project(folder, name, dependencies=(), package_mode=False):
    folder.mkdir(parents=True)
    deps = ", ".join(f'"{d}"' for d in dependencies)
    (folder / "pyproject.toml").write_text(
        textwrap.dedent(
            f"""
            [project]
            name = "{name}"
            version = "1.0"
            requires-python = ">=3.9"
            dependencies = [{deps}]

            [tool.poetry]
            package-mode = {str(package_mode).lower()}

            [[tool.poetry.source]]
            name = "codeartifact"
            url = "{URL}"
            priority = "primary"
            """
        )
    )
    return folder


def token_requests(standin):
    return [(r["domain"], r["owner"], r["region"], r["status"]) for r in standin.token_requests()]


def test_poetry_lock_and_install(poetry, e2e, standin, tmp_path):
    wheel = make_wheel(tmp_path / "dist", "poetry-hello", "1.0", message="for poetry")
    (e2e.root / "python").mkdir(parents=True, exist_ok=True)
    (e2e.root / "python" / wheel.name).write_bytes(wheel.read_bytes())
    app = project(tmp_path / "app", "app", ["poetry-hello==1.0"])

    lock = run(poetry, "lock", cwd=app)
    assert lock.returncode == 0, lock.stdout + lock.stderr
    install = run(poetry, "install", cwd=app)
    assert install.returncode == 0, install.stdout + install.stderr
    check = run(app / ".venv" / "bin" / "python", "-c", "import poetry_hello; print(poetry_hello.MESSAGE)")
    assert check.stdout.strip() == "for poetry"
    # Two poetry processes and several lookups each: one API call, through the disk cache.
    assert token_requests(standin) == [(DOMAIN, OWNER, REGION, 200)]


def test_poetry_publish(poetry, e2e, standin, tmp_path):
    lib = project(tmp_path / "lib", "poetry-published", package_mode=True)
    wheel = make_wheel(lib / "dist", "poetry-published", "1.0")
    configured = run(poetry, "config", "repositories.codeartifact", UPLOAD_URL, cwd=lib)
    assert configured.returncode == 0, configured.stderr
    publish = run(poetry, "publish", "--repository", "codeartifact", cwd=lib)
    assert publish.returncode == 0, publish.stdout + publish.stderr
    assert wheel.name in e2e.packages("python")
    assert token_requests(standin) == [(DOMAIN, OWNER, REGION, 200)]


def test_poetry_reports_denied_access_cleanly(poetry, e2e, standin, tmp_path):
    standin.fault = "deny"
    app = project(tmp_path / "app", "app", ["poetry-hello==1.0"])
    lock = run(poetry, "lock", cwd=app)
    output = lock.stdout + lock.stderr
    assert lock.returncode == 1  # a clean failure, not a crash
    assert "Traceback" not in output
    assert "Authorization error accessing" in output
    # poetry logs keyring errors at debug level only: -vvv shows our message.
    debug = run(poetry, "lock", "-vvv", cwd=app)
    assert "codeartifact-keyring: cannot get a token for domain 'my-team'" in debug.stdout + debug.stderr
