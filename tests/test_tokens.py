"""Cache keys: which keys belong to an endpoint, as `cache clear URL` asks."""

import pytest

from keyrings_codeartifact import tokens
from keyrings_codeartifact.endpoint import parse
from keyrings_codeartifact.settings import Settings

pytestmark = pytest.mark.windows

URL = "https://my-team-111122223333.d.codeartifact.us-east-1.amazonaws.com/pypi/python/simple/"


def test_a_cache_key_belongs_to_its_domain_owner_and_region_only():
    endpoint = parse(URL)
    key = tokens.cache_key(endpoint, Settings(token_duration=900), environ={})
    assert tokens.belongs_to(key, endpoint)
    assert tokens.belongs_to(key, parse(URL.replace("/python/", "/release/")))  # the domain's repositories share it
    for other in (
        URL.replace("my-team", "other"),
        URL.replace("111122223333", "444455556666"),
        URL.replace("us-east-1", "us-west-2"),
        URL.replace("us-east-1.amazonaws.com", "cn-north-1.amazonaws.com.cn"),
    ):
        assert not tokens.belongs_to(key, parse(other)), other
