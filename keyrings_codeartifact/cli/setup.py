"""``codeartifact-keyring setup TOOL``: one subcommand per tool.

The argparse front end of ``configure`` (setup's package): each tool's subcommand says
how configure's module of that tool works out its changes; ``_setup`` imports that module
when setup runs, hands the changes, with the repository URL (given, or asked of AWS), to
``configure.plan`` and turns its errors into exit codes.
"""

import argparse
import importlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional

from .. import redact
from .. import settings as config
from ..endpoint import Endpoint, partition
from ..errors import PREFIX
from .common import FAILED, OK, UsageError, help_handler

if TYPE_CHECKING:
    from ..configure.files import Change
    from ..configure.repository import Repository
    from .common import Commands

    ToolRun = Callable[[Any, argparse.Namespace, Repository], list[Change]]  # (configure's module of the tool, ...)
    Then = Callable[[argparse.Namespace, int], None]  # what follows a set-up, given its exit code


def add_to(commands: "Commands") -> None:
    setup = commands.add_parser(
        "setup",
        help="configure pip, uv, poetry, twine, pdm or pipenv to use a repository through keyring (no token written)",
        description="Write, once, what makes TOOL ask keyring for the repository's credentials. "
        "Never writes a token; running it again changes nothing; --dry-run shows the change as a diff.",
    )
    setup.set_defaults(run=help_handler(setup))
    tools = setup.add_subparsers(title="tools", metavar="TOOL")

    pip = _tool(tools, "pip", "set index-url (or add an extra-index-url) and keyring-provider in pip's config",
                lambda pip, args, repository: pip.changes(
                    repository, args.pip.split() if args.pip else pip.default_pip(), args.scope or "user", args.extra))
    pip.add_argument("--extra", action="store_true", help="add as an extra index, keeping the default one")
    where = pip.add_mutually_exclusive_group()
    for scope in ("user", "global", "site"):
        where.add_argument(f"--{scope}", dest="scope", action="store_const", const=scope,
                           help=f"pip's {scope} config file" + (" (default)" if scope == "user" else ""))
    pip.add_argument("--pip", metavar="COMMAND", help="the pip to configure (default: pip on PATH)")

    uv = _tool(tools, "uv", 'add a named index with authenticate = "always" and keyring-provider = subprocess '
               "to uv.toml or pyproject.toml",
               lambda uv, args, repository: uv.changes(repository, Path.cwd() if args.project else None, args.extra))
    uv.add_argument("--extra", action="store_true", help="add as an extra index, keeping the default one")
    uv.add_argument("--project", action="store_true",
                    help="this project's pyproject.toml instead of the user's uv.toml")

    poetry = _tool(tools, "poetry", "add the source to this poetry project and configure the publish repository",
                   lambda poetry, args, repository: poetry.changes(repository, Path.cwd(), args.priority,
                                                                   args.requires_plugins), _after_poetry)
    poetry.add_argument("--priority", default="primary", choices=["primary", "supplemental", "explicit"],
                        help="the source's priority, as poetry defines it (default: primary)")
    poetry.add_argument("--requires-plugins", action="store_true",
                        help="also add this package to the project's [tool.poetry.requires-plugins], so that poetry 2 "
                        "installs the backend itself (into .poetry/plugins) for everyone who runs `poetry install`")

    _tool(tools, "twine", "add a section with the upload URL and username aws to ~/.pypirc",
          lambda twine, args, repository: twine.changes(repository))

    pdm = _tool(tools, "pdm", "add the source to this pdm project's pyproject.toml, replacing PyPI",
                lambda pdm, args, repository: pdm.changes(repository, Path.cwd(), args.extra))
    pdm.add_argument("--extra", action="store_true", help="name the source NAME and keep PyPI beside it")

    pipenv = _tool(tools, "pipenv", "add the source to this project's Pipfile, and print the variable pipenv needs",
                   lambda pipenv, args, repository: pipenv.changes(repository, Path.cwd(), args.extra), _after_pipenv)
    pipenv.add_argument("--extra", action="store_true",
                        help="add it after the other sources, for packages that name it (index = NAME)")

    _add_keyring(tools)
    _add_bazel(tools)


def _add_bazel(tools: "Commands") -> None:
    """``setup bazel``: Bazel's credential helper in .bazelrc (``configure.bazel``)."""
    text = ("make Bazel's downloader (rules_python's experimental_index_url) get CodeArtifact tokens from "
            "codeartifact-credential-helper, in .bazelrc")
    versions = ("Needs Bazel 7.1 or later to honour the token's expiry "
                "(7.4 or later: 7.1 to 7.3 run the helper very often).")
    bazel = tools.add_parser("bazel", help=text, description=f"{text}. {versions}")
    bazel.add_argument("--region", action="append", default=[], metavar="REGION",
                       help="a region of your repositories; repeat for several (default: your AWS config's)")
    bazel.add_argument("--bazelrc", type=Path, metavar="PATH", help="the file to write (default: ~/.bazelrc)")
    bazel.add_argument("--helper", metavar="PATH",
                       help="the helper as Bazel should run it: an absolute path, %%workspace%%/PATH, or a name on "
                       "PATH (default: the absolute path of the codeartifact-credential-helper installed with this "
                       "command)")
    bazel.add_argument("--dry-run", action="store_true", help="print the change as a diff, write nothing")
    bazel.set_defaults(run=_bazel)


