"""The ``codeartifact-keyring`` command: tokens for scripts, explanations, the cache.

Exit codes: 0 done; 1 AWS or the settings failed (one line on stderr saying
why); 2 bad usage, or a URL that is not a CodeArtifact repository endpoint.
No traceback for expected failures, and a token is printed only by ``token``.
"""

import argparse
import datetime
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Optional

from . import __version__, redact
from .endpoint import Endpoint, parse, partition
from .errors import PREFIX, CodeArtifactError, ConfigError
from .lookup import TOKEN_VARIABLE, Lookup, check_allowed, environment_token
from .settings import DURATION_HELP

OK, FAILED, USAGE = 0, 1, 2


class UsageError(Exception):
    """The command line asks for something that cannot be done."""


def main(argv: Optional[list[str]] = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return USAGE
    try:
        return args.run(args)
    except UsageError as error:
        print(f"{PREFIX}{error}", file=sys.stderr)
        return USAGE
    except CodeArtifactError as error:
        print(error, file=sys.stderr)
        return FAILED
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="codeartifact-keyring",
        description="AWS CodeArtifact tokens for pip, uv, twine and poetry, through keyring.",
        epilog="Exit codes: 0 done, 1 AWS or the settings failed, 2 bad usage or not a CodeArtifact URL.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    token = commands.add_parser(
        "token",
        help="print a token for a repository URL, for scripts",
        description="Print a token for URL (from the cache when fresh), e.g. "
        "export UV_INDEX_X_PASSWORD=$(codeartifact-keyring token URL).",
    )
    token.add_argument("url", metavar="URL", help="the repository endpoint URL")
    token.add_argument("--duration", metavar="SECONDS", help=f"token lifetime: {DURATION_HELP}")
    token.add_argument("--profile", metavar="NAME", help="the AWS profile to ask as")
    token.add_argument("--json", action="store_true", help="print JSON: token and expiration")
    token.set_defaults(run=_token)

    for name in ("explain", "doctor"):
        explain = commands.add_parser(
            name,
            help="show how URL is recognised and configured, and whether keyring reaches this backend"
            + ("" if name == "explain" else " (same as explain)"),
            description="Show how URL is recognised, which settings apply and where each came "
            "from, whether keyring would reach this backend, and the cache state. Never prints a token.",
        )
        explain.add_argument("url", metavar="URL", help="the repository endpoint URL")
        explain.add_argument("--check", action="store_true", help="also call AWS: caller identity and a token request")
        explain.set_defaults(run=_explain)

    _setup_parser(commands)

    cache = commands.add_parser("cache", help="list or clear cached tokens")
    cache_commands = cache.add_subparsers(title="cache commands", metavar="COMMAND")
    listing = cache_commands.add_parser("list", help="list cached tokens (never the tokens themselves)")
    listing.set_defaults(run=_cache_list)
    clear = cache_commands.add_parser("clear", help="remove cached tokens, all or those for URL's domain")
    clear.add_argument(
        "url", metavar="URL", nargs="?", help="only tokens for this repository's domain, owner and region"
    )
    clear.set_defaults(run=_cache_clear)
    cache.set_defaults(run=lambda args: _usage(cache))
    return parser


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return USAGE


def _endpoint(url: str) -> Endpoint:
    endpoint = parse(url)
    if endpoint is None:
        shown = redact.url(url)
        hint = (
            "plain http:// never gets a token; use https://"
            if url.lower().startswith("http://")
            else "expected https://DOMAIN-OWNER.d.codeartifact.REGION.amazonaws.com/pypi/REPO/..."
        )
        raise UsageError(f"not a CodeArtifact repository endpoint: {shown}; {hint}")
    return endpoint


# -- token -------------------------------------------------------------------------


def _token(args) -> int:
    found = Lookup().token(_endpoint(args.url), adjust=lambda settings: _overridden(settings, args))
    if args.json:
        expiration = None if found.expires_at is None else _iso(found.expires_at)
        print(json.dumps({"token": found.value, "expiration": expiration}))
    else:
        print(found.value)
    return OK


