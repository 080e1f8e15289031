"""How keyringrc.cfg sections and options resolve for an endpoint (no AWS involved)."""

import textwrap

import pytest

from keyrings_codeartifact.endpoint import parse
from keyrings_codeartifact.errors import ConfigError
from keyrings_codeartifact.settings import Settings, load

pytestmark = pytest.mark.windows

ENDPOINT = parse("https://my-team-111122223333.d.codeartifact.us-east-1.amazonaws.com/pypi/python/simple/")


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "keyringrc.cfg"

    def write(text: str):
        path.write_text(textwrap.dedent(text))
        return path

    return write


def test_no_file_means_defaults(tmp_path, capsys):
    assert load(ENDPOINT, tmp_path / "missing.cfg") == Settings()
    assert capsys.readouterr() == ("", "")


def test_a_file_with_only_keyrings_own_section(config):
    assert load(ENDPOINT, config("[backend]\ndefault-keyring = keyring.backends.fail.Keyring\n")) == Settings()


def test_defaults_section(config):
    path = config("[codeartifact]\nprofile_name = dev\ntoken_duration = 1800\nverify = false\ntimeout = 2.5\n")
    assert load(ENDPOINT, path) == Settings(profile_name="dev", token_duration=1800, verify=False, timeout=2.5)


def test_most_specific_section_wins_option_by_option(config):
    path = config(
        """
        [codeartifact]
        profile_name = default-profile
        token_duration = 1800

        [codeartifact domain="my-team" account="111122223333" name="python"]
        profile_name = three-keys

        [codeartifact domain="my-team"]
        profile_name = one-key
        token_duration = 900

        [codeartifact account="111122223333" region="us-east-1"]
        profile_name = two-keys
        """
    )
    settings = load(ENDPOINT, path)
    assert settings.profile_name == "three-keys"
    assert settings.token_duration == 900  # from the one-key section, over the defaults


def test_sections_for_other_endpoints_do_not_apply(config):
    path = config(
        """
        [codeartifact domain="other"]
        profile_name = other-domain
        [codeartifact account="999999999999"]
        profile_name = other-account
        [codeartifact region="eu-west-1"]
        profile_name = other-region
        [codeartifact name="release"]
        profile_name = other-repository
        """
    )
    assert load(ENDPOINT, path) == Settings()


def test_name_never_matches_an_endpoint_without_a_repository(config):
    path = config('[codeartifact name="python"]\nprofile_name = repo\n')
    bare = parse("my-team-111122223333.d.codeartifact.us-east-1.amazonaws.com")
    assert load(bare, path).profile_name is None
    assert load(ENDPOINT, path).profile_name == "repo"


def test_equally_specific_sections_later_one_wins(config):
    path = config(
        """
        [codeartifact domain="my-team"]
        profile_name = first
        [codeartifact region="us-east-1"]
        profile_name = second
        """
    )
    assert load(ENDPOINT, path).profile_name == "second"


