"""No start-up tax: keyring calls that are not for CodeArtifact never import botocore,
and a lookup that a cached token answers imports neither botocore nor our aws module."""

import json

from helpers import BIN, URL, run

PROBE = """
import json, sys, keyring
from keyrings_codeartifact.backend import CodeArtifactBackend
CodeArtifactBackend.priority
for service in sys.argv[1:]:
    keyring.get_credential(service, None)
    keyring.get_password(service, "aws")
aws = [m for m in sys.modules if m.split(".")[0] in ("boto3", "botocore") or m == "keyrings_codeartifact.aws"]
print(json.dumps(sorted(aws)))
"""


def aws_modules_after(*services: str) -> list:
    result = run(str(BIN / "python"), "-c", PROBE, *services)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_plugin_loading_priority_and_other_services_import_no_aws_sdk():
    services = ("https://pypi.org/simple/", "pypi.org", "poetry-repository-x", "python-poetry-check")
    assert aws_modules_after(*services) == []


def test_a_token_from_the_environment_imports_no_aws_sdk(monkeypatch):
    monkeypatch.setenv("CODEARTIFACT_AUTH_TOKEN", "from-ci")
    assert aws_modules_after(URL) == []


def test_the_probe_does_see_botocore_when_a_token_is_fetched(standin):
    # Guards the probe itself: a real lookup must show up in sys.modules.
    assert "botocore" in aws_modules_after(URL)


def test_a_cached_token_imports_no_aws_sdk(standin):
    assert "keyrings_codeartifact.aws" in aws_modules_after(URL)  # fetched, and cached
    assert aws_modules_after(URL) == []
    assert len(standin.token_requests()) == 1