def _overridden(settings, args):
    """``settings`` with --duration and --profile, read as the config file would read them."""
    from . import settings as config

    overrides = {"token_duration": args.duration, "profile_name": args.profile}
    for option, value in overrides.items():
        if value is not None:
            try:
                settings = settings._replace(**{option: config.parse_option(option, value)})
            except ValueError as problem:
                flag = "--duration" if option == "token_duration" else "--profile"
                raise UsageError(f"{flag}: {problem}") from None
    return settings


# -- explain -----------------------------------------------------------------------


def _explain(args) -> int:
    from . import settings as config

    endpoint = _endpoint(args.url)
    _heading("Endpoint", first=True)
    _row("form", {"standard": "standard", "dualstack": "dual-stack", "vpc": "VPC endpoint"}[endpoint.form])
    _row("domain", endpoint.domain)
    _row("owner", endpoint.owner)
    _row("region", f"{endpoint.region} (partition {endpoint.partition})")
    _row("repository", endpoint.repository or "(none in the URL)")

    resolution = config.resolve(endpoint)
    _heading("Settings")
    state = "found" if resolution.path.exists() else "absent: defaults apply"
    _row("config file", f"{resolution.path} ({state})")
    _row("applicable sections", ", ".join(resolution.sections) or "none")
    for option, value in resolution.settings._asdict().items():
        if option == "aws_secret_access_key" and value:
            value = "(set)"
        elif option == "owners" and value:
            value = ", ".join(value)
        _row(option, f"{'-' if value is None else redact.text(value)}  <- {_source_of(option, resolution.sources)}")
    allowed = resolution.settings.allows(endpoint)
    _row("owner allowed", "yes" if allowed else f"NO: {endpoint.owner} is not in owners; no token, AWS is not called")
    if os.environ.get(TOKEN_VARIABLE):
        try:
            environment_token()
            _row(TOKEN_VARIABLE, "set: served as the token, AWS is not called")
        except ConfigError:
            _row(TOKEN_VARIABLE, "set, but holds whitespace or control characters: refused, not served")

    _explain_identity(resolution.settings)
    _explain_keyring()
    _explain_cache(endpoint, resolution.settings)
    if args.check:
        return _check(endpoint, resolution.settings)
    return OK


_ENVIRONMENT_SOURCES = {
    "profile_name": "AWS_PROFILE",
    "endpoint_url": "AWS_ENDPOINT_URL_CODEARTIFACT",
    "verify": "AWS_CA_BUNDLE",
}


def _source_of(option: str, sources: dict) -> str:
    from .cache import DIR_VARIABLE

    if option == "cache_dir" and os.environ.get(DIR_VARIABLE):
        return f"environment {DIR_VARIABLE} (wins over the file)"
    if option in sources:
        return f"config file {sources[option]}"
    variable = _ENVIRONMENT_SOURCES.get(option)
    if variable and os.environ.get(variable):
        shown = (redact.url if option == "endpoint_url" else redact.text)(os.environ[variable])
        return f"default; botocore uses {variable}={shown}"
    return "default"


def _explain_identity(settings) -> None:
    from .identity import resolve

    who = resolve(settings)
    _heading("Identity")
    _row("asks AWS as", who.words)
    _row("cache key", who.key)


def _explain_keyring() -> None:
    import keyring
    from keyring.backends.chainer import ChainerBackend

    from .backend import CodeArtifactBackend

    _heading("Keyring")
    active = keyring.get_keyring()
    chain = list(active.backends) if isinstance(active, ChainerBackend) else [active]
    _row("python", sys.executable)
    _row("active backend", _backend_name(active))
    if isinstance(active, ChainerBackend):
        _row("chain", ", ".join(f"{_backend_name(b)} ({b.priority:g})" for b in chain))
    if any(isinstance(b, CodeArtifactBackend) for b in chain):
        _row("reaches this backend", "yes")
    else:
        forced = os.environ.get("PYTHON_KEYRING_BACKEND")
        why = (
            f"PYTHON_KEYRING_BACKEND={forced} selects another backend"
            if forced
            else "keyringrc.cfg [backend] default-keyring, or keyring.backends.fail, selects another backend"
        )
        _row("reaches this backend", f"NO: {why}")
    on_path = shutil.which("keyring")
    _row("keyring on PATH", f"{on_path or 'none'} (what pip's subprocess provider and uv run)")


