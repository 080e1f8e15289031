"""The ``codeartifact-keyring`` command: tokens for scripts, explanations, set-up, the cache.

One module per command, each adding its subcommand with one handler per subcommand
(``set_defaults(run=...)``): ``token``, ``explain`` (alias ``doctor``), ``setup``
(a subcommand per tool) and ``cache`` (``list``, ``clear``). A handler imports what
its command needs when it runs, so that no command imports botocore before it calls AWS.

Exit codes: 0 done; 1 AWS or the settings failed (one line on stderr saying
why); 2 bad usage, or a URL that is not a CodeArtifact repository endpoint.
No traceback for expected failures, and a token is printed only by ``token``.
"""

import argparse
import sys
from typing import Optional

from .. import __version__
from ..errors import PREFIX, CodeArtifactError
from . import cache, explain, setup, token
from .common import FAILED, USAGE, UsageError

__all__ = ["main", "parser"]


def main(argv: Optional[list[str]] = None) -> int:
    """Run the command line ``argv`` (None: this process's); return the exit code."""
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


def parser() -> argparse.ArgumentParser:
    """The command line: the options of the program, and a subcommand per command."""
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
