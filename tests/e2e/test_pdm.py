"""Real pdm adds, locks, installs and publishes against the CodeArtifact stand-in, by both
routes unearth (pdm's finder) takes to keyring: ``import keyring`` when pdm's environment has
it, else the ``keyring`` command on PATH, which it runs as ``keyring --mode=creds get URL ""``."""

import pytest

from helpers import URL, run
from standin.wheels import make_wheel
from support import (
    ONE_TOKEN,
    UPLOAD_URL,
    assert_no_token_in,
    ok,
    pdm_add_lock_install,
    publish,
    token_requests,
)

PYPROJECT = f"""
[project]
name = "app"
version = "0.1.0"
requires-python = ">=3.9"
dependencies = []

[tool.pdm]
distribution = false

[[tool.pdm.source]]
name = "pypi"
url = "{URL}"
"""


@pytest.fixture(params=["import", "keyring-cli"])
def pdm(request, e2e, tools, monkeypatch):
    """pdm with the backend in its own environment, or pdm without keyring and the keyring tool on PATH."""
    monkeypatch.setenv("PDM_CHECK_UPDATE", "false")
    monkeypatch.setenv("PDM_NON_INTERACTIVE", "1")
    environment = "pdm" if request.param == "import" else "pdm-cli"
    return tools / environment / "bin" / "pdm"


def test_pdm_add_lock_install(pdm, e2e, standin, tmp_path):
    publish(e2e, tmp_path, "pdm-hello", message="for pdm")
    app = tmp_path / "app"
    app.mkdir()
    (app / "pyproject.toml").write_text(PYPROJECT)
    pdm_add_lock_install(pdm, e2e, app, tmp_path, "pdm-hello")
    assert_no_token_in(standin, app / "pdm.lock", app / "pyproject.toml")
    assert token_requests(standin) == ONE_TOKEN  # three pdm runs that each got in: the disk cache served the later ones


def test_pdm_publish(pdm, e2e, standin, tmp_path):
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "pyproject.toml").write_text(PYPROJECT.replace('"app"', '"pdm-published"'))
    wheel = make_wheel(lib / "dist", "pdm-published", "0.1.0")
    ok(run(pdm, "config", "repository.codeartifact.url", UPLOAD_URL))
    ok(run(pdm, "publish", "--no-build", "--repository", "codeartifact", cwd=lib))
    assert wheel.name in e2e.packages("python")
    assert token_requests(standin) == ONE_TOKEN