def _backend_name(backend) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__name__}"


def _explain_cache(endpoint: Endpoint, settings) -> None:
    from . import tokens
    from .cache import DiskCache, UnsafeFolder, folder_for

    _heading("Cache")
    if not settings.cache:
        _row("disk cache", "off (cache = false)")
        return
    disk = None
    try:
        folder = folder_for(settings.cache_dir)
        disk = DiskCache.open(folder)
        _row("folder", f"{_printable(folder)} (usable)")
    except FileNotFoundError:
        _row("folder", f"{_printable(folder)} (made on the first lookup)")
    except UnsafeFolder as unsafe:
        _row("folder", _printable(f"{unsafe.path} (NOT usable: {unsafe.problem}; {unsafe.remedy})"))
    key = tokens.cache_key(endpoint, settings)
    cached = disk.read(key) if disk else None
    if cached is None:
        _row("this endpoint", "no cached token: the next lookup asks AWS")
    else:
        state = _state(cached.issued_at, cached.expires_at, settings.refresh_margin)
        _row("this endpoint", f"{state} (expires {_iso(cached.expires_at)})")


def _check(endpoint: Endpoint, settings) -> int:
    """Ask AWS who these credentials are and for a token, bypassing the cache, so
    that what is shown is what AWS says now for the identity above."""
    from . import aws

    _heading("Check (calls AWS, bypasses the cache)")
    try:
        check_allowed(endpoint, settings)
    except ConfigError:
        _row("result", "NOT RUN: the owner is not in owners, so AWS is not called")
        return FAILED
    try:
        _row("caller identity", aws.caller_identity(endpoint, settings))
        token = aws.fetch_token(endpoint, settings)
    except CodeArtifactError as error:
        _row("result", f"FAILED: {error}")
        return FAILED
    _row("token", f"issued to that caller; expires {_iso(token.expires_at)} (not cached)")
    _row("served by lookups", "the cached token of the identity above, asked for by these same credentials")
    return OK


# -- setup ---------------------------------------------------------------------------


def _setup_parser(commands) -> None:
    """`setup TOOL`: one subcommand, and one handler, per tool."""
    setup = commands.add_parser(
        "setup",
        help="configure pip, uv, poetry, twine, pdm or pipenv to use a repository through keyring (no token written)",
        description="Write, once, what makes TOOL ask keyring for the repository's credentials. "
        "Never writes a token; running it again changes nothing; --dry-run shows the change as a diff.",
    )
    tools = setup.add_subparsers(title="tools", metavar="TOOL")
    setup.set_defaults(run=lambda args: _usage(setup))

    def tool(name: str, text: str, run) -> argparse.ArgumentParser:
        parser = tools.add_parser(name, help=text, description=text + ".")
        _add_repository_arguments(parser)
        parser.add_argument("--dry-run", action="store_true", help="print the change as a diff, write nothing")
        parser.set_defaults(run=run)
        return parser

    pip = tool("pip", "set index-url (or add an extra-index-url) and keyring-provider in pip's config", _setup_pip)
    pip.add_argument("--extra", action="store_true", help="add as an extra index, keeping the default one")
    where = pip.add_mutually_exclusive_group()
    for flag in ("user", "global", "site"):
        where.add_argument(f"--{flag}", dest="scope", action="store_const", const=flag,
                           help=f"pip's {flag} config file" + (" (default)" if flag == "user" else ""))
    pip.add_argument("--pip", metavar="COMMAND", help="the pip to configure (default: pip on PATH)")

    uv = tool("uv", 'add a named index with authenticate = "always" and keyring-provider = subprocess '
              "to uv.toml or pyproject.toml", _setup_uv)
    uv.add_argument("--extra", action="store_true", help="add as an extra index, keeping the default one")
    uv.add_argument(
        "--project", action="store_true", help="this project's pyproject.toml instead of the user's uv.toml"
    )

    poetry = tool("poetry", "add the source to this poetry project and configure the publish repository", _setup_poetry)
    poetry.add_argument("--priority", default="primary", choices=["primary", "supplemental", "explicit"],
                        help="the source's priority, as poetry defines it (default: primary)")

    tool("twine", "add a section with the upload URL and username aws to ~/.pypirc", _setup_twine)

    pdm = tool("pdm", "add the source to this pdm project's pyproject.toml, replacing PyPI", _setup_pdm)
    pdm.add_argument("--extra", action="store_true", help="name the source NAME and keep PyPI beside it")

    pipenv = tool(
        "pipenv", "add the source to this project's Pipfile, and print the variable pipenv needs", _setup_pipenv
    )
    pipenv.add_argument("--extra", action="store_true",
                        help="add it after the other sources, for packages that name it (index = NAME)")


