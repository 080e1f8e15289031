"""How keyringrc.cfg sections and options resolve for an endpoint (no AWS involved)."""

import sys
import textwrap
from pathlib import Path

import pytest

from keyrings_codeartifact import settings
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


# -- found by `make mutate`: keyringrc.cfg at its edges: every spelling of a
# boolean, each number exactly at its bounds and one step past, header keys in any case, and
# the defaults section alone (what `cache clear` reads to find a configured cache_dir).


def refused(path, endpoint=ENDPOINT) -> str:
    """The one-line error loading ``path`` for ``endpoint`` gives (fails if it loads)."""
    with pytest.raises(ConfigError) as caught:
        load(endpoint, path)
    return str(caught.value)


TRUE = ["true", "TRUE", "True", "yes", "YES", "Yes", "1", "on", "ON", "On"]


FALSE = ["false", "FALSE", "False", "no", "NO", "No", "0", "off", "OFF", "Off"]


@pytest.mark.parametrize("option", ["cache", "verify"])
@pytest.mark.parametrize("text, value", [*((t, True) for t in TRUE), *((f, False) for f in FALSE)])
def test_every_spelling_of_true_and_false_in_any_case(config, option, text, value):
    assert getattr(load(ENDPOINT, config(f"[codeartifact]\n{option} = {text}\n")), option) is value


@pytest.mark.parametrize("text", ["y", "n", "t", "f", "2", "enabled", "truee", "yes please", "-1"])
def test_anything_else_is_not_a_boolean(config, text):
    path = config(f"[codeartifact]\ncache = {text}\n")
    assert refused(path).endswith(f"invalid cache in section [codeartifact] of {path}: '{text}' is neither true nor false")


