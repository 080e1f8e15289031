"""Every endpoint form and every attack, through ``keyring.get_credential`` in a fresh
process (plugin found through its entry point), against the stand-in: tokens are
requested for exactly the right domain, owner and region, and for nothing else."""

import json

import pytest
from test_endpoint import ATTACKS, RECOGNISED

from helpers import BIN, run

LOOKUP = """
import json, sys, keyring
results = []
for service in json.load(sys.stdin):
    credential = keyring.get_credential(service, None)
    results.append(None if credential is None else [credential.username, credential.password])
print(json.dumps(results))
"""


def lookup_all(services: list) -> list:
    result = run(str(BIN / "python"), "-c", LOOKUP, stdin=json.dumps(services))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def corpus_standin(standin):
    for _, (_, domain, owner, _, _, _) in RECOGNISED:
        standin.add_domain(domain, owner)
    return standin


def test_attacks_get_nothing_and_cause_no_api_call(corpus_standin):
    assert lookup_all(ATTACKS) == [None] * len(ATTACKS)
    assert corpus_standin.requests() == []


def test_every_endpoint_form_gets_a_token_for_exactly_its_domain_owner_and_region(corpus_standin):
    services = [service for service, _ in RECOGNISED] + ATTACKS
    results = lookup_all(services)

    expected = set()
    for (service, (_, domain, owner, region, _, _)), result in zip(RECOGNISED, results):
        assert result is not None, service
        username, token = result
        issued = corpus_standin.issued[token]
        assert username == "aws"
        assert (issued["domain"], issued["owner"], issued["region"]) == (domain, owner, region), service
        expected.add((domain, owner, region))
    assert results[len(RECOGNISED):] == [None] * len(ATTACKS)

    requested = [(r["domain"], r["owner"], r["region"]) for r in corpus_standin.requests()]
    assert all(r["api"] == "GetAuthorizationToken" and r["status"] == 200 for r in corpus_standin.requests())
    assert sorted(requested) == sorted(expected)  # one call per endpoint, none for attacks
