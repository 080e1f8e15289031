"""``codeartifact-keyring setup keyring``: the launcher it writes, what it leaves alone,
``--force``/``--remove``, Windows (simulated: sys.platform), and ``keyring_problem``,
the check that a ``keyring`` on PATH reaches this backend."""

import io
import os
import shutil
import subprocess
import sys
import sysconfig
import types
import zipfile
from pathlib import Path

import pip._vendor.distlib
import pytest
from pip._internal.operations.install.wheel import PipScriptMaker

from helpers import BIN, CLI, KEYRING, TOOLS, URL, run
from keyrings_codeartifact.configure import launcher as setup_keyring
from keyrings_codeartifact.configure.launcher import BACKUP_SUFFIX, MARKER, keyring_problem

FOREIGN = "#!/bin/sh\necho someone else's keyring\n"
BARE_PYTHON = Path(subprocess.run(["pyenv", "root"], capture_output=True, text=True).stdout.strip() or "/nowhere")
BARE_PYTHON = BARE_PYTHON / "versions" / "3.11.7" / "bin" / "python3.11"


@pytest.fixture
def folder(tmp_path) -> Path:
    """An empty folder for the launcher (tmp_path holds the test's HOME)."""
    made = tmp_path / "bin"
    made.mkdir()
    return made


def setup(folder: Path, capsys, *, dry_run=False, remove=False, force=False) -> tuple:
    """Run `setup keyring --bin folder ...` in this process: (exit code, stdout, stderr)."""
    code = setup_keyring.run(folder, dry_run, remove, force)
    out, err = capsys.readouterr()
    return code, out, err