def test_verify_takes_a_bundle_file_by_path_or_from_home_and_nothing_else(config, isolated_env):
    (isolated_env / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\n")
    assert load(ENDPOINT, config(f"[codeartifact]\nverify = {isolated_env / 'ca.pem'}\n")).verify == str(isolated_env / "ca.pem")
    assert Path(load(ENDPOINT, config("[codeartifact]\nverify = ~/ca.pem\n")).verify) == isolated_env / "ca.pem"
    message = refused(config("[codeartifact]\nverify = yes-ish\n"))
    assert message.endswith("'yes-ish' is neither true, false nor an existing CA bundle file")
    message = refused(config(f"[codeartifact]\nverify = {isolated_env}\n"))  # a folder is no bundle file
    assert "is neither true, false nor an existing CA bundle file" in message


def test_parse_option_converts_as_the_file_does():
    assert settings.parse_option("verify", " On ") is True
    assert settings.parse_option("cache", "OFF") is False
    assert settings.parse_option("token_duration", "900") == 900
    assert settings.parse_option("profile_name", " dev ") == "dev"
    with pytest.raises(ValueError, match="it is empty"):
        settings.parse_option("profile_name", "  ")


@pytest.mark.parametrize("text, value", [("0", 0), ("900", 900), ("00900", 900), ("43200", 43200), (" 3600 ", 3600)])
def test_token_durations_at_the_bounds_are_taken(config, text, value):
    assert load(ENDPOINT, config(f"[codeartifact]\ntoken_duration = {text}\n")).token_duration == value


@pytest.mark.parametrize("text", ["1", "899", "43201", "99999", "000900", "-900", "+900", "900.0", "9e2", ""])
def test_token_durations_past_the_bounds_are_refused(config, text):
    message = refused(config(f"[codeartifact]\ntoken_duration = {text}\n"))
    if text:
        assert message.endswith(f"'{text}' is not allowed; use 0 (as long as the AWS role session) or 900 to 43200 seconds")
    else:
        assert "it is empty" not in message and "'' is not allowed" in message


# (option, values taken, values refused, what the error says is allowed)
SECONDS = [
    ("timeout", ["0.001", "1", "300", "300.0", "2.5"], ["0", "0.0", "-0", "-1", "300.001", "301", "nan", "inf", "-inf", "x"],
     "use a number of seconds above 0 up to 300"),
    ("refresh_margin", ["0", "0.0", "-0", "1", "3600"], ["-0.001", "-1", "3600.001", "3601", "nan", "inf", "x"],
     "use a number of seconds from 0 up to 3600"),
    ("advisory_margin", ["0", "1", "7200"], ["-0.001", "7200.001", "7201", "nan", "inf", "x"],
     "use a number of seconds from 0 up to 7200"),
]


@pytest.mark.parametrize("option, taken, _refused, _allowed", SECONDS, ids=[row[0] for row in SECONDS])
def test_seconds_at_the_bounds_are_taken(config, option, taken, _refused, _allowed):
    for text in taken:
        assert getattr(load(ENDPOINT, config(f"[codeartifact]\n{option} = {text}\n")), option) == float(text), text


@pytest.mark.parametrize("option, _taken, refused_, allowed", SECONDS, ids=[row[0] for row in SECONDS])
def test_seconds_past_the_bounds_are_refused_and_the_error_names_the_bounds(config, option, _taken, refused_, allowed):
    for text in refused_:
        path = config(f"[codeartifact]\n{option} = {text}\n")
        assert refused(path).endswith(f"invalid {option} in section [codeartifact] of {path}: '{text}' is not allowed; {allowed}"), text


def test_margins_and_timeout_default_to_the_token_rules():
    assert (Settings().refresh_margin, Settings().advisory_margin, Settings().timeout) == (300.0, 900.0, 10.0)


@pytest.mark.parametrize(
    "header",
    [
        '[codeartifact domain="MY-TEAM"]',
        '[codeartifact domain="My-Team" region="US-EAST-1"]',
        "[codeartifact region='Us-East-1' account=111122223333]",
        '[codeartifact domain=my-team account="111122223333" region="us-east-1" name="python"]',
        '[codeartifact\tdomain="my-team"]',
        '[codeartifact domain="my-team"   ]',
    ],
)
def test_headers_that_name_the_endpoint_apply(config, header):
    assert load(ENDPOINT, config(f"{header}\nprofile_name = dev\n")).profile_name == "dev"


@pytest.mark.parametrize(
    "header",
    [
        '[codeartifact name="Python"]',  # repository names keep their case
        '[codeartifact account="111122223334"]',
        '[codeartifact domain="my-tea"]',
        '[codeartifact region="us-east-2"]',
        '[codeartifact domain="my-team" name="other"]',
        "[codeartifactx]",  # not ours at all
        '[codeartifact-other domain="my-team"]',
        "[Codeartifact]",
    ],
)
def test_headers_that_name_another_endpoint_or_are_not_ours_do_not_apply(config, header):
    assert load(ENDPOINT, config(f"{header}\nprofile_name = dev\n")).profile_name is None


def test_a_header_at_the_longest_allowed_is_read_and_one_character_more_is_refused(config):
    def section(length: int) -> str:
        """A section name of ``length`` characters that names another repository."""
        prefix = 'codeartifact domain="my-team" name="'
        return prefix + "x" * (length - len(prefix) - 1) + '"'

    assert len(section(settings.MAX_HEADER)) == settings.MAX_HEADER
    assert load(ENDPOINT, config(f"[{section(settings.MAX_HEADER)}]\nprofile_name = dev\n")).profile_name is None
    path = config(f"[{section(settings.MAX_HEADER + 1)}]\nprofile_name = dev\n")
    assert f"is too long ({settings.MAX_HEADER + 1} characters, at most {settings.MAX_HEADER})" in refused(path)


def test_the_most_specific_section_wins_whatever_the_order(config):
    path = config(
        """
        [codeartifact domain="my-team" account="111122223333" region="us-east-1" name="python"]
        profile_name = four
        [codeartifact domain="my-team" account="111122223333" region="us-east-1"]
        profile_name = three
        [codeartifact domain="my-team"]
        profile_name = one
        [codeartifact]
        profile_name = none
        """
    )
    resolution = settings.with_sources(ENDPOINT, path)
    assert resolution.settings.profile_name == "four"
    assert resolution.sources == {"profile_name": '[codeartifact domain="my-team" account="111122223333" region="us-east-1" name="python"]'}
    assert resolution.sections == [
        "[codeartifact]",
        '[codeartifact domain="my-team"]',
        '[codeartifact domain="my-team" account="111122223333" region="us-east-1"]',
        '[codeartifact domain="my-team" account="111122223333" region="us-east-1" name="python"]',
    ]
    assert resolution.path == path


def test_load_none_reads_the_defaults_section_and_no_qualified_one(config):
    path = config(
        """
        [codeartifact]
        cache_dir = ~/tokens
        cache = off
        [codeartifact domain="my-team"]
        cache_dir = /elsewhere
        profile_name = dev
        token_duration = 1
        """
    )
    assert load(None, path) == Settings(cache_dir="~/tokens", cache=False)


def test_load_none_reads_keyrings_config_file_when_no_path_is_given(isolated_env):
    from helpers import write_keyring_config

    write_keyring_config(f"[codeartifact]\ncache_dir = {isolated_env / 'tokens'}\n")
    assert load(None).cache_dir == str(isolated_env / "tokens")
    assert settings.with_sources(None).path == settings.config_path()


def test_load_none_still_refuses_a_bad_defaults_section(config):
    path = config("[codeartifact]\ncache_dir = relative/tokens\n")
    assert "is relative to whatever folder the client runs in" in refused(path, endpoint=None)


def test_options_of_a_section_that_does_not_apply_are_not_checked(config):
    path = config('[codeartifact domain="other"]\nno_such_option = 1\n[codeartifact]\nprofile_name = dev\n')
    assert load(ENDPOINT, path).profile_name == "dev"
    path = config('[codeartifact domain="my-team"]\nno_such_option = 1\n')
    assert "unknown option 'no_such_option'" in refused(path)


def test_keys_set_together_are_taken(config):
    path = config("[codeartifact]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = s3cr3t\n")
    found = load(ENDPOINT, path)
    assert (found.aws_access_key_id, found.aws_secret_access_key) == ("AKIAEXAMPLE", "s3cr3t")
    message = refused(config("[codeartifact]\naws_secret_access_key = s3cr3t\n"))
    assert "invalid aws_secret_access_key in section [codeartifact]" in message and "s3cr3t" not in message


def test_the_section_that_set_the_lone_option_is_named(config):
    path = config('[codeartifact]\n[codeartifact domain="my-team"]\nexternal_id = x\n')
    assert 'invalid external_id in section [codeartifact domain="my-team"]' in refused(path)
    path = config('[codeartifact domain="my-team"]\naws_access_key_id = AKIAEXAMPLE\n')
    assert 'invalid aws_access_key_id in section [codeartifact domain="my-team"]' in refused(path)
    path = config('[codeartifact domain="my-team"]\nowners = 111122223333\n')
    assert 'invalid owners in section [codeartifact domain="my-team"]' in refused(path)


def test_role_arn_and_session_name_at_their_bounds(config):
    arn = "arn:aws:iam::111122223333:role/"
    ok = load(ENDPOINT, config(f"[codeartifact]\nrole_arn = {arn}{'r' * 512}\nrole_session_name = ab\nexternal_id = e\n"))
    assert (len(ok.role_arn), ok.role_session_name, ok.external_id) == (len(arn) + 512, "ab", "e")
    assert load(ENDPOINT, config(f"[codeartifact]\nrole_session_name = {'s' * 64}\n")).role_session_name == "s" * 64
    assert load(ENDPOINT, config("[codeartifact]\nassume_role = arn:aws-cn:iam::111122223333:role/r\n")).role_arn.startswith("arn:aws-cn:")
    for text in (f"role_arn = {arn}{'r' * 513}", "role_arn = arn:aws-eu:iam::111122223333:role/r",
                 "role_arn = arn:aws:iam::11112222333:role/r", "role_session_name = a", f"role_session_name = {'s' * 65}"):
        assert "invalid role" in refused(config(f"[codeartifact]\n{text}\n")), text


MESSAGES = [
    ("cache_dir = tokens", "'tokens' is relative to whatever folder the client runs in; use an absolute path, or one starting with ~"),
    ("endpoint_url = HTTPS://vpce.example", "'HTTPS://vpce.example' is not an https:// URL"),
    ("endpoint_url = https://vpce.example/x y", "'https://vpce.example/x y' is not an https:// URL"),
    ("endpoint_url = https:///x", "'https:///x' is not an https:// URL"),
    ("endpoint_url = https://aws@vpce.example/", "'https://vpce.example/' holds a user:password@ (or an @); the API takes none, remove it"),
    ("owners = 111122223333, 44445555666", "'44445555666' is not a 12-digit AWS account id; write owners = 111122223333, 444455556666"),
    ("owners = 111122223333,", "'' is not a 12-digit AWS account id; write owners = 111122223333, 444455556666"),
    ("role_arn = reader", "'reader' is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME)"),
    ("role_session_name = a", "'a' is not allowed; use 2 to 64 of letters, digits and +=,.@_-"),
]


@pytest.mark.parametrize("line, problem", MESSAGES, ids=[line for line, _ in MESSAGES])
def test_each_refusal_says_what_is_allowed(config, line, problem):
    path = config(f"[codeartifact]\n{line}\n")
    option = line.split(" = ")[0]
    assert refused(path) == f"codeartifact-keyring: invalid {option} in section [codeartifact] of {path}: {problem}"


@pytest.mark.parametrize("url", ["https://vpce.example", "https://vpce.example/", "https://vpce-1.api.codeartifact.eu-west-1.vpce.amazonaws.com/x?y=1"])
def test_an_https_endpoint_url_is_taken_as_written(config, url):
    assert load(ENDPOINT, config(f"[codeartifact]\nendpoint_url = {url}\n")).endpoint_url == url


def test_an_absolute_or_home_cache_dir_is_taken_as_written(config, tmp_path):
    for cache_dir in ("~/tokens", "~", str(tmp_path / "tokens")):
        assert load(ENDPOINT, config(f"[codeartifact]\ncache_dir = {cache_dir}\n")).cache_dir == cache_dir


def test_repository_names_are_lower_cased_with_their_urls_stripped(config):
    path = config(
        "[codeartifact]\nprofile_name = dev\n[codeartifact-repositories]\n"
        "Private = https://my-team-111122223333.d.codeartifact.us-east-1.amazonaws.com/pypi/python/\n"
        "other =\n    https://other-111122223333.d.codeartifact.us-east-1.amazonaws.com/pypi/r2/\n"  # on the next line
    )
    assert settings.repository_names(path) == {
        "private": "https://my-team-111122223333.d.codeartifact.us-east-1.amazonaws.com/pypi/python/",
        "other": "https://other-111122223333.d.codeartifact.us-east-1.amazonaws.com/pypi/r2/",
    }


def test_no_repositories_section_means_no_names(config, tmp_path):
    assert settings.repository_names(config("[codeartifact]\nprofile_name = dev\n")) == {}
    assert settings.repository_names(tmp_path / "missing.cfg") == {}


def test_repository_names_come_from_keyrings_config_file_by_default(isolated_env):
    from helpers import write_keyring_config

    write_keyring_config("[codeartifact-repositories]\nmine = https://example.invalid/\n")
    assert settings.repository_names() == {"mine": "https://example.invalid/"}


@pytest.mark.parametrize(
    "text, problem",
    [
        ("profile_name = dev\n", "line 1 comes before any [section]: profile_name = dev "),
        ("[codeartifact]\nprofile_name = dev\njust words\n", "line 3 is neither a [section] nor option = value: "
         + ("just words " if sys.version_info >= (3, 13) else "'just words\\n'")),  # configparser's own words
        ('[codeartifact domain="my-team" what]\n', None),
    ],
)
def test_an_unreadable_line_is_shown_in_the_error(config, text, problem):
    path = config(text)
    if problem is None:
        problem = "; write it as [codeartifact domain=\"D\" account=\"123456789012\" region=\"R\" name=\"REPO\"]"
        assert refused(path) == f'codeartifact-keyring: cannot read section header [codeartifact domain="my-team" what] in {path}{problem}'
    else:
        assert refused(path) == f"codeartifact-keyring: cannot read {path}: {problem}"


def test_a_long_first_error_line_is_shown_up_to_300_characters(config, tmp_path):
    import configparser

    def error_line(name: str) -> str:
        """What configparser says about a duplicate section ``name`` in the config file."""
        path = config(f"[{name}]\n[{name}]\n")
        try:
            configparser.RawConfigParser().read(path, encoding="utf-8")
        except configparser.DuplicateSectionError as error:
            return str(error).splitlines()[0]
        raise AssertionError("configparser read a duplicate section")

    base = len(error_line("s"))
    for length in (300, 301):
        name = "s" * (1 + length - base)
        line = error_line(name)
        assert len(line) == length
        path = tmp_path / "keyringrc.cfg"
        shown = refused(path).split(f"cannot read {path}: ", 1)[1]
        assert shown == (line if length == 300 else f"{line[:300]}... (301 characters)")


def test_a_too_long_header_is_shown_cut(config):
    section = 'codeartifact domain="' + "d" * 600 + '"'
    path = config(f"[{section}]\n")
    assert refused(path) == (
        f"codeartifact-keyring: section header [{section[:200]}... (622 characters)] in {path} "
        "is too long (622 characters, at most 512)"
    )


def test_a_second_key_in_a_header_is_read_where_the_first_ended(config):
    path = config('[codeartifact region="us-east-1" domain="other"]\nprofile_name = dev\n')
    assert load(ENDPOINT, path).profile_name is None
    path = config('[codeartifact domain="my-team" name="python" account=111122223333]\nprofile_name = dev\n')
    assert load(ENDPOINT, path).profile_name == "dev"


def test_owners_in_a_qualified_section_names_the_file(config):
    path = config('[codeartifact region="us-east-1"]\nowners = 111122223333\n')
    assert refused(path) == (
        f'codeartifact-keyring: invalid owners in section [codeartifact region="us-east-1"] of {path}: '
        "owners is read only in [codeartifact], where it bounds every lookup"
    )


def test_a_default_section_is_a_section_like_any_other(config):
    # configparser would merge [DEFAULT] into every section, and so into ours.
    path = config("[DEFAULT]\nfoo = 1\nprofile_name = other\n[codeartifact]\nprofile_name = dev\n")
    assert load(ENDPOINT, path) == Settings(profile_name="dev")


@pytest.mark.parametrize("comment", [" # a comment", " ; a comment", "\t# tab", "  ;"])
def test_inline_comments_start_with_either_mark(config, comment):
    assert load(ENDPOINT, config(f"[codeartifact]\nprofile_name = dev{comment}\n")).profile_name == "dev"


def test_the_file_is_read_as_utf8_whatever_the_locale(config):
    path = config("x")
    path.write_bytes("[codeartifact]\nprofile_name = d\u00e9v-\u00fc\n".encode("utf-8"))
    assert load(ENDPOINT, path).profile_name == "d\u00e9v-\u00fc"
    path.write_bytes(b"[codeartifact]\nprofile_name = d\xe9v\n")  # Latin-1: no UTF-8
    assert refused(path).startswith(f"codeartifact-keyring: cannot read {path}: ")
