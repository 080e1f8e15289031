"""``codeartifact-keyring setup keyring``: put the fast ``keyring`` command on PATH.

It writes a small launcher named ``keyring`` (``keyring.cmd`` on Windows, which
``shutil.which`` and uv find through PATHEXT) into a folder on PATH: by default
the folder of the running ``codeartifact-keyring``, where ``uv tool install`` and
``pipx install`` put it. The launcher runs this environment's Python, by absolute
path, on ``keyring_command`` (as a console script would: no ``-I``, so PYTHONPATH
and the user site apply as they do to keyring's own script); an upgrade of the tool
keeps that path, and when the Python is gone it says so in one line and exits 1.

A launcher is ours if it holds ``MARKER``. Ours is rewritten only when it would
change (running setup twice changes nothing); one we did not write is replaced
only with ``--force``, which keeps it beside ours (``BACKUP_SUFFIX``) for
``--remove`` to put back; ``--remove`` removes only ours. Also ``keyring_problem``:
whether the ``keyring`` that tools find on PATH reaches this backend.
"""

import argparse
import ntpath
import os
import posixpath
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Optional

from .errors import PREFIX

if TYPE_CHECKING:
    Commands = argparse._SubParsersAction[argparse.ArgumentParser]

MARKER = "codeartifact-keyring: fast keyring launcher"
BACKUP_SUFFIX = ".replaced-by-codeartifact-keyring"
OUR_BACKEND = "keyrings_codeartifact.backend.CodeArtifactBackend"
SCRIPT_NAME = "codeartifact-keyring"
# Found before keyring.cmd in a folder, in Windows' default PATHEXT order.
_WINDOWS_SHADOWS = ("keyring.com", "keyring.exe", "keyring.bat")
_UNSAFE = {"posix": "'\\\"$`", "windows": '"%&|<>^'}

_POSIX = """#!/bin/sh
# {marker}, written by `codeartifact-keyring setup keyring`
# (`codeartifact-keyring setup keyring --remove` removes it). It runs the Python below.
''':'
python={python}
if [ ! -x "$python" ]; then
  echo "keyring: $python, the Python of codeartifact-keyring, is gone; reinstall codeartifact-keyring \
and run codeartifact-keyring setup keyring again, or delete $0" >&2
  exit 1
fi
exec "$python" "$0" "$@"
'''
import sys

try:
    from keyrings_codeartifact.keyring_command import main
except ImportError:
    sys.exit("keyring: codeartifact-keyring is no longer installed in " + sys.prefix + "; reinstall it, "
             "or delete " + sys.argv[0])
sys.exit(main())
"""

_WINDOWS = """@echo off
rem {marker}, written by `codeartifact-keyring setup keyring`
rem (`codeartifact-keyring setup keyring --remove` removes it). It runs the Python below.
if exist "{python}" goto run
echo keyring: {python}, the Python of codeartifact-keyring, is gone; reinstall codeartifact-keyring \
and run codeartifact-keyring setup keyring again, or delete %~f0 1>&2
exit /b 1
:run
"{python}" -c "import sys; sys.path[:1] = [p for p in sys.path[:1] if p]; \
from keyrings_codeartifact.keyring_command import main; sys.exit(main())" %*
exit /b %ERRORLEVEL%
"""


class SetupFailed(Exception):
    """The launcher cannot be written or removed as asked (exit 1)."""


def windows() -> bool:
    """Whether launchers are written for Windows (read at each call, for tests)."""
    return sys.platform == "win32"


def launcher_name() -> str:
    """``keyring.cmd`` on Windows, else ``keyring``."""
    return "keyring.cmd" if windows() else "keyring"


def render(python: str) -> str:
    """The launcher that runs ``python`` on the fast command."""
    kind = "windows" if windows() else "posix"
    if any(character in python for character in _UNSAFE[kind]) or not python.isprintable():
        raise SetupFailed(f"cannot write a launcher for {python!r}: its path holds quotes or special characters")
    if windows():
        return _WINDOWS.format(marker=MARKER, python=python).replace("\n", "\r\n")
    return _POSIX.format(marker=MARKER, python=shlex.quote(python))


def is_ours(path: Path) -> bool:
    """Whether the file at ``path`` is a launcher this module wrote."""
    try:
        with open(path, "rb") as file:
            head = file.read(512)
    except OSError:
        return False
    return MARKER.encode() in head


def default_bin() -> Optional[Path]:
    """The folder of the running ``codeartifact-keyring`` (as found on PATH, links not
    followed), or None if this process is not that script."""
    script = Path(os.path.abspath(sys.argv[0]))
    return script.parent if script.name.lower().startswith(SCRIPT_NAME) else None


class Step(NamedTuple):
    """What setup does, or would do, to one folder."""

    message: str
    act: Optional[tuple[str, Path]] = None  # ("write" | "replace" | "remove", path); None: nothing


