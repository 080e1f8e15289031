"""After `codeartifact-keyring setup TOOL`, from a clean HOME, the tool's plain
commands get in: no flags, no variables (pipenv: only the one setup prints), no
token anywhere."""

import os
import shutil
import sys
import textwrap
from pathlib import Path

import pytest

from helpers import BIN, DOMAIN, OWNER, REGION, URL, run
from standin.wheels import make_build_backend_wheel, make_sdist, make_wheel
from support import BASE_PYTHON, ONE_TOKEN, assert_no_token_in, ok_served, token_requests

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

CLI = BIN / "codeartifact-keyring"


@pytest.fixture
def published(e2e, tmp_path, monkeypatch):
    wheel = make_wheel(tmp_path / "dist", "setup-hello", "1.0", message="set up")
    (e2e.root / "python").mkdir(parents=True, exist_ok=True)
    (e2e.root / "python" / wheel.name).write_bytes(wheel.read_bytes())
    # Client configs under the test's HOME must count, as they do for a user.
    for name in ("PIP_CONFIG_FILE", "UV_NO_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    return e2e


def setup(*args, cwd=None):
    result = run(CLI, "setup", *args, cwd=cwd)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def ok(result):
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.mark.parametrize("which", ["pip-with-backend", "older-pip-without"])
def test_setup_pip_then_plain_pip_install(published, standin, tools, tmp_path, which):
    pip = BIN / "pip" if which == "pip-with-backend" else tools / "pip-26.1" / "bin" / "pip"
    setup("pip", "--pip", str(pip), URL)
    ok(run(pip, "install", "--target", tmp_path / "t", "setup-hello"))
    assert (tmp_path / "t" / "setup_hello").is_dir()
    assert token_requests(standin) == [(DOMAIN, OWNER, REGION, 200)]


def test_setup_uv_then_uv_pip_install_uv_sync_and_uv_publish(published, standin, isolated_env, tmp_path, uv_on_path):
    setup("uv", URL)
    [index] = tomllib.loads((isolated_env / ".config" / "uv" / "uv.toml").read_text())["index"]
    assert (index["url"], index["authenticate"]) == (URL, "always")  # no username: uv runs `keyring --mode creds get URL`
    ok(run(BIN / "uv", "pip", "install", "--no-cache", "--target", tmp_path / "t", "setup-hello"))
    assert (tmp_path / "t" / "setup_hello").is_dir()
    app = tmp_path / "app"
    app.mkdir()
    (app / "pyproject.toml").write_text(
        '[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.9"\ndependencies = ["setup-hello==1.0"]\n'
    )
    ok(run(BIN / "uv", "sync", "--no-cache", "--python", BIN / "python", cwd=app))
    check = ok(run(app / ".venv" / "bin" / "python", "-c", "import setup_hello; print(setup_hello.MESSAGE)"))
    assert check.stdout.strip() == "set up"
    wheel = make_wheel(tmp_path / "dist", "uv-setup-published", "1.0")
    ok(run(BIN / "uv", "publish", "--index", "codeartifact", wheel))
    assert wheel.name in published.packages("python")
    assert token_requests(standin) == [(DOMAIN, OWNER, REGION, 200)]  # later runs used the cache


def test_setup_uv_project_then_uv_sync(published, standin, tmp_path, uv_on_path):
    app = tmp_path / "app"
    app.mkdir()
    (app / "pyproject.toml").write_text(
        '[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.9"\ndependencies = ["setup-hello==1.0"]\n'
    )
    setup("uv", "--project", URL, cwd=app)
    [index] = tomllib.loads((app / "pyproject.toml").read_text())["tool"]["uv"]["index"]
    assert "@" not in index["url"]
    ok_served(published, lambda: run(BIN / "uv", "lock", "--no-cache", "--python", BIN / "python", cwd=app))
    ok_served(published, lambda: run(BIN / "uv", "sync", "--no-cache", "--python", BIN / "python", cwd=app))
    assert_no_token_in(standin, app / "uv.lock", app / "pyproject.toml")
    assert token_requests(standin) == [(DOMAIN, OWNER, REGION, 200)]


def test_setup_poetry_then_install_and_publish(published, standin, tools, tmp_path, monkeypatch):
    monkeypatch.setenv("POETRY_VIRTUALENVS_IN_PROJECT", "true")
    poetry = tools / "poetry" / "bin" / "poetry"
    monkeypatch.setenv("PATH", f"{poetry.parent}{os.pathsep}{os.environ['PATH']}")  # setup runs `poetry config`
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "pyproject.toml").write_text(textwrap.dedent(
        """
        [project]
        name = "setup-lib"
        version = "1.0"
        requires-python = ">=3.9"
        dependencies = ["setup-hello==1.0"]
        """
    ))
    (lib / "setup_lib").mkdir()
    (lib / "setup_lib" / "__init__.py").write_text("")
    setup("poetry", URL, cwd=lib)
    ok(run(poetry, "install", "--no-interaction", cwd=lib))
    wheel = make_wheel(lib / "dist", "setup-lib", "1.0")
    ok(run(poetry, "publish", "--repository", "codeartifact", "--no-interaction", cwd=lib))
    assert wheel.name in published.packages("python")
    assert token_requests(standin) == [(DOMAIN, OWNER, REGION, 200)]


