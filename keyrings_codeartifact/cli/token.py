"""``codeartifact-keyring token URL``: a token for scripts, the one command that prints one."""

import argparse
import json
from typing import TYPE_CHECKING

from ..lookup import Lookup
from ..settings import DURATION_HELP, Settings, parse_option
from .common import OK, UsageError, endpoint, iso

if TYPE_CHECKING:
    from .common import Commands

_FLAGS = {"token_duration": "--duration", "profile_name": "--profile"}  # setting -> the flag that overrides it


def add_to(commands: "Commands") -> None:
    parser = commands.add_parser(
        "token",
        help="print a token for a repository URL, for scripts",
        description="Print a token for URL (from the cache when fresh), e.g. "
        "export UV_INDEX_X_PASSWORD=$(codeartifact-keyring token URL).",
    )
    parser.add_argument("url", metavar="URL", help="the repository endpoint URL")
    parser.add_argument("--duration", dest="token_duration", metavar="SECONDS",
                        help=f"token lifetime: {DURATION_HELP}")
    parser.add_argument("--profile", dest="profile_name", metavar="NAME", help="the AWS profile to ask as")
    parser.add_argument("--json", action="store_true", help="print JSON: token and expiration")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    found = Lookup().token(endpoint(args.url), adjust=lambda settings: _overridden(settings, args))
    if args.json:
        expiration = None if found.expires_at is None else iso(found.expires_at)
        print(json.dumps({"token": found.value, "expiration": expiration}))
    else:
        print(found.value)
    return OK


def _overridden(settings: Settings, args: argparse.Namespace) -> Settings:
    """``settings`` with --duration and --profile, read as the config file would read them."""
    for option, flag in _FLAGS.items():
        value = getattr(args, option)
        if value is not None:
            try:
                settings = settings._replace(**{option: parse_option(option, value)})
            except ValueError as problem:
                raise UsageError(f"{flag}: {problem}") from None
    return settings
