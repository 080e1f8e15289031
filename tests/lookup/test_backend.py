"""The backend's keyring interface, served by real botocore talking to the stand-in."""

import pytest
from keyring.credentials import SimpleCredential

from helpers import BOB, DOMAIN, OWNER, REGION, URL, write_aws_file, write_keyring_config
from keyrings_codeartifact import token_source
from keyrings_codeartifact.backend import CodeArtifactBackend
from keyrings_codeartifact.endpoint import parse
from keyrings_codeartifact.settings import Settings
from keyrings_codeartifact.token_record import Token, is_fresh

pytestmark = pytest.mark.windows


@pytest.fixture
def backend() -> CodeArtifactBackend:
    return CodeArtifactBackend()


def issued_for(standin, token: str) -> tuple:
    issued = standin.issued[token]
    return issued["domain"], issued["owner"], issued["region"]


def test_get_credential_returns_user_aws_and_a_token_for_the_endpoint(standin, backend):
    credential = backend.get_credential(URL, None)
    assert isinstance(credential, SimpleCredential)
    assert credential.username == "aws"
    assert issued_for(standin, credential.password) == (DOMAIN, OWNER, REGION)
    [request] = standin.token_requests()
    assert request["identity"] == "alice"
    assert request["duration"] == 3600


def test_username_aws_gets_the_token_and_any_other_username_gets_none(standin, backend):
    assert backend.get_credential(URL, "aws").username == "aws"
    token = backend.get_password(URL, "aws")
    assert token in standin.issued
    assert backend.get_password(URL, "someone") is None
    assert backend.get_credential(URL, "__token__") is None


def test_an_empty_username_is_answered_like_none(standin, backend):
    # unearth (pdm) runs `keyring --mode=creds get URL ""` when keyring is not importable.
    credential = backend.get_credential(URL, "")
    assert (credential.username, issued_for(standin, credential.password)) == ("aws", (DOMAIN, OWNER, REGION))
    assert backend.get_password(URL, "") == credential.password


def test_lookups_in_one_process_cost_one_api_call(standin, backend):
    # twine: get_credential(url, None) then get_password(url, "aws");
    # poetry: with and without the trailing slash.
    first = backend.get_credential(URL, None).password
    assert backend.get_password(URL, "aws") == first
    assert backend.get_credential(URL.rstrip("/"), None).password == first
    assert len(standin.token_requests()) == 1


def test_services_that_are_not_codeartifact_get_none_and_no_api_call(standin, backend):
    for service in ("https://pypi.org/simple/", "poetry-repository-x", "python-poetry-check", ""):
        assert backend.get_credential(service, None) is None
        assert backend.get_password(service, "aws") is None
    assert standin.requests() == []


def test_plain_http_never_gets_a_token(standin, backend):
    assert backend.get_credential(URL.replace("https://", "http://"), None) is None
    assert standin.requests() == []


def test_token_from_the_environment_is_served_without_calling_aws(standin, backend, monkeypatch):
    monkeypatch.setenv("CODEARTIFACT_AUTH_TOKEN", "token-from-ci")
    assert backend.get_credential(URL, None).password == "token-from-ci"
    assert backend.get_credential("https://pypi.org/simple/", None) is None
    assert standin.requests() == []


def test_set_and_delete_are_left_to_other_backends(backend):
    with pytest.raises(NotImplementedError):
        backend.set_password(URL, "aws", "x")
    with pytest.raises(NotImplementedError):
        backend.delete_password(URL, "aws")


def test_the_region_signed_for_is_the_endpoints(standin, backend):
    url = "https://my-team-111122223333.d.codeartifact.eu-west-3.amazonaws.com/pypi/python/simple/"
    token = backend.get_password(url, "aws")
    assert issued_for(standin, token) == (DOMAIN, OWNER, "eu-west-3")


# -- settings reach AWS ---------------------------------------------------------


def test_token_duration_reaches_the_api(standin, backend):
    write_keyring_config("[codeartifact]\ntoken_duration = 900\n")
    backend.get_password(URL, "aws")
    assert [r["duration"] for r in standin.token_requests()] == [900]