def test_setup_poetry_names_the_credentials_poetry_would_send_instead(published, standin, tools, tmp_path, monkeypatch):
    # A token pasted earlier (`poetry config http-basic.codeartifact aws TOKEN`) is what
    # poetry sends, never asking keyring: setup says so, and how to remove it.
    monkeypatch.setenv("POETRY_VIRTUALENVS_IN_PROJECT", "true")
    poetry = tools / "poetry" / "bin" / "poetry"
    monkeypatch.setenv("PATH", f"{poetry.parent}{os.pathsep}{os.environ['PATH']}")
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "pyproject.toml").write_text(
        '[project]\nname = "setup-lib"\nversion = "1.0"\nrequires-python = ">=3.9"\ndependencies = ["setup-hello==1.0"]\n'
        '[tool.poetry]\npackage-mode = false\n'
    )
    # As poetry stores it where keyring cannot store (keyring.enabled false, or no storing backend):
    monkeypatch.setenv("POETRY_CONFIG_DIR", str(tmp_path / "poetry-config"))
    (tmp_path / "poetry-config").mkdir()
    (tmp_path / "poetry-config" / "auth.toml").write_text(
        '[http-basic.codeartifact]\nusername = "aws"\npassword = "expired-pasted-token"\n'
    )
    output = setup("poetry", URL, cwd=lib)
    assert "poetry config --unset http-basic.codeartifact" in output and "expired-pasted-token" not in output
    refused = run(poetry, "install", "--no-interaction", cwd=lib)
    assert refused.returncode != 0 and token_requests(standin) == []  # the pasted token went, not ours
    ok(run(poetry, "config", "--unset", "http-basic.codeartifact", cwd=lib))
    assert "--unset" not in setup("poetry", URL, cwd=lib)
    ok(run(poetry, "install", "--no-interaction", cwd=lib))
    assert token_requests(standin) == [(DOMAIN, OWNER, REGION, 200)]


def test_setup_twine_then_upload_by_name(published, standin, tmp_path):
    setup("twine", URL)
    wheel = make_wheel(tmp_path / "dist", "setup-twined", "1.0")
    ok(run(BIN / "twine", "upload", "--non-interactive", "--repository", "codeartifact", wheel))
    assert wheel.name in published.packages("python")
    assert token_requests(standin) == [(DOMAIN, OWNER, REGION, 200)]


@pytest.mark.skipif(
    sys.platform != "linux" or os.geteuid() != 0 or not shutil.which("unshare"),
    reason="needs root and unshare --mount (Linux) to map the repository hostname in /etc/hosts",
)
def test_hatch_publish_uploads_with_the_token(published, standin, tools, tmp_path, isolated_env, ca_bundle):
    # hatch 1.18 asks keyring.get_password(REPOSITORY_URL, user) (older releases asked by
    # name, which [codeartifact-repositories] answers: see test_setup.py). Its HTTP client
    # ignores HTTPS_PROXY, so instead of the proxy hatch runs in a mount namespace whose
    # /etc/hosts maps the repository hostname to 127.0.0.1, and the URL carries the
    # index's port (the backend ignores ports, as it does for any URL).
    host = URL.split("/")[2]
    port = published.address[1]
    hosts = tmp_path / "hosts"
    hosts.write_text(Path("/etc/hosts").read_text() + f"\n127.0.0.1 {host}\n")
    config = isolated_env / ".config" / "hatch" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        f'[publish.index.repos.codeartifact]\nurl = "https://{host}:{port}/pypi/python/"\n'
        f'user = "aws"\nca-cert = "{ca_bundle}"\n'
    )
    project = tmp_path / "hatched"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "hatched"\nversion = "1.0"\n')
    wheel = make_wheel(project / "dist", "hatched", "1.0")
    hatch = tools / "hatch" / "bin" / "hatch"
    ok(run(
        "unshare", "--mount", "sh", "-c", 'mount --bind "$0" /etc/hosts && exec "$@"',
        hosts, hatch, "publish", "--repo", "codeartifact", "--no-prompt", wheel, cwd=project,
    ))
    assert wheel.name in published.packages("python")
    assert "passed to pypiserver" in [r["status"] for r in published.requests if r["method"] == "POST"]
    assert token_requests(standin) == [(DOMAIN, OWNER, REGION, 200)]


