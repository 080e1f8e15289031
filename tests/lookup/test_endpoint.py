"""Which service strings name a CodeArtifact endpoint, and which must never get a token."""

import pytest

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
