"""The ``codeartifact-keyring`` command: tokens for scripts, explanations, set-up, the cache.

One module per command, each adding its subcommand with one handler per subcommand
(``set_defaults(run=...)``): ``token``, ``explain`` (alias ``doctor``), ``setup``
(a subcommand per tool) and ``cache`` (``list``, ``clear``). A handler imports what
its command needs when it runs, so that no command imports botocore before it calls AWS.

Exit codes: 0 done; 1 AWS or the settings failed (one line on stderr saying
why); 2 bad usage, or a URL that is not a CodeArtifact repository endpoint.
No traceback for expected failures, and a token is printed only by ``token``.

Run under the name ``keyring`` (a copy of this console script, which is how
``setup keyring`` makes ``keyring.exe`` on Windows), it is the fast ``keyring`` command
(``keyring_command``). The commands' modules are imported only to build the parser, so
that the fast command pays for none of them (nor for argparse).
"""

import ntpath
import posixpath
import sys
from typing import TYPE_CHECKING, Optional

from .. import __version__
from ..errors import PREFIX, CodeArtifactError

if TYPE_CHECKING:
    import argparse

# What console-script launchers leave at the end of sys.argv[0] (pip, distlib, uv).
_LAUNCHER_SUFFIXES = (".exe", "-script.pyw", "-script.py")

__all__ = ["main", "parser"]


def main(argv: Optional[list[str]] = None) -> int:
    """Run the command line ``argv`` (None: this process's); return the exit code. Called
    as ``keyring`` (``called_as_keyring``), this process's command line is the fast
    keyring command's."""
    if argv is None and called_as_keyring(sys.argv[0]):
        from ..keyring_command import main as keyring_main

        return keyring_main()
    from .common import FAILED, USAGE, UsageError

    command_line = parser()
    args = command_line.parse_args(argv)
    if not hasattr(args, "run"):
        command_line.print_help()
        return USAGE
    try:
        return int(args.run(args))
    except UsageError as error:
        print(f"{PREFIX}{error}", file=sys.stderr)
        return USAGE
    except CodeArtifactError as error:
        print(error, file=sys.stderr)
        return FAILED
    except KeyboardInterrupt:
        return 130


def called_as_keyring(program: str) -> bool:
    """Whether ``program`` (``sys.argv[0]``) names a command ``keyring``: its file name
    without a launcher's suffix (case aside on Windows, as its file names are)."""
    name = ntpath.basename(program).lower() if sys.platform == "win32" else posixpath.basename(program)
    stem = next((name[: -len(suffix)] for suffix in _LAUNCHER_SUFFIXES if name.endswith(suffix)), name)
    return stem == "keyring"


def parser() -> "argparse.ArgumentParser":
    """The command line: the options of the program, and a subcommand per command."""
    import argparse

    from . import cache, explain, setup, token

    command_line = argparse.ArgumentParser(
        prog="codeartifact-keyring",
        description="AWS CodeArtifact tokens for pip, uv, twine and poetry, through keyring.",
        epilog="Exit codes: 0 done, 1 AWS or the settings failed, 2 bad usage or not a CodeArtifact URL.",
    )
    command_line.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = command_line.add_subparsers(title="commands", metavar="COMMAND")
    for command in (token, explain, setup, cache):
        command.add_to(commands)
    return command_line