def test_written_once_then_unchanged(folder, capsys):
    code, out, _ = setup(folder, capsys)
    launcher = folder / "keyring"
    assert code == 0 and out == f"{launcher}: written; it runs {os.path.abspath(sys.executable)}\n"
    assert launcher.stat().st_mode & 0o777 == 0o755
    before = launcher.stat()
    assert setup(folder, capsys) == (0, f"{launcher}: already set up, unchanged\n", "")
    assert (launcher.stat().st_ino, launcher.stat().st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert sorted(p.name for p in folder.iterdir()) == ["keyring"]


def test_dry_run_writes_nothing(folder, capsys):
    code, out, _ = setup(folder, capsys, dry_run=True)
    assert code == 0 and out.startswith(f"dry run, nothing changed; would be {folder / 'keyring'}: written")
    assert list(folder.iterdir()) == []


def test_a_keyring_it_did_not_write_is_left_alone_unless_forced_and_remove_puts_it_back(folder, capsys):
    launcher = folder / "keyring"
    launcher.write_text(FOREIGN)
    code, out, err = setup(folder, capsys)
    assert (code, out) == (1, "")
    assert err == (f"codeartifact-keyring: {launcher} exists and was not written by codeartifact-keyring; "
                   "left alone. --force replaces it (and keeps it for --remove to put back)\n")
    assert launcher.read_text() == FOREIGN
    assert setup(folder, capsys, remove=True)[1] == f"{launcher} was not written by codeartifact-keyring; left alone\n"
    assert launcher.read_text() == FOREIGN

    code, out, _ = setup(folder, capsys, force=True)
    backup = folder / ("keyring" + BACKUP_SUFFIX)
    assert code == 0 and out == (f"{launcher}: replaced; the keyring command that was there is now {backup}, "
                                 "and `codeartifact-keyring setup keyring --remove` puts it back\n")
    assert MARKER in launcher.read_text() and backup.read_text() == FOREIGN
    assert setup(folder, capsys)[1] == f"{launcher}: already set up, unchanged\n"

    code, out, _ = setup(folder, capsys, remove=True)
    assert out == f"{launcher}: removed; {backup} put back in its place\n"
    assert launcher.read_text() == FOREIGN and not backup.exists()


@pytest.mark.skipif(sys.platform == "win32", reason="links and another user's files: POSIX")
def test_a_link_planted_at_a_temporary_name_is_never_written_through(folder, capsys, tmp_path):
    # In a folder others may write (a shared bin/), the temporary file the launcher goes
    # through was a guessable name written through links: another user's link there made
    # setup overwrite (and make executable) the file it pointed to. Plant links at every
    # name the old code could use, and at names like the new ones.
    victim = tmp_path / "victim"
    victim.write_text("mine\n")
    victim.chmod(0o600)
    for name in [f".keyring.{os.getpid()}.tmp"] + [f".keyring.{n}.tmp" for n in range(50)]:
        (folder / name).symlink_to(victim)
    code, _, _ = setup(folder, capsys)
    assert code == 0
    assert victim.read_text() == "mine\n" and victim.stat().st_mode & 0o777 == 0o600
    launcher = folder / "keyring"
    assert not launcher.is_symlink() and MARKER in launcher.read_text()


@pytest.mark.skipif(sys.platform == "win32", reason="links: POSIX")
def test_remove_puts_back_only_a_regular_file_it_kept_not_a_planted_link(folder, capsys, tmp_path):
    setup(folder, capsys)
    planted = tmp_path / "planted"
    planted.write_text("#!/bin/sh\necho planted\n")
    (folder / ("keyring" + BACKUP_SUFFIX)).symlink_to(planted)
    code, out, _ = setup(folder, capsys, remove=True)
    assert (code, out) == (0, f"{folder / 'keyring'}: removed\n")
    assert not (folder / "keyring").exists()


def test_remove_removes_only_ours_and_twice_is_fine(folder, capsys):
    setup(folder, capsys)
    assert setup(folder, capsys, remove=True) == (0, f"{folder / 'keyring'}: removed\n", "")
    assert list(folder.iterdir()) == []
    assert setup(folder, capsys, remove=True) == (0, f"{folder / 'keyring'}: not there, nothing to remove\n", "")


def test_ours_for_another_python_is_updated(folder, capsys, monkeypatch):
    setup(folder, capsys)
    monkeypatch.setattr(sys, "executable", "/opt/other/bin/python")
    assert setup(folder, capsys)[1] == f"{folder / 'keyring'}: updated; it now runs /opt/other/bin/python\n"
    assert "\npython=/opt/other/bin/python\n" in (folder / "keyring").read_text()


def test_default_folder_is_that_of_the_running_codeartifact_keyring(folder, capsys, monkeypatch):
    monkeypatch.setattr(sys, "argv", [str(folder / "codeartifact-keyring"), "setup", "keyring"])
    assert setup(None, capsys)[0] == 0
    assert (folder / "keyring").exists()
    monkeypatch.setattr(sys, "argv", [str(folder / "__main__.py")])
    assert setup(None, capsys) == (2, "", "codeartifact-keyring: give --bin DIR: a folder on PATH for the keyring command\n")


def test_when_its_python_is_gone_it_says_so_in_one_line(folder, capsys, monkeypatch):
    monkeypatch.setattr(sys, "executable", str(folder / "env" / "bin" / "python"))
    setup(folder, capsys)
    result = run(folder / "keyring", "get", URL, "aws")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (f"keyring: {folder / 'env' / 'bin' / 'python'}, the Python of codeartifact-keyring, "
                             "is gone; reinstall codeartifact-keyring and run codeartifact-keyring setup keyring "
                             f"again, or delete {folder / 'keyring'}\n")


@pytest.mark.skipif(not BARE_PYTHON.exists(), reason="pyenv's CPython 3.11.7 is not installed")
def test_when_the_package_is_gone_it_says_so_in_one_line(folder, capsys, monkeypatch):
    monkeypatch.setattr(sys, "executable", str(BARE_PYTHON))
    monkeypatch.delenv("PYTHONPATH", raising=False)
    setup(folder, capsys)
    result = run(folder / "keyring", "get", URL, "aws")
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("keyring: codeartifact-keyring is no longer installed in ")


# -- Windows (simulated) ----------------------------------------------------------------------


def windows_launcher(path: Path, python: str, entry: str = "keyrings_codeartifact.cli:main",
                     when: tuple = (2026, 12, 4, 12, 0, 0)) -> Path:
    """A console-script launcher as pip makes it on Windows (distlib's scripts.py): pip's
    own t64.exe, a shebang naming ``python``, then a zip whose ``__main__.py`` is pip's
    script text for ``entry``, stamped ``when`` (pip stamps the time it installs)."""
    module, function = entry.split(":")
    script = PipScriptMaker.script_template % {"module": module, "import_name": function, "func": function}
    stub = (Path(pip._vendor.distlib.__file__).parent / "t64.exe").read_bytes()
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr(zipfile.ZipInfo("__main__.py", date_time=when), script)
    path.write_bytes(stub + f'#!"{python}"\n'.encode() + archive.getvalue())
    return path


@pytest.fixture
def windows(monkeypatch, folder) -> Path:
    """Windows, simulated: the tool's Python, and its codeartifact-keyring.exe in ``folder``."""
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(sys, "executable", r"C:\Users\me\AppData\Roaming\uv\tools\codeartifact-keyring\Scripts\python.exe")
    return windows_launcher(folder / "codeartifact-keyring.exe", sys.executable)


def test_windows_gets_a_copy_of_codeartifact_keyring_exe(folder, capsys, windows):
    # keyring.exe runs the script zipped into it, which sees its name and runs the fast
    # command: no cmd.exe between the caller and Python to mangle & | ^ % in a URL.
    code, out, _ = setup(folder, capsys)
    assert (code, out) == (0, f"{folder / 'keyring.exe'}: written; it runs {sys.executable}\n")
    assert sorted(p.name for p in folder.iterdir()) == ["codeartifact-keyring.exe", "keyring.exe"]
    assert (folder / "keyring.exe").read_bytes() == windows.read_bytes()
    assert setup_keyring.is_ours(folder / "keyring.exe")
    assert setup(folder, capsys)[1] == f"{folder / 'keyring.exe'}: already set up, unchanged\n"
    assert setup(folder, capsys, remove=True)[1] == f"{folder / 'keyring.exe'}: removed\n"
    assert [p.name for p in folder.iterdir()] == ["codeartifact-keyring.exe"]


def test_windows_an_upgrade_rewrites_codeartifact_keyring_exe_and_setup_updates_the_copy(folder, capsys, windows):
    setup(folder, capsys)
    upgraded = windows_launcher(windows, sys.executable, when=(2027, 1, 5, 8, 30, 0))
    assert (folder / "keyring.exe").read_bytes() != upgraded.read_bytes()
    assert setup(folder, capsys)[1] == f"{folder / 'keyring.exe'}: updated; it now runs {sys.executable}\n"
    assert (folder / "keyring.exe").read_bytes() == upgraded.read_bytes()


def test_windows_keyrings_own_exe_is_left_alone_unless_forced_and_remove_puts_it_back(folder, capsys, windows):
    theirs = windows_launcher(folder / "keyring.exe", r"C:\Python\python.exe", entry="keyring.cli:main").read_bytes()
    assert not setup_keyring.is_ours(folder / "keyring.exe")
    code, _, err = setup(folder, capsys)
    assert code == 1 and "keyring.exe exists and was not written by codeartifact-keyring; left alone" in err
    assert setup(folder, capsys, remove=True)[1] == (f"{folder / 'keyring.exe'} was not written by "
                                                     "codeartifact-keyring; left alone\n")
    assert setup(folder, capsys, force=True)[0] == 0
    assert (folder / "keyring.exe").read_bytes() == windows.read_bytes()
    assert (folder / ("keyring.exe" + BACKUP_SUFFIX)).read_bytes() == theirs
    assert setup(folder, capsys, remove=True)[0] == 0
    assert (folder / "keyring.exe").read_bytes() == theirs
    assert sorted(p.name for p in folder.iterdir()) == ["codeartifact-keyring.exe", "keyring.exe"]


def test_windows_refuses_when_a_keyring_com_would_be_found_first(folder, capsys, windows):
    (folder / "keyring.com").write_bytes(b"MZ")
    code, _, err = setup(folder, capsys)
    assert code == 1 and f"{folder / 'keyring.com'} would be found before {folder / 'keyring.exe'}" in err
    assert not (folder / "keyring.exe").exists()


def test_windows_a_python_path_with_characters_cmd_reads_is_fine(folder, capsys, windows, monkeypatch):
    monkeypatch.setattr(sys, "executable", r"C:\100% R&D\python.exe")
    windows_launcher(windows, sys.executable)
    assert setup(folder, capsys)[0] == 0
    assert (folder / "keyring.exe").read_bytes() == windows.read_bytes()


def test_windows_without_a_codeartifact_keyring_exe_it_says_so_in_one_line(folder, capsys, windows, monkeypatch):
    windows.unlink()
    monkeypatch.setattr(sysconfig, "get_path", lambda name: str(folder / "Scripts"))
    code, out, err = setup(folder, capsys)
    assert (code, out) == (1, "")
    assert err == (f"codeartifact-keyring: no codeartifact-keyring.exe (the launcher pip, pipx or uv make) in {folder} "
                   f"or {folder / 'Scripts'} to copy as keyring.exe; reinstall codeartifact-keyring\n")
    assert list(folder.iterdir()) == []


def test_windows_the_copy_comes_from_this_environment_when_bin_is_another_folder(folder, capsys, windows, monkeypatch,
                                                                                tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.setattr(sysconfig, "get_path", lambda name: str(folder))
    assert setup(elsewhere, capsys)[0] == 0
    assert (elsewhere / "keyring.exe").read_bytes() == windows.read_bytes()


@pytest.mark.parametrize("named", ["codeartifact-keyring.exe", "codeartifact-keyring"])  # pip's script drops .exe
def test_windows_the_copy_is_of_the_running_launcher_not_one_planted_in_bin(capsys, windows, monkeypatch, tmp_path,
                                                                            named):
    """--bin names a folder others may write to: the codeartifact-keyring.exe found there
    (running another Python) is not what keyring.exe becomes while the running one is ours."""
    tool, shared = tmp_path / "tool", tmp_path / "shared"
    tool.mkdir()
    shared.mkdir()
    mine = windows_launcher(tool / "codeartifact-keyring.exe", sys.executable)
    planted = windows_launcher(shared / "codeartifact-keyring.exe", r"C:\shared\evil\python.exe")
    monkeypatch.setattr(sys, "argv", [str(tool / named), "setup", "keyring", "--bin", str(shared)])
    monkeypatch.setattr(sysconfig, "get_path", lambda name: str(tmp_path / "Scripts"))  # none there
    assert setup(shared, capsys)[0] == 0
    assert (shared / "keyring.exe").read_bytes() == mine.read_bytes() != planted.read_bytes()


def test_windows_the_copy_is_of_this_environments_launcher_before_one_in_bin(capsys, windows, monkeypatch, tmp_path):
    """Run as `python -m keyrings_codeartifact` (no launcher running): this environment's
    scripts folder comes before the --bin folder."""
    scripts, shared = tmp_path / "Scripts", tmp_path / "shared"
    scripts.mkdir()
    shared.mkdir()
    mine = windows_launcher(scripts / "codeartifact-keyring.exe", sys.executable)
    windows_launcher(shared / "codeartifact-keyring.exe", r"C:\shared\evil\python.exe")
    monkeypatch.setattr(sys, "argv", [str(tmp_path / "keyrings_codeartifact" / "__main__.py")])
    monkeypatch.setattr(sysconfig, "get_path", lambda name: str(scripts))
    assert setup_keyring.script_exe(shared) == scripts / "codeartifact-keyring.exe"
    assert setup(shared, capsys)[0] == 0
    assert (shared / "keyring.exe").read_bytes() == mine.read_bytes()


def test_windows_a_running_launcher_that_is_not_ours_is_passed_over(capsys, windows, monkeypatch, tmp_path, folder):
    """A codeartifact-keyring.exe that runs another script (renamed, damaged) is not
    copied: the next place's is."""
    other = tmp_path / "other"
    other.mkdir()
    windows_launcher(other / "codeartifact-keyring.exe", sys.executable, entry="keyring.cli:main")
    monkeypatch.setattr(sys, "argv", [str(other / "codeartifact-keyring.exe")])
    assert setup_keyring.script_exe(folder) == windows


def test_windows_setup_uv_shows_the_copy_as_one_line_not_a_diff(folder, windows):
    change = setup_keyring.launcher_change(folder, "uv")
    assert change.after == windows.read_bytes() and change.path == folder / "keyring.exe"
    assert change.diff() == f"{folder / 'keyring.exe'}: a copy of codeartifact-keyring.exe, {len(change.after)} bytes\n"
    assert change.noted("x").diff() == change.diff()
    assert change.notes == (f"the keyring command uv runs from PATH: a copy of {windows} that answers CodeArtifact "
                            "itself; `codeartifact-keyring setup keyring --remove` removes it",)


def damaged_launcher(path: Path, python: str) -> Path:
    """A launcher like ``windows_launcher``'s whose zipped ``__main__.py`` is compressed
    and its compressed bytes damaged (a disk error, a cut download): the zip's directory
    still reads, inflating the script fails (zlib.error)."""
    script = PipScriptMaker.script_template % {"module": "keyrings_codeartifact.cli", "import_name": "main",
                                               "func": "main"}
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("__main__.py", script * 20)
    data = bytearray(archive.getvalue())
    start = data.find(b"__main__.py") + len("__main__.py")  # the local header's name; the data follows
    data[start:start + 24] = bytes(byte ^ 0xFF for byte in data[start:start + 24])
    path.write_bytes(b"MZ" + bytes(100) + f'#!"{python}"\n'.encode() + bytes(data))
    with zipfile.ZipFile(path) as zipped, pytest.raises(zipfile.zlib.error):
        zipped.read("__main__.py")
    return path


def test_windows_a_damaged_keyring_exe_is_not_ours_and_refused_in_one_line(folder, capsys, windows):
    damaged = damaged_launcher(folder / "keyring.exe", sys.executable).read_bytes()
    assert not setup_keyring.is_ours(folder / "keyring.exe")
    code, out, err = setup(folder, capsys)
    assert (code, out) == (1, "")
    assert err == (f"codeartifact-keyring: {folder / 'keyring.exe'} exists and was not written by codeartifact-keyring; "
                   "left alone. --force replaces it (and keeps it for --remove to put back)\n")
    assert setup(folder, capsys, remove=True) == (
        0, f"{folder / 'keyring.exe'} was not written by codeartifact-keyring; left alone\n", "")
    assert (folder / "keyring.exe").read_bytes() == damaged


def test_windows_setup_uv_with_a_damaged_keyring_exe_on_path_notes_it_without_a_traceback(folder, capsys, windows,
                                                                                        monkeypatch):
    from keyrings_codeartifact.cli import main

    damaged_launcher(folder / "keyring.exe", sys.executable).chmod(0o755)
    monkeypatch.setenv("PATH", str(folder))
    monkeypatch.setenv("PATHEXT", ".exe")  # shutil.which, simulating Windows, looks for keyring.exe
    if getattr(shutil, "_winapi", False) is None:  # Python 3.12+ asks Windows whether to look in "."
        monkeypatch.setattr(shutil, "_winapi", types.SimpleNamespace(NeedCurrentDirectoryForExePath=lambda name: False))
    monkeypatch.setattr(sys, "argv", [str(windows), "setup", "uv", "--dry-run", URL])
    assert main(["setup", "uv", "--dry-run", URL]) == 0
    out, err = capsys.readouterr()
    assert f"but the keyring command {folder / 'keyring.exe'} did not run (" in out
    assert "Traceback" not in out + err


def test_windows_a_script_too_big_to_be_a_launchers_is_not_read(folder, monkeypatch):
    """A small file that inflates to far more than a launcher's script (a zip bomb) is
    judged by its size, never inflated: not ours."""
    script = PipScriptMaker.script_template % {"module": "keyrings_codeartifact.cli", "import_name": "main",
                                               "func": "main"}
    bomb = folder / "keyring.exe"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("__main__.py", script + "#" * (4 << 20))  # 4 MiB of it
    assert bomb.stat().st_size < 64 << 10
    inflated = []
    real_open = zipfile.ZipFile.open
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda *args, **kwargs: inflated.append(args) or real_open(*args, **kwargs))
    assert not setup_keyring.runs_our_script(bomb)
    assert inflated == []


# -- does the keyring on PATH reach this backend? ---------------------------------------------


def test_no_keyring_on_path(folder):
    assert keyring_problem(str(folder)) == "no keyring command on PATH reaches this backend"


def test_the_fast_keyring_and_the_keyring_cli_with_the_backend_reach_it(folder, capsys):
    setup(folder, capsys)
    assert keyring_problem(str(folder)) is None
    assert keyring_problem(str(KEYRING.parent)) is None


def test_a_keyring_cli_whose_python_cannot_use_the_backend(folder, monkeypatch, tools):
    # A real keyring CLI (25.7) where botocore cannot be imported: the backend is not viable.
    (folder / "site").mkdir()
    (folder / "site" / "sitecustomize.py").write_text("import sys\nsys.modules['botocore'] = None\n")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(folder / "site"), os.environ.get("PYTHONPATH", "")]))
    cli = TOOLS / "keyring" / "bin"
    assert keyring_problem(str(cli)) == f"the keyring command on PATH, {cli / 'keyring'}, does not reach this backend"


