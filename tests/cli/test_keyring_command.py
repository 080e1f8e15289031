"""The fast ``keyring`` command, installed by ``codeartifact-keyring setup keyring``,
against the real keyring CLI with this backend (keyrings.alt's storing keyring beside
it, so keyring's chainer is active): same stdout, exit code and last line of stderr,
but for the one deliberate difference (a failed lookup prints our message alone, where
keyring prints a traceback ending in it)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import CLI, KEYRING, LOOKUP_FAULTS, URL, make_lookups_fail, run, watch_teardown, write_keyring_config
from keyrings_codeartifact import cache, failures, settings
from keyrings_codeartifact.endpoint import parse

OTHER = "https://pypi.org/simple/"


def both(fast: Path, *args: str):
    """The keyring CLI's and the fast command's (stdout, last line of stderr, exit code)."""
    outcomes = []
    for program in (KEYRING, fast):  # the keyring CLI first: it fetches, both read the cache
        result = run(program, *args)
        lines = result.stderr.strip().splitlines()
        outcomes.append((result.stdout, lines[-1] if lines else "", result.returncode))
    return outcomes


ANSWERED = [
    ["get", URL, "aws"],
    ["get", URL, "aws", "--output", "json"],
    ["--mode", "creds", "get", URL],
    ["--mode=creds", "--output=json", "get", URL],
    ["--mode=creds", "get", URL, ""],
    ["--mode", "creds", "--output", "json", "get", URL, "aws"],
    ["--output=plain", "--mode=password", "get", URL, "aws"],
    ["--mode", "password", "--mode", "creds", "get", URL],
    ["--mode=creds", "--output=json", "get", "team"],
    ["get", "TEAM", "aws"],
]


@pytest.mark.parametrize("args", ANSWERED, ids=" ".join)
def test_codeartifact_lookups_are_answered_as_keyring_answers_them(standin, fast, args):
    write_keyring_config(f"[codeartifact-repositories]\nteam = {URL}\n")
    keyring_cli, ours = both(fast, *args)
    assert keyring_cli[2] == 0, keyring_cli
    assert ours == keyring_cli
    assert len(standin.token_requests()) == 1


DELEGATED = [
    ["get", URL, "someone"],
    ["get", OTHER, "aws"],
    ["--mode", "creds", "get", OTHER],
    ["--mode=creds", "--output=json", "get", "pypi.org"],
    ["get", URL],
    ["get"],
    [],
    ["--mode", "bogus", "get", URL, "aws"],
    ["--output", "yaml", "get", URL, "aws"],
    ["get", URL, "aws", "extra"],
    ["get", "--mode", "creds", URL],
    ["get", URL, "--mode", "creds", "aws"],
    ["--mode"],
    ["fetch", URL, "aws"],
    ["diagnose"],
    ["-h"],
    ["del", OTHER, "nobody"],
]


@pytest.mark.parametrize("args", DELEGATED, ids=lambda args: " ".join(args) or "(none)")
def test_everything_else_is_keyring_s_own_answer(standin, fast, args):
    keyring_cli, ours = both(fast, *args)
    assert ours == keyring_cli
    assert standin.token_requests() == []


@pytest.mark.parametrize("args", [["--mod", "creds", "get", URL], ["--out=json", "get", URL, "aws"], ["--", "get", URL, "aws"]], ids=" ".join)
def test_forms_left_to_keyring_are_answered_by_keyring(standin, fast, args):
    keyring_cli, ours = both(fast, *args)
    assert ours == keyring_cli and ours[2] == 0
    assert len(standin.token_requests()) == 1
    assert "keyring" in imported_by(fast, *args)


def test_the_backends_listed_are_keyring_s_list(fast):
    # keyring lists them in the order of a set: compare them as a set.
    keyring_cli, ours = (run(program, "--list-backends") for program in (KEYRING, fast))
    assert (ours.returncode, ours.stderr) == (keyring_cli.returncode, keyring_cli.stderr) == (0, "")
    assert sorted(ours.stdout.splitlines()) == sorted(keyring_cli.stdout.splitlines())


def test_a_password_stored_in_another_keyring_is_found_through_the_fast_command(standin, fast):
    assert run(fast, "set", OTHER, "me", stdin="hunter2\n").returncode == 0
    got = run(fast, "get", OTHER, "me")
    assert (got.returncode, got.stdout, got.stderr) == (0, "hunter2\n", "")
    assert run(fast, "del", OTHER, "me").returncode == 0
    assert run(KEYRING, "get", OTHER, "me").returncode == 1


def test_owners_refusing_the_endpoint_leaves_it_to_the_other_keyrings(standin, fast):
    write_keyring_config("[codeartifact]\nowners = 444455556666\n")
    assert run(KEYRING, "set", URL, "aws", stdin="stored-by-hand\n").returncode == 0
    keyring_cli, ours = both(fast, "get", URL, "aws")
    assert ours == keyring_cli == ("stored-by-hand\n", "", 0)
    assert standin.requests() == []


@pytest.mark.parametrize("fault", LOOKUP_FAULTS)
def test_a_failure_is_our_one_line_where_keyring_prints_a_traceback(standin, fast, fault):
    # The one deliberate difference: same exit code, same message, without the traceback.
    make_lookups_fail(standin, fault)
    result = run(fast, "--mode=creds", "--output=json", "get", URL)
    assert (result.returncode, result.stdout) == (1, "")
    [line] = result.stderr.splitlines()
    assert line.startswith("codeartifact-keyring: ")
    keyring_cli = run(KEYRING, "--mode=creds", "--output=json", "get", URL)
    assert keyring_cli.returncode == 1 and "Traceback" in keyring_cli.stderr
    assert keyring_cli.stderr.strip().splitlines()[-1] == f"keyrings_codeartifact.errors.{fault}: {line}"


@pytest.mark.parametrize(
    "setting",
    [
        "PYTHON_KEYRING_BACKEND=keyrings.alt.file.PlaintextKeyring",
        "[backend]\ndefault-keyring = keyrings.alt.file.PlaintextKeyring\n",
        "[backend]\nkeyring-path = /nowhere\ndefault-keyring = keyring.backends.chainer.ChainerBackend\n",
    ],
)
def test_a_setting_that_names_another_backend_goes_to_keyring(standin, fast, monkeypatch, setting):
    if setting.startswith("PYTHON_KEYRING_BACKEND="):
        monkeypatch.setenv("PYTHON_KEYRING_BACKEND", setting.partition("=")[2])
    else:
        write_keyring_config(setting)
    keyring_cli, ours = both(fast, "get", URL, "aws")
    assert ours == keyring_cli
    modules = imported_by(fast, "get", URL, "aws")
    assert "keyring" in modules


def test_the_chainer_or_this_backend_named_in_keyringrc_is_answered_here(standin, fast):
    for name in ("keyring.backends.chainer.ChainerBackend", "keyrings_codeartifact.backend.CodeArtifactBackend"):
        write_keyring_config(f"[backend]\ndefault-keyring = {name}\n")
        keyring_cli, ours = both(fast, "get", URL, "aws")
        assert ours == keyring_cli and ours[2] == 0
        assert "keyring" not in imported_by(fast, "get", URL, "aws")


# -- what a warm lookup imports ------------------------------------------------------------


def imported_by(program: Path, *args: str) -> set:
    """The top-level packages the command imported (PYTHONPROFILEIMPORTTIME)."""
    return {name.split(".")[0] for name in modules_imported_by(program, *args)}


def modules_imported_by(program: Path, *args: str) -> set:
    """The modules the command imported, by their full names (PYTHONPROFILEIMPORTTIME)."""
    env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}
    import subprocess

    result = subprocess.run([str(program), *args], capture_output=True, text=True, env=env, timeout=180)
    names = set()
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip())
    assert "keyrings_codeartifact" in names or "keyring" in names, result.stderr[-2000:]
    return names


def test_a_warm_lookup_imports_neither_keyring_nor_botocore(standin, fast):
    cold = imported_by(fast, "get", URL, "aws")
    assert "botocore" in cold and "keyring" not in cold  # the probe sees a fetch
    warm = imported_by(fast, "--mode=creds", "--output=json", "get", URL)
    assert not warm & {"keyring", "botocore", "boto3", "jaraco"}
    assert len(standin.token_requests()) == 1


# A warm lookup with no failure record to clear and no log imports neither the
# record keeper nor the identity it names, nor the log writer.
WARM_NEEDS_NOT = {f"keyrings_codeartifact.{name}" for name in ("failures", "identity", "lookuplog", "asking_program")}


def test_a_warm_lookup_imports_no_failure_record_keeper_nor_log_writer(standin, fast, cache_dir):
    cold = modules_imported_by(fast, "get", URL, "aws")
    assert "keyrings_codeartifact.identity" in cold  # the probe sees it: a fetch asks who is calling
    warm = modules_imported_by(fast, "get", URL, "aws")
    assert "keyrings_codeartifact.lookup" in warm and not warm & WARM_NEEDS_NOT
    assert len(standin.token_requests()) == 1


# Nor the standard library's heavier modules, whose work a warm lookup does not need:
# logging (no handler is configured in this process, so a debug record goes nowhere),
# hashlib (its OpenSSL: SHA-256 is Python's own module), configparser (no keyringrc.cfg
# to read), threading (its Lock is _thread's) and base64 (no web identity token).
WARM_STDLIB_NEEDS_NOT = {"logging", "hashlib", "_hashlib", "configparser", "threading", "base64"}


def test_a_warm_lookup_imports_no_logging_hashlib_configparser_nor_threading(standin, fast):
    cold = modules_imported_by(fast, "get", URL, "aws")
    assert {"logging", "configparser"} <= cold  # the probe sees them: botocore uses both
    warm = modules_imported_by(fast, "get", URL, "aws")
    assert "keyrings_codeartifact.cache" in warm and not warm & WARM_STDLIB_NEEDS_NOT
    assert len(standin.token_requests()) == 1


def test_a_keyringrc_cfg_is_read_on_a_warm_lookup(standin, fast):
    modules_imported_by(fast, "get", URL, "aws")  # cached
    write_keyring_config("[codeartifact]\nowners = 444455556666\n")
    keyring_cli, ours = both(fast, "get", URL, "aws")
    assert ours == keyring_cli and ours[2] == 1  # refused by owners: no password anywhere
    assert "configparser" in modules_imported_by(fast, "get", URL, "aws")
    assert len(standin.token_requests()) == 1


def test_a_warm_lookup_clears_a_failure_record_and_writes_the_log(standin, fast, cache_dir, tmp_path, monkeypatch):
    modules_imported_by(fast, "get", URL, "aws")  # cached
    (cache_dir / cache.failure_record_name(cache.domain_key(parse(URL)))).write_text("{}")
    monkeypatch.setenv(settings.LOG_VARIABLE, str(tmp_path / "lookups.log"))
    warm = modules_imported_by(fast, "get", URL, "aws")
    assert {"keyrings_codeartifact.failures", "keyrings_codeartifact.lookuplog"} <= warm
    assert [p for p in cache_dir.iterdir() if p.name.endswith(failures.SUFFIX)] == []
    assert "source=cache" in (tmp_path / "lookups.log").read_text()
    assert len(standin.token_requests()) == 1


def test_another_service_is_handed_to_keyring(standin, fast):
    assert "keyring" in imported_by(fast, "get", OTHER, "aws")


def test_the_launcher_runs_the_python_of_codeartifact_keyring(fast_keyring_folder):
    python = CLI.read_text().splitlines()[0][2:]  # the console script's shebang
    assert f"\npython={python}\n" in (fast_keyring_folder / "keyring").read_text()


PLUGIN = '''
from keyring import backend


class Keyring(backend.KeyringBackend):
    priority = 20

    def get_password(self, service, username):
        return "from-another-plugin"

    def set_password(self, service, username, password):
        raise NotImplementedError()

    def delete_password(self, service, username):
        raise NotImplementedError()
'''


def install_plugin(tmp_path: Path, monkeypatch, module: str, text: str) -> Path:
    """A keyring backend plugin ``module`` (source ``text``) installed in a folder put
    first on PYTHONPATH, for both commands; the folder."""
    site = tmp_path / "site"
    info = site / f"{module}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module.replace('_', '-')}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[keyring.backends]\n{module} = {module}\n")
    (site / f"{module}.py").write_text(text)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]))
    return site


def test_another_keyring_plugin_installed_makes_it_keyring_s_answer(standin, fast, tmp_path, monkeypatch):
    # A plugin of higher priority than ours: keyring asks it alone, so must we.
    site = install_plugin(tmp_path, monkeypatch, "another_plugin", PLUGIN)
    keyring_cli, ours = both(fast, "get", URL, "aws")
    assert ours == keyring_cli == ("from-another-plugin\n", "", 0)
    assert standin.requests() == []

    from keyrings_codeartifact.keyring_command import _other_backends

    assert _other_backends([str(site)]) == ["another_plugin"]


GC_PLUGIN = PLUGIN.replace('return "from-another-plugin"', 'import gc\n        return f"collector on: {gc.isenabled()}"')


def test_the_launcher_runs_the_command_with_the_garbage_collector_off(standin, fast, tmp_path, monkeypatch):
    # One short command, whose cycles the exit frees (keyring_command's docstring says
    # what that saves); seen from a plugin, as keyring's CLI runs it in the same process.
    assert "gc.isenabled" in GC_PLUGIN
    install_plugin(tmp_path, monkeypatch, "gc_plugin", GC_PLUGIN)
    keyring_cli, ours = both(fast, "get", URL, "aws")
    assert keyring_cli == ("collector on: True\n", "", 0)
    assert ours == ("collector on: False\n", "", 0)


def test_the_launcher_skips_the_interpreter_s_teardown_unless_something_runs_at_exit(standin, fast, tmp_path,
                                                                                    monkeypatch):
    # A warm answer needs no teardown (about 3 ms of 30); an exit handler anyone
    # registered (here a sitecustomize, as coverage.py's does) still runs, as do the teardown and its output.
    monkeypatch.setenv("PYTHONPATH", watch_teardown(tmp_path))
    keyring_cli, ours = both(fast, "--mode=creds", "--output=json", "get", URL)
    assert keyring_cli[0] == ours[0] and ours[0].startswith("{")
    assert run(KEYRING, "get", OTHER, "aws").stderr.endswith("torn down\n")  # the watch works
    skipped = run(fast, "--mode=creds", "--output=json", "get", URL)
    assert skipped.returncode == 0 and skipped.stdout == ours[0] and "torn down" not in skipped.stderr

    monkeypatch.setenv("PYTHONPATH", watch_teardown(tmp_path, at_exit=True))
    kept = run(fast, "--mode=creds", "--output=json", "get", URL)
    assert kept.returncode == 0 and kept.stdout == ours[0] + "at exit\n" and kept.stderr.endswith("torn down\n")


def test_output_lost_at_the_quick_exit_is_not_a_success():
    # As Python's own exit: a flush that fails (here /dev/full) makes exit code 120.
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this platform")
    code = "from keyrings_codeartifact.oneshot import finish; print('x'); finish({})"
    with open("/dev/full", "w") as full:
        for given, expected in ((0, 120), (1, 1)):
            env = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}  # print buffers
            result = subprocess.run([sys.executable, "-c", code.format(given)], stdout=full, env=env, timeout=60)
            assert result.returncode == expected
