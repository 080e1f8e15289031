"""``codeartifact-keyring setup keyring``: put the fast ``keyring`` command on PATH.

It writes a small launcher named ``keyring`` into a folder on PATH: by default
the folder of the running ``codeartifact-keyring``, where ``uv tool install`` and
``pipx install`` put it. The launcher runs this environment's Python, by absolute
path, on ``keyring_command`` (as a console script would: no ``-I``, so PYTHONPATH
and the user site apply as they do to keyring's own script); an upgrade of the tool
keeps that path, and when the Python is gone it says so in one line and exits 1.

On Windows it is ``keyring.exe``, a copy of the ``codeartifact-keyring.exe`` that pip,
pipx or uv made (``shutil.which`` and uv find it through PATHEXT). Their launchers run
the Python they name on the script zipped into them, passing the command line on as it
came (no cmd.exe, so ``&``, ``|``, ``^`` and ``%`` in a URL arrive intact), with
``sys.argv[0]`` the launcher's own path; ``cli.main`` sees the name ``keyring`` there and
runs ``keyring_command``. An ``.exe`` is ours if the script zipped into it runs
``codeartifact-keyring`` (``runs_our_script``): an upgrade rewrites
``codeartifact-keyring.exe`` (its bytes change) and setup then updates the copy.

A launcher is ours if it holds ``MARKER`` (on Windows: see above). Ours is rewritten
only when it would change (running setup twice changes nothing); one we did not write
is replaced only with ``--force``, which keeps it beside ours (``BACKUP_SUFFIX``) for
``--remove`` to put back; ``--remove`` removes only ours.

``setup uv``, ``setup pip`` (subprocess provider), ``setup pdm`` and ``setup pipenv``
call ``reaching``: when no ``keyring`` is on PATH at all and the running
``codeartifact-keyring`` is in a folder on PATH, the launcher is one more change of
their set-up; when a ``keyring`` that does not reach this backend is found instead,
it is left alone and a note says so and what would fix it (``keyring_problem``).
"""

import contextlib
import ntpath
import os
import posixpath
import re
import shlex
import shutil
import stat
import subprocess
import sys
import sysconfig
import tempfile
import zipfile
from pathlib import Path
from typing import NamedTuple, Optional

from ..errors import PREFIX
from .files import Change

MARKER = "codeartifact-keyring: fast keyring launcher"
BACKUP_SUFFIX = ".replaced-by-codeartifact-keyring"
OUR_BACKEND = "keyrings_codeartifact.backend.CodeArtifactBackend"
SCRIPT_NAME = "codeartifact-keyring"
SCRIPT_EXE = SCRIPT_NAME + ".exe"  # Windows: the launcher pip, pipx and uv make for it
# Found before keyring.exe in a folder, in Windows' default PATHEXT order.
_WINDOWS_SHADOWS = ("keyring.com",)
# The line of a console script's text that runs codeartifact-keyring (pip, distlib, uv).
# The most of a launcher's zipped script read (pip's and uv's are a few hundred bytes).
SCRIPT_LIMIT = 64 * 1024
_OUR_SCRIPT = re.compile(r"^[ \t]*from keyrings_codeartifact\.cli import main[ \t]*\r?$", re.MULTILINE)
_UNSAFE = "'\\\"$`"  # in the Python's path: would need quoting in the sh part

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
import gc
import sys

gc.disable()  # one short command: its cycles are left to the exit (keyring_command says why)
try:
    from keyrings_codeartifact.keyring_command import main
    from keyrings_codeartifact.oneshot import finish
except ImportError:
    sys.exit("keyring: codeartifact-keyring is no longer installed in " + sys.prefix + "; reinstall it, "
             "or delete " + sys.argv[0])
finish(main())
"""

class SetupFailed(Exception):
    """The launcher cannot be written or removed as asked (exit 1)."""


def windows() -> bool:
    """Whether launchers are written for Windows (read at each call, for tests)."""
    return sys.platform == "win32"


def launcher_name() -> str:
    """``keyring.exe`` on Windows, else ``keyring``."""
    return "keyring.exe" if windows() else "keyring"


def render(python: str) -> str:
    """The POSIX launcher that runs ``python`` on the fast command (Windows gets a copy
    of ``codeartifact-keyring.exe`` instead: ``launcher_bytes``)."""
    if any(character in python for character in _UNSAFE) or not python.isprintable():
        raise SetupFailed(f"cannot write a launcher for {python!r}: its path holds quotes or special characters")
    return _POSIX.format(marker=MARKER, python=shlex.quote(python))


def _python() -> str:
    """The absolute path of this environment's Python, which the launcher runs."""
    return ntpath.abspath(sys.executable) if windows() else posixpath.abspath(sys.executable)


def is_ours(path: Path) -> bool:
    """Whether the file at ``path`` is a launcher this module wrote; a file that cannot be
    read (or read as one) is not, so this never raises."""
    if path.suffix.lower() == ".exe":
        return runs_our_script(path)
    try:
        with open(path, "rb") as file:
            head = file.read(512)
    except OSError:
        return False
    return MARKER.encode() in head


