"""Shared fixtures: an isolated environment, a test CA, and the CodeArtifact stand-in."""

import logging
import os
import re
import ssl
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

import helpers
from helpers import ALICE, BOB, DOMAIN, OWNER, PLANTED, TOOLS, write_aws_file
from standin.codeartifact import CodeArtifactStandIn
from standin.credentials import CredentialSources
from standin.tls import CertificatesByName

# Variables of this machine (and of developers' shells) that would change what
# the backend, botocore or keyring do. Every test starts without them.
_CLEARED_PREFIXES = ("AWS_", "CODEARTIFACT_", "PYTHON_KEYRING")


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A HOME, keyring config root and AWS config of this test's own."""
    for name in list(os.environ):
        if name.startswith(_CLEARED_PREFIXES):
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))  # Path.home() on Windows
    monkeypatch.setenv("APPDATA", str(home / "AppData" / "Roaming"))
    monkeypatch.setenv("LOCALAPPDATA", str(home / "AppData" / "Local"))  # keyringrc.cfg and the cache on Windows
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / ".aws" / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / ".aws" / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # never probe 169.254.169.254
    return home


# Windows (GitHub Actions only; these machines have none) runs the modules that test
# in-process, marked `pytestmark = pytest.mark.windows`. The others start the console
# scripts by their POSIX paths (bin/keyring), need POSIX file modes, symlinks or signals,
# or count on the disk cache across processes, whose Windows branch has not run on
# Windows yet. They may not even import there, so the decision is made on the module's
# text, before pytest imports it.
_WINDOWS_MARK = re.compile(r"^pytestmark\s*=.*\bpytest\.mark\.windows\b", re.MULTILINE)


def marked_for_windows(path: Path) -> bool:
    """Whether the test module at ``path`` says it runs on Windows (its ``pytestmark`` line)."""
    return bool(_WINDOWS_MARK.search(path.read_text(encoding="utf-8")))


def pytest_ignore_collect(collection_path: Path):
    """On Windows, only the modules marked windows are collected (tests/e2e never)."""
    if sys.platform != "win32":
        return None
    if collection_path.name == "e2e" and collection_path.is_dir():
        return True
    if collection_path.suffix == ".py" and collection_path.name.startswith("test_"):
        return True if not marked_for_windows(collection_path) else None
    return None


def pytest_report_header(config):
    if sys.platform == "win32":
        return "Windows: running only the modules marked windows (see tests/conftest.py)"
    return None


_STANDINS: list = []  # every API stand-in of the session, for the secrets they hand out


@pytest.fixture(autouse=True)
def no_secret_in_output(request, caplog, capsys):
    """After every test: no issued token, secret key or session token appears in
    the logs (captured at DEBUG), in what the test printed, or in any output of
    its subprocesses that is not meant to show a token."""
    caplog.set_level(logging.DEBUG)
    helpers.CAPTURED_OUTPUT.clear()
    yield
    if request.node.get_closest_marker("prints_secrets"):
        return
    logged = [record.getMessage() for when in ("setup", "call") for record in caplog.get_records(when)]
    outputs = [*logged, *capsys.readouterr(), *helpers.CAPTURED_OUTPUT]
    secrets = {ALICE[2], BOB[2], PLANTED}
    for standin in _STANDINS:
        secrets.update(standin.secrets())
    leaked = sorted({secret[:12] + "..." for secret in secrets for text in outputs if secret in text})
    assert not leaked, f"secrets in the output: {leaked}"


@pytest.fixture(scope="session")
def tools() -> Path:
    """The tool environments `make test` builds: keyring CLI, older pip, poetry
    (`make test-versions` points TEST_TOOLS at one of its own for each Python)."""
    if not (TOOLS / ".installed").exists():
        pytest.fail(f"{TOOLS} is missing: run the tests with `make test`, which builds it")
    return TOOLS