def plan_install(folder: Path, python: str, force: bool) -> Step:
    """What installing the launcher for ``python`` into ``folder`` takes."""
    path = folder / launcher_name()
    wanted = render(python)
    shadows = [folder / name for name in _WINDOWS_SHADOWS if windows() and (folder / name).exists()]
    if shadows:
        raise SetupFailed(f"{shadows[0]} would be found before {path}; remove it, or choose another --bin")
    if not os.path.lexists(path):
        return Step(f"{path}: written; it runs {python}", ("write", path))
    if is_ours(path):
        if path.read_bytes() == wanted.encode():
            return Step(f"{path}: already set up, unchanged")
        return Step(f"{path}: updated; it now runs {python}", ("write", path))
    if not force:
        raise SetupFailed(
            f"{path} exists and was not written by codeartifact-keyring; left alone. "
            "--force replaces it (and keeps it for --remove to put back)"
        )
    backup = path.with_name(path.name + BACKUP_SUFFIX)
    return Step(
        f"{path}: replaced; the keyring command that was there is now {backup}, "
        "and `codeartifact-keyring setup keyring --remove` puts it back",
        ("replace", path),
    )


def plan_remove(folder: Path) -> Step:
    """What removing our launcher from ``folder`` takes."""
    path = folder / launcher_name()
    if not os.path.lexists(path):
        return Step(f"{path}: not there, nothing to remove")
    if not is_ours(path):
        return Step(f"{path} was not written by codeartifact-keyring; left alone")
    backup = path.with_name(path.name + BACKUP_SUFFIX)
    restored = f"; {backup} put back in its place" if os.path.lexists(backup) else ""
    return Step(f"{path}: removed{restored}", ("remove", path))


def carry_out(step: Step, python: str) -> None:
    """Do what ``step`` says: write, replace (keeping the old file) or remove the launcher."""
    if step.act is None:
        return
    action, path = step.act
    backup = path.with_name(path.name + BACKUP_SUFFIX)
    if action == "remove":
        path.unlink()
        if os.path.lexists(backup):
            os.replace(backup, path)
        return
    if action == "replace":
        os.replace(path, backup)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(render(python).encode())
    temporary.chmod(0o755)
    os.replace(temporary, path)


def run(folder: Optional[Path], dry_run: bool, remove: bool, force: bool) -> int:
    """``setup keyring``: install (or remove) the launcher in ``folder`` (None: the
    default); print what was, or would be, done. 0 done, 1 refused or failed."""
    folder = folder or default_bin()
    if folder is None:
        print(f"{PREFIX}give --bin DIR: a folder on PATH for the keyring command", file=sys.stderr)
        return 2
    python = (ntpath if windows() else posixpath).abspath(sys.executable)
    try:
        step = plan_remove(folder) if remove else plan_install(folder, python, force)
        if not dry_run:
            carry_out(step, python)
    except (SetupFailed, OSError) as error:
        print(f"{PREFIX}{error}", file=sys.stderr)
        return 1
    print(("dry run, nothing changed; would be " if dry_run and step.act else "") + step.message)
    return 0


def keyring_problem(path: Optional[str] = None, timeout: float = 60) -> Optional[str]:
    """None if the ``keyring`` command found on ``path`` (None: PATH) reaches this
    backend; else one line saying what is wrong and offering ``setup keyring``."""
    offer = "run `codeartifact-keyring setup keyring` to put one on PATH that does"
    found = shutil.which("keyring", path=path)
    if found is None:
        return f"no keyring command on PATH reaches this backend; {offer}"
    try:
        listed = subprocess.run([found, "--list-backends"], capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.SubprocessError) as error:
        return f"the keyring command {found} did not run ({error}); {offer}"
    if listed.returncode == 0 and any(line.startswith(OUR_BACKEND + " ") for line in listed.stdout.splitlines()):
        return None
    last = (listed.stderr.strip().splitlines() or [""])[-1]
    why = f" ({last})" if last else ""
    return f"the keyring command on PATH, {found}, does not reach this backend{why}; {offer}"


def add_to(tools: "Commands") -> None:
    """The ``setup keyring`` subcommand."""
    text = "put a fast keyring command on PATH that answers CodeArtifact itself and hands the rest to keyring"
    parser = tools.add_parser("keyring", help=text, description=text + ".")
    parser.add_argument("--bin", metavar="DIR", type=Path,
                        help="the folder to write it to (default: the folder of this codeartifact-keyring)")
    parser.add_argument("--dry-run", action="store_true", help="say what would change, write nothing")
    parser.add_argument("--remove", action="store_true", help="remove the keyring command this wrote")
    parser.add_argument("--force", action="store_true",
                        help="replace a keyring command this did not write (kept for --remove to put back)")
    parser.set_defaults(run=lambda args: run(args.bin, args.dry_run, args.remove, args.force))