def runs_our_script(path: Path) -> bool:
    """Whether ``path`` is a Windows launcher (distlib's, as pip and pipx make them, or
    uv's) whose zipped ``__main__.py`` runs ``codeartifact-keyring``. A script bigger
    than ``SCRIPT_LIMIT`` is not inflated, and a file that does not read as such a
    launcher (damaged, not a zip, encrypted...) is not one: the answer is no."""
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("__main__.py")
            if info.file_size > SCRIPT_LIMIT:
                return False
            with archive.open(info) as member:
                script = member.read(SCRIPT_LIMIT + 1)  # at most: the size a header gives may lie
            return len(script) <= SCRIPT_LIMIT and _OUR_SCRIPT.search(script.decode("utf-8")) is not None
    except Exception:  # zlib.error, BadZipFile, OSError, KeyError, UnicodeDecodeError...: not ours
        return False


def script_exe(folder: Path) -> Path:
    """The ``codeartifact-keyring.exe`` that ``keyring.exe`` in ``folder`` is a copy of: the
    running one, else this environment's (its scripts folder), and only then the one in
    ``folder``, which others may be able to write to; SetupFailed if none runs our script.
    (A launcher whose Python is relative to its own folder, as uv's are in a relocatable
    environment, works only there: the running one is that one when ``folder`` is its own.)"""
    scripts = Path(sysconfig.get_path("scripts"))
    for candidate in (_running_exe(), scripts / SCRIPT_EXE, folder / SCRIPT_EXE):
        if candidate is not None and runs_our_script(candidate):
            return candidate
    raise SetupFailed(f"no {SCRIPT_EXE} (the launcher pip, pipx or uv make) in {folder} or "
                      f"{scripts} to copy as keyring.exe; reinstall codeartifact-keyring")


def _running_exe() -> Optional[Path]:
    """The launcher this process was started by, as ``sys.argv[0]`` names it (pip's
    script drops the ``.exe``); None if not started by one of ours."""
    program = Path(os.path.abspath(sys.argv[0] if sys.argv else ""))
    if program.suffix.lower() != ".exe":
        program = program.with_name(program.name + ".exe")
    return program if program.name.lower() == SCRIPT_EXE else None


def launcher_bytes(python: str, folder: Path) -> bytes:
    """What our launcher in ``folder`` holds: on Windows a copy of ``codeartifact-keyring.exe``
    (``script_exe``), elsewhere the script that runs ``python``."""
    return script_exe(folder).read_bytes() if windows() else render(python).encode()


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
    wanted = launcher_bytes(python, folder)
    shadows = [folder / name for name in _WINDOWS_SHADOWS if windows() and (folder / name).exists()]
    if shadows:
        raise SetupFailed(f"{shadows[0]} would be found before {path}; remove it, or choose another --bin")
    if not os.path.lexists(path):
        return Step(f"{path}: written; it runs {python}", ("write", path))
    if is_ours(path):
        if path.read_bytes() == wanted:
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
    restored = f"; {backup} put back in its place" if restorable(backup) else ""
    return Step(f"{path}: removed{restored}", ("remove", path))


def carry_out(step: Step, python: str) -> None:
    """Do what ``step`` says: write, replace (keeping the old file) or remove the launcher."""
    if step.act is None:
        return
    action, path = step.act
    backup = path.with_name(path.name + BACKUP_SUFFIX)
    if action == "remove":
        path.unlink()
        if restorable(backup):
            os.replace(backup, path)
        return
    if action == "replace":
        os.replace(path, backup)
    _write_executable(path, launcher_bytes(python, path.parent))


