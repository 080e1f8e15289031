"""Property-based: a token is requested only for exactly the domain, owner and region
an endpoint names; for any near miss, no AWS call at all."""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import write_keyring_config
from keyrings_codeartifact.backend import CodeArtifactBackend
from keyrings_codeartifact.endpoint import parse
from keyrings_codeartifact.errors import DomainNotFound

DOMAINS = st.from_regex(r"[a-z][a-z0-9-]{0,48}[a-z0-9]", fullmatch=True)
OWNERS = st.from_regex(r"[0-9]{12}", fullmatch=True)
REGIONS = st.sampled_from(["us-east-1", "eu-west-3", "ap-southeast-2", "us-gov-west-1", "cn-north-1", "il-central-1"])
REPOSITORIES = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{1,20}", fullmatch=True)
LOOK_ALIKES = {"a": "а", "e": "е", "o": "о", "c": "с", "d": "ԁ", "-": "‐", ".": "。", "1": "１"}


@st.composite
def endpoints(draw, domains=DOMAINS, owners=OWNERS):
    """(url, host as written in it, (domain, owner, region)) for a valid endpoint of
    any form, decorated as users and clients write it: case, userinfo, port, trailing dot."""
    domain, owner, region = draw(domains), draw(owners), draw(REGIONS)
    repository = draw(REPOSITORIES)
    form = draw(st.sampled_from(["standard", "dualstack", "vpc"]))
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    if form == "dualstack":
        region = "us-west-2" if region.startswith("cn-") else region
        host, path = f"{domain}-{owner}.codeartifact.{region}.on.aws", f"/pypi/{repository}/simple/"
    elif form == "standard":
        host, path = f"{domain}-{owner}.d.codeartifact.{region}.{suffix}", f"/pypi/{repository}/simple/"
    else:
        vpce = draw(st.from_regex(r"vpce-[a-z0-9]{4,17}-[a-z0-9]{8}", fullmatch=True))
        host = f"{vpce}.d.codeartifact.{region}.vpce.{suffix}"
        path = f"/pypi/d/{domain}-{owner}/{repository}/simple/"
    shown = "".join(c.upper() if draw(st.booleans()) and c.isalpha() else c for c in host) if draw(st.booleans()) else host
    userinfo = draw(st.sampled_from(["", "aws@", "aws:old-token@", "user%40corp@"]))
    port = draw(st.sampled_from(["", ":443", ":8443"]))
    dot = draw(st.sampled_from(["", "."]))
    return f"https://{userinfo}{shown}{dot}{port}{path}", shown, (domain, owner, region)


@st.composite
def near_misses(draw):
    """A valid endpoint changed so that it must no longer be recognised."""
    url, host, _ = draw(endpoints())
    path = url.split(host, 1)[1] if host in url else "/pypi/r/simple/"
    position = draw(st.integers(0, len(host) - 1))
    mutations = {
        "suffix": lambda: url.replace(host, host + draw(st.sampled_from([".evil.com", "evil", "..", ".amazonaws.com"]))),
        "extra-label": lambda: url.replace(host, draw(st.sampled_from(["evil.", "d.", "x."])) + host)
        if not host.lower().startswith("vpce-") else url.replace(host, "evil." + host),
        "userinfo": lambda: f"https://{host}@evil.com{path}",
        "in-path": lambda: f"https://evil.com/{host}{path}",
        "in-query": lambda: f"https://evil.com/?url=https://{host}{path}",
        "in-fragment": lambda: f"https://evil.com/#{host}",
        "percent": lambda: url.replace(host, host[:position] + f"%{ord(host[position]):02x}" + host[position + 1:]),
        "look-alike": lambda: url.replace(host, "".join(LOOK_ALIKES.get(c, c) if i == position else c for i, c in enumerate(host)))
        if host[position] in LOOK_ALIKES else url.replace(host, host.replace(".", "。", 1)),
        "control": lambda: url.replace(host, host[:position] + draw(st.sampled_from([" ", "\t", "\n", "\x00", "\x7f", "\\"])) + host[position:]),
        "http": lambda: url.replace("https://", "http://"),
        "missing-label": lambda: re.sub(r"\.codeartifact\.", ".", url, count=1, flags=re.IGNORECASE),
        "huge": lambda: url.replace(host, "a" * 100_000 + host),
    }
    kind = draw(st.sampled_from(sorted(mutations)))
    mutated = mutations[kind]()
    assert mutated != url, f"mutation {kind} changed nothing"  # keeps the strategy honest
    return kind, mutated


@settings(max_examples=500, deadline=None)
@given(endpoints())
def test_every_decorated_endpoint_names_exactly_its_domain_owner_and_region(case):
    url, _, expected = case
    endpoint = parse(url)
    assert endpoint is not None, url
    assert (endpoint.domain, endpoint.owner, endpoint.region) == expected


@settings(max_examples=300, deadline=None)
@given(endpoints(domains=st.sampled_from(["ab", "a" * 50, "a-" * 24 + "bc"])))
def test_domain_lengths_2_and_50_are_recognised(case):
    url, _, expected = case
    assert parse(url) is not None and parse(url).domain == expected[0]


@pytest.mark.parametrize(
    "domain, owner",
    [("a", "111122223333"), ("a" * 51, "111122223333"), ("team", "1" * 11), ("team", "1" * 13)],
    ids=["domain-1", "domain-51", "owner-11", "owner-13"],
)
def test_domain_and_owner_lengths_out_of_bounds_are_not(domain, owner):
    assert parse(f"https://{domain}-{owner}.d.codeartifact.us-east-1.amazonaws.com/pypi/r1/simple/") is None


@settings(max_examples=1000, deadline=None)
@given(near_misses())
def test_near_misses_are_never_recognised(case):
    kind, service = case
    assert parse(service) is None, (kind, service[:300])


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_never_crashes_and_only_codeartifact_hosts_match(service):
    endpoint = parse(service)
    if endpoint is not None:
        assert "codeartifact" in endpoint.host


# -- the same invariant, through the backend, counted at the stand-in --------------


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(endpoints().map(lambda c: (c[0], c[2])), near_misses().map(lambda c: (c[1], None))))
def test_aws_is_asked_for_exactly_the_named_endpoint_or_not_at_all(standin, case):
    service, expected = case
    write_keyring_config("[codeartifact]\ncache = false\n")
    standin.reset()
    try:
        CodeArtifactBackend().get_credential(service, None)
    except DomainNotFound:
        pass  # the stand-in knows none of these domains; the request is what counts
    asked = [(r["domain"], r["owner"], r["region"]) for r in standin.requests()]
    assert asked == ([] if expected is None else [expected]), service[:300]
