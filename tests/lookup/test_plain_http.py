"""An ``http://`` CodeArtifact index never gets a token, not even through pip's
host-only fallback: after the full URL is refused, pip asks keyring for the bare
``host[:port]``, which does not show the scheme.

A real pip process, its keyring in import mode (our backend in its own process),
whose plain-HTTP requests go to a local "network attacker" (``HTTP_PROXY``) that
answers every request with a 401 and records any credentials it is sent. The
stand-in for AWS counts the token calls."""

import os
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from helpers import CLI, URL, run

HOST = URL.split("/")[2]
PLAIN = URL.replace("https://", "http://", 1)


class Attacker(ThreadingHTTPServer):
    """A plain-HTTP server that answers 401 to everything and records, per request,
    whether it carried an ``Authorization`` header (the header itself is kept in memory
    only, for the assertion, never printed)."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _AskForCredentials)
        self.seen: list[tuple[str, str]] = []  # (request target, Authorization or "")


class _AskForCredentials(BaseHTTPRequestHandler):
    server: Attacker

    def do_GET(self) -> None:
        self.server.seen.append((self.path, self.headers.get("Authorization", "")))
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="codeartifact"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass


@pytest.fixture
def attacker() -> Iterator[Attacker]:
    server = Attacker()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def pip_download(attacker: Attacker, tmp_path, monkeypatch, *where: str, pip=("-m", "pip")):
    """``pip download`` of one package from ``where`` (pip's options and requirement),
    keyring in import mode, plain HTTP through ``attacker``; pip's own config and this
    machine's find-links left out. ``pip``: how this Python runs pip."""
    for name in ("PIP_FIND_LINKS", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    proxy = f"http://127.0.0.1:{attacker.server_address[1]}"
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("HTTP_PROXY", proxy)
    monkeypatch.setenv("http_proxy", proxy)
    return run(sys.executable, *pip, "download", "--no-deps", "--no-cache-dir", "--disable-pip-version-check",
               "--dest", tmp_path / "dl", "--keyring-provider", "import", "--no-input", "--retries", "0", *where)


def test_pip_import_mode_sends_no_token_to_a_plain_http_codeartifact_index(standin, attacker, tmp_path, monkeypatch):
    # pip ignores a plain-HTTP index unless it is a --trusted-host (a requirements file can say so)
    result = pip_download(attacker, tmp_path, monkeypatch, "--index-url", PLAIN, "--trusted-host", HOST,
                          "hello-codeartifact")
    assert result.returncode != 0
    assert attacker.seen, "pip never reached the plain-HTTP index: " + result.stderr
    assert all(target.startswith(f"http://{HOST}/") for target, _ in attacker.seen)
    assert sum(1 for _, credentials in attacker.seen if credentials) == 0  # counted: never shown
    assert standin.token_requests() == []


def test_the_bare_host_after_a_plain_http_url_gets_nothing_in_that_process(standin):
    """pip's import route: the refused URL, then its host, from one backend."""
    from keyrings_codeartifact.backend import CodeArtifactBackend

    backend = CodeArtifactBackend()
    assert backend.get_credential(PLAIN, None) is None
    assert backend.get_credential(HOST, None) is None
    assert backend.get_password(HOST, "aws") is None
    assert standin.token_requests() == []
    assert backend.get_credential(URL, None) is not None  # the https URL itself still gets one
    other = CodeArtifactBackend()  # another process: the bare host alone cannot show its scheme
    assert other.get_credential(HOST, None) is not None
    assert len(standin.token_requests()) == 1


def test_the_bare_host_of_an_https_url_still_gets_a_token(standin):
    from keyrings_codeartifact.backend import CodeArtifactBackend

    backend = CodeArtifactBackend()
    assert backend.get_credential(URL.replace("/pypi/", "/npm/"), None) is not None  # https: any path
    assert backend.get_credential(HOST, None) is not None
    assert backend.get_credential(f"{HOST}:443", None) is not None
    assert len(standin.token_requests()) == 1


@pytest.mark.parametrize("port", ["80", "8080", "8443"])
def test_a_bare_host_with_a_port_other_than_443_gets_nothing(standin, port):
    """pip passes the netloc as the URL spells it, uv adds a port that is not the scheme's
    default: ``host:80`` (and any port but 443) may stand for ``http://``."""
    from keyrings_codeartifact.backend import CodeArtifactBackend

    assert CodeArtifactBackend().get_credential(f"{HOST}:{port}", None) is None
    assert standin.token_requests() == []


def test_explain_says_why_a_bare_host_with_a_port_gets_nothing():
    result = run(CLI, "explain", f"{HOST}:80")
    assert result.returncode == 2
    assert "a bare host gets a token only without a port or on 443 (it may stand for http://)" in result.stderr


def test_pip_import_mode_sends_no_token_for_a_direct_plain_http_url(standin, attacker, tmp_path, monkeypatch):
    """A requirement ``NAME @ http://HOST/...whl`` is under no index: pip asks keyring for
    the bare host alone (no URL first), which inside pip gets nothing until an https URL
    of that host was asked for. Found by review."""
    wheel = f"{PLAIN}simple/hello-codeartifact/hello_codeartifact-1.0-py3-none-any.whl"
    result = pip_download(attacker, tmp_path, monkeypatch, "--no-index", f"hello-codeartifact @ {wheel}")
    assert result.returncode != 0
    assert attacker.seen, "pip never reached the plain-HTTP URL: " + result.stderr
    assert sum(1 for _, credentials in attacker.seen if credentials) == 0  # counted: never shown
    assert standin.token_requests() == []


@pytest.mark.parametrize("module", ["pip._internal.network.auth", "pipenv.patched.pip._internal.network.auth",
                                    "unearth.auth"])
def test_inside_pip_a_bare_host_needs_an_https_url_of_it_first(standin, monkeypatch, module):
    """pip, pipenv's own copy of pip, pdm's finder (unearth, a fork of pip's)."""
    from keyrings_codeartifact import backend as backend_module

    monkeypatch.setitem(sys.modules, module, sys.modules[__name__])  # as if it were running
    backend = backend_module.CodeArtifactBackend()
    assert backend.get_credential(HOST, None) is None
    assert backend.get_password(HOST, "aws") is None
    assert standin.token_requests() == []
    assert backend.get_credential(URL, None) is not None  # pip's index URL, asked first
    assert backend.get_credential(HOST, None) is not None  # then its host
    assert len(standin.token_requests()) == 1


@pytest.mark.e2e  # pipenv's and pdm's tool environments: `make test` builds them
def test_pipenv_s_own_pip_sends_no_token_for_a_direct_plain_http_url(standin, attacker, tools, tmp_path, monkeypatch):
    """pipenv runs its copy of pip (pipenv.patched.pip) on the project's Python; with keyring
    and this backend importable there and the import provider, as pip itself. Found by review."""
    [runner] = (tools / "pipenv" / "lib").glob("python3*/site-packages/pipenv/patched/pip/__pip-runner__.py")
    site = runner.parents[3]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([*os.environ.get("PYTHONPATH", "").split(os.pathsep), str(site)]))
    wheel = f"{PLAIN}simple/hello-codeartifact/hello_codeartifact-1.0-py3-none-any.whl"
    result = pip_download(attacker, tmp_path, monkeypatch, "--no-index", f"hello-codeartifact @ {wheel}",
                          pip=[str(runner)])
    assert result.returncode != 0
    assert attacker.seen, "pipenv's pip never reached the plain-HTTP URL: " + result.stderr
    assert sum(1 for _, credentials in attacker.seen if credentials) == 0  # counted: never shown
    assert standin.token_requests() == []


@pytest.mark.e2e  # pipenv's and pdm's tool environments: `make test` builds them
def test_pdm_s_finder_gets_no_token_for_the_bare_host_of_a_direct_plain_http_url(standin, tools):
    """unearth (pdm's finder, with this backend beside it) asks for the bare host alone
    for a URL under no index, as pip does. Found by review."""
    code = ("import unearth.auth as auth\n"
            "found = auth.MultiDomainBasicAuth(prompting=False, index_urls=[])._get_new_credentials(\n"
            f"    '{PLAIN}simple/x/x-1-py3-none-any.whl', allow_keyring=True)\n"
            "print(found[1] is not None)")
    result = run(tools / "pdm" / "bin" / "python", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
    assert standin.token_requests() == []