def test_profile_name_selects_the_aws_profile(standin, backend):
    write_keyring_config("[codeartifact]\nprofile_name = bob\n")
    backend.get_password(URL, "aws")
    assert [r["identity"] for r in standin.token_requests()] == ["bob"]


def test_aws_profile_variable_is_honoured(standin, backend, monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "bob")
    backend.get_password(URL, "aws")
    assert [r["identity"] for r in standin.token_requests()] == ["bob"]


def test_profile_in_aws_config_file_with_its_own_keys(standin, backend, isolated_env):
    write_aws_file(
        isolated_env / ".aws" / "config",
        f"""
        [profile team]
        aws_access_key_id = {BOB[1]}
        aws_secret_access_key = {BOB[2]}
        """,
    )
    write_keyring_config("[codeartifact]\nprofile_name = team\n")
    backend.get_password(URL, "aws")
    assert [r["identity"] for r in standin.token_requests()] == ["bob"]


def test_static_keys_in_the_config_file(standin, backend, isolated_env):
    (isolated_env / ".aws" / "credentials").unlink()
    write_keyring_config(
        f"[codeartifact]\naws_access_key_id = {BOB[1]}\naws_secret_access_key = {BOB[2]}\n"
    )
    backend.get_password(URL, "aws")
    assert [r["identity"] for r in standin.token_requests()] == ["bob"]


def test_role_arn_assumes_the_role_before_asking_for_the_token(standin, backend):
    role = "arn:aws:iam::111122223333:role/package-reader"
    write_keyring_config(
        f"[codeartifact]\nrole_arn = {role}\nrole_session_name = ci-job\nexternal_id = ext-1\n"
    )
    token = backend.get_password(URL, "aws")
    assume, get_token = standin.requests()
    assert (assume["api"], assume["identity"], assume["role_arn"]) == ("AssumeRole", "alice", role)
    assert assume["external_id"] == "ext-1"
    assert (get_token["api"], get_token["identity"]) == ("GetAuthorizationToken", f"role:{role}")
    assert issued_for(standin, token) == (DOMAIN, OWNER, REGION)


def test_qualified_section_applies_to_its_repository_only(standin, backend):
    write_keyring_config(
        f"""
        [codeartifact]
        token_duration = 1800

        [codeartifact domain="{DOMAIN}" account="{OWNER}" name="release"]
        profile_name = bob
        token_duration = 900
        """
    )
    backend.get_password(URL, "aws")  # repository "python"
    backend.get_password(URL.replace("/python/", "/release/"), "aws")
    requests = standin.token_requests()
    assert [(r["identity"], r["duration"]) for r in requests] == [("alice", 1800), ("bob", 900)]


def test_endpoint_url_in_the_config_file(standin, backend, monkeypatch):
    monkeypatch.delenv("AWS_ENDPOINT_URL_CODEARTIFACT")
    write_keyring_config(f"[codeartifact]\nendpoint_url = {standin.url}\n")
    assert backend.get_password(URL, "aws") in standin.issued


def test_verify_names_a_ca_bundle(standin, backend, monkeypatch, ca_bundle):
    monkeypatch.delenv("AWS_CA_BUNDLE")
    write_keyring_config(f"[codeartifact]\nverify = {ca_bundle}\n")
    assert backend.get_password(URL, "aws") in standin.issued


def test_vpc_endpoint_with_endpoint_url(standin, backend, monkeypatch):
    monkeypatch.delenv("AWS_ENDPOINT_URL_CODEARTIFACT")
    write_keyring_config(f"[codeartifact]\nendpoint_url = {standin.url}\n")
    url = "https://vpce-0abc123-def456.d.codeartifact.us-east-1.vpce.amazonaws.com/pypi/d/my-team-111122223333/python/simple/"
    token = backend.get_password(url, "aws")
    assert issued_for(standin, token) == (DOMAIN, OWNER, REGION)


# -- the memory of tokens ---------------------------------------------------------


def _token(issued_at: float, lifetime: float) -> Token:
    return Token("t", issued_at, issued_at + lifetime)


