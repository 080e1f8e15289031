"""Cache keys: which keys belong to an endpoint, as `cache clear URL` asks; and the
refresh state a token is in, which the token source acts on."""

import pytest

from keyrings_codeartifact import cache, token_source
from keyrings_codeartifact.endpoint import parse
from keyrings_codeartifact.settings import Settings
from keyrings_codeartifact.token_record import Token

pytestmark = pytest.mark.windows

URL = "https://my-team-111122223333.d.codeartifact.us-east-1.amazonaws.com/pypi/python/simple/"


def test_a_cache_key_belongs_to_its_domain_owner_and_region_only():
    endpoint = parse(URL)
    key = cache.cache_key(endpoint, Settings(token_duration=900), environ={})
    assert cache.belongs_to(key, endpoint)
    assert cache.belongs_to(key, parse(URL.replace("/python/", "/release/")))  # the domain's repositories share it
    for other in (
        URL.replace("my-team", "other"),
        URL.replace("111122223333", "444455556666"),
        URL.replace("us-east-1", "us-west-2"),
        URL.replace("us-east-1.amazonaws.com", "cn-north-1.amazonaws.com.cn"),
    ):
        assert not cache.belongs_to(key, parse(other)), other


NOW = 1_000_000.0
TOKEN = Token("t", NOW - 10800, NOW + 1800)  # 3 h old, 30 min left: the margins apply whole


def state_at(left: float, failed_lately=lambda: False, **margins) -> str:
    token = TOKEN._replace(expires_at=NOW + left)
    return type(token_source.refresh_state(token, NOW, Settings(**margins), failed_lately)).__name__


def test_the_refresh_state_by_time_left_with_the_default_margins():
    assert type(token_source.refresh_state(None, NOW, Settings())) is token_source.Due  # missing
    assert [state_at(left) for left in (-1, 0, 299, 300, 301, 899, 900, 901, 1800)] == [
        "Due", "Due", "Due", "Due", "Advisory", "Advisory", "Advisory", "Fresh", "Fresh"]
    assert state_at(600, refresh_margin=0, advisory_margin=0) == "Fresh"
    assert state_at(0, refresh_margin=0, advisory_margin=0) == "Due"  # an expired token, whatever the margins
    short = Token("t", NOW - 600, NOW + 300)  # 15 min, 5 left: a quarter of its life (225 s) is its margin
    assert type(token_source.refresh_state(short, NOW, Settings())) is token_source.Fresh


def test_a_refresh_that_failed_lately_is_asked_about_inside_the_advisory_window_only():
    asked = []

    def failed_lately():
        asked.append(True)
        return True

    assert state_at(1800, failed_lately) == "Fresh" and asked == []
    assert state_at(100, failed_lately) == "Due" and asked == []  # mandatory: always refresh
    assert state_at(600, failed_lately) == "Fresh" and asked == [True]  # advisory, failed lately: served


def test_the_states_that_may_be_served_carry_their_token():
    assert token_source.refresh_state(TOKEN, NOW, Settings()).token == TOKEN
    advisory = token_source.refresh_state(TOKEN._replace(expires_at=NOW + 600), NOW, Settings())
    assert type(advisory) is token_source.Advisory and advisory.token.expires_at == NOW + 600