@pytest.mark.parametrize("which", ["pip-with-backend", "older-pip-without"])
def test_setup_pip_then_an_sdist_with_a_private_build_dependency(published, standin, tools, tmp_path, which):
    # pip installs build dependencies with a child pip that gets none of the parent's
    # options, and with --no-input gets PIP_NO_INPUT=1: it reads the provider from the config.
    make_build_backend_wheel(published.root / "python", "private-backend")
    make_sdist(published.root / "python", "needs-private-build", "1.0", "private-backend")
    pip = BIN / "pip" if which == "pip-with-backend" else tools / "pip-26.1" / "bin" / "pip"
    setup("pip", "--pip", str(pip), URL)
    ok(run(pip, "install", "--no-input", "--target", tmp_path / "t", "needs-private-build"))
    built = (tmp_path / "t" / "needs_private_build" / "__init__.py").read_text()
    assert built.startswith("MESSAGE = 'built by private-backend'")
    assert [r["status"] for r in published.requests if "private-backend" in r["path"]][-1] == "passed to pypiserver"
    assert token_requests(standin) == ONE_TOKEN  # the child pip used the disk cache


PDM_PROJECT = """
[project]
name = "app"
version = "0.1.0"
requires-python = ">=3.9"
dependencies = ["setup-hello==1.0"]

[tool.pdm]
distribution = false
"""


@pytest.mark.parametrize("route", ["import", "keyring-cli"])
def test_setup_pdm_then_lock_and_install(published, standin, tools, tmp_path, monkeypatch, route):
    # import: the backend in pdm's environment; keyring-cli: pdm without keyring runs the keyring tool on PATH
    monkeypatch.setenv("PDM_CHECK_UPDATE", "false")
    monkeypatch.setenv("PDM_NON_INTERACTIVE", "1")
    pdm = tools / ("pdm" if route == "import" else "pdm-cli") / "bin" / "pdm"
    app = tmp_path / "app"
    app.mkdir()
    (app / "pyproject.toml").write_text(PDM_PROJECT)
    setup("pdm", URL, cwd=app)
    ok(run(pdm, "venv", "create", BASE_PYTHON, cwd=app))
    ok_served(published, lambda: run(pdm, "lock", cwd=app))
    ok_served(published, lambda: run(pdm, "install", cwd=app))
    check = ok(run(app / ".venv" / "bin" / "python", "-c", "import setup_hello; print(setup_hello.MESSAGE)"))
    assert check.stdout.strip() == "set up"
    assert_no_token_in(standin, app / "pdm.lock", app / "pyproject.toml")
    assert token_requests(standin) == ONE_TOKEN


def test_setup_pipenv_then_install_with_the_printed_export(published, standin, tools, tmp_path, monkeypatch):
    app = tmp_path / "app"
    app.mkdir()
    # as pipenv makes it: PyPI is the source; setup puts ours first, where pipenv installs from
    (app / "Pipfile").write_text(
        '[[source]]\nurl = "https://pypi.org/simple"\nverify_ssl = true\nname = "pypi"\n\n[packages]\nsetup-hello = "==1.0"\n'
    )
    out = setup("pipenv", URL, cwd=app)
    [export] = [line for line in out.splitlines() if line.startswith("export ")]
    name, _, value = export[len("export "):].partition("=")
    monkeypatch.setenv(name, value)
    for variable in ("PIPENV_VENV_IN_PROJECT", "PIPENV_YES", "PIPENV_NOSPIN", "PIPENV_IGNORE_VIRTUALENVS"):
        monkeypatch.setenv(variable, "1")
    ok_served(published, lambda: run(tools / "pipenv" / "bin" / "pipenv", "install", "--python", BASE_PYTHON, cwd=app))
    check = ok(run(app / ".venv" / "bin" / "python", "-c", "import setup_hello; print(setup_hello.MESSAGE)"))
    assert check.stdout.strip() == "set up"
    assert_no_token_in(standin, app / "Pipfile.lock", app / "Pipfile")
    assert token_requests(standin) == ONE_TOKEN