def test_keyrings_codeartifact_syntax_quotes_comments_and_aliases(config):
    path = config(
        """
        [codeartifact domain=my-team account='111122223333' region="US-EAST-1"]
        token_duration = 900 # inline comment, as keyrings.codeartifact allows
        assume_role = arn:aws:iam::111122223333:role/reader
        assume_role_session_name = laptop
        """
    )
    settings = load(ENDPOINT, path)
    assert settings.token_duration == 900
    assert settings.role_arn == "arn:aws:iam::111122223333:role/reader"
    assert settings.role_session_name == "laptop"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("[codeartifact]\ntoken_duration = 899\n", "invalid token_duration in section [codeartifact] of {path}: '899' is not allowed; use 0 (as long as the AWS role session) or 900 to 43200 seconds"),
        ("[codeartifact]\ntoken_duration = 43201\n", "invalid token_duration in section [codeartifact] of {path}: '43201' is not allowed"),
        ("[codeartifact]\ntoken_duration = \u00b2\n", "invalid token_duration in section [codeartifact] of {path}: '\u00b2' is not allowed; use 0"),
        ("[codeartifact]\ntoken_duration = " + "9" * 300_000 + "\n", "invalid token_duration in section [codeartifact] of {path}: '999"),
        ("[codeartifact]\ntimeout = never\n", "invalid timeout in section [codeartifact] of {path}: 'never' is not allowed"),
        ("[codeartifact]\nverify = /no/such/bundle.pem\n", "invalid verify in section [codeartifact] of {path}: '/no/such/bundle.pem' is neither true, false nor an existing CA bundle file"),
        ("[codeartifact]\nendpoint_url = http://vpce.example\n", "invalid endpoint_url in section [codeartifact] of {path}: 'http://vpce.example' is not an https:// URL"),
        ("[codeartifact]\nrole_arn = reader\n", "invalid role_arn in section [codeartifact] of {path}: 'reader' is not an IAM role ARN"),
        ("[codeartifact]\nrole_arn = arn:aws:iam::111122223333:role/r\nrole_session_name = a b\n", "invalid role_session_name"),
        ("[codeartifact]\nexternal_id = x\n", "invalid external_id in section [codeartifact] of {path}: it is only used with role_arn"),
        ("[codeartifact]\naws_access_key_id = AKIAEXAMPLE\n", "invalid aws_access_key_id in section [codeartifact] of {path}: aws_access_key_id and aws_secret_access_key go together"),
        ("[codeartifact]\nprofile_name =\n", "invalid profile_name in section [codeartifact] of {path}: it is empty"),
        ("[codeartifact]\nprofile = dev\n", "unknown option 'profile' in section [codeartifact] of {path}; known options: profile_name, "),
        ('[codeartifact domian="my-team"]\n', "unknown key 'domian' in section header [codeartifact domian=\"my-team\"] of {path}; use domain, account, region, name"),
        ('[codeartifact domain="my-team" what]\n', "cannot read section header [codeartifact domain=\"my-team\" what] in {path}"),
        ("[codeartifact]\n[codeartifact]\n", "cannot read {path}: While reading from"),
    ],
)
def test_invalid_settings_are_one_line_errors(config, text, expected):
    path = config(text)
    with pytest.raises(ConfigError) as caught:
        load(ENDPOINT, path)
    message = str(caught.value)
    assert message.startswith("codeartifact-keyring: " + expected.format(path=path))
    assert "\n" not in message


def test_a_secret_is_never_echoed_in_an_error(config):
    path = config("[codeartifact]\naws_secret_access_key = s3cr3t/value\ntoken_duration = 1\n")
    with pytest.raises(ConfigError) as caught:
        load(ENDPOINT, path)
    assert "s3cr3t" not in str(caught.value)
    path = config("[codeartifact]\naws_secret_access_key = s3cr3t/value\n")
    with pytest.raises(ConfigError) as caught:
        load(ENDPOINT, path)
    assert "s3cr3t" not in str(caught.value)


def test_errors_in_sections_for_other_endpoints_are_not_raised(config):
    path = config('[codeartifact domain="other"]\ntoken_duration = 5\n')
    assert load(ENDPOINT, path) == Settings()


def test_a_relative_cache_dir_is_refused_without_echoing_a_password_in_it(config):
    # Found by test_properties' search: cache_dir's own message quoted the value whole.
    path = config("[codeartifact]\ncache_dir = https://:S3CRETaS3CRETz@\n")
    with pytest.raises(ConfigError) as caught:
        load(ENDPOINT, path)
    assert "S3CRET" not in str(caught.value) and "invalid cache_dir" in str(caught.value)


# -- odd files: bounded time, bounded messages -------------------------------------------