@pytest.mark.skipif(not BARE_PYTHON.exists(), reason="pyenv's CPython 3.11.7 is not installed")
def test_a_keyring_command_that_fails_is_named_with_its_last_line(folder, monkeypatch):
    (folder / "keyring").write_text(f"#!/bin/sh\nexec {BARE_PYTHON} -I -m keyring \"$@\"\n")
    (folder / "keyring").chmod(0o755)
    problem = keyring_problem(str(folder))
    assert problem is not None and problem.startswith(f"the keyring command on PATH, {folder / 'keyring'}, "
                                                      "does not reach this backend (")
    assert problem.endswith(")") and "No module named keyring" in problem


# -- setup uv / pip / pdm / pipenv: a keyring on PATH that reaches this backend ---------------
# The codeartifact-keyring that runs is a link in a folder of its own, as `uv tool install`
# and `pipx install` put it on PATH; PATH is that folder and the system's (no keyring there).

SYSTEM_PATH = os.pathsep.join(["/usr/bin", "/bin"])
ANOTHER = "#!/bin/sh\necho another keyring\n"  # runs, and lists no backend of ours


@pytest.fixture
def tool_bin(tmp_path, monkeypatch) -> Path:
    """A folder holding only `codeartifact-keyring`, first on PATH."""
    made = tmp_path / "tool-bin"
    made.mkdir()
    (made / "codeartifact-keyring").symlink_to(CLI)
    monkeypatch.setenv("PATH", f"{made}{os.pathsep}{SYSTEM_PATH}")
    assert not any(Path(p, "keyring").exists() for p in SYSTEM_PATH.split(os.pathsep))
    return made


