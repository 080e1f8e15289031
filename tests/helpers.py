"""Constants and helpers shared by the tests."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

DOMAIN = "my-team"
OWNER = "111122223333"
REGION = "us-east-1"
REPOSITORY = "python"
URL = f"https://{DOMAIN}-{OWNER}.d.codeartifact.{REGION}.amazonaws.com/pypi/{REPOSITORY}/simple/"

ALICE = ("alice", "AKIAALICEEXAMPLE0001", "alice-secret-key-EXAMPLE/abcdefghijklmn")
BOB = ("bob", "AKIABOBEXAMPLE000002", "bob-secret-key-EXAMPLE/abcdefghijklmnop")

BIN = Path(sys.executable).parent  # the test environment's own bin/ (keyring, pip, twine, uv)
ROOT = Path(__file__).resolve().parent.parent
# Separate tool environments made by `make test` (or by `make test-versions`, one per Python).
TOOLS = Path(os.environ.get("TEST_TOOLS") or ROOT / ".venv-tools").resolve()


def write_aws_file(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def write_keyring_config(text: str) -> Path:
    """Write keyringrc.cfg where keyring (and so the backend) reads it on this platform."""
    from keyring.util import platform_

    root = platform_.config_root()
    root.mkdir(parents=True, exist_ok=True)
    path = root / "keyringrc.cfg"
    path.write_text(textwrap.dedent(text))
    return path


# Output of every subprocess of the current test that is not meant to show a
# token: conftest's no-secrets check reads it after each test.
CAPTURED_OUTPUT: list = []


def run(*args, stdin: str = "", timeout: float = 180, cwd=None) -> subprocess.CompletedProcess:
    """Run a command in the test's environment and capture its output."""
    args = [str(arg) for arg in args]
    result = subprocess.run(
        args, input=stdin, capture_output=True, text=True, timeout=timeout, cwd=cwd, env=os.environ.copy()
    )
    CAPTURED_OUTPUT.append(result.stderr)
    if not _prints_a_token(args):
        CAPTURED_OUTPUT.append(result.stdout)
    return result


def _prints_a_token(args: list) -> bool:
    """Commands whose purpose is to print a token on stdout: `keyring get`,
    `codeartifact-keyring token`, and test scripts (`python -c`) that print one."""
    program = Path(args[0]).name
    return (
        (program == "keyring" and "get" in args)
        or "token" in args[1:4]
        or (program.startswith("python") and "-c" in args)
    )
