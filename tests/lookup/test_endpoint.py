"""Which service strings name a CodeArtifact endpoint, and which must never get a token."""

import pytest

from keyrings_codeartifact import endpoint
from keyrings_codeartifact.endpoint import Endpoint, parse, partition

pytestmark = pytest.mark.windows

HOST = "my-team-111122223333.d.codeartifact.us-east-1.amazonaws.com"

# (service, expected (form, domain, owner, region, partition, repository))
RECOGNISED = [
    (f"https://{HOST}/pypi/python/simple/", ("standard", "my-team", "111122223333", "us-east-1", "aws", "python")),
    (f"https://{HOST}/pypi/python/", ("standard", "my-team", "111122223333", "us-east-1", "aws", "python")),
    (f"https://{HOST}/pypi/python/simple/requests/", ("standard", "my-team", "111122223333", "us-east-1", "aws", "python")),
    (f"https://{HOST}", ("standard", "my-team", "111122223333", "us-east-1", "aws", None)),
    (f"https://{HOST}/", ("standard", "my-team", "111122223333", "us-east-1", "aws", None)),
    (HOST, ("standard", "my-team", "111122223333", "us-east-1", "aws", None)),
    (f"{HOST}:443", ("standard", "my-team", "111122223333", "us-east-1", "aws", None)),
    (f"{HOST}.", ("standard", "my-team", "111122223333", "us-east-1", "aws", None)),
    (f"https://aws@{HOST}/pypi/python/simple/", ("standard", "my-team", "111122223333", "us-east-1", "aws", "python")),
    (f"https://aws:old-token@{HOST}:443/pypi/python/simple/", ("standard", "my-team", "111122223333", "us-east-1", "aws", "python")),
    (f"https://{HOST}./pypi/python/simple/", ("standard", "my-team", "111122223333", "us-east-1", "aws", "python")),
    (f"HTTPS://{HOST.upper()}/pypi/Python.Repo_1/simple/", ("standard", "my-team", "111122223333", "us-east-1", "aws", "Python.Repo_1")),
    ("https://a1-000000000001.d.codeartifact.eu-central-1.amazonaws.com/pypi/r1/", ("standard", "a1", "000000000001", "eu-central-1", "aws", "r1")),
    ("https://my-team-2-111122223333.d.codeartifact.us-east-1.amazonaws.com/pypi/pp/simple/", ("standard", "my-team-2", "111122223333", "us-east-1", "aws", "pp")),
    ("https://" + "d" * 50 + "-111122223333.d.codeartifact.us-east-1.amazonaws.com/", ("standard", "d" * 50, "111122223333", "us-east-1", "aws", None)),
    ("https://gov-111122223333.d.codeartifact.us-gov-west-1.amazonaws.com/pypi/repo/simple/", ("standard", "gov", "111122223333", "us-gov-west-1", "aws-us-gov", "repo")),
    ("https://cn-111122223333.d.codeartifact.cn-north-1.amazonaws.com.cn/pypi/repo/simple/", ("standard", "cn", "111122223333", "cn-north-1", "aws-cn", "repo")),
    ("cn-111122223333.d.codeartifact.cn-northwest-1.amazonaws.com.cn", ("standard", "cn", "111122223333", "cn-northwest-1", "aws-cn", None)),
    ("https://my-team-111122223333.codeartifact.us-west-2.on.aws/pypi/repo/simple/", ("dualstack", "my-team", "111122223333", "us-west-2", "aws", "repo")),
    ("my-team-111122223333.codeartifact.us-west-2.on.aws:443", ("dualstack", "my-team", "111122223333", "us-west-2", "aws", None)),
    ("https://vpce-0b1c2d3e4f-abcd1234.d.codeartifact.eu-west-1.vpce.amazonaws.com/pypi/d/my-team-111122223333/repo/simple/", ("vpc", "my-team", "111122223333", "eu-west-1", "aws", "repo")),
    ("https://vpce-0b1c2d3e4f-abcd1234.d.codeartifact.eu-west-1.vpce.amazonaws.com/pypi/d/my-team-111122223333/", ("vpc", "my-team", "111122223333", "eu-west-1", "aws", None)),
    ("https://aws@VPCE-0B1C-ABCD.D.CODEARTIFACT.EU-WEST-1.VPCE.AMAZONAWS.COM./pypi/d/my-team-111122223333/repo/", ("vpc", "my-team", "111122223333", "eu-west-1", "aws", "repo")),
]

