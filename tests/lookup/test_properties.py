"""Property-based: a token is requested only for exactly the domain, owner and region
an endpoint names; for any near miss, no AWS call at all."""

import re

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from helpers import BIN, closed_port, run, write_keyring_config
from keyrings_codeartifact.backend import CodeArtifactBackend
from keyrings_codeartifact.endpoint import parse
from keyrings_codeartifact.errors import DomainNotFound

pytestmark = pytest.mark.windows

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


# -- parse never raises ----------------------------------------------------------

FRAGMENTS = st.sampled_from([
    "codeartifact", "CODEARTIFACT", "https://", "http://", "//", "[", "]", "[::1]", "@", ":", ":443", ":99999",
    "/", "?", "#", "%", "%5b", ".", "..", "-", "111122223333", "my-team-", ".d.codeartifact.", "us-east-1",
    ".amazonaws.com", ".on.aws", "vpce-0a-b", "/pypi/d/", "\\", " ", "\x00", "é", "\u3002",
])


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.one_of(FRAGMENTS, st.text(max_size=4)), max_size=12).map("".join))
def test_no_service_string_makes_parse_raise(service):
    endpoint = parse(service)
    assert endpoint is None or "codeartifact" in endpoint.host


# -- no secret in any output, whatever the input ------------------------------------
#
# A password is put into the proxy URL, the endpoint override, the service string
# or a config value, among arbitrary text; then the backend looks the URL up and the
# CLI runs `token` and `explain --check` (in this process, so that hypothesis can try
# many inputs). Neither end of the password may appear in an error, a log line, or
# anything printed. Name resolution is refused for all but 127.0.0.1, so no arbitrary
# host is ever looked up on the network.

HEAD, TAIL = "S3CRETa", "S3CRETz"
# Any character, with those that mean something in a URL or a config file drawn often.
URLISH = st.one_of(
    st.sampled_from(list("@:/?#[]%.\\ \t\r\n;=\"'")),
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
)
ANY = st.text(URLISH, max_size=12)
SECRETS = ANY.map(lambda text: f"{HEAD}{text}{TAIL}")
ANY_SCHEME = st.sampled_from(["https://", "http://", "https:/", "//", "", "HTTP://", "socks5://"])
URL_SCHEME = st.sampled_from(["https://", "http://", "https:/", "//", "HTTPS://"])  # URL-like in free text
SERVICE_URL = "https://my-team-111122223333.d.codeartifact.us-east-1.amazonaws.com/pypi/python/simple/"
SERVICE_HOST = SERVICE_URL.split("/")[2]


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """Name resolution for 127.0.0.1 and localhost only; one attempt per AWS call;
    a folder of the test's own as the working directory (a relative cache_dir lands there)."""
    import socket

    monkeypatch.chdir(tmp_path)

    from keyrings_codeartifact import aws

    resolve = socket.getaddrinfo

    def local_only(host, *args, **kwargs):
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise socket.gaierror(socket.EAI_NONAME, "name resolution is off in this test")
        return resolve(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", local_only)
    monkeypatch.setattr(aws.client, "MAX_ATTEMPTS", 1)  # retries only add backoff time here
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)


def test_the_offline_guard_holds(offline):
    import socket

    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("example.com", 443)


def outputs_of_a_lookup(service: str, caplog, capsys) -> list:
    """Errors, log lines and printed text of a backend lookup and of the CLI."""
    from keyring.errors import KeyringError

    from keyrings_codeartifact import cli

    caplog.clear()
    capsys.readouterr()
    texts = []
    try:
        CodeArtifactBackend().get_credential(service, None)
    except KeyringError as error:
        texts.append(str(error))
    cli.main(["token", service])
    cli.main(["explain", "--check", service])
    texts.extend(capsys.readouterr())  # the token printed by `token` goes, unchecked, with the rest
    texts.append(caplog.text)
    return texts


def assert_no_secret(texts: list) -> None:
    for text in texts:
        assert HEAD not in text and TAIL not in text, text[:2000]


