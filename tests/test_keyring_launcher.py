"""``codeartifact-keyring setup keyring``: the launcher it writes, what it leaves alone,
``--force``/``--remove``, Windows (simulated: sys.platform), and ``keyring_problem``,
the check that a ``keyring`` on PATH reaches this backend."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import KEYRING, TOOLS, URL, run
from keyrings_codeartifact import keyring_launcher
from keyrings_codeartifact.keyring_launcher import BACKUP_SUFFIX, MARKER, keyring_problem

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
    code = keyring_launcher.run(folder, dry_run, remove, force)
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


@pytest.fixture
def windows(monkeypatch):
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(sys, "executable", r"C:\Users\me\AppData\Roaming\uv\tools\codeartifact-keyring\Scripts\python.exe")


def test_windows_gets_a_cmd_launcher(folder, capsys, windows):
    assert setup(folder, capsys)[0] == 0
    assert [p.name for p in folder.iterdir()] == ["keyring.cmd"]
    text = (folder / "keyring.cmd").read_bytes().decode()
    python = sys.executable
    assert text.startswith("@echo off\r\nrem " + MARKER)
    assert f'\r\nif exist "{python}" goto run\r\n' in text
    assert f'\r\n"{python}" -c "import sys; ' in text and 'sys.exit(main())" %*\r\n' in text
    assert "\n" not in text.replace("\r\n", "")
    assert setup(folder, capsys)[1].endswith("already set up, unchanged\n")
    assert setup(folder, capsys, remove=True)[0] == 0 and list(folder.iterdir()) == []


def test_windows_refuses_when_a_keyring_exe_would_be_found_first(folder, capsys, windows):
    (folder / "keyring.exe").write_bytes(b"MZ")
    code, _, err = setup(folder, capsys)
    assert code == 1 and f"{folder / 'keyring.exe'} would be found before {folder / 'keyring.cmd'}" in err
    assert [p.name for p in folder.iterdir()] == ["keyring.exe"]


def test_a_python_path_the_launcher_cannot_quote_is_refused(folder, capsys, windows, monkeypatch):
    monkeypatch.setattr(sys, "executable", r"C:\100%\python.exe")
    code, _, err = setup(folder, capsys)
    assert code == 1 and "its path holds quotes or special characters" in err
    assert list(folder.iterdir()) == []


# -- does the keyring on PATH reach this backend? ---------------------------------------------


def test_no_keyring_on_path(folder):
    assert keyring_problem(str(folder)) == (
        "no keyring command on PATH reaches this backend; "
        "run `codeartifact-keyring setup keyring` to put one on PATH that does"
    )


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
    assert keyring_problem(str(cli)) == (
        f"the keyring command on PATH, {cli / 'keyring'}, does not reach this backend; "
        "run `codeartifact-keyring setup keyring` to put one on PATH that does"
    )


@pytest.mark.skipif(not BARE_PYTHON.exists(), reason="pyenv's CPython 3.11.7 is not installed")
def test_a_keyring_command_that_fails_is_named_with_its_last_line(folder, monkeypatch):
    (folder / "keyring").write_text(f"#!/bin/sh\nexec {BARE_PYTHON} -I -m keyring \"$@\"\n")
    (folder / "keyring").chmod(0o755)
    problem = keyring_problem(str(folder))
    assert problem is not None and problem.startswith(f"the keyring command on PATH, {folder / 'keyring'}, "
                                                      "does not reach this backend (")
    assert "No module named keyring" in problem
