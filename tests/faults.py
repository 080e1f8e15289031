"""Faults users meet, each set up on the stand-in or in the environment, with the
error class and a piece of the message that must tell them what to do."""

import json
import sys

from helpers import ALICE, PLANTED, closed_port, write_aws_file, write_keyring_config


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


# -- AWS files and credential sources botocore rejects (a secret planted in each) --------


def _config(text, credentials="", profile=None):
    """``~/.aws/config`` holding ``text``; the credentials file holding ``credentials``
    (empty by default: alice's keys would win over what the config sets up); AWS_PROFILE
    set to ``profile``, if given."""

    def setup(standin, home, monkeypatch):
        if profile:
            monkeypatch.setenv("AWS_PROFILE", profile)
        write_aws_file(home / ".aws" / "config", text.replace("{planted}", PLANTED))
        write_aws_file(home / ".aws" / "credentials", credentials.replace("{planted}", PLANTED))

    return setup


def _unparsable(name):
    def setup(standin, home, monkeypatch):
        (home / ".aws" / name).write_text(f"aws_secret_access_key = {PLANTED}\n[default]\nregion = us-east-1\n")

    return setup


def _not_utf8(standin, home, monkeypatch):
    (home / ".aws" / "config").write_bytes(f"[default]\nregion = {PLANTED}\xff\n".encode("latin-1"))


def _boto_file(standin, home, monkeypatch):
    (home / ".aws" / "credentials").write_text("")
    (home / "boto.cfg").write_text(f"[Credentials\naws_secret_access_key = {PLANTED}\n")
    monkeypatch.setenv("BOTO_CONFIG", str(home / "boto.cfg"))


def _legacy_file(text):
    """A boto2-era AWS_CREDENTIAL_FILE holding ``text`` (None: naming a file that does not exist)."""

    def setup(standin, home, monkeypatch):
        (home / ".aws" / "credentials").write_text("")
        path = home / "legacy-credentials"
        if text is not None:
            path.write_bytes(_bytes(text))
        monkeypatch.setenv("AWS_CREDENTIAL_FILE", str(path))

    return setup


def _profile(name):
    def setup(standin, home, monkeypatch):
        monkeypatch.setenv("AWS_PROFILE", name)

    return setup


def _web_identity_file_missing(standin, home, monkeypatch):
    (home / ".aws" / "credentials").write_text("")
    monkeypatch.setenv("AWS_ROLE_ARN", "arn:aws:iam::111122223333:role/ci")
    monkeypatch.setenv("AWS_WEB_IDENTITY_TOKEN_FILE", str(home / "no-such-token"))


def _container_token_file_missing(standin, home, monkeypatch):
    (home / ".aws" / "credentials").write_text("")
    monkeypatch.setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", f"http://127.0.0.1:{closed_port()}/creds")
    monkeypatch.setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", str(home / "no-such-token"))


def _process(stdout, exit_code=0, program=None):
    """The default profile's credential_process is a program ``credential-helper`` that
    prints ``stdout`` (a planted secret on stderr) and exits ``exit_code``; its command
    line carries a secret too. ``program``: run that path instead."""

    def setup(standin, home, monkeypatch):
        helper = home / "bin" / "credential-helper"
        helper.parent.mkdir(exist_ok=True)
        helper.write_text(
            f"#!{sys.executable}\nimport sys\nsys.stdout.buffer.write({_bytes(stdout)!r})\n"
            f"sys.stderr.write('the secret is {PLANTED}')\nsys.exit({exit_code})\n"
        )
        helper.chmod(0o755)
        command = program.replace("{home}", str(home)) if program else helper
        _config(f"[default]\ncredential_process = {command} --password {PLANTED}\n")(standin, home, monkeypatch)

    return setup


def _bytes(text):
    """``text`` with the planted secret, as bytes (``\\udcff`` becomes the byte 0xff, which is not UTF-8)."""
    return text.replace("{planted}", PLANTED).encode("utf-8", "surrogateescape")


def _keys(**changes):
    """credential_process output: JSON of alice's keys with ``changes`` (a value None drops that key)."""
    keys = {"Version": 1, "AccessKeyId": ALICE[1], "SecretAccessKey": PLANTED, **changes}
    return json.dumps({name: value for name, value in keys.items() if value is not None})


