"""`codeartifact-keyring token URL --format ...`: the variables and netrc line other tools
read, to stdout, to a 0600 file, or to $GITHUB_ENV after masking; bad combinations are
one-line usage errors before AWS is asked; and real uv, twine and pip use what it wrote."""

import os
import stat

import pytest
from test_cli import CLI, assert_one_line_error

from helpers import URL, run

HOST = URL.split("/")[2]


def token_of(standin) -> str:
    """The one token this test's lookups got (the stand-in keeps every token it has issued)."""
    assert len(standin.token_requests()) == 1
    return list(standin.issued)[-1]


@pytest.mark.parametrize(
    "options, expected",
    [
        (["--format", "env"], "CODEARTIFACT_AUTH_TOKEN={t}\n"),
        (["--format", "uv-env"], "UV_INDEX_PYTHON_USERNAME=aws\nUV_INDEX_PYTHON_PASSWORD={t}\n"),
        (["--format", "uv-env", "--name", "my-index.2"], "UV_INDEX_MY_INDEX_2_USERNAME=aws\nUV_INDEX_MY_INDEX_2_PASSWORD={t}\n"),
        (["--format", "twine-env"], "TWINE_USERNAME=aws\nTWINE_PASSWORD={t}\n"),
        (["--format", "netrc"], f"machine {HOST} login aws password {{t}}\n"),
    ],
)
def test_each_format_on_stdout(standin, options, expected):
    result = run(CLI, "token", URL, *options)
    assert result.returncode == 0, result.stderr
    assert result.stdout == expected.format(t=token_of(standin))


def test_output_is_a_0600_file_and_replaces_an_open_one(standin, tmp_path):
    existing = tmp_path / "uv.env"
    existing.write_text("OLD=1\n" * 50)
    os.chmod(existing, 0o644)
    result = run(CLI, "token", URL, "--format", "uv-env", "--output", existing)
    assert result.returncode == 0 and result.stdout == "" and result.stderr == ""
    assert stat.S_IMODE(existing.stat().st_mode) == 0o600
    assert existing.read_text() == f"UV_INDEX_PYTHON_USERNAME=aws\nUV_INDEX_PYTHON_PASSWORD={token_of(standin)}\n"
    made = tmp_path / "netrc"
    assert run(CLI, "token", URL, "--format", "netrc", "--output", made).returncode == 0
    assert stat.S_IMODE(made.stat().st_mode) == 0o600


def test_output_never_goes_through_a_link(standin, tmp_path):
    target = tmp_path / "shared.txt"
    target.write_text("untouched\n")
    (tmp_path / "link").symlink_to(target)
    line = assert_one_line_error(run(CLI, "token", URL, "--format", "env", "--output", tmp_path / "link"), 2)
    assert line.startswith(f"codeartifact-keyring: cannot write {tmp_path / 'link'}: ")
    assert target.read_text() == "untouched\n"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to make another user's file")
def test_output_never_fills_another_users_file(standin, tmp_path):
    # Run as root (many CI containers), a 0666 file another user planted at the path was
    # emptied, chmod-ed 0600 (still theirs) and given the token.
    planted = tmp_path / "uv.env"
    planted.write_text("theirs\n")
    os.chown(planted, 65534, 65534)
    planted.chmod(0o666)
    line = assert_one_line_error(run(CLI, "token", URL, "--format", "uv-env", "--output", planted), 2)
    assert "another user's file" in line
    assert planted.read_text() == "theirs\n" and standin.issued  # a token was had, and not written


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs and hard links")
def test_output_refuses_a_fifo_and_a_file_with_other_names(standin, tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    line = assert_one_line_error(run(CLI, "token", URL, "--format", "env", "--output", fifo, timeout=60), 2)
    assert line.startswith(f"codeartifact-keyring: cannot write {fifo}: ")
    linked = tmp_path / "linked"
    linked.write_text("untouched\n")
    os.link(linked, tmp_path / "other-name")
    line = assert_one_line_error(run(CLI, "token", URL, "--format", "env", "--output", linked), 2)
    assert "other names" in line and linked.read_text() == "untouched\n"


@pytest.mark.parametrize("suffix", ["\nBASH_ENV=/tmp/evil", "\r", " x", "\x1b[2J"])
def test_a_token_with_a_line_break_or_control_character_is_never_written(standin, tmp_path, monkeypatch, suffix):
    # A hostile endpoint_url (or a proxy in between) answering a token with a line break
    # would add a line of its own to $GITHUB_ENV (BASH_ENV= runs code in later steps) and
    # defeat ::add-mask::, which masks one line.
    standin.token_suffix = suffix
    github_env = tmp_path / "github_env"
    github_env.write_text("")
    monkeypatch.setenv("GITHUB_ENV", str(github_env))
    result = run(CLI, "token", URL, "--format", "env", "--github-env")
    line = assert_one_line_error(result, 1)
    assert "whitespace or control characters" in line
    assert github_env.read_text() == "" and "BASH_ENV" not in result.stdout


def test_github_env_masks_first_and_appends(standin, tmp_path, monkeypatch):
    github_env = tmp_path / "github_env"
    github_env.write_text("EARLIER=kept\n")
    monkeypatch.setenv("GITHUB_ENV", str(github_env))
    result = run(CLI, "token", URL, "--format", "twine-env", "--github-env")
    assert result.returncode == 0, result.stderr
    token = token_of(standin)
    assert result.stdout == f"::add-mask::{token}\n" and result.stderr == ""
    assert github_env.read_text() == f"EARLIER=kept\nTWINE_USERNAME=aws\nTWINE_PASSWORD={token}\n"


@pytest.mark.parametrize(
    "options, message",
    [
        (["--output", "x"], "--output and --github-env need --format"),
        (["--format", "env", "--json"], "--format and --json do not go together"),
        (["--format", "env", "--github-env"], "--github-env: GITHUB_ENV is not set"),
        (["--format", "netrc", "--github-env"], "--github-env takes variables"),
        (["--format", "uv-env", "--name", "a b"], "--name: use the uv index's name"),
        (["--format", "env", "--output", "x", "--github-env"], "choose one of --output and --github-env"),
    ],
)
def test_options_that_do_not_go_together(standin, options, message, monkeypatch):
    if "netrc" in options or "--output" in options and "--github-env" in options:
        monkeypatch.setenv("GITHUB_ENV", os.devnull)
    line = assert_one_line_error(run(CLI, "token", URL, *options), 2)
    assert message in line
    assert standin.requests() == []


def test_uv_env_needs_a_name_when_the_url_has_no_repository(standin):
    bare = URL.split("/pypi/")[0] + "/"
    line = assert_one_line_error(run(CLI, "token", bare, "--format", "uv-env"), 2)
    assert "--format uv-env needs --name NAME" in line
    assert standin.requests() == []
