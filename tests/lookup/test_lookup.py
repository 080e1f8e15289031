"""The one lookup rule the backend and the CLI share: owners, then
CODEARTIFACT_AUTH_TOKEN, then the token source (real botocore against the stand-in)."""

import pytest

from helpers import OWNER, URL, write_keyring_config
from keyrings_codeartifact import lookup
from keyrings_codeartifact.endpoint import parse
from keyrings_codeartifact.errors import ConfigError
from keyrings_codeartifact.settings import Settings

pytestmark = pytest.mark.windows

ENDPOINT = parse(URL)


def test_a_token_from_the_source_with_its_expiry_and_one_source_per_lookup(standin):
    service = lookup.Lookup()
    first = service.token(ENDPOINT)
    assert first.value in standin.issued and first.expires_at is not None
    assert service.token(ENDPOINT) == first  # from memory
    assert len(standin.requests()) == 1


def test_the_token_variable_wins_and_ignores_the_overrides(standin, monkeypatch):
    monkeypatch.setenv(lookup.TOKEN_VARIABLE, "from-ci")

    def adjust(settings):
        raise AssertionError("overrides are for the token source only")

    assert lookup.Lookup().token(ENDPOINT, adjust) == lookup.Found("from-ci", None)
    assert standin.requests() == []


def test_overrides_change_what_the_source_is_asked_for(standin):
    found = lookup.Lookup().token(ENDPOINT, lambda settings: settings._replace(token_duration=900))
    assert found.value in standin.issued
    assert [r["duration"] for r in standin.token_requests()] == [900]


def test_owners_refuse_before_the_token_variable_and_any_call(standin, monkeypatch):
    write_keyring_config("[codeartifact]\nowners = 444455556666\n")
    monkeypatch.setenv(lookup.TOKEN_VARIABLE, "from-ci")
    with pytest.raises(lookup.OwnerRefused) as refused:
        lookup.Lookup().token(ENDPOINT)
    assert refused.value.reason == f"owner {OWNER} is not in owners (444455556666) in [codeartifact]"
    assert isinstance(refused.value, ConfigError)
    assert standin.requests() == []


def test_a_token_variable_with_whitespace_is_refused(standin, monkeypatch):
    monkeypatch.setenv(lookup.TOKEN_VARIABLE, "from-ci\r")
    with pytest.raises(ConfigError, match="CODEARTIFACT_AUTH_TOKEN holds whitespace"):
        lookup.Lookup().token(ENDPOINT)
    assert standin.requests() == []


# -- found by `make mutate`: What the lookup says when owners refuses an
# endpoint, whole.


def test_the_refusal_names_the_owner_and_every_allowed_account():
    settings = Settings(owners=("444455556666", "777788889999"))
    refused = lookup.OwnerRefused(ENDPOINT, settings)
    reason = "owner 111122223333 is not in owners (444455556666, 777788889999) in [codeartifact]"
    assert lookup.not_allowed(ENDPOINT, settings) == refused.reason == reason
    assert str(refused) == f"codeartifact-keyring: {reason}; no token for it"


def test_check_allowed_passes_a_listed_owner_and_no_owners_at_all():
    lookup.check_allowed(ENDPOINT, Settings(owners=("444455556666", "111122223333")))
    lookup.check_allowed(ENDPOINT, Settings())
    with pytest.raises(lookup.OwnerRefused):
        lookup.check_allowed(ENDPOINT, Settings(owners=("444455556666",)))


def test_the_settings_checked_are_those_of_the_endpoint(isolated_env):
    from helpers import write_keyring_config

    write_keyring_config('[codeartifact]\nowners = 111122223333\n[codeartifact domain="my-team"]\ntoken_duration = 900\n')
    assert lookup.allowed_settings(ENDPOINT) == Settings(owners=("111122223333",), token_duration=900)


def test_a_token_from_the_environment_is_logged_by_its_variable_name(isolated_env, monkeypatch, caplog):
    monkeypatch.setenv(lookup.TOKEN_VARIABLE, "from-ci")
    assert lookup.Lookup().token(ENDPOINT) == lookup.Found("from-ci", None)
    assert "using the token in CODEARTIFACT_AUTH_TOKEN" in caplog.messages


@pytest.mark.parametrize("token", ["from ci", " from-ci", "from-ci\n", "from\tci", "from-ci\x7f"])
def test_a_token_variable_with_a_space_or_control_character_is_refused_with_the_remedy(monkeypatch, token):
    monkeypatch.setenv(lookup.TOKEN_VARIABLE, token)
    with pytest.raises(lookup.ConfigError) as refused:
        lookup.environment_token()
    assert str(refused.value) == (
        "codeartifact-keyring: CODEARTIFACT_AUTH_TOKEN holds whitespace or control characters, which no token has; "
        "set it to the token alone, e.g. CODEARTIFACT_AUTH_TOKEN=$(aws codeartifact get-authorization-token "
        "--domain D --query authorizationToken --output text), or unset it"
    )


@pytest.mark.parametrize("token", ["from-ci", "a.b-c_d~e+f/g=h", "é"])
def test_a_printable_token_without_spaces_is_served(monkeypatch, token):
    monkeypatch.setenv(lookup.TOKEN_VARIABLE, token)
    assert lookup.environment_token() == token