def _add_keyring(tools: "Commands") -> None:
    """``setup keyring``: the fast keyring command (``configure.launcher``)."""
    text = "put a fast keyring command on PATH that answers CodeArtifact itself and hands the rest to keyring"
    keyring = tools.add_parser("keyring", help=text, description=text + ".")
    keyring.add_argument("--bin", metavar="DIR", type=Path,
                         help="the folder to write it to (default: the folder of this codeartifact-keyring)")
    keyring.add_argument("--dry-run", action="store_true", help="say what would change, write nothing")
    keyring.add_argument("--remove", action="store_true", help="remove the keyring command this wrote")
    keyring.add_argument("--force", action="store_true",
                         help="replace a keyring command this did not write (kept for --remove to put back)")
    keyring.set_defaults(run=_keyring)


def _tool(tools: "Commands", name: str, text: str, changes: "ToolRun", then: "Optional[Then]" = None
          ) -> argparse.ArgumentParser:
    """The subcommand for tool ``name``, with the arguments every tool takes; its handler
    runs ``changes`` with configure's module of the tool, then ``then`` with the exit code."""
    parser = tools.add_parser(name, help=text, description=text + ".")
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
    parser.add_argument("--dry-run", action="store_true", help="print the change as a diff, write nothing")
    parser.set_defaults(run=lambda args: _setup(args, name, changes, then))
    return parser


# -- what follows a tool's set-up ---------------------------------------------------------


def _after_poetry(args: argparse.Namespace, done: int) -> None:
    from ..configure import poetry_keyring

    if done == OK and args.requires_plugins:
        print("In a fresh checkout, the first `poetry install` installs the backend into .poetry/plugins but cannot "
              "use it yet (poetry checks keyring before it installs project plugins): run `poetry install` again.")
    turned_off = poetry_keyring.turned_off(Path.cwd())
    if turned_off:  # told, never changed: the user may have turned it off for a reason
        print(f"{PREFIX}warning: {turned_off}", file=sys.stderr)


def _after_pipenv(args: argparse.Namespace, done: int) -> None:
    from ..configure import pipenv

    if done == OK:
        print("pipenv takes its keyring provider from the environment only: export this before running pipenv, "
              "and the pip it drives runs the keyring command on PATH (see above):")
        print(f"export {pipenv.PROVIDER}")


def _keyring(args: argparse.Namespace) -> int:
    from ..configure import launcher

    return launcher.run(args.bin, args.dry_run, args.remove, args.force)


def _bazel(args: argparse.Namespace) -> int:
    from ..configure import bazel, plan
    from ..configure.files import BadRequest, SetupError

    try:
        outcome = bazel.plan(args.bazelrc, args.region, args.helper)
        print(plan.carry_out(outcome.change, args.dry_run), end="")
    except BadRequest as error:
        raise UsageError(redact.text(error, redact.LINE_LIMIT)) from None
    except SetupError as error:
        print(f"{PREFIX}{redact.text(error, redact.LINE_LIMIT)}", file=sys.stderr)
        return FAILED
    print(f"Bazel asks {outcome.helper} for CodeArtifact's hosts in {', '.join(outcome.regions)}.")
    print(bazel.VERSIONS)
    return OK


# -- what every tool shares ----------------------------------------------------------------


def _setup(args: argparse.Namespace, name: str, tool_changes: "ToolRun", then: "Optional[Then]") -> int:
    """Work out every file's change before writing any; then show them (--dry-run) or
    write them. Bad input is a usage error; anything else that stops it, one line.
    configure's modules are imported here, when setup runs: no other command pays for them."""
    from ..configure import plan
    from ..configure.files import BadRequest, SetupError

    tool = importlib.import_module(f"..configure.{name}", __package__)
    done = FAILED
    try:
        repository, changes = plan.changes(args.name, lambda: _repository_url(args),
                                           lambda repository: tool_changes(tool, args, repository))
        for change in changes:
            print(plan.carry_out(change, args.dry_run), end="")
        print(f"{repository.name} is {repository.index_url}; credentials come from keyring, no token is stored.")
        done = OK
    except BadRequest as error:
        raise UsageError(redact.text(error, redact.LINE_LIMIT)) from None
    except SetupError as error:  # may quote a URL or a tool's output
        print(f"{PREFIX}{redact.text(error, redact.LINE_LIMIT)}", file=sys.stderr)
    if then is not None:
        then(args, done)
    return done


def _repository_url(args: argparse.Namespace) -> str:
    """The URL given, or the one AWS names for --domain and --repository."""
    if args.url and args.domain:
        raise UsageError("give URL or --domain and --repository, not both")
    if args.url:
        return str(args.url)
    if not (args.domain and args.repository):
        raise UsageError("give the repository URL, or --domain and --repository")
    from .. import aws  # here: botocore, for --domain only

    region = args.region or aws.default_region()
    if not region:
        raise UsageError("--region is needed: your AWS config names no default region")
    endpoint = Endpoint("api", args.domain, args.domain_owner or "", region, partition(region), args.repository, "")
    return aws.repository_endpoint(endpoint, config.load(endpoint), args.endpoint_type)
