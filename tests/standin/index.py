"""A package index that demands CodeArtifact tokens, as a CodeArtifact repository does.

pypiserver serves each repository under ``/pypi/REPO/`` (or, on a VPC endpoint
host, ``/pypi/d/DOMAIN-OWNER/REPO/``), downloads and uploads alike. In front of
it, every request must carry user ``aws`` and a token that the API stand-in
issued for the same domain, owner and region as the hostname (or VPC path), and
that has not expired. Otherwise the answer is 401 with ``WWW-Authenticate``, as
CodeArtifact answers (pypiserver's own 403 would stop pip and uv from asking
keyring). Every request is logged in ``requests``.
"""

import base64
import re
import socketserver
import ssl
import sys
import threading
from pathlib import Path
from typing import Optional
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

import pypiserver

from .codeartifact import CodeArtifactStandIn
from .serving import Serving

_REGION = r"(?P<region>[a-z]{2}(?:-[a-z]+)+-[0-9]{1,2})"
_DOMAIN_OWNER = r"(?P<domain>[a-z][a-z0-9-]*[a-z0-9])-(?P<owner>[0-9]{12})"
_HOST_FORMS = [
    re.compile(rf"{_DOMAIN_OWNER}\.d\.codeartifact\.{_REGION}\.amazonaws\.com(?:\.cn)?"),
    re.compile(rf"{_DOMAIN_OWNER}\.codeartifact\.{_REGION}\.on\.aws"),
]
_VPC_HOST = re.compile(rf"vpce-[a-z0-9-]+\.d\.codeartifact\.{_REGION}\.vpce\.amazonaws\.com(?:\.cn)?")
_REPO_PATH = re.compile(r"(?P<prefix>/pypi/(?P<repo>[A-Za-z0-9][A-Za-z0-9._-]+))(?P<rest>/.*)?")
_VPC_PATH = re.compile(rf"(?P<prefix>/pypi/d/{_DOMAIN_OWNER}/(?P<repo>[A-Za-z0-9][A-Za-z0-9._-]+))(?P<rest>/.*)?")


class PackageIndex(Serving):
    """The index server. Use as a context manager."""

    def __init__(self, standin: CodeArtifactStandIn, context: ssl.SSLContext, root: Path):
        self.standin = standin
        self.root = root
        self.requests: list[dict] = []
        self._apps: dict[str, object] = {}
        self._lock = threading.Lock()
        server = _Server(("127.0.0.1", 0), _QuietHandler)
        server.set_app(self._wsgi)
        server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
        self._serve(server)

    @property
    def address(self) -> tuple[str, int]:
        return self._server.server_address[:2]

    def packages(self, repository: str) -> list[str]:
        folder = self.root / repository
        return sorted(p.name for p in folder.iterdir()) if folder.exists() else []

    def _app_for(self, repository: str):
        with self._lock:
            if repository not in self._apps:
                folder = self.root / repository
                folder.mkdir(parents=True, exist_ok=True)
                self._apps[repository] = pypiserver.app(
                    roots=[str(folder)],
                    authenticate=[],
                    password_file=".",
                    disable_fallback=True,
                    overwrite=True,
                )
            return self._apps[repository]

    def _wsgi(self, environ, start_response):
        host = environ.get("HTTP_HOST", "").lower().split(":")[0].rstrip(".")
        path = environ.get("PATH_INFO", "")
        entry = {"method": environ["REQUEST_METHOD"], "host": host, "path": path}
        self.requests.append(entry)
        located = _locate(host, path)
        if located is None:
            entry["status"] = 404
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not a CodeArtifact repository path\n"]
        (domain, owner, region), repository, prefix, rest = located
        problem = self._check_token(environ.get("HTTP_AUTHORIZATION", ""), domain, owner, region)
        if problem:
            entry.update(status=401, problem=problem)
            start_response(
                "401 Unauthorized",
                [("WWW-Authenticate", f'Basic realm="{domain}-{owner}/{repository}"'), ("Content-Type", "text/plain")],
            )
            return [f"{problem}\n".encode()]
        entry["status"] = "passed to pypiserver"
        environ = dict(environ, SCRIPT_NAME=prefix, PATH_INFO=rest or "/")
        environ["wsgi.url_scheme"] = "https"  # for pypiserver's redirects
        return self._app_for(repository)(environ, start_response)

    def _check_token(self, header: str, domain: str, owner: str, region: str) -> Optional[str]:
        if not header.startswith("Basic "):
            return "no credentials"
        try:
            user, _, token = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return "malformed credentials"
        issued = self.standin.issued.get(token)
        if user != "aws" or issued is None:
            return "unknown user or token"
        if (issued["domain"], issued["owner"], issued["region"]) != (domain, owner, region):
            return "token issued for another domain, owner or region"
        if issued["expires_at"] <= self.standin.now():  # AWS's clock
            return "token expired"
        return None


def _locate(host: str, path: str):
    """((domain, owner, region), repository, prefix, rest of path) or None."""
    for form in _HOST_FORMS:
        found = form.fullmatch(host)
        if found:
            in_path = _REPO_PATH.fullmatch(path)
            if not in_path:
                return None
            names = (found["domain"], found["owner"], found["region"])
            return names, in_path["repo"], in_path["prefix"], in_path["rest"]
    found = _VPC_HOST.fullmatch(host)
    in_path = _VPC_PATH.fullmatch(path) if found else None
    if not in_path:
        return None
    names = (in_path["domain"], in_path["owner"], found["region"])
    return names, in_path["repo"], in_path["prefix"], in_path["rest"]


class _Server(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        if isinstance(sys.exc_info()[1], OSError):
            return  # clients that hang up or reject the certificate are part of the tests
        super().handle_error(request, client_address)


class _QuietHandler(WSGIRequestHandler):
    # TCP_NODELAY, as real servers set: otherwise a reply written in two parts (headers, body)
    # waits for the client's delayed ACK, 40 ms a request on Linux.
    disable_nagle_algorithm = True

    def log_message(self, format, *args) -> None:
        pass


class PlainIndex(Serving):
    """A plain index over HTTP on 127.0.0.1, with no authentication, as PyPI or a public
    mirror answers: pypiserver serving the files in ``root`` at ``/simple/``. Every
    request is logged in ``requests``. Use as a context manager."""

    def __init__(self, root: Path):
        self.root = root
        self.requests: list[str] = []
        app = pypiserver.app(roots=[str(root)], authenticate=[], password_file=".", disable_fallback=True)

        def logged(environ, start_response):
            self.requests.append(environ.get("PATH_INFO", ""))
            return app(environ, start_response)

        server = _Server(("127.0.0.1", 0), _QuietHandler)
        server.set_app(logged)
        self._serve(server)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/simple/"