@pytest.fixture(scope="session")
def test_ca(tmp_path_factory: pytest.TempPathFactory) -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="session")
def ca_bundle(test_ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ca") / "test-ca.pem"
    test_ca.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture(scope="session")
def server_context(test_ca: trustme.CA) -> ssl.SSLContext:
    """Presents a test-CA certificate for whichever hostname the client asks for."""
    return CertificatesByName(test_ca).context


@pytest.fixture(scope="session")
def standin_server(
    server_context: ssl.SSLContext, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CodeArtifactStandIn]:
    log_path = tmp_path_factory.mktemp("standin") / "requests.jsonl"
    with CodeArtifactStandIn(server_context, log_path) as server:
        _STANDINS.append(server)
        server.add_identity(*ALICE)
        server.add_identity(*BOB)
        server.add_domain(DOMAIN, OWNER)
        yield server


@pytest.fixture
def standin(
    standin_server: CodeArtifactStandIn,
    ca_bundle: Path,
    isolated_env: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[CodeArtifactStandIn]:
    """The stand-in, fresh for this test, with botocore pointed at it as alice."""
    standin_server.reset()
    monkeypatch.setenv("AWS_ENDPOINT_URL_CODEARTIFACT", standin_server.url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", standin_server.url)
    monkeypatch.setenv("AWS_CA_BUNDLE", str(ca_bundle))
    write_aws_file(
        isolated_env / ".aws" / "credentials",
        f"""
        [default]
        aws_access_key_id = {ALICE[1]}
        aws_secret_access_key = {ALICE[2]}

        [bob]
        aws_access_key_id = {BOB[1]}
        aws_secret_access_key = {BOB[2]}
        """,
    )
    yield standin_server
    standin_server.reset()


@pytest.fixture
def standin_with_domain(standin: CodeArtifactStandIn) -> Iterator[CodeArtifactStandIn]:
    """The stand-in, for tests that set up faults.FAULTS: its unknown-domain removes the domain."""
    yield standin
    standin.add_domain(DOMAIN, OWNER)


@pytest.fixture(scope="session")
def credential_sources_server(standin_server: CodeArtifactStandIn) -> Iterator[CredentialSources]:
    with CredentialSources(standin_server) as server:
        _STANDINS.append(server)
        yield server


@pytest.fixture
def sources(credential_sources_server: CredentialSources, standin: CodeArtifactStandIn) -> Iterator[CredentialSources]:
    """The container, IMDS, SSO and credential_process stand-ins, fresh for this
    test (none configured: each test sets up the source it uses). Its ``calls()``
    are the requests to every stand-in, the AWS APIs' included."""
    credential_sources_server.reset()
    yield credential_sources_server
    credential_sources_server.reset()


@pytest.fixture(scope="session")
def fast_keyring_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding only the fast ``keyring``, as `setup keyring --bin` writes it."""
    folder = tmp_path_factory.mktemp("fast-bin")
    result = helpers.run(helpers.CLI, "setup", "keyring", "--bin", folder)
    assert result.returncode == 0, result.stderr
    return folder


@pytest.fixture
def fast(fast_keyring_folder: Path) -> Path:
    """The fast ``keyring`` command."""
    return fast_keyring_folder / "keyring"


@pytest.fixture
def uv_on_path(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The test environment's uv as the `uv` on PATH, and nothing else of its bin/:
    `setup uv` writes for the uv it finds there (an older one gets another form)."""
    folder = tmp_path_factory.mktemp("uv-on-path")
    (folder / "uv").symlink_to(helpers.BIN / "uv")
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return folder


@pytest.fixture
def fresh_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache warns once per folder and process: forget earlier tests' warnings."""
    from keyrings_codeartifact import cache

    monkeypatch.setattr(cache, "_warned", set())


@pytest.fixture
def cache_dir(isolated_env: Path, fresh_warnings: None) -> Path:
    """The token cache folder in this test's HOME, as this platform names it (not made
    yet), with warnings fresh for this test."""
    from keyrings_codeartifact import cache

    return cache.folder_for()
