"""End-to-end fixtures: the package index and the CONNECT proxy beside the API stand-in,
and an environment in which real clients reach them under the real hostnames."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from standin.environment import client_environment
from standin.index import PackageIndex
from standin.proxy import ConnectProxy

_HERE = Path(__file__).parent


def pytest_collection_modifyitems(items):
    """Every test in this folder is marked e2e (so `-m "not e2e"` selects the unit tests)."""
    for item in items:
        if _HERE in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def index(standin_server, server_context, tmp_path_factory) -> Iterator[PackageIndex]:
    with PackageIndex(standin_server, server_context, tmp_path_factory.mktemp("index")) as server:
        yield server


@pytest.fixture(scope="session")
def proxy(standin_server, index) -> Iterator[ConnectProxy]:
    api = ("127.0.0.1", int(standin_server.url.rsplit(":", 1)[1]))
    with ConnectProxy(api=api, index=index.address) as server:
        yield server


@pytest.fixture
def e2e(standin, index, proxy, tools, ca_bundle, tmp_path, monkeypatch):
    """Clients in this test reach the stand-ins through the proxy, trusting the test CA."""
    home = Path(os.environ["HOME"])  # the isolated HOME of tests/conftest.py
    changes = client_environment(os.environ, home, proxy.url, ca_bundle, tools / "keyring" / "bin")
    for name, value in changes.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    index.requests.clear()
    proxy.tunnels.clear()
    yield index
    proxy.api_reachable = True