def setup_tool(tool_bin: Path, *args, cwd=None) -> str:
    result = run(tool_bin / "codeartifact-keyring", "setup", *args, cwd=cwd)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stdout + result.stderr
    return result.stdout


def test_setup_uv_writes_the_launcher_when_no_keyring_is_on_path_shown_by_dry_run_then_unchanged(tool_bin):
    launcher = tool_bin / "keyring"
    out = setup_tool(tool_bin, "uv", "--dry-run", URL)
    assert f"+++ {launcher}\n" in out and f"+# {MARKER}" in out
    assert f"{launcher}: would be updated; the keyring command uv runs from PATH" in out
    assert not launcher.exists()

    out = setup_tool(tool_bin, "uv", URL)
    assert f"{launcher}: updated; the keyring command uv runs from PATH: it answers CodeArtifact itself, " in out
    assert MARKER in launcher.read_text() and launcher.stat().st_mode & 0o777 == 0o755
    assert keyring_problem(str(tool_bin)) is None  # it reaches this backend
    assert f"{launcher}: already set up, unchanged; " in setup_tool(tool_bin, "uv", URL)
    assert f"{launcher}: already set up, unchanged; " in setup_tool(tool_bin, "uv", "--dry-run", URL)


@pytest.mark.parametrize("tool", ["pdm", "pipenv"])
def test_setup_pdm_and_pipenv_write_it_too(tool_bin, tmp_path, tool):
    project = tmp_path / "project"
    project.mkdir()
    (project / ("pyproject.toml" if tool == "pdm" else "Pipfile")).write_text("")
    out = setup_tool(tool_bin, tool, URL, cwd=project)
    assert f"{tool_bin / 'keyring'}: updated; the keyring command {tool} runs from PATH" in out
    assert MARKER in (tool_bin / "keyring").read_text()


