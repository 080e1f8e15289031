"""Real flit builds and publishes to the CodeArtifact stand-in, the backend in flit's environment.

flit asks keyring only for a username it knows: ``FLIT_USERNAME`` or ``username`` in ~/.pypirc.
"""

import os
from pathlib import Path

import pytest

from helpers import run
from support import ONE_TOKEN, UPLOAD_URL, ok, token_requests

PYPROJECT = """
[build-system]
requires = ["flit_core >=3.2,<5"]
build-backend = "flit_core.buildapi"

[project]
name = "flit-published"
version = "1.0"
description = "A private test package"
"""


WHEEL = "flit_published-1.0-py2.py3-none-any.whl"


def flit_project(tmp_path: Path) -> Path:
    project = tmp_path / "flit-published"
    (project / "flit_published").mkdir(parents=True)
    (project / "flit_published" / "__init__.py").write_text('"""A private test package."""\n')
    (project / "pyproject.toml").write_text(PYPROJECT)
    return project


@pytest.mark.parametrize("configured_by", ["environment", "pypirc"])
def test_flit_publish(e2e, standin, tools, tmp_path, monkeypatch, configured_by):
    project = flit_project(tmp_path)
    if configured_by == "environment":
        monkeypatch.setenv("FLIT_INDEX_URL", UPLOAD_URL)
        monkeypatch.setenv("FLIT_USERNAME", "aws")
        args = []
    else:
        pypirc = Path(os.environ["HOME"]) / ".pypirc"
        pypirc.write_text(f"[distutils]\nindex-servers = codeartifact\n\n[codeartifact]\nrepository = {UPLOAD_URL}\nusername = aws\n")
        args = ["--repository", "codeartifact"]
    ok(run(tools / "flit" / "bin" / "flit", "publish", "--format", "wheel", *args, cwd=project))
    assert WHEEL in e2e.packages("python")
    assert "passed to pypiserver" in [r["status"] for r in e2e.requests if r["method"] == "POST"]
    assert token_requests(standin) == ONE_TOKEN


def test_flit_without_a_username_does_not_ask_keyring(e2e, standin, tools, tmp_path, monkeypatch):
    # The trap the README names: flit asks keyring only for a username it knows; with none
    # (and no terminal to prompt on) it stops.
    project = flit_project(tmp_path)
    monkeypatch.setenv("FLIT_INDEX_URL", UPLOAD_URL)
    result = run(tools / "flit" / "bin" / "flit", "publish", "--format", "wheel", cwd=project, timeout=60)
    assert result.returncode != 0
    assert "Could not find username for upload" in result.stderr
    assert [r for r in e2e.requests if r["method"] == "POST"] == []
    assert token_requests(standin) == []