def test_userinfo_in_endpoint_url_is_refused_without_echoing_it(config):
    path = config("[codeartifact]\nendpoint_url = https://u:S3CRET#1@vpce.example\n")
    with pytest.raises(ConfigError) as caught:
        load(ENDPOINT, path)
    assert "S3CRET" not in str(caught.value)
    assert "invalid endpoint_url in section [codeartifact]" in str(caught.value)
    path = config("[codeartifact]\nendpoint_url = http://u:S3CRET@vpce.example/\n")
    with pytest.raises(ConfigError) as caught:
        load(ENDPOINT, path)
    assert "S3CRET" not in str(caught.value) and "'http://vpce.example/' is not an https:// URL" in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        "[codeartifact]\ntoken_duration = " + "x" * 1_000_000 + "\n",
        "[codeartifact]\n" + "o" * 1_000_000 + " = 1\n",
        '[codeartifact domain="' + "d" * 1_000_000 + '" what]\n',
        "[codeartifact]\n[" + "s" * 1_000_000 + "]\n[" + "s" * 1_000_000 + "]\n",
    ],
    ids=["value", "option", "header", "duplicate-section"],
)
def test_a_huge_value_is_not_echoed_whole(config, text):
    with pytest.raises(ConfigError) as caught:
        load(ENDPOINT, config(text))
    assert len(str(caught.value)) < 1000


# A header that once took quadratic time (finditer tried every position): 40,000
# characters took 19 s. Our headers are read in one pass, and a long one is refused.
def test_a_long_header_is_one_short_error(config):
    with pytest.raises(ConfigError) as caught:
        load(ENDPOINT, config("[codeartifact" + " " * 40_000 + "x]\n"))
    assert "too long" in str(caught.value) and len(str(caught.value)) < 1000


def test_a_header_longer_than_any_real_one_is_an_error(config):
    path = config('[codeartifact domain="' + "d" * 600 + '"]\n')
    with pytest.raises(ConfigError) as caught:
        load(ENDPOINT, path)
    assert "section header" in str(caught.value) and "too long" in str(caught.value)


# -- owners ---------------------------------------------------------------------------------


def test_owners_are_read_as_account_ids(config):
    path = config("[codeartifact]\nowners = 111122223333, 444455556666,777788889999\n")
    assert load(ENDPOINT, path).owners == ("111122223333", "444455556666", "777788889999")
    assert load(ENDPOINT, config("[codeartifact]\n")).owners is None


@pytest.mark.parametrize(
    "value, problem",
    [
        ("11112222333", "'11112222333' is not a 12-digit AWS account id"),
        ("111122223333, x", "'x' is not a 12-digit AWS account id"),
        ("111122223333,,444455556666", "'' is not a 12-digit AWS account id"),
    ],
)
def test_invalid_owners(config, value, problem):
    with pytest.raises(ConfigError) as caught:
        load(ENDPOINT, config(f"[codeartifact]\nowners = {value}\n"))
    assert "invalid owners in section [codeartifact] of " in str(caught.value)
    assert problem in str(caught.value)


def test_owners_belong_in_the_defaults_section_only(config):
    with pytest.raises(ConfigError) as caught:
        load(ENDPOINT, config('[codeartifact domain="my-team"]\nowners = 111122223333\n'))
    assert "owners is read only in [codeartifact]" in str(caught.value)


@pytest.mark.parametrize(
    "text, problem",
    [
        ("profile_name = dev\n", "line 1 comes before any [section]: "),
        ("[codeartifact]\nprofile_name = dev\njust words\n", "line 3 is neither a [section] nor option = value: "),
        ("[codeartifact]\n" + "x\n" * 200_000, "line 2 is neither a [section] nor option = value: "),
    ],
    ids=["no-section", "no-delimiter", "many-bad-lines"],
)
def test_a_file_configparser_cannot_read_names_the_first_bad_line(config, text, problem):
    path = config(text)
    with pytest.raises(ConfigError) as caught:
        load(ENDPOINT, path)
    assert str(caught.value).startswith(f"codeartifact-keyring: cannot read {path}: {problem}")
