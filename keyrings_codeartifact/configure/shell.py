"""The shell setup runs in: the tools' commands it runs, and the variables set there
that make a tool ignore what setup writes (named, never shown: they may hold a token)."""

import os
import subprocess
from pathlib import Path
from typing import Optional

from .files import Change, SetupError

SENDS_IT = "sends it instead of asking keyring"


def run(
    command: list[str], environment: Optional[dict[str, str]] = None, cwd: Optional[str] = None
) -> "subprocess.CompletedProcess[str]":
    """``command``'s result; SetupError if it cannot run or does not finish in 120 s."""
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=120, env=environment, cwd=cwd)
    except OSError as error:
        raise SetupError(f"cannot run {' '.join(command[:1])}: {error.strerror}") from None
    except subprocess.TimeoutExpired:
        raise SetupError(f"`{' '.join(command)}` did not finish within 120 s") from None


def unless_shadowed(change: Change, variable: str, tool: str) -> Change:
    """``change``, with a note if ``variable`` in this shell makes ``tool`` read another file."""
    value = os.environ.get(variable)
    if not value or Path(value) == change.path:
        return change
    reads = "no config file" if value in ("1", "true", os.devnull) else "that file"
    return change.noted(f"but {variable}={value} is set here, so {tool} reads {reads} instead")


def unless_set(change: Change, tool: str, variables: dict[str, str]) -> Change:
    """``change``, with a note naming each of ``variables`` (name: what ``tool`` does with
    it) that is set in this shell; never its value, which may be a token."""
    found = [f"{variable} is set in this shell, and {tool} {does}" for variable, does in variables.items()
             if os.environ.get(variable)]
    if not found:
        return change
    return change.noted(f"but {'; '.join(found)} (unset it to use this)")
