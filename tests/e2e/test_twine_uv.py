"""Real twine and uv publish to, and install from, the CodeArtifact stand-in."""

import sys

import pytest

from helpers import BIN, DOMAIN, OWNER, REGION, URL, run
from standin.wheels import make_wheel
from support import AT_URL, UPLOAD_URL, token_requests


def installed(result, target, module):
    assert result.returncode == 0, result.stdout + result.stderr
    return (target / module / "__init__.py").read_text()


def test_twine_upload_then_pip_install(e2e, standin, tmp_path):
    wheel = make_wheel(tmp_path / "dist", "twine-uploaded", "2.0", message="from twine")
    upload = run(BIN / "twine", "upload", "--non-interactive", "--repository-url", UPLOAD_URL, wheel)
    assert upload.returncode == 0, upload.stdout + upload.stderr
    assert wheel.name in e2e.packages("python")
    # twine looks up get_credential(url, None) then get_password(url, "aws"): one API call.
    assert token_requests(standin) == [(DOMAIN, OWNER, REGION, 200)]

    install = run(
        BIN / "pip", "install", "--index-url", URL, "--keyring-provider", "import",
        "--no-input", "--target", tmp_path / "t", "twine-uploaded",
    )
    assert "from twine" in installed(install, tmp_path / "t", "twine_uploaded")


@pytest.fixture
def published(e2e, tmp_path):
    wheel = make_wheel(tmp_path / "dist", "uv-hello", "1.0", message="for uv")
    (e2e.root / "python").mkdir(parents=True, exist_ok=True)
    (e2e.root / "python" / wheel.name).write_bytes(wheel.read_bytes())
    return e2e


def uv_pip_install(target, *index_args):
    return run(
        BIN / "uv", "pip", "install", "--keyring-provider", "subprocess", "--no-cache",
        "--target", target, *index_args, "uv-hello",
    )


@pytest.mark.every_python
def test_uv_pip_install_with_aws_in_the_url(published, standin, tmp_path):
    result = uv_pip_install(tmp_path / "t", "--index-url", AT_URL)
    assert "for uv" in installed(result, tmp_path / "t", "uv_hello")
    assert token_requests(standin) == [(DOMAIN, OWNER, REGION, 200)]


def test_uv_pip_install_with_index_username_variable(published, standin, tmp_path, monkeypatch):
    monkeypatch.setenv("UV_INDEX_PRIVATE_USERNAME", "aws")
    result = uv_pip_install(tmp_path / "t", "--default-index", f"private={URL}")
    assert "for uv" in installed(result, tmp_path / "t", "uv_hello")
    assert token_requests(standin) == [(DOMAIN, OWNER, REGION, 200)]


def test_uv_publish(e2e, standin, tmp_path):
    wheel = make_wheel(tmp_path / "dist", "uv-published", "3.0")
    result = run(
        BIN / "uv", "publish", "--keyring-provider", "subprocess", "--publish-url",
        UPLOAD_URL, "--username", "aws", wheel,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert wheel.name in e2e.packages("python")
    assert token_requests(standin) == [(DOMAIN, OWNER, REGION, 200)]


def test_uv_sync_with_a_named_index(published, standin, tmp_path, monkeypatch):
    app = tmp_path / "app"
    app.mkdir()
    (app / "pyproject.toml").write_text(
        f"""
[project]
name = "app"
version = "0.1.0"
requires-python = ">=3.9"
dependencies = ["uv-hello==1.0"]

[[tool.uv.index]]
name = "codeartifact"
url = "{URL}"
"""
    )
    monkeypatch.setenv("UV_INDEX_CODEARTIFACT_USERNAME", "aws")
    monkeypatch.setenv("UV_KEYRING_PROVIDER", "subprocess")
    result = run(BIN / "uv", "sync", "--no-cache", "--python", sys.executable, cwd=app)
    assert result.returncode == 0, result.stdout + result.stderr
    check = run(app / ".venv" / "bin" / "python", "-c", "import uv_hello; print(uv_hello.MESSAGE)")
    assert check.stdout.strip() == "for uv"
    assert set(token_requests(standin)) == {(DOMAIN, OWNER, REGION, 200)}