def _add_repository_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("url", metavar="URL", nargs="?", help="the repository endpoint URL")
    parser.add_argument("--domain", help="instead of URL: the domain, asking AWS for the URL")
    parser.add_argument("--repository", help="with --domain: the repository")
    parser.add_argument("--domain-owner", metavar="ACCOUNT", help="with --domain: the owning account (default: yours)")
    parser.add_argument("--region", help="with --domain: the region (default: your AWS config's)")
    parser.add_argument("--endpoint-type", choices=["ipv4", "dualstack"], default="ipv4",
                        help="with --domain: the kind of URL to ask for (default: ipv4)")
    parser.add_argument("--name", default="codeartifact",
                        help="the name the repository gets in the tool's config: letters, digits, '.', '_', '-' "
                        "(default: codeartifact)")


def _setup_pip(args) -> int:
    from . import configure

    def changes(repository):
        pip = args.pip.split() if args.pip else configure.default_pip()
        return configure.pip_changes(repository, pip, args.scope or "user", args.extra)

    return _setup(args, changes)


def _setup_uv(args) -> int:
    from . import configure

    project = Path.cwd() if args.project else None
    return _setup(args, lambda repository: configure.uv_changes(repository, project, args.extra))


def _setup_poetry(args) -> int:
    from . import configure

    return _setup(args, lambda repository: configure.poetry_changes(repository, Path.cwd(), args.priority))


def _setup_twine(args) -> int:
    from . import configure

    return _setup(args, configure.twine_changes)


def _setup_pdm(args) -> int:
    from . import configure

    return _setup(args, lambda repository: configure.pdm_changes(repository, Path.cwd(), args.extra))


def _setup_pipenv(args) -> int:
    from . import configure

    done = _setup(args, lambda repository: configure.pipenv_changes(repository, Path.cwd(), args.extra))
    if done == OK:
        print("pipenv takes its keyring provider from the environment only; before running pipenv "
              "(with a keyring command that has this backend on PATH):")
        print(f"export {configure.PIPENV_PROVIDER}")
    return done


def _setup(args, tool_changes) -> int:
    """Work out every file's change (each read back as its tool reads it) before
    writing any; then show them (--dry-run) or write them."""
    from . import configure, edits

    try:
        configure.check_name(args.name)
        repository = configure.repository_from_url(_repository_url(args), args.name)
        changes = tool_changes(repository) + [configure.name_mapping_change(repository)]
        for change in changes:
            _apply(change, args.dry_run)
    except configure.BadRequest as error:
        raise UsageError(redact.text(error, limit=1000)) from None
    except (configure.SetupError, edits.CannotEdit) as error:  # may quote a URL or a tool's output
        print(f"{PREFIX}{redact.text(error, limit=1000)}", file=sys.stderr)
        return FAILED
    print(f"{repository.name} is {repository.index_url}; credentials come from keyring, no token is stored.")
    return OK


def _apply(change, dry_run: bool) -> None:
    """Write one change (or show it as a diff), and say what happened to the file."""
    notes = "".join(f"; {note}" for note in change.notes)
    if not change.changes_anything:
        print(f"{change.path}: already set up, unchanged{notes}")
    elif dry_run:
        print(change.diff(), end="")
        if notes:
            print(f"{change.path}: would be updated{notes}")
    else:
        change.apply()
        print(f"{change.path}: updated{notes}")


