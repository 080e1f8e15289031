"""identity.resolve: the name of who asks AWS changes exactly when botocore's
answer to "whose credentials?" changes. Pure: files and environment only.

Each case is checked against botocore itself where botocore can say without a
network call (which profile it picks), and against the rule where it cannot."""

import os
import textwrap
from pathlib import Path

import botocore.exceptions
import botocore.session
import pytest

from keyrings_codeartifact.identity import resolve
from keyrings_codeartifact.settings import Settings

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


def key(environ: dict, **settings) -> str:
    return resolve(Settings(**settings), environ).key


KEYS = "[{name}]\naws_access_key_id = {key}\naws_secret_access_key = secret-{key}\n"


def test_profile_variables_in_botocore_order(aws, monkeypatch):
    environ = aws(credentials_text=KEYS.format(name="alice", key="AKIAALICE") + KEYS.format(name="bob", key="AKIABOB"))
    both = {**environ, "AWS_DEFAULT_PROFILE": "alice", "AWS_PROFILE": "bob"}
    only_bob = {**environ, "AWS_PROFILE": "bob"}
    assert key(both) != key(only_bob)
    assert key(both).startswith("profile:alice:")
    for name, value in both.items():  # botocore agrees on which profile that is
        monkeypatch.setenv(name, value)
    assert botocore.session.Session().get_config_variable("profile") == "alice"


def test_environment_keys_win_unless_the_settings_name_a_profile(aws):
    environ = aws(credentials_text=KEYS.format(name="bob", key="AKIABOB"),
                  AWS_ACCESS_KEY_ID="AKIAENV", AWS_SECRET_ACCESS_KEY="s", AWS_PROFILE="bob")
    assert key(environ).startswith("environment:AKIAENV:")
    assert key(environ, profile_name="bob").startswith("profile:bob:")


def test_same_profile_name_in_two_credentials_files(aws, tmp_path):
    first = aws(credentials_text=KEYS.format(name="work", key="AKIAONE"), AWS_PROFILE="work")
    other = tmp_path / "other-credentials"
    other.write_text(KEYS.format(name="work", key="AKIATWO"))
    second = {**first, "AWS_SHARED_CREDENTIALS_FILE": str(other)}
    assert key(first) != key(second)


def test_keys_rotated_in_place(aws):
    before = key(aws(credentials_text=KEYS.format(name="default", key="AKIAALICE")))
    after = key(aws(credentials_text=KEYS.format(name="default", key="AKIABOB")))
    assert before != after
    # The secret key alone changing is the same user's key pair: same identity.
    same_user = aws(credentials_text=KEYS.format(name="default", key="AKIABOB").replace("secret-", "new-"))
    assert key(same_user) == after


def test_role_profile_in_two_config_files_and_its_source(aws, tmp_path):
    role = "[profile dev]\nrole_arn = {role}\nsource_profile = base\n"
    base = KEYS.format(name="base", key="AKIABASE")
    reader = key(aws(role.format(role=OTHER_ROLE), base, AWS_PROFILE="dev"))
    publisher = key(aws(role.format(role=ROLE), base, AWS_PROFILE="dev"))
    assert publisher != reader
    other_source = key(aws(role.format(role=ROLE), KEYS.format(name="base", key="AKIAOTHER"), AWS_PROFILE="dev"))
    assert other_source != publisher


def test_refreshed_sso_session_keeps_the_identity(aws, tmp_path):
    config = """
        [profile sso]
        sso_session = corp
        sso_account_id = 111122223333
        sso_role_name = {role}
        [sso-session corp]
        sso_start_url = https://corp.awsapps.com/start
        sso_region = us-east-1
        """
    environ = aws(config.format(role="Publisher"), AWS_PROFILE="sso")
    first = key(environ)
    cache = Path(environ["AWS_CONFIG_FILE"]).parent / "sso" / "cache"
    cache.mkdir(parents=True)
    (cache / "token.json").write_text('{"accessToken": "new-session"}')  # a new login
    assert key(environ) == first
    assert key(aws(config.format(role="ReadOnly"), AWS_PROFILE="sso")) != first


