"""A credential-helper client that behaves as Bazel's does (the EngFlow credential-helper
spec, and Bazel's CredentialHelperProvider and CredentialHelperCredentials): helpers by
scope from ``--credential_helper`` lines, ``HELPER get`` with ``{"uri": ...}`` on stdin,
the workspace as working folder, the whole environment, a 10 s timeout, and answers
cached per URI until their ``expires``. Responses are checked against the spec's schema."""

import datetime
import json
import os
import re
import shlex
import subprocess
from pathlib import Path
from typing import Optional
from urllib.parse import urlsplit

import helpers

TIMEOUT = 10.0  # seconds: Bazel's default --credential_helper_timeout
DEFAULT_CACHE = datetime.timedelta(minutes=30)  # --credential_helper_cache_duration, when no expires

# RFC 3339 date-time (section 5.6): full-date "T" full-time, with a Z or numeric offset.
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})")


class HelperFailed(Exception):
    """The helper exited non-zero (Bazel fails the download and shows stderr)."""


def check_response(data: object) -> None:
    """The rules of the spec's GetCredentialsResponse schema
    (schemas/get-credentials-response.schema.json): a JSON object; no property required;
    other properties allowed; ``headers`` an object whose every value is an array of
    strings; ``expires`` a string, an RFC 3339 date-time."""
    assert isinstance(data, dict), data
    headers = data.get("headers", {})
    assert isinstance(headers, dict), headers
    for name, values in headers.items():
        assert isinstance(name, str) and isinstance(values, list), (name, values)
        assert all(isinstance(value, str) for value in values), values
    if "expires" in data:
        assert isinstance(data["expires"], str) and _RFC3339.fullmatch(data["expires"]), data["expires"]
        parse_time(data["expires"])


def parse_time(text: str) -> datetime.datetime:
    """An RFC 3339 time, as an aware datetime."""
    return datetime.datetime.fromisoformat(re.sub(r"[Zz]$", "+00:00", text))


def helpers_in(bazelrc: Path) -> list[tuple[str, str]]:
    """The (scope, path) of every scoped ``--credential_helper`` option in a .bazelrc."""
    found = []
    for line in bazelrc.read_text().replace("\r\n", "\n").replace("\\\n", " ").splitlines():  # continued lines joined
        words = shlex.split(line, comments=True)
        for word in words[1:]:
            name, _, value = word.partition("=")
            if name == "--credential_helper" and "=" in value:
                scope, _, path = value.partition("=")
                found.append((scope, path))
    return found


class BazelClient:
    """Credentials for URIs, from helpers chosen by scope as Bazel chooses them."""

    def __init__(self, helpers_by_scope: list[tuple[str, str]], workspace: Path):
        self.exact: dict[str, str] = {}
        self.wildcard: dict[str, str] = {}  # "*.example.com" is kept as "example.com"
        for scope, path in helpers_by_scope:  # a later option for a scope replaces an earlier one
            if scope.startswith("*."):
                self.wildcard[scope[2:]] = path
            else:
                self.exact[scope] = path
        self.workspace = workspace
        self.cache: dict[str, tuple[dict, datetime.datetime]] = {}
        self.invocations: list[str] = []  # the URIs a helper was run for

    def helper_for(self, uri: str) -> Optional[str]:
        """The exact host's helper, else that of the most specific wildcard scope: the
        host itself, then each parent domain in turn."""
        host = urlsplit(uri).hostname or ""
        if host in self.exact:
            return self.exact[host]
        while host:
            if host in self.wildcard:
                return self.wildcard[host]
            host = host.partition(".")[2]
        return None

    def headers(self, uri: str, now: Optional[datetime.datetime] = None) -> dict:
        """The headers to send with a request for ``uri``: cached until the answer's
        ``expires`` (else DEFAULT_CACHE), else asked of the helper."""
        now = now or datetime.datetime.now(datetime.timezone.utc)
        cached = self.cache.get(uri)
        if cached is not None and now < cached[1]:
            return cached[0]
        helper = self.helper_for(uri)
        if helper is None:
            return {}
        response = self.run(helper, uri)
        expires = parse_time(response["expires"]) if "expires" in response else now + DEFAULT_CACHE
        self.cache[uri] = (response.get("headers", {}), expires)
        return self.cache[uri][0]

    def run(self, helper: str, uri: str) -> dict:
        """One ``get``, as Bazel runs it; the checked response. HelperFailed on failure."""
        self.invocations.append(uri)
        result = subprocess.run(
            [helper, "get"], input=json.dumps({"uri": uri}).encode(), capture_output=True,
            cwd=self.workspace, env=os.environ.copy(), timeout=TIMEOUT,
        )
        stderr = result.stderr.decode("utf-8", "replace")
        helpers.CAPTURED_OUTPUT.append(stderr)  # checked for secrets after the test
        if result.returncode != 0:
            raise HelperFailed(result.returncode, stderr)
        response = json.loads(result.stdout)
        check_response(response)
        return response
