"""Bazel's downloader, as the test client plays it: `setup bazel` writes the .bazelrc, the
client picks the helper by scope from it, asks it for headers, and fetches rules_python's
way (the Simple page, then the wheel it links) from the stand-in index through the proxy."""

import re
import ssl
import urllib.error
import urllib.request
from urllib.parse import urljoin

import pytest

from bazel_client import BazelClient, helpers_in
from helpers import BIN, CLI, REGION, URL, run
from support import ONE_TOKEN, ok, publish, token_requests

HELPER = BIN / "codeartifact-credential-helper"


def get(uri: str, headers: dict, proxy_url: str, ca_bundle) -> bytes:
    """An HTTP GET of ``uri`` through the proxy, with ``headers`` (name -> list of values)."""
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({"https": proxy_url}),
        urllib.request.HTTPSHandler(context=ssl.create_default_context(cafile=str(ca_bundle))),
    )
    request = urllib.request.Request(uri, headers={name: ", ".join(values) for name, values in headers.items()})
    with opener.open(request, timeout=60) as response:
        return response.read()


@pytest.fixture
def bazel(e2e, tmp_path) -> BazelClient:
    """A workspace whose .bazelrc `setup bazel` wrote, and the client that reads it."""
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / ".bazelrc").write_text("# the team's settings\nbuild --jobs=4\n")
    ok(run(CLI, "setup", "bazel", "--region", REGION, "--bazelrc", workspace / ".bazelrc"))
    found = helpers_in(workspace / ".bazelrc")
    assert found and {path for _, path in found} == {str(HELPER)}
    return BazelClient(found, workspace)


def test_the_simple_page_and_the_wheel_download_with_the_helper_s_headers(bazel, e2e, standin, proxy, ca_bundle,
                                                                          tmp_path):
    wheel = publish(e2e, tmp_path, "bazel-dep", message="from bazel")
    page_uri = URL + "bazel-dep/"
    with pytest.raises(urllib.error.HTTPError) as refused:
        get(page_uri, {}, proxy.url, ca_bundle)
    assert refused.value.code == 401  # the headers are what lets it through
    page = get(page_uri, bazel.headers(page_uri), proxy.url, ca_bundle).decode()
    [link] = re.findall(r'href="([^"]+\.whl)[^"]*"', page)
    wheel_uri = urljoin(page_uri, link)
    assert get(wheel_uri, bazel.headers(wheel_uri), proxy.url, ca_bundle) == wheel.read_bytes()
    assert bazel.invocations == [page_uri, wheel_uri]
    assert token_requests(standin) == ONE_TOKEN


def test_a_foreign_host_never_reaches_the_helper(bazel, standin):
    assert bazel.headers("https://pypi.org/simple/requests/") == {}
    assert bazel.invocations == [] and standin.requests() == []