LOOKUP_SETTINGS = dict(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@settings(**LOOKUP_SETTINGS)
@given(scheme=ANY_SCHEME, user=ANY, secret=SECRETS, tail=ANY)
def test_no_proxy_password_in_any_output(standin, offline, monkeypatch, caplog, capsys, scheme, user, secret, tail):
    monkeypatch.setenv("HTTPS_PROXY", f"{scheme}{user}:{secret}@127.0.0.1:{closed_port()}{tail}")
    assert_no_secret(outputs_of_a_lookup(SERVICE_URL, caplog, capsys))


@settings(**LOOKUP_SETTINGS)
@given(scheme=ANY_SCHEME, user=ANY, secret=SECRETS, tail=ANY, host=st.sampled_from(["127.0.0.1:{closed}", "127.0.0.1:{standin}", ""]))
def test_no_endpoint_override_password_in_any_output(standin, offline, monkeypatch, caplog, capsys, scheme, user, secret, tail, host):
    host = host.format(closed=closed_port(), standin=standin.url.rsplit(":", 1)[1])
    monkeypatch.setenv("AWS_ENDPOINT_URL_CODEARTIFACT", f"{scheme}{user}:{secret}@{host}{tail}")
    assert_no_secret(outputs_of_a_lookup(SERVICE_URL, caplog, capsys))


@settings(**LOOKUP_SETTINGS)
@given(scheme=ANY_SCHEME, user=ANY, secret=SECRETS, tail=ANY,
       host=st.sampled_from([SERVICE_HOST, "pypi.org", ""]), path=st.sampled_from(["/pypi/python/simple/", ""]))
def test_no_service_string_password_in_any_output(standin, offline, caplog, capsys, scheme, user, secret, tail, host, path):
    assert_no_secret(outputs_of_a_lookup(f"{scheme}{user}:{secret}@{host}{path}{tail}", caplog, capsys))


def _config_options():
    from keyrings_codeartifact.settings import ALIASES, OPTIONS

    return sorted(set(OPTIONS) | set(ALIASES) | {"unknown_option"})


CONFIG_TEXT = st.text(URLISH.filter(lambda c: c not in "\r\n"), max_size=12)  # a value is one line


@settings(**LOOKUP_SETTINGS)
@given(option=st.sampled_from(_config_options()), before=CONFIG_TEXT, scheme=URL_SCHEME, user=CONFIG_TEXT,
       secret=CONFIG_TEXT.map(lambda text: f"{HEAD}{text}{TAIL}"), after=CONFIG_TEXT,
       where=st.sampled_from(["[codeartifact]", '[codeartifact domain="my-team"]']))
# Found by Hypothesis: a log_file that cannot be written was named whole in a debug line.
@example(option="log_file", before="", scheme="//", user="", secret=f"{HEAD}{TAIL}", after="/",
         where="[codeartifact]")
def test_no_config_value_password_in_any_output(standin, offline, caplog, capsys, option, before, scheme, user, secret, after, where):
    if option == "aws_secret_access_key":
        value = secret  # all of it is secret
        extra = "aws_access_key_id = AKIAEXAMPLE\n"
    else:
        value = f"{before}{scheme}{user}:{secret}@{after}"
        extra = ""
    # The file format's own limits: an inline comment (' #', ' ;') ends a value.
    assume(not re.search(r"\s[#;]", value))
    # explain shows the cache folder as a path, which turns '//' into '/': what made
    # the value URL-like is gone. (scheme:/ stays.)
    assume(not (option == "cache_dir" and scheme == "//"))
    write_keyring_config(f"{where}\n{extra}{option} = {value}\n")
    assert_no_secret(outputs_of_a_lookup(SERVICE_URL, caplog, capsys))


# -- our reading of keyringrc.cfg adds nothing slow to keyring's -------------------
#
# One megabyte: a start, one piece repeated, an end. A header's qualifiers once took
# quadratic time; the bound below is a guard against that (seconds to hours), not a
# benchmark. Two shapes are configparser's own, slow in keyring first (it reads the
# file with the stock parser before any backend runs; test_settings shows what it
# does): a long run of spaces that no '=' or ':' follows, and many bad lines (its
# error message grows by concatenation). The pieces leave those out.

SHAPE_STARTS = st.sampled_from([
    "", "[", "[codeartifact", "[codeartifact ", '[codeartifact domain="', "[codeartifact]\n",
    "[codeartifact]\nprofile_name = ", "[codeartifact]\ntoken_duration = ", "[codeartifact]\ntimeout = ",
    "[codeartifact]\nx", "[codeartifact-repositories]\nteam = ", "[DEFAULT]\n",
])
SHAPE_PIECES = st.one_of(
    st.sampled_from(["a", "9", "=", ":", "[", "]", '"', "'", "#", " #", "a#", ";", "@", "//", "\n", "\n ",
                     "k = v\n", "[codeartifact]\n", 'domain="x" ', "codeartifact ", "a b"]),
    st.text(URLISH, min_size=1, max_size=8).filter(lambda piece: piece.strip() and not set(piece) & set("\r\n")),
)
SHAPE_ENDS = st.sampled_from(["", "x]", "]", "]\n", "y = z\n", "y\n", '"]\n', "\n[codeartifact]\n"])


READ_CONFIG = """
import sys
from pathlib import Path
from keyrings_codeartifact import settings
from keyrings_codeartifact.endpoint import parse
from keyrings_codeartifact.errors import ConfigError
path, endpoint = Path(sys.argv[1]), parse(sys.argv[2])
for read in (lambda: settings.with_sources(endpoint, path), lambda: settings.repository_names(path)):
    try:
        read()
    except ConfigError as error:
        assert len(str(error)) < 1000 and "\\n" not in str(error), str(error)[:2000]
"""


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=SHAPE_STARTS, piece=SHAPE_PIECES, end=SHAPE_ENDS)
def test_a_megabyte_keyringrc_of_any_shape_never_hangs_a_lookup(tmp_path, start, piece, end):
    path = tmp_path / "keyringrc.cfg"
    path.write_text(start + piece * (1_000_000 // len(piece.encode())) + end, encoding="utf-8")
    # In a process of its own, so that a quadratic regression (minutes to hours for a
    # megabyte) fails at the timeout instead of hanging the suite. No timed assertion: a
    # linear read takes from 1 s (3.12) to 7 s (3.13.0's configparser, ~3 us a line) here.
    result = run(BIN / "python", "-c", READ_CONFIG, path, SERVICE_URL, timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
