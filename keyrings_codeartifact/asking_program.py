"""Which program asked for the token: pip, uv, poetry... named for a person reading
a failure record or the log, never trusted for anything else.

A lookup runs either inside the client (the backend in pip, poetry, twine) or in a
``keyring`` command the client started (pip's subprocess provider, uv). So: this
process's name (``_program``), unless it is a keyring command (``keyring``,
``codeartifact-keyring``), then its parent's. Read from ``/proc`` (Linux); None elsewhere
or when unreadable. Only failures and the opt-in log ask, so a working lookup pays nothing.
"""

import os
import re
from typing import Optional

_FRONT_ENDS = ("keyring", "codeartifact-keyring")
_LIMIT = 4096  # bytes of a command line read: enough for the program and its first arguments


def name() -> Optional[str]:
    """The client's name, e.g. "pip"; None if it cannot be read here."""
    mine = process_name("self")
    if mine is None or mine not in _FRONT_ENDS:
        return mine
    return process_name(str(os.getppid()))


def process_name(pid: str) -> Optional[str]:
    """The program process ``pid`` ("self" or a number) runs, from its command line."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as file:
            words = file.read(_LIMIT).split(b"\0")
    except OSError:
        return None
    text = [word.decode("utf-8", "replace") for word in words if word]
    return _program(text) if text else None


def _program(argv: list[str]) -> str:
    """The program ``argv`` runs: a module after ``-m``, a script run by an interpreter,
    else argv[0]; a file name only, with its ``.exe``/``.py`` suffix dropped."""
    first = os.path.basename(argv[0])
    if first.lower().startswith(("python", "pypy")):
        rest = iter(argv[1:])
        for word in rest:
            if word == "-m":
                return next(rest, first).split(".")[0]
            if word == "-c":
                return first
            if not word.startswith("-"):
                return _bare(os.path.basename(word))
    return _bare(first)


def _bare(program: str) -> str:
    return re.sub(r"\.(exe|py)\Z", "", program, flags=re.IGNORECASE)