# Strings that look like CodeArtifact somewhere but are not a CodeArtifact endpoint
# over HTTPS: none of them may ever get a token.
ATTACKS = [
    f"http://{HOST}/pypi/python/simple/",  # clear text
    f"ftp://{HOST}/",
    f"https://{HOST}.evil.com/pypi/python/simple/",  # suffix
    f"https://{HOST}.evil.com",
    f"{HOST}.evil.com",
    f"https://{HOST}@evil.com/pypi/python/simple/",  # userinfo
    f"https://aws:x@{HOST}@evil.com/",
    f"https://evil.com/{HOST}/pypi/python/simple/",  # path
    f"https://evil.com/?next=https://{HOST}/",  # query
    f"https://evil.com/#{HOST}",  # fragment
    f"https://evil.{HOST}/",  # extra label in front
    f"https://{HOST}evil/",
    "https://my-team-11112222333.d.codeartifact.us-east-1.amazonaws.com/",  # 11-digit owner
    "https://my-team-1111222233334.d.codeartifact.us-east-1.amazonaws.com/",  # 13-digit owner
    "https://my-team.d.codeartifact.us-east-1.amazonaws.com/",  # no owner
    "https://111122223333.d.codeartifact.us-east-1.amazonaws.com/",  # no domain
    "https://-team-111122223333.d.codeartifact.us-east-1.amazonaws.com/",
    "https://team--111122223333.d.codeartifact.us-east-1.amazonaws.com/",  # domain ends in hyphen
    "https://" + "d" * 51 + "-111122223333.d.codeartifact.us-east-1.amazonaws.com/",  # domain too long
    "https://my-team-111122223333.codeartifact.us-east-1.amazonaws.com/",  # missing .d
    "https://my-team-111122223333.d.d.codeartifact.us-east-1.amazonaws.com/",  # extra label
    "https://my-team-111122223333.d.codeartifact.amazonaws.com/",  # missing region
    "https://my-team-111122223333.d.codeartifact.us-east-1.amazonaws.org/",
    "https://my-team-111122223333.d.codeartifact.us-east-1.amazonaws.com.cn/",  # cn suffix, non-cn region
    "https://my-team-111122223333.d.codeartifact.cn-north-1.amazonaws.com/",  # cn region, global suffix
    "https://my-team-111122223333.d.codeartifact.us-west-2.on.aws/",  # .d. on dual-stack
    "https://my-team-111122223333.codeartifact.us-west-2.on.aws.evil.com/",
    "https://vpce-0b1c-abcd.d.codeartifact.eu-west-1.vpce.amazonaws.com/pypi/python/simple/",  # no d/DOMAIN-OWNER
    "vpce-0b1c-abcd.d.codeartifact.eu-west-1.vpce.amazonaws.com",  # bare VPC host names no domain
    "https://vpce-0b1c-abcd.d.codeartifact.eu-west-1.vpce.amazonaws.com.evil.com/pypi/d/my-team-111122223333/r/",
    "https://evil.com/pypi/d/my-team-111122223333/repo/simple/",
    f"https://{HOST}\\@evil.com/",  # backslash: browsers read evil.com
    f"https://evil.com\\@{HOST}/",
    f"https://{HOST} /pypi/python/simple/",  # whitespace
    f"https://{HOST}\n.evil.com/",  # control character
    f"https://{HOST}%2eevil.com/",  # percent-encoding in the host
    f"https://{HOST.replace('a', 'а')}/",  # Cyrillic look-alike
    f"https://{HOST.replace('c', 'ｃ')}/",  # full-width look-alike
    f"https://{HOST}:99999/",  # invalid port
    f"https://{HOST}:443:80/",
    f"{HOST}/pypi/python/simple/",  # bare form with a path is not pip's host fallback
    "poetry-repository-codeartifact",
    "python-poetry-check",
    "",
    "https://pypi.org/simple/",
    "https://" + "a" * 100_000 + ".d.codeartifact.us-east-1.amazonaws.com/",
    "https://[codeartifact-mirror]:8080/simple/",  # brackets around a name that is no IP literal
    "https://[codeartifact/",
    "[codeartifact]:443",
    f"https://[{HOST}]/pypi/python/simple/",
    "https://[::1]/pypi/codeartifact/simple/",
]


