"""``token URL --format ...``: a token in the shape another tool reads, for jobs that
cannot run this backend (a build image without Python, a tool that reads only
variables), written to stdout, to a file created 0600 (``--output``), or appended to
``$GITHUB_ENV`` after ``::add-mask::TOKEN`` on stdout (``--github-env``), so that the
runner hides the token in every later log line. The token goes nowhere else.
Formats (``render``): ``env`` (``CODEARTIFACT_AUTH_TOKEN``, which this backend serves
as the token and AWS's own recipes use), ``uv-env``, ``twine-env`` and ``netrc`` (for
curl, Poetry's and pip's netrc support, and the like).
"""

import os
import re
import stat
import sys
from typing import TYPE_CHECKING, Optional

from .. import redact
from ..services import USERNAME
from .common import UsageError

if TYPE_CHECKING:
    from ..endpoint import Endpoint

FORMATS = ("env", "uv-env", "twine-env", "netrc")
_MASK = "::add-mask::"
_FLAGS = (os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
          | getattr(os, "O_NONBLOCK", 0))  # a FIFO at the path must not hang the command


def render(form: str, token: str, endpoint: "Endpoint", name: Optional[str]) -> str:
    """The lines of format ``form`` for ``token`` (each ending in a newline); ``name``
    is the uv index name (default: the repository)."""
    if form == "env":
        return f"CODEARTIFACT_AUTH_TOKEN={token}\n"
    if form == "twine-env":
        return f"TWINE_USERNAME={USERNAME}\nTWINE_PASSWORD={token}\n"
    if form == "netrc":
        return f"machine {endpoint.host} login {USERNAME} password {token}\n"
    prefix = f"UV_INDEX_{index_variable(name or endpoint.repository)}"
    return f"{prefix}_USERNAME={USERNAME}\n{prefix}_PASSWORD={token}\n"


def index_variable(name: Optional[str]) -> str:
    """uv's spelling of index ``name`` in a variable: upper case, every character that is
    not a letter or digit an underscore. UsageError if there is no name."""
    if not name:
        raise UsageError("--format uv-env needs --name NAME (the uv index name): the URL names no repository")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}", name):
        raise UsageError("--name: use the uv index's name: letters, digits, '.', '_' and '-'")
    return re.sub(r"[^A-Z0-9]", "_", name.upper())


def check(form: Optional[str], output: Optional[str], github_env: bool, as_json: bool) -> None:
    """UsageError for options that do not go together, before any lookup."""
    if form is None and (output or github_env):
        raise UsageError("--output and --github-env need --format")
    if form is not None and as_json:
        raise UsageError("--format and --json do not go together")
    if output and github_env:
        raise UsageError("choose one of --output and --github-env")
    if github_env and form == "netrc":
        raise UsageError("--github-env takes variables: --format env, uv-env or twine-env")
    if github_env and not os.environ.get("GITHUB_ENV"):
        raise UsageError("--github-env: GITHUB_ENV is not set (it is, in a GitHub Actions step)")


def deliver(text: str, token: str, output: Optional[str], github_env: bool) -> None:
    """Write ``text`` to stdout, to ``output`` (replaced, mode 0600) or to $GITHUB_ENV
    (appended, after masking ``token`` on stdout)."""
    if github_env:
        print(f"{_MASK}{token}", flush=True)
        _write(os.environ["GITHUB_ENV"], text, append=True)
    elif output:
        _write(output, text, append=False)
    else:
        print(text, end="")


def _write(path: str, text: str, append: bool) -> None:
    """Write ``text`` to the regular file at ``path`` (not through a link), 0600 if made
    here. A file replaced (not ``append``) must be this user's own, with no other name,
    and is emptied and made 0600 only then: a file another user planted (which root's
    chmod would not make private) never gets the token. UsageError if it cannot be written."""
    try:
        descriptor = os.open(path, _FLAGS | (os.O_APPEND if append else 0), 0o600)
        try:
            info = os.fstat(descriptor)
            if not stat.S_ISREG(info.st_mode):
                raise UsageError(f"cannot write {redact.name(path)}: not a regular file")
            if not append:
                if sys.platform != "win32":
                    if info.st_uid != os.geteuid() or info.st_nlink != 1:
                        raise UsageError(f"cannot write {redact.name(path)}: another user's file, or one with "
                                         "other names; remove it, or choose another --output")
                    os.fchmod(descriptor, 0o600)
                os.ftruncate(descriptor, 0)
            os.write(descriptor, text.encode())
        finally:
            os.close(descriptor)
    except OSError as error:
        raise UsageError(f"cannot write {redact.name(path)}: {error.strerror}") from None
