"""End-to-end fixtures: the package index and the CONNECT proxy beside the API stand-in,
and an environment in which real clients reach them under the real hostnames."""

import os
from pathlib import Path
from typing import Iterator

import pytest

from helpers import TOOLS
from standin.index import PackageIndex
from standin.proxy import ConnectProxy

# Client settings of this machine (a global pip config, find-links, CA bundles)
# and of developers' shells that would change what the clients do.
_CLEARED_PREFIXES = ("PIP_", "UV_", "POETRY_", "TWINE_", "AWS_ENDPOINT_URL")
_CLEARED = ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "VIRTUAL_ENV", "SSL_CERT_DIR")
_CA_VARIABLES = ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "PIP_CERT", "AWS_CA_BUNDLE")


@pytest.fixture(scope="session")
def index(standin_server, server_context, tmp_path_factory) -> Iterator[PackageIndex]:
    with PackageIndex(standin_server, server_context, tmp_path_factory.mktemp("index")) as server:
        yield server


@pytest.fixture(scope="session")
def proxy(standin_server, index) -> Iterator[ConnectProxy]:
    api = ("127.0.0.1", int(standin_server.url.rsplit(":", 1)[1]))
    with ConnectProxy(api=api, index=index.address) as server:
        yield server


@pytest.fixture(scope="session")
def tools() -> Path:
    """The tool environments `make test` builds: keyring CLI, older pip, poetry."""
    if not (TOOLS / ".installed").exists():
        pytest.fail(f"{TOOLS} is missing: run the tests with `make test`, which builds it")
    return TOOLS


@pytest.fixture
def e2e(standin, index, proxy, tools, ca_bundle, tmp_path, monkeypatch):
    """Clients in this test reach the stand-ins through the proxy, trusting the test CA."""
    for name in list(os.environ):
        if name.startswith(_CLEARED_PREFIXES) or name in _CLEARED:
            monkeypatch.delenv(name)
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(name, proxy.url)
    for name in _CA_VARIABLES:
        monkeypatch.setenv(name, str(ca_bundle))
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("PIP_DISABLE_PIP_VERSION_CHECK", "1")
    monkeypatch.setenv("PIP_CACHE_DIR", str(tmp_path / "pip-cache"))
    monkeypatch.setenv("UV_CACHE_DIR", str(tmp_path / "uv-cache"))
    monkeypatch.setenv("UV_PYTHON_DOWNLOADS", "never")
    # The keyring CLI that pip's subprocess provider and uv run: a tool environment of its own.
    monkeypatch.setenv("PATH", f"{tools / 'keyring' / 'bin'}{os.pathsep}{os.environ['PATH']}")
    index.requests.clear()
    proxy.tunnels.clear()
    yield index
    proxy.api_reachable = True
