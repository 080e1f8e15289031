"""Endpoint recognition at its edges: each name exactly at its longest and shortest and
one character past, the length and character guards, the parts of a VPC path, and
the fields of what is recognised. Found by `make mutate`."""

import pytest

from keyrings_codeartifact import endpoint
from keyrings_codeartifact.endpoint import Endpoint, parse

pytestmark = pytest.mark.windows

HOST = "my-team-111122223333.d.codeartifact.us-east-1.amazonaws.com"
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


# -- repository names: 2 to 100 characters, a letter or digit first ----------------------

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


# -- host names -----------------------------------------------------------------------------


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
def test_a_trailing_dot_and_a_port_do_not_change_the_host(suffix):
    assert parse(f"https://{HOST}{suffix}/pypi/r1/").host == HOST
    assert parse(f"{HOST}{suffix}").host == HOST


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


# -- the guards before any parsing -------------------------------------------------------------


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


# -- describe and partition ------------------------------------------------------------------


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