_ROLE = "role_arn = arn:aws:iam::111122223333:role/r\n"
_CREDENTIALS_FILE = r"(AWS_CREDENTIAL_FILE|(~|/)\S*legacy-credentials)"
_PROCESS = r"the credential_process of AWS profile 'default' \(credential-helper\) failed: "

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
    # AWS files botocore rejects, and credential sources that fail before AWS is called
    "config-unparsable": (_unparsable("config"), "ConfigError", r"the AWS file \S+/\.aws/config cannot be parsed"),
    "credentials-unparsable": (_unparsable("credentials"), "ConfigError", r"the AWS file \S+/\.aws/credentials cannot be parsed"),
    "config-not-utf8": (_not_utf8, "ConfigError", r"the AWS file \S+/\.aws/config cannot be parsed"),
    "boto-file-unparsable": (_boto_file, "ConfigError", r"the AWS file \S+/boto\.cfg cannot be parsed"),
    "legacy-file-without-secret": (_legacy_file("AWSAccessKeyId=AKIALEGACY\nAWSToken={planted}\n"), "ConfigError",
                                   r"the boto2 credentials file \S+ \(AWS_CREDENTIAL_FILE\) has no AWSSecretKey line"),
    "legacy-file-missing": (_legacy_file(None), "ConfigError",
                            r"the boto2 credentials file \S+ \(AWS_CREDENTIAL_FILE\) cannot be read"),
    "legacy-file-not-utf8": (_legacy_file("AWSAccessKeyId=AKIALEGACY\nAWSSecretKey={planted}\udcff\n"), "ConfigError",
                             r"the boto2 credentials file \S+ \(AWS_CREDENTIAL_FILE\) cannot be read"),
    "profile-missing": (_profile("nobody"), "CredentialsError", "AWS profile 'nobody' is not configured"),
    "source-profile-loop": (_config(f"[profile a]\n{_ROLE}source_profile = b\n[profile b]\n{_ROLE}source_profile = a\n", profile="a"),
                            "ConfigError", r"the AWS profiles a, b name each other as source_profile"),
    "source-profile-missing": (_config(f"[default]\n{_ROLE}source_profile = ghost\n"), "ConfigError",
                               r"the AWS config is not valid: The source_profile \"ghost\" .*does not exist"),
    "role-without-source": (_config(f"[default]\n{_ROLE}"), "ConfigError",
                            "the AWS profile 'default' assumes a role but names no source_profile or credential_source"),
    "sso-incomplete": (_config("[default]\nsso_account_id = 111122223333\nsso_role_name = Dev\n"), "ConfigError",
                       r"the AWS config is not valid: .*missing required configuration: sso_start_url, sso_region"),
    "web-identity-file-missing": (_web_identity_file_missing, "ConfigError",
                                  r"the web identity token file \S+no-such-token cannot be read \(No such file"),
    "container-token-file-missing": (_container_token_file_missing, "ConfigError",
                                     r"the container authorization token file \S+no-such-token \(AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE\) cannot be read"),
    "process-not-json": (_process("not json: {planted}\n"), "CredentialsError", _PROCESS + "its output is not JSON"),
    "process-not-utf8": (_process("{planted}\udcff"), "CredentialsError", _PROCESS + "its output is not JSON"),
    "process-exits": (_process("{planted}", exit_code=3), "CredentialsError", _PROCESS + "it exited 3"),
    "process-not-an-object": (_process('["{planted}"]'), "CredentialsError", _PROCESS + "its output is not a JSON object"),
    "process-wrong-version": (_process(_keys(Version="{planted}")), "CredentialsError", _PROCESS + 'its output lacks "Version": 1'),
    "process-missing-key": (_process(_keys(SecretAccessKey=None)), "CredentialsError",
                            _PROCESS + "its output lacks AccessKeyId or SecretAccessKey"),
    "process-bad-expiration": (_process(_keys(Expiration="{planted}")), "CredentialsError",
                               _PROCESS + "its Expiration is not a date"),
    "process-not-found": (_process("", program="{home}/bin/no-such-helper"), "CredentialsError",
                          r"the credential_process of AWS profile 'default' \(no-such-helper\) failed: the program cannot be run \(No such file"),
}
