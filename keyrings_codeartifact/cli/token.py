"""``codeartifact-keyring token URL``: a token for scripts, the one command that prints one."""

import argparse
import json
from typing import TYPE_CHECKING

from ..lookup import Lookup
from ..settings import DURATION_HELP, Settings, parse_option
from . import token_formats
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
    parser.add_argument("--format", choices=token_formats.FORMATS,
                        help="print the variables (env: CODEARTIFACT_AUTH_TOKEN; uv-env, twine-env) "
                        "or the netrc line another tool reads")
    parser.add_argument("--name", metavar="NAME",
                        help="with --format uv-env: the uv index name (default: the repository)")
    parser.add_argument("--output", metavar="FILE",
                        help="with --format: write to FILE (replaced, mode 0600), not stdout")
    parser.add_argument("--github-env", action="store_true",
                        help="with --format: append to $GITHUB_ENV, after ::add-mask::TOKEN on stdout")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    token_formats.check(args.format, args.output, args.github_env, args.json)
    where = endpoint(args.url)
    if args.format == "uv-env":
        token_formats.index_variable(args.name or where.repository)  # a bad name fails before AWS is asked
    found = Lookup().token(where, adjust=lambda settings: _overridden(settings, args))
    if args.format:
        text = token_formats.render(args.format, found.value, where, args.name)
        token_formats.deliver(text, found.value, args.output, args.github_env)
    elif args.json:
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
