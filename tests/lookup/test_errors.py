"""Failures as users meet them: one actionable line, a KeyringError, no secret."""

import os
import re
import sys

import pytest
from keyring.errors import KeyringError

from faults import FAULTS
from helpers import ALICE, PLANTED, URL, closed_port, write_aws_file, write_keyring_config
from keyrings_codeartifact import aws, errors
from keyrings_codeartifact.backend import CodeArtifactBackend

pytestmark = pytest.mark.windows


def failure(expected: type) -> str:
    """Look up URL, expect ``expected``, check the message's shape and return it."""
    with pytest.raises(expected) as caught:
        CodeArtifactBackend().get_credential(URL, None)
    assert isinstance(caught.value, KeyringError)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("codeartifact-keyring: ")
    assert "domain 'my-team' (owner 111122223333, region us-east-1)" in message
    assert ALICE[2] not in message
    return message


# What some faults must say besides FAULTS' advice, and what the stand-in must have seen
# (the error of each logged request: none at all when the fault is found before AWS is asked).
_ALSO_SAYS = {
    "no-credentials": ("aws configure", "aws sso login"),
    "throttled": ("try again",),
    "connection-refused": ("check your network",),
    "unknown-domain": ("check the domain, owner and region",),
}
# The faults whose hand-written tests ran on Windows before this table replaced them.
_ON_WINDOWS = {"no-credentials", "invalid-credentials", "denied", "unknown-domain", "throttled", "server-error",
               "connection-refused", "never-answers", "sso-expired"}
_STANDIN_SAW = {
    "no-credentials": [],
    "sso-expired": [],
    "invalid-credentials": ["InvalidSignatureException"],
    "throttled": ["throttle"] * 3,  # botocore standard mode: 3 attempts
    "server-error": ["error"] * 3,
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_each_fault_is_one_actionable_keyring_error(fault, standin_with_domain, isolated_env, monkeypatch):
    if sys.platform == "win32" and fault not in _ON_WINDOWS:
        pytest.skip("not run on Windows yet (POSIX scripts and paths in the set-up or the message)")
    set_up, error_class, advice = FAULTS[fault]
    set_up(standin_with_domain, isolated_env, monkeypatch)
    message = failure(getattr(errors, error_class))
    assert re.search(advice, message), message
    assert PLANTED not in message
    assert all(phrase in message for phrase in _ALSO_SAYS.get(fault, ())), message
    if fault in _STANDIN_SAW:
        assert [r.get("error") for r in standin_with_domain.requests()] == _STANDIN_SAW[fault]


def test_untrusted_certificate(standin, monkeypatch):
    monkeypatch.delenv("AWS_CA_BUNDLE")
    message = failure(errors.Unreachable)
    assert "TLS certificate check failed" in message and "AWS_CA_BUNDLE" in message


def test_profile_not_found(standin):
    write_keyring_config("[codeartifact]\nprofile_name = nobody\n")
    message = failure(errors.CredentialsError)
    assert "AWS profile 'nobody' is not configured" in message


def test_role_that_may_not_be_assumed(standin):
    role = "arn:aws:iam::111122223333:role/forbidden"
    standin.denied_roles.add(role)
    write_keyring_config(f"[codeartifact]\nrole_arn = {role}\n")
    message = failure(errors.AccessDenied)
    assert f"not allowed to assume role {role}" in message


def test_invalid_setting_names_file_section_option_and_what_is_allowed(standin):
    path = write_keyring_config('[codeartifact domain="my-team"]\ntoken_duration = 60\n')
    with pytest.raises(errors.ConfigError) as caught:
        CodeArtifactBackend().get_credential(URL, None)
    message = str(caught.value)
    assert message == (
        f"codeartifact-keyring: invalid token_duration in section "
        f'[codeartifact domain="my-team"] of {path}: \'60\' is not allowed; '
        "use 0 (as long as the AWS role session) or 900 to 43200 seconds"
    )
    assert standin.requests() == []


def test_invalid_settings_do_not_disturb_other_services(standin):
    write_keyring_config("[codeartifact]\ntoken_duration = soon\n")
    assert CodeArtifactBackend().get_credential("https://pypi.org/simple/", None) is None


# -- connection and proxy failures: the host and the kind, never the SDK's text ----------


@pytest.mark.parametrize("password", ["Xk9pS3CRETz#1", "S3C/RET", "S3C?RET", "S3C@RET", "S3C RET", "S3C\nRET"])
def test_a_proxy_password_never_appears_whatever_it_holds(standin, monkeypatch, password):
    port = closed_port()
    monkeypatch.setenv("HTTPS_PROXY", f"http://user:{password}@127.0.0.1:{port}/")
    monkeypatch.delenv("NO_PROXY", raising=False)
    message = failure(errors.Unreachable)
    assert "S3C" not in message and "Xk9p" not in message
    assert f"127.0.0.1:{port}" in message  # the proxy is named


def test_a_refused_proxy_says_so(standin, monkeypatch):
    port = closed_port()
    monkeypatch.setenv("HTTPS_PROXY", f"http://user:proxy-pass@127.0.0.1:{port}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    message = failure(errors.Unreachable)
    assert f"the proxy http://127.0.0.1:{port} refused or failed the connection to CodeArtifact (connection refused)" in message


def test_userinfo_in_the_endpoint_override_never_appears(standin, monkeypatch):
    port = closed_port()
    monkeypatch.setenv("AWS_ENDPOINT_URL_CODEARTIFACT", f"https://u:S3CRET@127.0.0.1:{port}")
    message = failure(errors.Unreachable)
    assert "S3CRET" not in message
    assert f"could not connect to CodeArtifact at https://127.0.0.1:{port} (connection refused)" in message
    assert "authorization-token" not in message  # the host, not the whole request URL


@pytest.mark.parametrize("url", ["https://u:S3C#RET@127.0.0.1:9", "https://[u:S3CRET@127.0.0.1:9", "u:S3CRET@127.0.0.1:9"])
def test_an_endpoint_override_botocore_cannot_read_is_one_line(standin, monkeypatch, url):
    monkeypatch.setenv("AWS_ENDPOINT_URL_CODEARTIFACT", url)
    message = failure(errors.ConfigError)
    assert "S3C" not in message
    assert "cannot be read" in message and "AWS_ENDPOINT_URL_CODEARTIFACT" in message


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX script as the credential_process")
def test_a_credential_process_that_never_ends_is_stopped(standin, isolated_env, monkeypatch):
    helper = isolated_env / "bin" / "credential-helper"
    helper.parent.mkdir()
    pid_file = isolated_env / "helper.pid"
    helper.write_text(f"#!/bin/sh\necho $$ > '{pid_file}'\nexec sleep 600\n")
    helper.chmod(0o755)
    write_aws_file(isolated_env / ".aws" / "config", f"[default]\ncredential_process = {helper} --password {PLANTED}\n")
    (isolated_env / ".aws" / "credentials").write_text("")
    monkeypatch.setattr(aws.client, "PROCESS_TIMEOUT", 2.0)
    message = failure(errors.CredentialsError)
    assert "the credential_process of AWS profile 'default' (credential-helper) failed: it did not finish in 2 s, and was stopped" in message
    with pytest.raises(ProcessLookupError):  # stopped and reaped, not left running
        os.kill(int(pid_file.read_text()), 0)
    assert standin.requests() == []