def test_a_keyring_in_our_folder_that_we_did_not_write_is_left_alone_and_force_offered(tool_bin):
    (tool_bin / "keyring").write_text(ANOTHER)
    (tool_bin / "keyring").chmod(0o755)
    out = setup_tool(tool_bin, "uv", URL)
    assert (f"but the keyring command on PATH, {tool_bin / 'keyring'}, does not reach this backend; "
            "`codeartifact-keyring setup keyring --force` replaces it with one that does "
            "(and keeps it for --remove to put back)\n") in out
    assert (tool_bin / "keyring").read_text() == ANOTHER


def test_a_file_named_keyring_in_our_folder_that_cannot_run_is_left_alone_too(tool_bin):
    (tool_bin / "keyring").write_text(ANOTHER)  # not executable: PATH lookups pass it by
    out = setup_tool(tool_bin, "uv", URL)
    assert (f"but no keyring command on PATH reaches this backend, and {tool_bin / 'keyring'} exists and was not "
            "written by codeartifact-keyring; left alone. --force replaces it") in out
    assert (tool_bin / "keyring").read_text() == ANOTHER


def test_a_foreign_keyring_elsewhere_on_path_is_left_alone_and_the_fix_named(tool_bin, tmp_path, monkeypatch):
    other = tmp_path / "other-bin"
    other.mkdir()
    (other / "keyring").write_text(ANOTHER)
    (other / "keyring").chmod(0o755)
    found = f"but the keyring command on PATH, {other / 'keyring'}, does not reach this backend; "
    monkeypatch.setenv("PATH", f"{other}{os.pathsep}{tool_bin}{os.pathsep}{SYSTEM_PATH}")
    assert found + f"`codeartifact-keyring setup keyring --bin DIR` puts one that does in DIR, a folder on PATH before {other}\n" in setup_tool(tool_bin, "uv", URL)
    monkeypatch.setenv("PATH", f"{tool_bin}{os.pathsep}{other}{os.pathsep}{SYSTEM_PATH}")
    assert found + f"`codeartifact-keyring setup keyring` puts one that does in {tool_bin}\n" in setup_tool(tool_bin, "uv", URL)
    assert sorted(p.name for p in tool_bin.iterdir()) == ["codeartifact-keyring"]


