"""`make demo` keeps working: it is the first thing a new user runs."""

import pytest

from helpers import BIN, ROOT, run


@pytest.mark.demo
def test_demo_publishes_and_installs():
    result = run(BIN / "python", ROOT / "tests" / "demo.py", timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Hello from a private CodeArtifact package" in result.stdout
    assert "Done: published with twine and installed with pip; 1 token request, 0 tokens typed." in result.stdout
