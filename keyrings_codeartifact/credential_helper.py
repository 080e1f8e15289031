"""``codeartifact-credential-helper``: CodeArtifact tokens for Bazel and every tool that
speaks the credential-helper protocol (the EngFlow credential-helper spec, which Bazel's
``--credential_helper`` implements).

Invoked as ``codeartifact-credential-helper get`` with ``{"uri": "https://..."}`` as JSON
on stdin, it prints ``{"headers": {"Authorization": ["Basic ..."]}, "expires": "..."}``
for a CodeArtifact repository endpoint, with the token of the one lookup rule
(``lookup.Lookup``). ``expires`` is the moment, by this machine's clock, from which a
lookup would no longer serve the token (its expiry, less the mandatory refresh margin,
moved earlier if AWS's clock runs ahead of this one, never later: ``token_record``); none
for a ``CODEARTIFACT_AUTH_TOKEN`` token.

For any other URI, and for an endpoint that ``owners`` refuses, it prints ``{}``, without
importing botocore or keyring. Bad input is one line on stderr and exit 2; a failed
lookup is its one-line message and exit 1. It never prompts, and writes a token only
to stdout.
"""

import base64
import gc
import json
import sys
import time
from typing import NoReturn, Optional

from .endpoint import parse
from .errors import CodeArtifactError
from .oneshot import finish

__all__ = ["main", "response"]

PROGRAM = "codeartifact-credential-helper"
USAGE = f'usage: {PROGRAM} get, with {{"uri": "https://..."}} as JSON on stdin'
MAX_REQUEST = 1 << 20  # bytes: a request is one short JSON object


class BadRequest(Exception):
    """The command line or stdin is not a ``get`` request (exit 2)."""


def run() -> NoReturn:
    """The console script: ``main`` as a one-shot command (``oneshot``)."""
    gc.disable()
    finish(main())


def main(argv: Optional[list[str]] = None) -> int:
    """Answer one ``get`` request (``argv`` None: this process's arguments); the exit code."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        uri = read_request(argv)
    except BadRequest as error:
        print(f"{PROGRAM}: {error}", file=sys.stderr)
        return 2
    try:
        answer = response(uri)
    except CodeArtifactError as error:
        print(error, file=sys.stderr)
        return 1
    sys.stdout.write(json.dumps(answer) + "\n")
    return 0


def read_request(argv: list[str]) -> str:
    """The ``uri`` of the ``get`` request on stdin; BadRequest, saying why, if there is none."""
    if argv != ["get"]:
        given = " ".join(argv) or "no command"
        raise BadRequest(f"`get` is the only command, with no arguments (given: {given[:80]}); {USAGE}")
    if sys.stdin is None or sys.stdin.isatty():
        raise BadRequest(f"no request on stdin; {USAGE}")
    raw = sys.stdin.buffer.read(MAX_REQUEST + 1)
    if len(raw) > MAX_REQUEST:
        raise BadRequest(f"the request on stdin is longer than {MAX_REQUEST} bytes; {USAGE}")
    try:
        request = json.loads(raw)
    except ValueError as error:  # json.JSONDecodeError, UnicodeDecodeError
        raise BadRequest(f"the request on stdin is not JSON ({str(error).splitlines()[0]}); {USAGE}") from None
    if not isinstance(request, dict):
        raise BadRequest(f"the request on stdin is not a JSON object; {USAGE}")
    uri = request.get("uri")
    if not isinstance(uri, str):
        raise BadRequest(f'the request on stdin has no "uri" string; {USAGE}')
    return uri


def response(uri: str) -> dict[str, object]:
    """The ``get`` response for ``uri``: the token's headers and expiry, or ``{}`` when no
    token is ours to give. CodeArtifactError (its message one line) if the lookup fails."""
    endpoint = parse(uri)
    if endpoint is None:
        return {}
    from . import lookup  # here, with what it imports (logging too): for our own hosts only
    from .services import USERNAME

    try:
        found = lookup.Lookup().token(endpoint)
    except lookup.OwnerRefused:
        return {}
    basic = base64.b64encode(f"{USERNAME}:{found.value}".encode()).decode("ascii")  # user aws, the token
    answer: dict[str, object] = {"headers": {"Authorization": [f"Basic {basic}"]}}
    if found.served_until is not None:  # RFC 3339, UTC, whole seconds rounded down: never later than that
        answer["expires"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(found.served_until // 1)))
    return answer
