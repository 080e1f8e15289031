"""Real pip installs a private package from the CodeArtifact stand-in, through the backend."""

import shutil

import pytest

from helpers import BIN, BOB, DOMAIN, OWNER, REGION, URL, run, write_keyring_config
from standin.wheels import make_wheel
from support import token_requests

PACKAGE = "private-hello"
HOST = f"{DOMAIN}-{OWNER}.d.codeartifact.{REGION}.amazonaws.com"


@pytest.fixture
def published(e2e, tmp_path):
    """PACKAGE 1.0 in repository "python" of the index."""
    wheel = make_wheel(tmp_path / "dist", PACKAGE, "1.0")
    folder = e2e.root / "python"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(wheel, folder)
    return e2e


def pip_install(pip, index_url, provider, target):
    return run(
        pip, "install", "--index-url", index_url, "--keyring-provider", provider,
        "--target", target, "--no-compile", "--no-input", PACKAGE,
    )


def assert_installed(result, target):
    assert result.returncode == 0, result.stdout + result.stderr
    assert (target / "private_hello" / "__init__.py").exists()


@pytest.mark.parametrize(
    "index_url",
    [
        pytest.param(URL, id="no-user", marks=pytest.mark.every_python),
        pytest.param(URL.replace("https://", "https://aws@"), id="aws@"),
    ],
)
def test_pip_import_provider(published, standin, tmp_path, index_url):
    result = pip_install(BIN / "pip", index_url, "import", tmp_path / "t")
    assert_installed(result, tmp_path / "t")
    assert token_requests(standin) == [(DOMAIN, OWNER, REGION, 200)]
    statuses = [r["status"] for r in published.requests]
    assert statuses[0] == 401 and "passed to pypiserver" in statuses  # keyring consulted after a 401


def test_pip_subprocess_provider_current_protocol(published, standin, tmp_path):
    # pip 26.2+ runs `keyring --mode=creds --output=json get URL` from PATH.
    result = pip_install(BIN / "pip", URL, "subprocess", tmp_path / "t")
    assert_installed(result, tmp_path / "t")
    assert token_requests(standin) == [(DOMAIN, OWNER, REGION, 200)]


def test_pip_subprocess_provider_older_pip(published, standin, tmp_path, tools):
    # pip before 26.2 runs `keyring get URL aws`: the username must be in the URL.
    pip = tools / "pip-26.1" / "bin" / "pip"
    assert "pip 26.1" in run(pip, "--version").stdout
    result = pip_install(pip, URL.replace("https://", "https://aws@"), "subprocess", tmp_path / "t")
    assert_installed(result, tmp_path / "t")
    assert token_requests(standin) == [(DOMAIN, OWNER, REGION, 200)]


@pytest.mark.parametrize(
    "index_url, region",
    [
        (f"https://{DOMAIN}-{OWNER}.d.codeartifact.cn-north-1.amazonaws.com.cn/pypi/python/simple/", "cn-north-1"),
        (f"https://{DOMAIN}-{OWNER}.codeartifact.eu-west-1.on.aws/pypi/python/simple/", "eu-west-1"),
    ],
    ids=["china", "dual-stack"],
)
def test_pip_through_other_endpoint_forms(published, standin, tmp_path, index_url, region):
    result = pip_install(BIN / "pip", index_url, "import", tmp_path / "t")
    assert_installed(result, tmp_path / "t")
    assert token_requests(standin) == [(DOMAIN, OWNER, region, 200)]


def test_pip_through_a_vpc_endpoint(published, standin, proxy, tmp_path):
    api = "https://vpce-0abc123-def456.api.codeartifact.us-east-1.vpce.amazonaws.com"
    write_keyring_config(f"[codeartifact]\nendpoint_url = {api}\n")
    index_url = f"https://vpce-0abc123-def456.d.codeartifact.us-east-1.vpce.amazonaws.com/pypi/d/{DOMAIN}-{OWNER}/python/simple/"
    result = pip_install(BIN / "pip", index_url, "import", tmp_path / "t")
    assert_installed(result, tmp_path / "t")
    assert token_requests(standin) == [(DOMAIN, OWNER, REGION, 200)]
    assert {"host": api[8:], "port": 443, "allowed": True} in proxy.tunnels


def test_pip_shows_our_message_when_access_is_denied(published, standin, tmp_path):
    standin.fault = "deny"
    result = pip_install(BIN / "pip", URL, "import", tmp_path / "t")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "Keyring is skipped due to an exception: codeartifact-keyring: cannot get a token for domain 'my-team'" in output
    assert "sts:GetServiceBearerToken" in output
    assert "Traceback" not in output


def test_pip_with_an_unknown_domain(published, standin, tmp_path):
    index_url = URL.replace(f"{DOMAIN}-", "no-such-team-")
    result = pip_install(BIN / "pip", index_url, "import", tmp_path / "t")
    assert result.returncode != 0
    assert "codeartifact-keyring: cannot get a token for domain 'no-such-team'" in result.stdout + result.stderr
    assert token_requests(standin) == [("no-such-team", OWNER, REGION, 404)]


def test_pip_when_the_api_is_unreachable(published, standin, proxy, tmp_path):
    proxy.api_reachable = False
    result = pip_install(BIN / "pip", URL, "import", tmp_path / "t")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "codeartifact-keyring: cannot get a token for domain 'my-team'" in output
    assert f"the proxy {proxy.url} refused or failed the connection to CodeArtifact" in output
    assert standin.requests() == []


# -- settings reach AWS from a real client ----------------------------------------


def test_pip_with_a_profile_from_aws_config_file(published, standin, isolated_env, tmp_path):
    (isolated_env / ".aws" / "config").write_text(
        f"[profile ci]\naws_access_key_id = {BOB[1]}\naws_secret_access_key = {BOB[2]}\n"
    )
    write_keyring_config("[codeartifact]\nprofile_name = ci\ntoken_duration = 900\n")
    assert_installed(pip_install(BIN / "pip", URL, "import", tmp_path / "t"), tmp_path / "t")
    assert [(r["identity"], r["duration"]) for r in standin.token_requests()] == [("bob", 900)]


def test_pip_with_an_assumed_role(published, standin, tmp_path):
    role = "arn:aws:iam::111122223333:role/package-reader"
    write_keyring_config(f"[codeartifact]\nrole_arn = {role}\n")
    assert_installed(pip_install(BIN / "pip", URL, "import", tmp_path / "t"), tmp_path / "t")
    assert [(r["api"], r["identity"]) for r in standin.requests()] == [
        ("AssumeRole", "alice"),
        ("GetAuthorizationToken", f"role:{role}"),
    ]


def test_pip_with_a_section_for_one_repository(published, standin, tmp_path):
    write_keyring_config(
        f'[codeartifact domain="{DOMAIN}" name="release"]\nprofile_name = bob\ntoken_duration = 43200\n'
    )
    shutil.copytree(published.root / "python", published.root / "release", dirs_exist_ok=True)
    release = URL.replace("/python/", "/release/")
    assert_installed(pip_install(BIN / "pip", URL, "import", tmp_path / "a"), tmp_path / "a")
    assert_installed(pip_install(BIN / "pip", release, "import", tmp_path / "b"), tmp_path / "b")
    assert [(r["identity"], r["duration"]) for r in standin.token_requests()] == [
        ("alice", 3600),
        ("bob", 43200),
    ]