def test_not_run_from_a_folder_on_path_it_only_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", SYSTEM_PATH)  # CLI's own folder is not on PATH
    result = run(CLI, "setup", "uv", URL)
    assert result.returncode == 0, result.stderr
    assert ("but no keyring command on PATH reaches this backend; `codeartifact-keyring setup keyring --bin DIR` "
            "puts one that does in DIR, a folder on PATH\n") in result.stdout
    assert not (CLI.parent / "keyring").read_text().startswith("#!/bin/sh\n# " + MARKER)


def test_a_keyring_on_path_that_reaches_the_backend_is_all_it_takes(tool_bin, monkeypatch):
    monkeypatch.setenv("PATH", f"{tool_bin}{os.pathsep}{KEYRING.parent}{os.pathsep}{SYSTEM_PATH}")
    out = setup_tool(tool_bin, "uv", URL)
    assert "keyring command" not in out and "reach" not in out
    assert sorted(p.name for p in tool_bin.iterdir()) == ["codeartifact-keyring"]


def test_setup_pip_with_the_import_provider_needs_no_keyring_command(tool_bin):
    out = setup_tool(tool_bin, "pip", "--pip", str(BIN / "pip"), URL)  # the backend is in that pip's environment
    assert "keyring-provider" not in out and "keyring command" not in out
    assert sorted(p.name for p in tool_bin.iterdir()) == ["codeartifact-keyring"]