def test_tokens_are_refreshed_ahead_of_expiry():
    hour = _token(1000, 3600)
    assert is_fresh(hour, 1000 + 3600 - 301, 300)
    assert not is_fresh(hour, 1000 + 3600 - 300, 300)  # five minutes left: refresh
    short = _token(1000, 900)  # a quarter of the life for short tokens
    assert is_fresh(short, 1000 + 674, 300)
    assert not is_fresh(short, 1000 + 675, 300)


def test_source_fetches_again_when_the_token_is_no_longer_fresh():
    now = [1000.0]
    fetched = []

    def fetch(endpoint, settings):
        fetched.append(now[0])
        return Token(f"token-{len(fetched)}", now[0], now[0] + 3600)

    source = token_source.TokenSource(fetch, clock=lambda: now[0])
    endpoint, settings = parse(URL), Settings(cache=False)
    assert source.get(endpoint, settings).value == "token-1"
    now[0] += 2600
    assert source.get(endpoint, settings).value == "token-1"
    now[0] += 400  # within fifteen minutes of expiry: the advisory window
    assert source.get(endpoint, settings).value == "token-2"
    assert source.get(endpoint, settings._replace(profile_name="other")).value == "token-3"
    assert fetched == [1000.0, 4000.0, 4000.0]


# -- the token variable, unreadable files, owners -------------------------------------


@pytest.mark.parametrize("value", ["tok3n\n", "tok3n\r\n", " tok3n", "tok 3n", "tok3n\t", "tok3n\x1b[0m", "tok3n\u200b", "tok3n\u00a0"])
def test_a_token_variable_with_whitespace_or_control_characters_is_refused(standin, backend, monkeypatch, value):
    from keyrings_codeartifact.errors import ConfigError

    monkeypatch.setenv("CODEARTIFACT_AUTH_TOKEN", value)
    with pytest.raises(ConfigError) as caught:
        backend.get_credential(URL, None)
    message = str(caught.value)
    assert message.startswith("codeartifact-keyring: CODEARTIFACT_AUTH_TOKEN holds whitespace or control characters")
    assert "tok3n" not in message and "\n" not in message
    assert backend.get_credential("https://pypi.org/simple/", None) is None  # others: unaffected
    assert standin.requests() == []


def test_name_lookups_with_a_file_we_cannot_read_find_nothing(standin, backend, caplog):
    write_keyring_config("[DEFAULT]\na = 1\n[DEFAULT]\nb = 2\n")
    assert backend.get_password("github", "aws") is None
    assert backend.get_credential("codeartifact", None) is None
    assert "repository names not read: codeartifact-keyring: cannot read " in caplog.text
    assert standin.requests() == []


OTHER_OWNER_URL = URL.replace(OWNER, "999988887777")


def test_owners_bound_lookups_to_their_accounts(standin, backend, caplog):
    standin.add_domain(DOMAIN, "999988887777")
    write_keyring_config(f"[codeartifact]\nowners = 444455556666, {OWNER}\n")
    assert backend.get_credential(URL, None).username == "aws"
    assert backend.get_credential(OTHER_OWNER_URL, None) is None
    assert backend.get_password(OTHER_OWNER_URL, "aws") is None
    assert [r["owner"] for r in standin.requests()] == [OWNER]  # no call for the other owner
    assert (
        "owner 999988887777 is not in owners (444455556666, 111122223333) in [codeartifact]; "
        "no token, AWS not called" in caplog.text
    )


def test_owners_also_bound_the_token_variable_and_names(standin, backend, monkeypatch):
    write_keyring_config(
        f"[codeartifact]\nowners = 444455556666\n[codeartifact-repositories]\nteam = {URL}\n"
    )
    monkeypatch.setenv("CODEARTIFACT_AUTH_TOKEN", "from-ci")
    assert backend.get_credential(URL, None) is None
    assert backend.get_password("team", "aws") is None
    assert backend.get_credential(URL.replace(OWNER, "444455556666"), None).password == "from-ci"
    assert standin.requests() == []
