"""Faults users meet, each set up on the stand-in or in the environment, with the
error class and a piece of the message that must tell them what to do."""

from helpers import ALICE, closed_port, write_aws_file, write_keyring_config


def _fault(name):
    def setup(standin, home, monkeypatch):
        standin.fault = name

    return setup


def _stall(standin, home, monkeypatch):
    standin.fault = "stall"
    write_keyring_config("[codeartifact]\ntimeout = 1\n")


def _refused(standin, home, monkeypatch):
    url = f"https://127.0.0.1:{closed_port()}"
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")  # straight there, even behind the e2e proxy
    monkeypatch.setenv("AWS_ENDPOINT_URL_CODEARTIFACT", url)
    write_keyring_config(f"[codeartifact]\nendpoint_url = {url}\ntimeout = 2\n")


def _wrong_secret(standin, home, monkeypatch):
    write_aws_file(
        home / ".aws" / "credentials",
        f"[default]\naws_access_key_id = {ALICE[1]}\naws_secret_access_key = wrong-secret\n",
    )


def _no_credentials(standin, home, monkeypatch):
    (home / ".aws" / "credentials").unlink()


def _sso_expired(standin, home, monkeypatch):
    write_aws_file(
        home / ".aws" / "config",
        "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Dev\n"
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n",
    )
    write_keyring_config("[codeartifact]\nprofile_name = dev\n")


def _unknown_domain(standin, home, monkeypatch):
    standin.domains.discard(("my-team", "111122223333"))


# name -> (set-up, error class name, a regular expression for what the message must say)
FAULTS = {
    "throttled": (_fault("throttle"), "Throttled", r"AWS throttled the request even after retries"),
    "server-error": (_fault("error"), "ServiceError", r"CodeArtifact answered InternalServerException \(HTTP 500\)"),
    "expired-credentials": (_fault("expired"), "CredentialsError", r"AWS rejected the credentials \(ExpiredTokenException\)"),
    "validation": (_fault("invalid"), "ServiceError", "AWS rejected the request"),
    "denied": (_fault("deny"), "AccessDenied", "needs codeartifact:GetAuthorizationToken and sts:GetServiceBearerToken"),
    # Through an HTTPS proxy (as in the end-to-end tests) a reset is the tunnel failing.
    "connection-reset": (_fault("reset"), "Unreachable", r"could not connect to CodeArtifact|the proxy \S+ refused or failed"),
    "never-answers": (_stall, "Unreachable", "did not answer in time"),
    "connection-refused": (_refused, "Unreachable", "could not connect to CodeArtifact at https://127.0.0.1:"),
    "invalid-credentials": (_wrong_secret, "CredentialsError", r"AWS rejected the credentials \(InvalidSignatureException\)"),
    "no-credentials": (_no_credentials, "CredentialsError", "no AWS credentials found"),
    "sso-expired": (_sso_expired, "CredentialsError", r"run `aws sso login --profile dev`"),
    "unknown-domain": (_unknown_domain, "DomainNotFound", "no such domain"),
}