@pytest.mark.parametrize("service, expected", RECOGNISED)
def test_recognises_codeartifact_endpoints(service, expected):
    endpoint = parse(service)
    assert isinstance(endpoint, Endpoint), service
    form, domain, owner, region, partition, repository = expected
    assert (endpoint.form, endpoint.domain, endpoint.owner, endpoint.region) == (form, domain, owner, region)
    assert endpoint.partition == partition
    assert endpoint.repository == repository


@pytest.mark.parametrize("service", ATTACKS)
def test_rejects_everything_else(service):
    assert parse(service) is None


def test_the_table_is_large_and_half_attacks():
    assert len(RECOGNISED) + len(ATTACKS) >= 40
    assert len(ATTACKS) >= len(RECOGNISED)


def test_rejects_non_strings():
    assert parse(None) is None  # type: ignore[arg-type]
    assert parse(b"https://" + HOST.encode()) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "region, expected",
    [("us-east-1", "aws"), ("eu-west-1", "aws"), ("us-gov-west-1", "aws-us-gov"), ("cn-north-1", "aws-cn")],
)
def test_one_partition_rule_for_parsed_urls_and_bare_regions(region, expected):
    # `setup --domain --region` has a region and no URL: it must name the partition as parse does.
    suffix = ".cn" if expected == "aws-cn" else ""
    parsed = parse(f"https://my-team-111122223333.d.codeartifact.{region}.amazonaws.com{suffix}/pypi/r1/")
    assert parsed.partition == partition(region) == expected


# -- found by `make mutate`: Endpoint recognition at its edges: each name
# exactly at its longest and shortest and one character past, the length and character guards,
# the parts of a VPC path, and the fields of what is recognised.


VPC_HOST = "vpce-0b1c-abcd.d.codeartifact.eu-west-1.vpce.amazonaws.com"


VPC = f"https://{VPC_HOST}/pypi/d/my-team-111122223333"


def test_a_recognised_endpoint_has_every_field():
    assert parse(f"https://aws@{HOST.upper()}.:443/pypi/python/simple/") == Endpoint(
        form="standard", domain="my-team", owner="111122223333", region="us-east-1",
        partition="aws", repository="python", host=HOST,
    )
    assert parse(f"{VPC}/python/") == Endpoint(
        form="vpc", domain="my-team", owner="111122223333", region="eu-west-1",
        partition="aws", repository="python", host=VPC_HOST,
    )
    gov = "my-team-111122223333.codeartifact.us-gov-east-1.on.aws"
    assert parse(gov) == Endpoint("dualstack", "my-team", "111122223333", "us-gov-east-1", "aws-us-gov", None, gov)


NAME_100 = "R" + "e.p_o-" * 16 + "abc"


@pytest.mark.parametrize("name", ["ab", "r1", "1r", NAME_100, "a.", "a-", "a_", "A" * 100])
def test_repository_names_of_2_to_100_characters_are_read(name):
    assert len(name) <= 100
    assert parse(f"https://{HOST}/pypi/{name}/simple/").repository == name
    assert parse(f"https://{HOST}/pypi/{name}").repository == name
    assert parse(f"{VPC}/{name}/simple/").repository == name
    assert parse(f"{VPC}/{name}").repository == name


@pytest.mark.parametrize("name", ["a", NAME_100 + "x", "A" * 101, ".ab", "-ab", "_ab", "a b", "a+b", "a%2eb", "a:b"])
def test_other_repository_names_name_no_repository_and_a_vpc_path_with_one_is_not_ours(name):
    if len(name) == 101:
        assert len(NAME_100 + "x") == 101
    standard = parse(f"https://{HOST}/pypi/{name}/simple/")
    assert standard is None or standard.repository is None
    assert parse(f"{VPC}/{name}/simple/") is None


@pytest.mark.parametrize(
    "path, repository",
    [
        ("/pypi/python/simple/", "python"),
        ("/npm/python/", "python"),
        ("/pypi/python", "python"),
        ("/pypi/python/x/y/z", "python"),
        ("/pypi/", None),
        ("/pypi", None),
        ("/", None),
        ("", None),
        ("/PYPI/python/", None),  # the format is lower case
        ("/py1/python/", None),
        ("//python/", None),
        ("/pypi//python/", None),
        ("/pypi/python//", "python"),
        ("/x/pypi/python/", "pypi"),  # any lower-case format, then the name
    ],
)
def test_the_repository_is_the_second_part_of_the_path(path, repository):
    found = parse(f"https://{HOST}{path}")
    assert (found.domain, found.repository) == ("my-team", repository)


