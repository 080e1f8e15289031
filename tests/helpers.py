"""Constants and helpers shared by the tests."""

import json
import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

DOMAIN = "my-team"
OWNER = "111122223333"
REGION = "us-east-1"
REPOSITORY = "python"
URL = f"https://{DOMAIN}-{OWNER}.d.codeartifact.{REGION}.amazonaws.com/pypi/{REPOSITORY}/simple/"

ALICE = ("alice", "AKIAALICEEXAMPLE0001", "alice-secret-key-EXAMPLE/abcdefghijklmn")
BOB = ("bob", "AKIABOBEXAMPLE000002", "bob-secret-key-EXAMPLE/abcdefghijklmnop")
# A secret planted in bad AWS files and credential_process output: no output may ever show it.
PLANTED = "planted-secret-EXAMPLE-7Qx2"

BIN = Path(sys.executable).parent  # the test environment's own bin/ (keyring, pip, twine, uv)
KEYRING = BIN / "keyring"
CLI = BIN / "codeartifact-keyring"
ROOT = Path(__file__).resolve().parent.parent
# Separate tool environments made by `make test` (or by `make test-versions`, one per Python).
TOOLS = Path(os.environ.get("TEST_TOOLS") or ROOT / ".venv-tools").resolve()


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (it was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_aws_file(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def serve_expired_keys(sources, kind: str, home: Path, monkeypatch) -> None:
    """Make botocore's chain get its keys from the ``sources`` stand-in's credential_process
    (``kind`` "process") or container endpoint ("container"), which hands out expired ones."""
    (home / ".aws" / "credentials").write_text("")  # no profile keys: the chain goes on
    if kind == "process":
        write_aws_file(home / ".aws" / "config", f"[default]\ncredential_process = {sources.process_command('p')}\n")
    else:
        sources.add_container_task("task-a-authorization", "task-a")
        monkeypatch.setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", sources.container_url)
        monkeypatch.setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "task-a-authorization")
    sources.expired.add(kind)


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


def lookup() -> str:
    """A lookup of URL as a new process would make it: a backend with an empty memory."""
    from keyrings_codeartifact.backend import CodeArtifactBackend

    return CodeArtifactBackend().get_password(URL, "aws")


# -- the disk cache's files ----------------------------------------------------------

# The key of a cache entry for URL as alice's default profile, for tests of the cache alone.
CACHE_KEY = {"partition": "aws", "region": REGION, "domain": DOMAIN, "owner": OWNER,
             "identity": "profile:default", "duration": 3600}


def cache_entries(folder: Path) -> list:
    """The token entries in cache folder ``folder``, sorted."""
    return sorted(folder.glob("*.json"))


def only_entry(folder: Path) -> Path:
    """The one token entry in ``folder`` (fails if there are none or several)."""
    [path] = cache_entries(folder)
    return path


def read_entry(path: Path) -> dict:
    return json.loads(path.read_text())


def edit_entry(path: Path, **changes) -> dict:
    """Rewrite the entry at ``path`` with ``changes`` (its mode kept); returns what it now holds."""
    data = {**read_entry(path), **changes}
    path.write_text(json.dumps(data))
    return data


def new_token(value: str = "fetched"):
    """A token fresh for an hour."""
    from keyrings_codeartifact.token_record import Token

    now = time.time()
    return Token(value, now, now + 3600)


def cache_warnings(caplog) -> list:
    """The cache's "not using the token cache" warnings the test logged."""
    return [r.getMessage() for r in caplog.records if "not using the token cache" in r.getMessage()]


# Holds the lock of the file it is given both ways a POSIX process may lock it
# (flock, and fcntl's record locks that lockf uses), until its stdin closes.
_HOLDER = """
import fcntl, os, sys
descriptor = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(descriptor, fcntl.LOCK_EX)
fcntl.lockf(descriptor, fcntl.LOCK_EX)
print("held", flush=True)
sys.stdin.read()
"""


class Holder:
    """Another process holding a lock file's lock, as a stuck pip or a debugger would."""

    def __init__(self, path: Path):
        self.process = subprocess.Popen(
            [sys.executable, "-c", _HOLDER, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout.readline() == "held\n"

    def release(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


# A sitecustomize that says when the interpreter tears down (oneshot.finish skips that).
TEARDOWN_WATCH = '''
import sys


class _Watch:
    def __del__(self):
        sys.stderr.write("torn down\\n")


watch = _Watch()
'''


def watch_teardown(folder: Path, at_exit: bool = False) -> str:
    """A folder under ``folder`` holding a sitecustomize that says "torn down" on stderr
    when the interpreter tears down (and, with ``at_exit``, registers an exit handler that
    prints "at exit"); the PYTHONPATH that puts it first."""
    site = folder / "site"
    site.mkdir(exist_ok=True)
    handler = "import atexit\natexit.register(print, 'at exit')\n" if at_exit else ""
    (site / "sitecustomize.py").write_text(TEARDOWN_WATCH + handler)
    return os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])


LOOKUP_FAULTS = ("AccessDenied", "ConfigError")  # a lookup that fails at AWS, and one that fails in keyringrc.cfg


def make_lookups_fail(standin, fault: str) -> None:
    """Make lookups fail as ``fault`` (one of LOOKUP_FAULTS) says: AWS denies the token,
    or keyringrc.cfg asks for a duration no token can have."""
    if fault == "AccessDenied":
        standin.fault = "deny"
    else:
        write_keyring_config("[codeartifact]\ntoken_duration = 5\n")
