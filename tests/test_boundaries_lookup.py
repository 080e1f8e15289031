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
