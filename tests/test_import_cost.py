"""No start-up tax: keyring calls that are not for CodeArtifact never import botocore,
and a lookup that a cached token answers imports neither botocore nor our aws module.
No lookup imports setup's package (keyrings_codeartifact.configure) or its editing
libraries (tomlkit, configupdater): the boundary the configure package's docstring sets."""

import json

from helpers import BIN, URL, run

PROBE = """
import json, sys, keyring
from keyrings_codeartifact.backend import CodeArtifactBackend
CodeArtifactBackend.priority
for service in sys.argv[1:]:
    keyring.get_credential(service, None)
    keyring.get_password(service, "aws")
print(json.dumps(sorted(sys.modules)))
"""


def modules_after(*services: str) -> list:
    result = run(str(BIN / "python"), "-c", PROBE, *services)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def aws_only(modules: list) -> list:
    """The modules of the AWS SDK and our aws module."""
    return [m for m in modules if m.split(".")[0] in ("boto3", "botocore") or m == "keyrings_codeartifact.aws"]


def aws_modules_after(*services: str) -> list:
    return aws_only(modules_after(*services))


def setup_only(modules: list) -> list:
    """The modules of setup's package and of the libraries only it uses."""
    return [m for m in modules if m.split(".")[0] in ("tomlkit", "configupdater") or m.startswith("keyrings_codeartifact.configure")]


def test_plugin_loading_priority_and_other_services_import_no_aws_sdk():
    services = ("https://pypi.org/simple/", "pypi.org", "poetry-repository-x", "python-poetry-check")
    assert aws_modules_after(*services) == []


def test_a_token_from_the_environment_imports_no_aws_sdk_nor_setups_package(monkeypatch):
    monkeypatch.setenv("CODEARTIFACT_AUTH_TOKEN", "from-ci")
    modules = modules_after(URL, "https://pypi.org/simple/")
    assert "keyrings_codeartifact.backend" in modules  # the plugin did answer
    assert aws_only(modules) == [] and setup_only(modules) == []


def test_the_probe_does_see_botocore_when_a_token_is_fetched(standin):
    # Guards the probe itself: a real lookup must show up in sys.modules.
    assert "botocore" in aws_modules_after(URL)


def test_a_cached_token_imports_no_aws_sdk(standin):
    assert "keyrings_codeartifact.aws" in aws_modules_after(URL)  # fetched, and cached
    assert aws_modules_after(URL) == []
    assert len(standin.token_requests()) == 1


def test_a_lookup_never_imports_setups_package_nor_its_editing_libraries(standin):
    others = ("https://pypi.org/simple/", "pypi.org", "poetry-repository-x")
    fetching = modules_after(URL, *others)
    cached = modules_after(URL, *others)
    assert "keyrings_codeartifact.backend" in cached and "keyrings_codeartifact.aws" in fetching
    assert setup_only(fetching) == [] and setup_only(cached) == []
    assert len(standin.token_requests()) == 1  # the second probe's lookup was a cache hit


def test_the_setup_probe_does_see_setups_package(isolated_env):
    # Guards the filter: `setup --dry-run` run in-process shows up in it.
    dry_run = f"import json, sys; from keyrings_codeartifact.cli import main; main(['setup', 'twine', '--dry-run', {URL!r}]); print(json.dumps(sorted(sys.modules)))"
    result = run(str(BIN / "python"), "-c", dry_run)
    assert result.returncode == 0, result.stderr
    seen = setup_only(json.loads(result.stdout.splitlines()[-1]))
    assert {"keyrings_codeartifact.configure.twine", "configupdater"} <= set(seen)
