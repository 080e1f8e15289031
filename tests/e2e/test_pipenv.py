"""Real pipenv locks and installs from the CodeArtifact stand-in.

pipenv always runs pip with ``--no-input`` (so the ``auto`` provider never asks keyring), and
runs it on the project venv's Python, where keyring is not installed (so ``import`` finds
nothing): the recipe that works is ``PIPENV_KEYRING_PROVIDER=subprocess`` with the keyring
tool on PATH.
"""

import pytest

from helpers import URL, run
from support import BASE_PYTHON, ONE_TOKEN, assert_no_token_in, ok, publish, token_requests

PIPFILE = f"""
[[source]]
url = "{URL}"
verify_ssl = true
name = "codeartifact"

[packages]
pipenv-hello = "==1.0"
"""


def pipenv_install(tools, app, monkeypatch, provider):
    for name, value in {
        "PIPENV_KEYRING_PROVIDER": provider,
        "PIPENV_VENV_IN_PROJECT": "1",
        "PIPENV_YES": "1",
        "PIPENV_NOSPIN": "1",
        "PIPENV_IGNORE_VIRTUALENVS": "1",
    }.items():
        monkeypatch.setenv(name, value)
    app.mkdir()
    (app / "Pipfile").write_text(PIPFILE)
    return run(tools / "pipenv" / "bin" / "pipenv", "install", "--python", BASE_PYTHON, cwd=app)


def test_pipenv_install_with_the_subprocess_provider(e2e, standin, tools, tmp_path, monkeypatch):
    publish(e2e, tmp_path, "pipenv-hello", message="for pipenv")
    app = tmp_path / "app"
    ok(pipenv_install(tools, app, monkeypatch, "subprocess"))
    assert_no_token_in(standin, app / "Pipfile.lock")
    check = ok(run(app / ".venv" / "bin" / "python", "-c", "import pipenv_hello; print(pipenv_hello.MESSAGE)"))
    assert check.stdout.strip() == "for pipenv"
    assert token_requests(standin) == ONE_TOKEN


@pytest.mark.parametrize("provider", ["import", "auto"])
def test_pipenv_with_another_provider_does_not_reach_keyring(e2e, standin, tools, tmp_path, monkeypatch, provider):
    # The trap the README names: pip in the project venv cannot import keyring, and --no-input stops auto.
    publish(e2e, tmp_path, "pipenv-hello")
    result = pipenv_install(tools, tmp_path / "app", monkeypatch, provider)
    assert result.returncode != 0
    assert {r["status"] for r in e2e.requests} == {401}  # asked, and never came back with a token
    assert token_requests(standin) == []