def _write_executable(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a new temporary file of our own (mkstemp: never
    through a link another user planted, never into their file), executable, then
    renamed into place."""
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            if sys.platform != "win32":
                os.fchmod(file.fileno(), 0o755)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def restorable(backup: Path) -> bool:
    """Whether the keyring command kept at ``backup`` may be put back: a regular file
    (not a link) of this user, not one another user planted in a shared folder."""
    try:
        info = os.lstat(backup)
    except OSError:
        return False
    if sys.platform == "win32":
        return stat.S_ISREG(info.st_mode)
    return stat.S_ISREG(info.st_mode) and info.st_uid == os.geteuid()


def run(folder: Optional[Path], dry_run: bool, remove: bool, force: bool) -> int:
    """``setup keyring``: install (or remove) the launcher in ``folder`` (None: the
    default); print what was, or would be, done. 0 done, 1 refused or failed."""
    folder = folder or default_bin()
    if folder is None:
        print(f"{PREFIX}give --bin DIR: a folder on PATH for the keyring command", file=sys.stderr)
        return 2
    python = _python()
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
    backend (asked once: ``keyring --list-backends``); else what is wrong, in words."""
    found = shutil.which("keyring", path=path)
    if found is None:
        return "no keyring command on PATH reaches this backend"
    try:
        listed = subprocess.run([found, "--list-backends"], capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.SubprocessError) as error:
        return f"the keyring command {found} did not run ({error})"
    if listed.returncode == 0 and any(line.startswith(OUR_BACKEND + " ") for line in listed.stdout.splitlines()):
        return None
    last = (listed.stderr.strip().splitlines() or [""])[-1]
    why = f" ({last})" if last else ""
    return f"the keyring command on PATH, {found}, does not reach this backend{why}"


def reaching(changes: list[Change], tool: str, skipped: Optional[Path] = None) -> list[Change]:
    """``changes`` (a tool's set-up), and what makes the ``keyring`` that ``tool`` runs
    from PATH (without ``skipped``: pip skips its own scripts folder) reach this backend:
    our launcher in our folder when no keyring is there at all, or ours is (written,
    updated or unchanged); else, if the one found does not reach it, a note on the
    first change saying so and what would fix it. Nothing is ever replaced."""
    path = search_path(skipped)
    folder = default_bin()
    if folder is not None and not on_path(folder, path):
        folder = None  # a launcher there would not be found
    found = shutil.which("keyring", path=path)
    if folder is not None and (found is None or (_same(Path(found).parent, folder) and is_ours(Path(found)))):
        try:
            return changes + [launcher_change(folder, tool)]
        except (SetupFailed, OSError) as error:
            return [changes[0].noted(f"but no keyring command on PATH reaches this backend, and {error}")] + changes[1:]
    problem = keyring_problem(path)
    if problem is None:
        return changes
    if skipped is not None and shutil.which("keyring", path=str(skipped)):
        problem += f" ({tool} skips the one in its own folder, {skipped})"
    return [changes[0].noted(f"but {problem}; {_offer(found, folder, path)}")] + changes[1:]


def launcher_change(folder: Path, tool: str) -> Change:
    """Our launcher in ``folder``, written or brought up to date, as a change of ``tool``'s
    set-up; SetupFailed if a file we did not write is in the way."""
    python = _python()
    plan_install(folder, python, force=False)  # refuses a keyring we did not write, or one found first
    path = folder / launcher_name()
    existed = os.path.lexists(path)
    before = path.read_bytes() if existed else b""
    source = script_exe(folder) if windows() else None  # what keyring.exe is a copy of
    after = source.read_bytes() if source is not None else render(python).encode()
    if before != after and not os.access(folder, os.W_OK):
        raise SetupFailed(f"{folder} cannot be written to: `codeartifact-keyring setup keyring --bin DIR` "
                          "writes one to DIR, a folder on PATH")
    if source is not None:
        note = (f"the keyring command {tool} runs from PATH: a copy of {source} that answers CodeArtifact "
                "itself; `codeartifact-keyring setup keyring --remove` removes it")
        return _CopyChange(path, before, after, existed, (note,))
    note = (f"the keyring command {tool} runs from PATH: it answers CodeArtifact itself, runs {python}, and "
            "`codeartifact-keyring setup keyring --remove` removes it")
    return Change(path, before, after, existed, (note,), mode=0o755)


class _CopyChange(Change):
    """A change that writes a copy of a binary launcher: shown as a line, not a diff."""

    def diff(self) -> str:
        return f"{self.path}: a copy of {SCRIPT_EXE}, {len(self.after)} bytes\n"


def _offer(found: Optional[str], folder: Optional[Path], path: str) -> str:
    """The ``setup keyring`` command that would put a keyring reaching this backend
    first on ``path``; ``folder``: ours, if it is on ``path`` (else None)."""
    command = "`codeartifact-keyring setup keyring"
    before = f" before {Path(found).parent}" if found else ""
    if folder is None:
        return f"{command} --bin DIR` puts one that does in DIR, a folder on PATH{before}"
    if found is not None and _same(Path(found).parent, folder):
        return f"{command} --force` replaces it with one that does (and keeps it for --remove to put back)"
    folders = [_normal(entry) for entry in path.split(os.pathsep) if entry]
    if found is not None and _index(folders, folder) > _index(folders, Path(found).parent):
        return f"{command} --bin DIR` puts one that does in DIR, a folder on PATH{before}"
    return f"{command}` puts one that does in {folder}"


def search_path(skipped: Optional[Path] = None) -> str:
    """PATH, without the folder ``skipped`` (as pip's subprocess provider leaves out its own)."""
    entries = os.environ.get("PATH", os.defpath).split(os.pathsep)
    return os.pathsep.join(entry for entry in entries if skipped is None or not (entry and _same(Path(entry), skipped)))


def on_path(folder: Path, path: str) -> bool:
    """Whether ``folder`` is one of the folders of ``path``."""
    return any(entry and _same(Path(entry), folder) for entry in path.split(os.pathsep))


def _normal(folder: str) -> str:
    return os.path.normcase(os.path.abspath(folder))


def _same(folder: Path, other: Path) -> bool:
    return _normal(str(folder)) == _normal(str(other))


def _index(folders: list[str], folder: Path) -> int:
    """Where ``folder`` is among ``folders`` (normalised), or past their end."""
    wanted = _normal(str(folder))
    return folders.index(wanted) if wanted in folders else len(folders)
