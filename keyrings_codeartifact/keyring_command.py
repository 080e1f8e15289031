"""The fast ``keyring`` command: keyring's CLI, answering CodeArtifact itself.

``codeartifact-keyring setup keyring`` installs a launcher named ``keyring`` that runs
``main``. It answers ``get SERVICE USERNAME`` and ``--mode creds [--output plain|json]
get SERVICE [USERNAME]`` for a CodeArtifact endpoint or repository name exactly as
keyring's CLI with this backend would (same stdout, exit code and JSON), through the
one lookup rule (``lookup.Lookup``), and imports neither keyring nor botocore when the
token is cached. Every other call goes, unchanged, to keyring's own CLI in this
process: other services and operations, options it does not read, and every setting
under which keyring might answer otherwise (``PYTHON_KEYRING_BACKEND``, a
``[backend]`` section in keyringrc.cfg that names another backend, another keyring
backend installed beside this one, no botocore).

One deliberate difference: when the lookup fails, keyring's CLI prints a traceback
ending in the error; this prints the error's one-line message alone. Both exit 1.

The POSIX launcher turns Python's cyclic garbage collector off before it imports this
module: the process answers one command and exits, and a lookup, even one that imports
botocore, leaves about half a megabyte of cycles for the exit to free, where collecting
them as it goes costs ~2 ms of a warm lookup and ~10 ms of a cold one. keyring's CLI
runs so too (its plugins' imports are most of its time): what it prints is the same.
The launcher ends through ``oneshot.finish``.
"""

import os
import sys
from typing import NamedTuple, Optional

__all__ = ["Request", "handled_by_us", "main", "parse_args"]

# What keyring may be configured to use, in keyringrc.cfg [backend] default-keyring,
# for this command to answer as it would.
OUR_BACKENDS = ("keyring.backends.chainer.ChainerBackend", "keyrings_codeartifact.backend.CodeArtifactBackend")
# Backends known never to be asked before ours: keyring's own (all of lower priority
# but the chainer), keyrings.alt's (5.x: priority 3 at most, fixed) and ours.
KNOWN_BACKEND_MODULES = ("keyring.backends.", "keyrings.alt.", "keyrings_codeartifact.backend")
_CHOICES = {"--mode": ("password", "creds"), "--output": ("plain", "json")}
_BACKEND_GROUP = "[keyring.backends]"


class Request(NamedTuple):
    """A ``get`` this command may answer, as keyring's CLI reads it."""

    mode: str  # "password" or "creds"
    output: str  # "plain" or "json"
    service: str
    username: Optional[str]  # None: not given (creds mode only)


def main(argv: Optional[list[str]] = None) -> int:
    """Answer the keyring command line ``argv`` (None: this process's); the exit code."""
    argv = sys.argv[1:] if argv is None else argv
    request = parse_args(argv)
    if request is not None:
        answered = answer(request)
        if answered is not None:
            return answered
    return keyring_cli(argv)


def parse_args(argv: list[str]) -> Optional[Request]:
    """The ``get`` that ``argv`` asks for, if it is one of the forms answered here,
    read as keyring's argparse parser reads it; None for anything else.

    Options are ``--mode`` and ``--output`` with a valid choice (``--opt value`` or
    ``--opt=value``; the last one given wins, as in argparse), before or after the
    positional arguments, which must be next to each other and not start with "-"."""
    options = {"--mode": "password", "--output": "plain"}
    positionals: list[str] = []
    after_positionals = False
    arguments = iter(argv)
    for argument in arguments:
        if not argument.startswith("-"):
            if after_positionals:
                return None  # options between positionals: argparse's rules get subtle
            positionals.append(argument)
            continue
        name, equals, value = argument.partition("=")
        if name not in _CHOICES:
            return None
        if not equals:
            value = next(arguments, "")
        if value not in _CHOICES[name]:
            return None
        options[name] = value
        after_positionals = bool(positionals)
    mode = options["--mode"]
    wanted = (2, 3) if mode == "creds" else (3,)
    if len(positionals) not in wanted or positionals[0] != "get":
        return None
    username = positionals[2] if len(positionals) == 3 else None
    return Request(mode, options["--output"], positionals[1], username)