@pytest.fixture
def pip_env(tmp_path, tools) -> Path:
    """A venv whose pip (26.1, from the tool environment, by a .pth file) has no backend;
    its own bin/ (pip's scripts folder) holds a keyring that reaches this backend."""
    venv = tmp_path / "venv"
    subprocess.run([str(BARE_PYTHON if BARE_PYTHON.exists() else sys.executable), "-m", "venv", "--without-pip",
                    str(venv)], check=True)
    [site] = venv.glob("lib/python*/site-packages")
    if sys.version_info < (3, 10):
        pytest.skip("pip 26.1 needs Python 3.10+: no tools/pip-26.1 on 3.9")
    [pip_site] = (tools / "pip-26.1").glob("lib/python*/site-packages")
    (site / "pip-26.1.pth").write_text(f"{pip_site}\n")
    (venv / "bin" / "keyring").symlink_to(KEYRING)
    return venv


def pip_command(pip_env: Path, form: str) -> str:
    """The venv's pip as `--pip` names it: `python -m pip`, its own script (whose first
    line names its Python), or a shell wrapper (setup then asks `pip debug`)."""
    python = pip_env / "bin" / "python"
    if form == "python -m pip":
        return f"{python} -m pip"
    script = pip_env / "bin" / "pip" if form == "script" else pip_env.parent / "pip-wrapper"
    script.write_text(f"#!{python}\nimport sys\nfrom pip._internal.cli.main import main\nsys.exit(main())\n"
                      if form == "script" else f'#!/bin/sh\nexec {python} -m pip "$@"\n')
    script.chmod(0o755)
    return str(script)


@pytest.mark.parametrize("form", ["python -m pip", "script", "wrapper"])
def test_setup_pip_skips_the_keyring_in_pips_own_folder_as_pip_does(tool_bin, pip_env, monkeypatch, form):
    pip = pip_command(pip_env, form)
    monkeypatch.setenv("PATH", f"{pip_env / 'bin'}{os.pathsep}{SYSTEM_PATH}")  # ours not on PATH
    out = setup_tool(tool_bin, "pip", "--pip", pip, URL)
    assert ("but no keyring command on PATH reaches this backend (pip skips the one in its own folder, "
            f"{pip_env / 'bin'}); `codeartifact-keyring setup keyring --bin DIR` puts one that does in DIR") in out
    monkeypatch.setenv("PATH", f"{pip_env / 'bin'}{os.pathsep}{tool_bin}{os.pathsep}{SYSTEM_PATH}")
    out = setup_tool(tool_bin, "pip", "--pip", pip, URL)
    assert f"{tool_bin / 'keyring'}: updated; the keyring command pip runs from PATH" in out
    assert MARKER in (tool_bin / "keyring").read_text()
