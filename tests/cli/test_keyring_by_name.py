"""Run under the name ``keyring``, codeartifact-keyring's own console script is the fast
``keyring`` command: that is how ``setup keyring`` makes ``keyring.exe`` on Windows (a
copy of ``codeartifact-keyring.exe``, whose script sees its own path in sys.argv[0]).
Here a byte copy of the console script pip wrote, renamed, runs as a real process."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import CLI, KEYRING, URL, run
from keyrings_codeartifact.cli import called_as_keyring


def copy_named(tmp_path: Path, name: str) -> Path:
    """codeartifact-keyring's console script, byte for byte, as ``name``."""
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    copy = folder / name
    shutil.copy2(CLI, copy)
    return copy


# The suite's secret check knows `keyring` as a command that prints tokens, not `keyring.exe`.
@pytest.mark.parametrize("name", ["keyring", pytest.param("keyring.exe", marks=pytest.mark.prints_secrets)])
@pytest.mark.parametrize("args", [["get", URL, "aws"], ["--mode=creds", "--output=json", "get", URL],
                                  ["--mode=creds", "get", URL, ""], ["get", "https://pypi.org/simple/", "aws"]],
                         ids=" ".join)
def test_a_copy_named_keyring_answers_as_the_keyring_cli(standin, tmp_path, name, args):
    copy = copy_named(tmp_path, name)
    keyring_cli, ours = (run(program, *args) for program in (KEYRING, copy))
    assert (ours.stdout, ours.returncode) == (keyring_cli.stdout, keyring_cli.returncode)
    assert len(standin.token_requests()) == (0 if "pypi.org" in args[-2] else 1)


def test_under_another_name_it_is_codeartifact_keyring(tmp_path):
    result = run(copy_named(tmp_path, "keyrings"), "get", URL, "aws")
    assert result.returncode == 2 and "invalid choice: 'get'" in result.stderr


def imported_by(program: Path, *args: str) -> set:
    """The modules ``program`` imported (PYTHONPROFILEIMPORTTIME), by their full names."""
    env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}
    result = subprocess.run([str(program), *args], capture_output=True, text=True, env=env, timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    return {line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines()
            if line.startswith("import time:") and "|" in line}


def test_a_warm_lookup_imports_none_of_codeartifact_keyrings_commands(standin, tmp_path):
    copy = copy_named(tmp_path, "keyring")
    assert "botocore" in imported_by(copy, "get", URL, "aws")  # the probe sees the fetch
    warm = imported_by(copy, "get", URL, "aws")
    assert "keyrings_codeartifact.keyring_command" in warm
    commands = {f"keyrings_codeartifact.cli.{name}" for name in ("cache", "common", "explain", "setup", "token")}
    assert warm & ({"keyring", "botocore", "argparse"} | commands) == set()


@pytest.mark.parametrize(("platform", "program", "expected"), [
    ("linux", "/home/me/.local/bin/keyring", True),
    ("linux", "keyring", True),
    ("linux", "/x/keyring.exe", True),
    ("linux", "/x/keyring-script.py", True),
    ("linux", "/home/me/.local/bin/codeartifact-keyring", False),
    ("linux", "/x/Keyring", False),
    ("linux", "/x/keyrings", False),
    ("linux", "/x/keyring.py", False),
    ("linux", "/x/keyring.exe.exe", False),
    ("win32", r"C:\Users\me\.local\bin\KEYRING", True),  # what pip's script leaves of KEYRING.EXE
    ("win32", r"C:\Users\me\.local\bin\keyring.exe", True),  # uv's before its script strips it
    ("win32", r"C:\Users\me\.local\bin\codeartifact-keyring", False),
    ("win32", "C:/Users/me/keyring-script.pyw", True),
])
def test_which_names_are_keyring(monkeypatch, platform, program, expected):
    monkeypatch.setattr(sys, "platform", platform)
    assert called_as_keyring(program) is expected
