"""The one lookup rule the backend and the CLI share: owners, then
CODEARTIFACT_AUTH_TOKEN, then the token source (real botocore against the stand-in)."""

import pytest

from helpers import OWNER, URL, write_keyring_config
from keyrings_codeartifact import lookup
from keyrings_codeartifact.endpoint import parse
from keyrings_codeartifact.errors import ConfigError

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
