"""``codeartifact-credential-helper``: CodeArtifact tokens for Bazel and every tool that
speaks the credential-helper protocol (the EngFlow credential-helper spec, which Bazel's
``--credential_helper`` implements).

Invoked as ``codeartifact-credential-helper get`` with ``{"uri": "https://..."}`` as JSON
on stdin, it prints ``{"headers": {"Authorization": ["Basic ..."]}, "expires": "..."}``
for a CodeArtifact repository endpoint (``endpoint.parse``), with the token of the one
lookup rule (``lookup.Lookup``: settings, ``owners``, the cache, the refresh windows).
``expires`` (RFC 3339, UTC, whole seconds, rounded down) is the moment, by this
machine's clock, from which a lookup would no longer serve the token: its expiry, less
the mandatory refresh margin, moved earlier if AWS's clock runs ahead of this one (never
later: ``token_record``). A token from
``CODEARTIFACT_AUTH_TOKEN`` has no known expiry, so ``expires`` is left out.

For any other URI, and for an endpoint that ``owners`` refuses, it prints ``{}`` (no
credentials), without importing botocore or keyring. Bad input (arguments other than
``get``, stdin that is not a JSON object with a string ``uri``) is one line on stderr
and exit 2; a failed lookup is its one-line message and exit 1. It never prompts, and
never writes a token anywhere but stdout.
"""

import sys
from typing import Optional

__all__ = ["main", "response"]

PROGRAM = "codeartifact-credential-helper"
USAGE = f'usage: {PROGRAM} get, with {{"uri": "https://..."}} as JSON on stdin'
MAX_REQUEST = 1 << 20  # bytes: a request is one short JSON object


class BadRequest(Exception):
    """The command line or stdin is not a ``get`` request (exit 2)."""


def main(argv: Optional[list[str]] = None) -> int:
    """Answer one ``get`` request (``argv`` None: this process's arguments); the exit code."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        uri = read_request(argv)
    except BadRequest as error:
        print(f"{PROGRAM}: {error}", file=sys.stderr)
        return 2
    from .errors import CodeArtifactError

    try:
        answer = response(uri)
    except CodeArtifactError as error:
        print(error, file=sys.stderr)
        return 1
    import json

    sys.stdout.write(json.dumps(answer) + "\n")
    return 0


def read_request(argv: list[str]) -> str:
    """The ``uri`` of the ``get`` request on stdin; BadRequest, saying why, if there is none."""
    if argv != ["get"]:
        given = " ".join(argv) or "no command"
        raise BadRequest(f"`get` is the only command, with no arguments (given: {given[:80]}); {USAGE}")
    if sys.stdin is None or sys.stdin.isatty():
        raise BadRequest(f"no request on stdin; {USAGE}")
    import json

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
    from .endpoint import parse

    endpoint = parse(uri)
    if endpoint is None:
        return {}
    from . import lookup

    try:
        found = lookup.Lookup().token(endpoint)
    except lookup.OwnerRefused:
        return {}
    answer: dict[str, object] = {"headers": {"Authorization": [basic(found.value)]}}
    if found.served_until is not None:
        answer["expires"] = rfc3339(found.served_until)
    return answer


def basic(token: str) -> str:
    """The ``Authorization`` value of user ``aws`` with password ``token``."""
    import base64

    from .services import USERNAME

    return "Basic " + base64.b64encode(f"{USERNAME}:{token}".encode()).decode("ascii")


def rfc3339(moment: float) -> str:
    """``moment`` (epoch seconds) as an RFC 3339 UTC time in whole seconds, rounded
    down: never later than the moment itself."""
    import time

    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(moment // 1)))