def test_web_identity_from_the_environment(aws, tmp_path):
    token_file = tmp_path / "web-token"
    token_file.write_text("jwt-one")
    environ = aws(AWS_ROLE_ARN=ROLE, AWS_WEB_IDENTITY_TOKEN_FILE=str(token_file))
    publish = key(environ)
    assert publish.startswith("web-identity:")
    token_file.write_text("jwt-two")  # the token is refreshed: same principal
    assert key(environ) == publish
    assert key({**environ, "AWS_ROLE_ARN": OTHER_ROLE}) != publish
    assert key({**environ, "AWS_ROLE_SESSION_NAME": "other"}) != publish


def test_container_credentials(aws):
    task_a = aws(AWS_CONTAINER_CREDENTIALS_FULL_URI="http://127.0.0.1:9/creds",
                 AWS_CONTAINER_AUTHORIZATION_TOKEN="task-a-secret")
    task_b = {**task_a, "AWS_CONTAINER_AUTHORIZATION_TOKEN": "task-b-secret"}
    assert key(task_a).startswith("container:")
    assert key(task_a) != key(task_b)
    assert key({**task_a, "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:9/other"}) != key(task_a)
    for environ in (task_a, task_b):
        identity = resolve(Settings(), environ)
        assert "secret" not in identity.words + identity.key


def test_container_loses_to_a_profile_with_keys(aws):
    environ = aws(credentials_text=KEYS.format(name="default", key="AKIAALICE"),
                  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI="/v2/credentials/x")
    assert key(environ).startswith("profile:default:")


def test_instance_metadata_is_its_own_kind(aws):
    assert key(aws()).startswith("imds:")
    assert key(aws(AWS_EC2_METADATA_DISABLED="true")).startswith("none:")
    assert key(aws(AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:1/")) != key(aws())


def test_credential_process_command_decides(aws):
    one = aws("[default]\ncredential_process = /usr/bin/creds --role publish --vault-token hvs.SECRET\n")
    words = resolve(Settings(), one).words
    assert words.endswith("credential process creds ...") and "SECRET" not in words  # arguments may be secrets
    publish = key(one)
    assert key(aws("[default]\ncredential_process = /usr/bin/creds --role readonly\n")) != publish


def test_keyringrc_keys_and_role(aws):
    environ = aws(credentials_text=KEYS.format(name="default", key="AKIAALICE"))
    plain = key(environ)
    with_role = key(environ, role_arn=ROLE)
    assert with_role != plain and with_role != key(environ, role_arn=OTHER_ROLE)
    assert key(environ, aws_access_key_id="AKIAEXPLICIT", aws_secret_access_key="s").startswith("keys:AKIAEXPLICIT:")


def test_a_missing_profile_names_itself(aws):
    identity = resolve(Settings(), aws(AWS_PROFILE="nope"))
    assert identity.key.startswith("profile:nope:")
    assert "missing" in identity.words


def test_an_unparsable_boto_config_names_the_file_botocore_fails_on(aws, tmp_path, monkeypatch):
    boto = tmp_path / "boto.cfg"
    boto.write_text("[Credentials\naws_access_key_id = AKIABOTO\n")  # no closing bracket
    environ = aws(BOTO_CONFIG=str(boto), AWS_EC2_METADATA_DISABLED="true")
    identity = resolve(Settings(), environ)
    assert identity.kind == "unreadable" and str(boto) in identity.words
    boto.write_text("[Credentials\naws_access_key_id = AKIAOTHER\n")
    assert resolve(Settings(), environ).key != identity.key  # its bytes decide
    for name in os.environ:  # botocore fails on that file too, before the container or IMDS
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(botocore.exceptions.ConfigParseError):
        botocore.session.Session().get_credentials()