def _repository_url(args) -> str:
    if args.url and args.domain:
        raise UsageError("give URL or --domain and --repository, not both")
    if args.url:
        return args.url
    if not (args.domain and args.repository):
        raise UsageError("give the repository URL, or --domain and --repository")
    from . import aws
    from . import settings as config
    from .configure import SetupError

    region = args.region
    if not region:
        import botocore.exceptions

        try:
            region = aws.default_region()
        except botocore.exceptions.BotoCoreError as error:
            raise SetupError(f"cannot read the AWS config for a default region: {error}; "
                             "set AWS_PROFILE to a configured profile, or give --region") from None
    if not region:
        raise UsageError("--region is needed: your AWS config names no default region")
    endpoint = Endpoint("api", args.domain, args.domain_owner or "", region, partition(region), args.repository, "")
    return aws.repository_endpoint(endpoint, config.load(endpoint), args.endpoint_type)


# -- cache ---------------------------------------------------------------------------


def _open_cache():
    """The cache folder, the cache open in it (None: no folder yet, and none is
    made), and the [codeartifact] defaults that chose it. A folder that must not
    be used raises UnsafeFolder."""
    from . import settings as config
    from .cache import DiskCache, folder_for

    defaults = config.load(None)
    folder = folder_for(defaults.cache_dir)
    try:
        return folder, DiskCache.open(folder), defaults
    except FileNotFoundError:
        return folder, None, defaults


def _cache_command(run):
    """Run a cache command; a cache folder that must not be used is one line on stderr."""

    def command(args) -> int:
        from .cache import UnsafeFolder

        try:
            return run(args, *_open_cache())
        except UnsafeFolder as unsafe:
            line = f"cannot use the token cache at {unsafe.path}: {unsafe.problem}; {unsafe.remedy}"
            print(PREFIX + _printable(line), file=sys.stderr)
            return FAILED

    return command


@_cache_command
def _cache_list(args, folder, disk, defaults) -> int:
    found = disk.entries() if disk else []
    if not found:
        print(f"No cached tokens in {_printable(folder)}.")
        return OK
    print(f"Cached tokens in {_printable(folder)}:")
    rows = [("DOMAIN", "OWNER", "REGION", "IDENTITY", "DURATION", "EXPIRES", "STATE")]
    for _, entry in found:
        key = entry["key"]
        if entry["valid"]:
            expires = _iso(entry["expires_at"])
            state = _state(entry["issued_at"], entry["expires_at"], defaults.refresh_margin)
        else:
            expires, state = "-", "invalid: replaced on the next lookup"
        cells = [key.get(name) for name in ("domain", "owner", "region", "identity", "duration")]
        rows.append(tuple(_printable(cell) for cell in cells) + (expires, state))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    return OK


@_cache_command
def _cache_clear(args, folder, disk, defaults) -> int:
    removed = 0
    if disk and args.url:
        from .tokens import belongs_to

        endpoint = _endpoint(args.url)
        removed = disk.clear(lambda key: belongs_to(key, endpoint))
    elif disk:
        removed = disk.clear()
    print(f"Removed {removed} cached token{'' if removed == 1 else 's'} from {_printable(folder)}.")
    return OK


# -- output ----------------------------------------------------------------------------


def _heading(text: str, first: bool = False) -> None:
    print(text if first else f"\n{text}")


def _row(name: str, value: str) -> None:
    print(f"  {name + ':':<22} {redact.text(value, limit=1000)}")


def _printable(value: object) -> str:
    from .safefolder import printable

    return printable(value)


def _iso(epoch: float) -> str:
    moment = datetime.datetime.fromtimestamp(epoch, tz=datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _state(issued_at: float, expires_at: float, margin: float) -> str:
    from .authtoken import Token, is_fresh

    left = expires_at - time.time()
    if left <= 0:
        return "expired"
    state = "fresh" if is_fresh(Token("", issued_at, expires_at), time.time(), margin) else "refresh due"
    return f"{state}, {_duration(left)} left"


def _duration(seconds: float) -> str:
    minutes = int(seconds // 60)
    return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"
