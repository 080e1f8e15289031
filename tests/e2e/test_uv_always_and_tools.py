"""Real uv against the CodeArtifact stand-in, the ways the README gives beyond ``uv pip``:
an index with ``authenticate = "always"`` (no username anywhere), and the tool commands
``uv tool install`` and ``uvx``. The keyring tool is on PATH; uv runs it."""

import os
from pathlib import Path

import pytest

from helpers import BIN, URL, run
from support import AT_URL, BASE_PYTHON, ONE_TOKEN, assert_no_token_in, ok, ok_served, publish, token_requests

UV = BIN / "uv"

# The README's recipe: in pyproject.toml, or (as [[index]] and a top-level setting) in uv.toml.
ALWAYS = f"""
[tool.uv]
keyring-provider = "subprocess"

[[tool.uv.index]]
name = "codeartifact"
url = "{URL}"
default = true
authenticate = "always"
"""
UV_TOML = ALWAYS.replace("[tool.uv]\n", "").replace("[[tool.uv.index]]", "[[index]]")


@pytest.fixture
def uv_env(monkeypatch):
    monkeypatch.setenv("UV_NO_CACHE", "1")
    monkeypatch.setenv("UV_PYTHON", str(BASE_PYTHON))


def test_uv_add_lock_sync_with_authenticate_always(e2e, standin, uv_env, tmp_path):
    # uv runs `keyring --mode creds get URL`: no username in the URL or the environment.
    publish(e2e, tmp_path, "uv-always", message="always")
    app = tmp_path / "app"
    app.mkdir()
    (app / "pyproject.toml").write_text(
        '[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.9"\ndependencies = []\n' + ALWAYS
    )
    ok_served(e2e, lambda: run(UV, "add", "uv-always", cwd=app))
    ok_served(e2e, lambda: run(UV, "lock", "--refresh", cwd=app))
    ok_served(e2e, lambda: run(UV, "sync", "--reinstall", cwd=app))
    check = ok(run(app / ".venv" / "bin" / "python", "-c", "import uv_always; print(uv_always.MESSAGE)"))
    assert check.stdout.strip() == "always"
    assert "uv-always" in (app / "uv.lock").read_text()
    assert_no_token_in(standin, app / "uv.lock", app / "pyproject.toml")
    assert token_requests(standin) == ONE_TOKEN


def test_uv_without_a_username_or_authenticate_always_does_not_ask_keyring(e2e, standin, uv_env, tmp_path, monkeypatch):
    # The trap the README names: uv asks keyring only for a username it knows, unless "always".
    publish(e2e, tmp_path, "uv-always")
    monkeypatch.setenv("UV_KEYRING_PROVIDER", "subprocess")
    result = run(UV, "pip", "install", "--target", tmp_path / "t", "--index-url", URL, "uv-always")
    assert result.returncode != 0
    assert {r["status"] for r in e2e.requests} == {401}
    assert token_requests(standin) == []


@pytest.fixture
def uv_tool_env(uv_env, tmp_path, monkeypatch):
    """uv's tool folders under this test's tmp_path."""
    monkeypatch.setenv("UV_TOOL_DIR", str(tmp_path / "uv-tools"))
    monkeypatch.setenv("UV_TOOL_BIN_DIR", str(tmp_path / "bin"))
    return tmp_path / "bin"


def index_arguments(form: str, monkeypatch) -> list:
    """The arguments (and environment, or uv.toml) that name the private index to uv's tool commands."""
    if form != "uv.toml-authenticate-always":
        monkeypatch.setenv("UV_KEYRING_PROVIDER", "subprocess")
    if form == "aws@-url":
        return ["--index", AT_URL]
    if form == "named-index-and-username-variable":
        monkeypatch.setenv("UV_INDEX_PRIVATE_USERNAME", "aws")
        return ["--index", f"private={URL}"]
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "uv" / "uv.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(UV_TOML)
    return []


FORMS = ["aws@-url", "named-index-and-username-variable", "uv.toml-authenticate-always"]


@pytest.mark.parametrize("form", FORMS)
def test_uv_tool_install(e2e, standin, uv_tool_env, tmp_path, monkeypatch, form):
    publish(e2e, tmp_path, "private-tool", message="tool ran", script="private-tool")
    ok(run(UV, "tool", "install", *index_arguments(form, monkeypatch), "private-tool"))
    assert ok(run(uv_tool_env / "private-tool")).stdout.strip() == "tool ran"
    assert token_requests(standin) == ONE_TOKEN


@pytest.mark.parametrize("form", FORMS)
def test_uvx(e2e, standin, uv_tool_env, tmp_path, monkeypatch, form):
    publish(e2e, tmp_path, "private-tool", message="tool ran", script="private-tool")
    result = ok(run(BIN / "uvx", *index_arguments(form, monkeypatch), "private-tool"))
    assert result.stdout.strip() == "tool ran"
    assert token_requests(standin) == ONE_TOKEN