def handled_by_us() -> bool:
    """Whether keyring, run here, would ask this backend first: no backend forced by
    ``PYTHON_KEYRING_BACKEND`` or keyringrc.cfg, botocore importable (else the backend
    is not viable), and no other keyring backend installed that might answer first."""
    import importlib.util

    return (
        "PYTHON_KEYRING_BACKEND" not in os.environ
        and _config_allows()
        and importlib.util.find_spec("botocore") is not None
        and not _other_backends(sys.path)
    )


def _config_allows() -> bool:
    """Whether keyringrc.cfg, read as keyring reads it, leaves the choice of backend
    to keyring (no [backend] section) or names the chainer or this backend alone."""
    from .userfolders import keyring_config_root

    path = keyring_config_root() / "keyringrc.cfg"
    if not os.path.exists(path):
        return True  # keyring reads no config either (it asks os.path.exists too)
    import configparser  # here: only a file that is there needs it (1 ms of a warm lookup without one)

    parser = configparser.RawConfigParser()
    try:
        parser.read(path, encoding="utf-8")
        if not parser.has_section("backend"):
            return True
        options = parser.options("backend")
        return options == ["default-keyring"] and parser.get("backend", "default-keyring").strip() in OUR_BACKENDS
    except (configparser.Error, OSError, UnicodeDecodeError):
        return False  # keyring's CLI says what it makes of the file


def _other_backends(path: list[str]) -> list[str]:
    """The keyring backends, other than keyring's own and this one, that the
    distributions on ``path`` declare (entry points, as keyring finds them)."""
    found = []
    for folder in path:
        entry = folder or "."
        if not os.path.isdir(entry):
            if os.path.exists(entry):
                found.append(f"{entry} (not a folder: not searched)")
            continue
        try:
            names = os.listdir(entry)
        except OSError:
            continue
        for name in names:
            if name.endswith((".dist-info", ".egg-info")):
                found.extend(_declared_backends(os.path.join(entry, name, "entry_points.txt")))
    return found


def _declared_backends(entry_points: str) -> list[str]:
    """The modules of the [keyring.backends] entry points in the file ``entry_points``
    that are neither keyring's own nor this one."""
    try:
        with open(entry_points, encoding="utf-8") as file:
            text = file.read()
    except (OSError, UnicodeDecodeError):
        return []
    if _BACKEND_GROUP not in text:
        return []
    declared, in_group = [], False
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("["):
            in_group = line == _BACKEND_GROUP
        elif in_group and "=" in line:
            module = line.partition("=")[2].strip()
            if not module.startswith(KNOWN_BACKEND_MODULES):
                declared.append(module)
    return declared


def answer(request: Request) -> Optional[int]:
    """Answer ``request`` as keyring's CLI would, printing the credential; the exit
    code, or None when keyring's CLI must answer: not a service of ours, or keyring
    would not ask this backend first, or this backend has nothing to say."""
    from .services import USERNAME, Services, answers_for

    if not answers_for(request.username):
        return None
    endpoint = Services().endpoint(request.service)
    if endpoint is None or not handled_by_us():
        return None
    from . import lookup
    from .errors import CodeArtifactError

    try:
        token = lookup.Lookup().token(endpoint).value
    except lookup.OwnerRefused:
        return None  # the next backend in keyring's chain may know the service
    except CodeArtifactError as error:
        print(error, file=sys.stderr)
        return 1
    fields = {"username": USERNAME, "password": token} if request.mode == "creds" else {"password": token}
    if request.output == "json":
        import json

        print(json.dumps(fields))
    else:
        for value in fields.values():
            print(value)
    return 0


def keyring_cli(argv: list[str]) -> int:
    """Run keyring's own CLI on ``argv`` here, as its console script does; its exit code."""
    from keyring import cli

    if os.path.basename(sys.argv[0]) != "keyring":
        sys.argv[0] = "keyring"  # argparse names the program after it, in usage and errors
    code = cli.main(argv)  # type: ignore[no-untyped-call]  # keyring's CLI is not annotated
    return 0 if code is None else int(code)
