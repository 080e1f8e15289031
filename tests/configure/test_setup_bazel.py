"""`codeartifact-keyring setup bazel`: the .bazelrc lines that send every CodeArtifact host
form of a region (and only those) to the helper, written once, keeping the user's file."""

import pytest

from bazel_client import BazelClient, helpers_in
from helpers import BIN, CLI, run

HELPER = str(BIN / "codeartifact-credential-helper")
ORIGINAL = b"\xef\xbb\xbf# team settings\r\nbuild --jobs=4 \\\r\n  --keep_going\r\ntry-import %workspace%/user.bazelrc\r\n"


def setup(*args) -> tuple:
    result = run(CLI, "setup", "bazel", *args)
    return result.returncode, result.stdout, result.stderr


@pytest.fixture
def bazelrc(tmp_path):
    path = tmp_path / ".bazelrc"
    path.write_bytes(ORIGINAL)
    return path


def test_lines_are_added_after_the_user_s_own_which_stay_byte_for_byte(bazelrc):
    code, out, err = setup("--region", "us-east-1", "--bazelrc", bazelrc)
    assert (code, err) == (0, "")
    data = bazelrc.read_bytes()
    assert data.startswith(ORIGINAL) and data.count(b"\r\n") == data.count(b"\n")  # CRLF kept for new lines too
    assert helpers_in(bazelrc) == [
        ("*.d.codeartifact.us-east-1.amazonaws.com", HELPER),
        ("*.codeartifact.us-east-1.on.aws", HELPER),
        ("*.d.codeartifact.us-east-1.vpce.amazonaws.com", HELPER),
    ]
    assert "7.1" in out and "7.4" in out  # which Bazel honours expires
    assert setup("--region", "us-east-1", "--bazelrc", bazelrc)[1].startswith(f"{bazelrc}: already set up, unchanged")
    assert bazelrc.read_bytes() == data


def test_every_host_form_the_helper_answers_is_routed_to_it_and_nothing_else(bazelrc, tmp_path):
    from keyrings_codeartifact.endpoint import parse

    assert setup("--region", "eu-west-1", "--region", "cn-north-1", "--bazelrc", bazelrc)[0] == 0
    client = BazelClient(helpers_in(bazelrc), tmp_path)
    ours = [
        "https://dd-111122223333.d.codeartifact.eu-west-1.amazonaws.com/pypi/rr/simple/x/",
        "https://dd-111122223333.codeartifact.eu-west-1.on.aws/pypi/rr/simple/x/",
        "https://vpce-0a1-b2.d.codeartifact.eu-west-1.vpce.amazonaws.com/pypi/d/dd-111122223333/rr/simple/",
        "https://dd-111122223333.d.codeartifact.cn-north-1.amazonaws.com.cn/pypi/rr/simple/x/",
        "https://vpce-0a1-b2.d.codeartifact.cn-north-1.vpce.amazonaws.com.cn/pypi/d/dd-111122223333/rr/simple/",
    ]
    others = ["https://dd-111122223333.d.codeartifact.us-east-1.amazonaws.com/pypi/rr/simple/",
              "https://pypi.org/simple/", "https://s3.eu-west-1.amazonaws.com/bucket/x"]
    assert all(parse(uri) for uri in ours)
    assert [client.helper_for(uri) for uri in ours] == [HELPER] * len(ours)
    assert [client.helper_for(uri) for uri in others] == [None] * len(others)


def test_dry_run_shows_a_diff_and_writes_nothing(bazelrc):
    code, out, _ = setup("--region", "us-west-2", "--bazelrc", bazelrc, "--dry-run")
    assert code == 0 and f"+++ {bazelrc}" in out
    assert f"+common --credential_helper=*.d.codeartifact.us-west-2.amazonaws.com={HELPER}" in out
    assert bazelrc.read_bytes() == ORIGINAL


def test_dry_run_shows_no_header_credential_of_the_users_bazelrc(bazelrc):
    # A .bazelrc often carries a remote cache's or BES's Authorization header: its value
    # was shown in the diff's context lines.
    bazelrc.write_text("build --remote_header=Authorization=Bearer S3CRETa1\n"
                       'common --bes_header="Authorization=Basic S3CRETa2"\n'
                       "build --remote_header=x-api-key=S3CRETa3\n")
    code, out, _ = setup("--region", "us-west-2", "--bazelrc", bazelrc, "--dry-run")
    assert code == 0 and "S3CRET" not in out
    assert " build --remote_header=Authorization=Bearer ****" in out  # the line is shown, masked
    assert f"+common --credential_helper=*.d.codeartifact.us-west-2.amazonaws.com={HELPER}" in out


def test_a_moved_helper_is_updated_in_place_and_another_helper_is_left_alone(bazelrc):
    old = "common --credential_helper=*.d.codeartifact.us-east-1.amazonaws.com=/old/bin/codeartifact-credential-helper\n"
    bazelrc.write_text("# mine\n" + old + "build --jobs=2\n")
    code, out, _ = setup("--region", "us-east-1", "--bazelrc", bazelrc)
    assert code == 0 and "now goes to" in out
    lines = bazelrc.read_text().splitlines()
    assert lines[:3] == ["# mine", old.strip().replace("/old/bin/codeartifact-credential-helper", HELPER),
                         "build --jobs=2"]
    assert len(helpers_in(bazelrc)) == 3

    foreign = "common --credential_helper=*.codeartifact.eu-west-1.on.aws=%workspace%/tools/uv-auth-helper\n"
    bazelrc.write_text(foreign)
    code, out, err = setup("--region", "eu-west-1", "--bazelrc", bazelrc)
    assert code == 1 and len(err.splitlines()) == 1 and "another helper" in err
    assert bazelrc.read_text() == foreign


@pytest.mark.parametrize("args", [["--region", "mars-1"], ["--region", "us-east-1", "--helper", "bin/helper"],
                                  ["--region", "us-east-1", "--helper", "/path with space/helper"]])
def test_bad_usage_is_one_line_and_exit_2(bazelrc, args):
    code, out, err = setup(*args, "--bazelrc", bazelrc)
    assert code == 2 and len(err.splitlines()) == 1 and err.startswith("codeartifact-keyring: ")
    assert bazelrc.read_bytes() == ORIGINAL


@pytest.mark.parametrize("helper", ["codeartifact-credential-helper", "%workspace%/tools/codeartifact-credential-helper"])
def test_a_name_on_path_or_a_workspace_path_is_written_as_given(bazelrc, helper):
    assert setup("--region", "us-east-1", "--helper", helper, "--bazelrc", bazelrc)[0] == 0
    assert {path for _, path in helpers_in(bazelrc)} == {helper}


def test_the_user_s_bazelrc_is_the_default(isolated_env):
    assert setup("--region", "us-east-1")[0] == 0
    assert len(helpers_in(isolated_env / ".bazelrc")) == 3