@pytest.mark.parametrize(
    "path, repository",
    [
        ("/pypi/d/my-team-111122223333", None),
        ("/pypi/d/my-team-111122223333/", None),
        ("/pypi/d/my-team-111122223333/python", "python"),
        ("/pypi/d/my-team-111122223333/python/", "python"),
        ("/pypi/d/my-team-111122223333/python/simple/requests/", "python"),
        ("/npm/d/my-team-111122223333/python/", "python"),
    ],
)
def test_a_vpc_path_names_domain_owner_and_repository(path, repository):
    found = parse(f"https://{VPC_HOST}{path}")
    assert (found.form, found.domain, found.owner, found.repository) == ("vpc", "my-team", "111122223333", repository)


@pytest.mark.parametrize(
    "path",
    [
        "", "/", "/pypi/", "/pypi/d/", "/pypi/d/my-team", "/pypi/x/my-team-111122223333/python/",
        "/PYPI/d/my-team-111122223333/", "/pypi/d/my-team-111122223333//", "/pypi/d/my-team-111122223333python/",
        "/pypi/d/My-Team-111122223333/", "/pypi/d/my-team-111122223333x/", "/pypi/d/my-team-111122223333/python//x/../",
        "x/pypi/d/my-team-111122223333/",
    ],
)
def test_other_vpc_paths_are_not_ours(path):
    found = parse(f"https://{VPC_HOST}{path}")
    assert found is None or found.repository == "python"  # "python//x/../" still names python
    if "python" not in path:
        assert found is None


@pytest.mark.parametrize("region", ["us-east-1", "ap-southeast-2", "eu-west-10", "us-gov-west-1", "il-central-1", "xx-y-99"])
def test_regions_of_every_shape_are_read(region):
    found = parse(f"https://my-team-111122223333.d.codeartifact.{region}.amazonaws.com/")
    assert found.region == region and found.host == f"my-team-111122223333.d.codeartifact.{region}.amazonaws.com"


@pytest.mark.parametrize("region", ["us-east-100", "u-east-1", "use-east-1", "us-1", "us--1", "us-east-", "us-east-1a", "1s-east-1", "us-east1"])
def test_other_regions_are_not(region):
    assert parse(f"https://my-team-111122223333.d.codeartifact.{region}.amazonaws.com/") is None


@pytest.mark.parametrize(
    "host",
    [
        "vpce-0b1c-abcd",
        "vpce-0-a-b-c",
        "vpce-0b1c2d3e4f-abcd1234",
    ],
)
def test_vpc_endpoint_ids_of_every_shape_are_read(host):
    found = parse(f"https://{host}.d.codeartifact.eu-west-1.vpce.amazonaws.com/pypi/d/my-team-111122223333/")
    assert found.form == "vpc"
    assert found.host == f"{host}.d.codeartifact.eu-west-1.vpce.amazonaws.com"


@pytest.mark.parametrize("host", ["vpce-0b1c", "vpce--abcd", "vpce-0b1c-", "vpc-0b1c-abcd", "xvpce-0b1c-abcd", "vpce-0b_c-abcd"])
def test_other_vpc_endpoint_ids_are_not(host):
    assert parse(f"https://{host}.d.codeartifact.eu-west-1.vpce.amazonaws.com/pypi/d/my-team-111122223333/") is None


def test_china_vpc_endpoints_need_a_china_region_and_suffix():
    path = "/pypi/d/my-team-111122223333/r1/"
    found = parse(f"https://vpce-0b1c-abcd.d.codeartifact.cn-north-1.vpce.amazonaws.com.cn{path}")
    assert (found.partition, found.repository) == ("aws-cn", "r1")
    assert parse(f"https://vpce-0b1c-abcd.d.codeartifact.cn-north-1.vpce.amazonaws.com{path}") is None
    assert parse(f"https://vpce-0b1c-abcd.d.codeartifact.eu-west-1.vpce.amazonaws.com.cn{path}") is None


@pytest.mark.parametrize("suffix", [".", ":443", ".:443", ":8443"])
def test_a_trailing_dot_and_a_port_do_not_change_the_host_of_an_https_url(suffix):
    assert parse(f"https://{HOST}{suffix}/pypi/r1/").host == HOST


@pytest.mark.parametrize("suffix", ["", ".", ":443", ".:443", ":"])
def test_a_bare_host_without_a_port_or_on_443_is_recognised(suffix):
    assert parse(f"{HOST}{suffix}").host == HOST


