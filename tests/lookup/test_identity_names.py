"""identity.who_asks: who asks AWS, in the words ``explain`` shows: the source
botocore's chain would pick, named as botocore would pick it. Pure: files and
environment only. (The cache key does not come from here: see test_fingerprint.)

Each case is checked against botocore itself where botocore can say without a
network call (which profile it picks), and against the rule where it cannot."""

import os
import textwrap
from pathlib import Path

import botocore.exceptions
import botocore.session
import pytest

from keyrings_codeartifact.identity import who_asks
from keyrings_codeartifact.settings import Settings

pytestmark = pytest.mark.windows

ROLE = "arn:aws:iam::111122223333:role/publish"
OTHER_ROLE = "arn:aws:iam::111122223333:role/readonly"


@pytest.fixture
def aws(tmp_path: Path):
    """Write the AWS config and credentials files; return the environment naming them."""
    config, credentials = tmp_path / "config", tmp_path / "credentials"
    config.write_text("")
    credentials.write_text("")

    def files(config_text: str = "", credentials_text: str = "", **environ: str) -> dict:
        config.write_text(textwrap.dedent(config_text))
        credentials.write_text(textwrap.dedent(credentials_text))
        return {"AWS_CONFIG_FILE": str(config), "AWS_SHARED_CREDENTIALS_FILE": str(credentials), **environ}

    return files


def words(environ: dict, **settings) -> str:
    return who_asks(Settings(**settings), environ).words


def kind(environ: dict, **settings) -> str:
    return who_asks(Settings(**settings), environ).kind


KEYS = "[{name}]\naws_access_key_id = {key}\naws_secret_access_key = secret-{key}\n"


def test_profile_variables_in_botocore_order(aws, monkeypatch):
    environ = aws(credentials_text=KEYS.format(name="alice", key="AKIAALICE") + KEYS.format(name="bob", key="AKIABOB"))
    both = {**environ, "AWS_DEFAULT_PROFILE": "alice", "AWS_PROFILE": "bob"}
    assert words(both).startswith("AWS profile: name alice, ") and "AKIAALICE" in words(both)
    assert "name bob" in words({**environ, "AWS_PROFILE": "bob"})
    for name, value in both.items():  # botocore agrees on which profile that is
        monkeypatch.setenv(name, value)
    assert botocore.session.Session().get_config_variable("profile") == "alice"


def test_environment_keys_win_unless_the_settings_name_a_profile(aws):
    environ = aws(credentials_text=KEYS.format(name="bob", key="AKIABOB"),
                  AWS_ACCESS_KEY_ID="AKIAENV", AWS_SECRET_ACCESS_KEY="s", AWS_PROFILE="bob")
    assert words(environ) == "environment keys: id AKIAENV"
    assert kind(environ, profile_name="bob") == "profile" and "AKIABOB" in words(environ, profile_name="bob")


def test_same_profile_name_in_two_credentials_files(aws, tmp_path):
    first = aws(credentials_text=KEYS.format(name="work", key="AKIAONE"), AWS_PROFILE="work")
    other = tmp_path / "other-credentials"
    other.write_text(KEYS.format(name="work", key="AKIATWO"))
    second = {**first, "AWS_SHARED_CREDENTIALS_FILE": str(other)}
    assert str(other) in words(second) and "AKIATWO" in words(second)
    assert "AKIAONE" in words(first)


def test_keys_show_their_id_never_their_secret(aws):
    shown = words(aws(credentials_text=KEYS.format(name="default", key="AKIAALICE")))
    assert "aws access key id AKIAALICE" in shown and "secret" not in shown


def test_role_profile_names_its_role_and_source(aws):
    role = "[profile dev]\nrole_arn = {role}\nsource_profile = base\n"
    shown = words(aws(role.format(role=ROLE), KEYS.format(name="base", key="AKIABASE"), AWS_PROFILE="dev"))
    assert f"role arn {ROLE}" in shown and "source profile base" in shown


def test_sso_profile_names_account_and_role(aws):
    config = """
        [profile sso]
        sso_session = corp
        sso_account_id = 111122223333
        sso_role_name = Publisher
        [sso-session corp]
        sso_start_url = https://corp.awsapps.com/start
        sso_region = us-east-1
        """
    shown = words(aws(config, AWS_PROFILE="sso"))
    assert "sso session corp, sso account id 111122223333, sso role name Publisher" in shown


def test_web_identity_from_the_environment(aws, tmp_path):
    token_file = tmp_path / "web-token"
    token_file.write_text("jwt-one")
    environ = aws(AWS_ROLE_ARN=ROLE, AWS_WEB_IDENTITY_TOKEN_FILE=str(token_file))
    assert kind(environ) == "web-identity"
    assert ROLE in words(environ) and "jwt-one" not in words(environ)


def test_container_credentials(aws):
    task_a = aws(AWS_CONTAINER_CREDENTIALS_FULL_URI="http://user:pass@127.0.0.1:9/creds?secret=1",
                 AWS_CONTAINER_AUTHORIZATION_TOKEN="task-a-secret")
    assert kind(task_a) == "container"
    assert words(task_a) == "container credentials: uri http://127.0.0.1:9/creds, authorization token (set)"


def test_container_loses_to_a_profile_with_keys(aws):
    environ = aws(credentials_text=KEYS.format(name="default", key="AKIAALICE"),
                  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI="/v2/credentials/x")
    assert kind(environ) == "profile"


def test_instance_metadata_is_its_own_kind(aws):
    assert kind(aws()) == "imds"
    assert kind(aws(AWS_EC2_METADATA_DISABLED="true")) == "none"
    assert "endpoint http://127.0.0.1:1/" in words(aws(AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:1/"))


def test_credential_process_shows_its_program_only(aws):
    one = aws("[default]\ncredential_process = /usr/bin/creds --role publish --vault-token hvs.SECRET\n")
    shown = words(one)
    assert shown.endswith("credential process creds ...") and "SECRET" not in shown  # arguments may be secrets


def test_keyringrc_keys_and_role(aws):
    environ = aws(credentials_text=KEYS.format(name="default", key="AKIAALICE"))
    assert words(environ, role_arn=ROLE).endswith(f"then assumes role {ROLE} codeartifact-keyring")
    explicit = who_asks(Settings(aws_access_key_id="AKIAEXPLICIT", aws_secret_access_key="s"), environ)
    assert (explicit.kind, explicit.words) == ("keys", "access key in keyringrc.cfg: id AKIAEXPLICIT")


def test_a_missing_profile_names_itself(aws):
    shown = words(aws(AWS_PROFILE="nope"))
    assert "name nope" in shown and "missing" in shown


def test_an_unparsable_boto_config_names_the_file_botocore_fails_on(aws, tmp_path, monkeypatch):
    boto = tmp_path / "boto.cfg"
    boto.write_text("[Credentials\naws_access_key_id = AKIABOTO\n")  # no closing bracket
    environ = aws(BOTO_CONFIG=str(boto), AWS_EC2_METADATA_DISABLED="true")
    identity = who_asks(Settings(), environ)
    assert identity.kind == "unreadable" and str(boto) in identity.words
    for name in os.environ:  # botocore fails on that file too, before the container or IMDS
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(botocore.exceptions.ConfigParseError):
        botocore.session.Session().get_credentials()
