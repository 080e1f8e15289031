"""What the lookup says when owners refuses an endpoint, whole. Found by `make mutate`."""

import pytest

from keyrings_codeartifact import lookup
from keyrings_codeartifact.endpoint import parse
from keyrings_codeartifact.settings import Settings

pytestmark = pytest.mark.windows

ENDPOINT = parse("https://my-team-111122223333.d.codeartifact.us-east-1.amazonaws.com/pypi/python/simple/")


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