@pytest.mark.parametrize("port", ["80", "8080", "8443", "1", "65535", "0443"])
def test_a_bare_host_on_any_other_port_is_not(port):
    """The bare form hides the scheme: ``host:80`` is what pip asks after ``http://host:80/``
    and uv after ``http://host:8080/``; CodeArtifact itself listens on 443 only."""
    assert parse(f"{HOST}:{port}") is None
    assert parse(f"{HOST}.:{port}") is None
    assert parse(f"https://{HOST}:{port}/pypi/r1/").host == HOST  # TLS: the scheme is seen


@pytest.mark.parametrize("service, host", [
    (f"http://{HOST}/pypi/python/simple/", HOST),
    (f"HTTP://aws@{HOST.upper()}.:80/pypi/python/simple/", HOST),
    ("http://my-team-111122223333.codeartifact.us-west-2.on.aws/pypi/r/", "my-team-111122223333.codeartifact.us-west-2.on.aws"),
    (f"https://{HOST}/pypi/python/simple/", None),  # HTTPS: gets its token
    (HOST, None),
    (f"http://{HOST}.evil.com/", None),  # not CodeArtifact either way
    (f"http://evil.com/{HOST}/", None),
    (f"http://{HOST}/\n", None),
    ("http://", None),
])
def test_plain_http_host_names_the_host_of_an_http_codeartifact_url_only(service, host):
    assert endpoint.plain_http_host(service) == host


@pytest.mark.parametrize("service", [f"{HOST}..", f"https://{HOST}../", f".{HOST}", f"{HOST}:", f"{HOST}?x", f"{HOST}#x", f"{HOST}/"])
def test_a_bare_host_is_host_and_port_only(service):
    found = parse(service)
    assert found is None or service == f"{HOST}:"  # an empty port is no port
    if found is not None:
        assert found.host == HOST


@pytest.mark.parametrize("scheme", ["https://", "HTTPS://", "Https://"])
def test_https_in_any_case(scheme):
    assert parse(f"{scheme}{HOST}/").host == HOST


@pytest.mark.parametrize("scheme", ["http://", "https:/", "https:", "://", "https ://", "httpss://", "shttps://", "//"])
def test_no_other_scheme(scheme):
    assert parse(f"{scheme}{HOST}/") is None


def test_a_service_string_of_4096_characters_is_read_and_4097_is_not():
    base = f"https://{HOST}/pypi/python/"
    longest = base + "x" * (endpoint._MAX_LENGTH - len(base))
    assert len(longest) == 4096
    assert parse(longest).repository == "python"
    assert parse(longest + "x") is None


@pytest.mark.parametrize("character", ["\x00", "\x01", "\x1f", " ", "\x7f", "\\", "\t", "\u00a0", "\u2028", "é"])
def test_any_control_whitespace_backslash_or_non_ascii_character_anywhere_is_refused(character):
    for service in (f"https://{HOST}/pypi/python/simple/{character}", f"https://{HOST}/pypi/python{character}/", f"{character}{HOST}"):
        assert parse(service) is None, repr(service)


@pytest.mark.parametrize("character", ["!", "~", "^", "`", "{", "|", "}", "'", '"'])
def test_printable_ascii_after_the_repository_is_no_reason_to_refuse(character):
    assert parse(f"https://{HOST}/pypi/python/simple/{character}").repository == "python"


def test_codeartifact_in_any_case_passes_the_cheap_check():
    assert parse(f"https://{HOST.replace('codeartifact', 'CodeArtifact')}/").host == HOST


def test_describe_names_domain_owner_and_region():
    assert parse(f"https://{HOST}/").describe() == "domain 'my-team' (owner 111122223333, region us-east-1)"
    no_owner = parse(f"https://{HOST}/")._replace(owner="")
    assert no_owner.describe() == "domain 'my-team' (owner the caller's account, region us-east-1)"


@pytest.mark.parametrize(
    "region, partition",
    [("cn-north-1", "aws-cn"), ("us-gov-east-1", "aws-us-gov"), ("us-east-1", "aws"), ("xcn-north-1", "aws"),
     ("cn", "aws"), ("us-gov", "aws"), ("us-govx-1", "aws"), ("eu-cn-1", "aws")],
)
def test_partition_reads_only_the_start_of_the_region(region, partition):
    assert endpoint.partition(region) == partition
