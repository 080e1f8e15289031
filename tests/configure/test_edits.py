"""configure.files, .ini, .toml, .toml_edit and .masking: files are edited as text and
spliced back into their own bytes (byte order mark, line endings, every untouched line
as it was); INI edits through configupdater keep indentation; writes are atomic and
keep the mode; a diff shows no secret."""

import configparser
import sys
from pathlib import Path

import pytest

from keyrings_codeartifact.configure import files, ini, masking, toml, toml_edit

pytestmark = pytest.mark.windows


def original(tmp_path: Path, data: bytes) -> files.Original:
    path = tmp_path / "file"
    path.write_bytes(data)
    return files.read(path)


def ini_after(found: files.Original, section: str, key: str, value: str) -> bytes:
    updater = ini.parse(found)
    ini.set_value(updater, section, key, value)
    return files.render(found, ini.text(updater))


def configparser_reads(data: bytes) -> dict:
    parser = configparser.RawConfigParser()
    parser.read_string(files.decode(data))
    return {name: dict(parser.items(name)) for name in parser.sections()}


def test_a_missing_file_reads_as_empty(tmp_path):
    found = files.read(tmp_path / "none")
    assert (found.exists, found.raw, found.text) == (False, b"", "")
    assert files.render(found, "[global]\na = 1\n") == b"[global]\na = 1\n"


def test_crlf_and_a_byte_order_mark_are_kept_and_new_lines_follow_them(tmp_path):
    found = original(tmp_path, b"\xef\xbb\xbf# mine\r\n[global]\r\ntimeout = 1\r\n")
    assert found.text == "# mine\n[global]\ntimeout = 1\n" and found.bom and found.newline == "\r\n"
    after = ini_after(found, "global", "index-url", "https://x/")
    assert after == b"\xef\xbb\xbf# mine\r\n[global]\r\ntimeout = 1\r\nindex-url = https://x/\r\n"


def test_mixed_line_endings_keep_each_untouched_line_as_it_was(tmp_path):
    data = b"[a]\nx = 1\r\n[global]\ntimeout = 1\n\n[b]\r\ny = 2\r\n"
    after = ini_after(original(tmp_path, data), "global", "timeout", "2")
    assert after == data.replace(b"timeout = 1", b"timeout = 2")


def test_unchanged_text_renders_the_very_same_bytes(tmp_path):
    found = original(tmp_path, b"\xef\xbb\xbfa = 1\r\nb = 2\n")
    assert files.render(found, found.text) == found.raw


def test_a_file_without_a_final_newline_gets_one_only_where_a_line_is_added(tmp_path):
    after = ini_after(original(tmp_path, b"[global]\ntimeout = 1"), "global", "index-url", "https://x/")
    assert after == b"[global]\ntimeout = 1\nindex-url = https://x/\n"
    after = ini_after(original(tmp_path, b"[other]\nx = 1"), "global", "a", "1")
    assert after == b"[other]\nx = 1\n\n[global]\na = 1\n"


def test_not_utf8_or_unreadable_is_cannot_edit(tmp_path):
    with pytest.raises(files.CannotEdit, match="not UTF-8"):
        original(tmp_path, b"# caf\xe9\n")
    (tmp_path / "folder").mkdir()
    with pytest.raises(files.CannotEdit, match="cannot read .*folder"):
        files.read(tmp_path / "folder")


def test_ini_indented_keys_stay_indented_so_configparser_reads_the_same_keys(tmp_path):
    data = b"[global]\n    index-url = https://old/\n    timeout = 30\n"
    after = ini_after(original(tmp_path, data), "global", "index-url", "https://new/")
    assert after == b"[global]\n    index-url = https://new/\n    timeout = 30\n"
    added = ini_after(original(tmp_path, data), "global", "retries", "2")
    assert added == data + b"    retries = 2\n"
    assert configparser_reads(added)["global"] == {"index-url": "https://old/", "timeout": "30", "retries": "2"}


def test_ini_multi_line_values_get_continuation_lines(tmp_path):
    data = b"[global]\nextra-index-url = https://a/\n\n[install]\nno-binary = :none:\n"
    after = ini_after(original(tmp_path, data), "global", "extra-index-url", "\nhttps://a/\nhttps://b/")
    assert after == b"[global]\nextra-index-url =\n    https://a/\n    https://b/\n\n[install]\nno-binary = :none:\n"


def test_ini_new_key_goes_after_the_last_option_not_after_trailing_comments(tmp_path):
    data = b"[global]\ntimeout = 1\n\n# about [install]\n[install]\nx = 1\n"
    after = ini_after(original(tmp_path, data), "global", "index-url", "https://x/")
    assert after == data.replace(b"timeout = 1\n", b"timeout = 1\nindex-url = https://x/\n")


def test_ini_a_section_named_with_spaces_is_another_section(tmp_path):
    after = ini_after(original(tmp_path, b"[ global ]\ntimeout = 1\n"), "global", "a", "1")
    assert configparser_reads(after) == {" global ": {"timeout": "1"}, "global": {"a": "1"}}


def test_ini_remove(tmp_path):
    updater = ini.parse(original(tmp_path, b"[s]\nusername = aws\npassword = x\n  more\n# end\n"))
    assert ini.remove(updater, "s", "password") and not ini.remove(updater, "s", "password")
    assert ini.text(updater) == "[s]\nusername = aws\n# end\n"


def test_unparsable_files_are_cannot_edit(tmp_path):
    with pytest.raises(files.CannotEdit, match="cannot parse"):
        ini.parse(original(tmp_path, b"[global]\na = 1\na = 2\n"))
    with pytest.raises(files.CannotEdit, match="cannot parse"):
        toml.parse(original(tmp_path, b"a = [\n"))


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes: Windows keeps only a read-only flag")
def test_change_diff_hides_secrets_and_apply_is_atomic_keeping_the_mode(tmp_path):
    (tmp_path / "conf").mkdir()
    path = tmp_path / "conf" / "pip.conf"
    path.write_bytes(b"[s]\npassword = s3cret\n")
    path.chmod(0o640)
    change = files.Change(path, path.read_bytes(), b"[s]\nusername = aws\n", True, secrets=("s3cret",))
    assert "-password = ****" in change.diff() and "s3cret" not in change.diff()
    change.apply()
    assert path.read_bytes() == b"[s]\nusername = aws\n"
    assert path.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in path.parent.iterdir()] == ["pip.conf"]  # no temporary file left


def test_a_new_file_is_private_and_its_diff_starts_from_dev_null(tmp_path):
    path = tmp_path / "new" / ".pypirc"
    change = files.Change(path, b"", b"[s]\n", False)
    assert change.diff().startswith("--- /dev/null\n")
    change.apply()
    assert path.stat().st_mode & 0o777 == 0o600


def test_apply_into_a_folder_that_cannot_be_made_is_cannot_edit(tmp_path):
    (tmp_path / "file").write_text("")
    change = files.Change(tmp_path / "file" / "x.conf", b"", b"[s]\n", False)
    with pytest.raises(files.CannotEdit, match="cannot write"):
        change.apply()


def test_toml_header_quotes_only_what_needs_it():
    assert toml.header(["tool", "uv", "index"]) == "tool.uv.index"
    assert toml.header(["repositories", "my.repo"]) == 'repositories."my.repo"'


FIRST = toml.TomlEdit([], {}, "source", {"name": "ours", "url": "https://x/simple/"}, first=True)


def first_edit(tmp_path, text: str) -> str:
    found = original(tmp_path, text.encode())
    return toml_edit.edit(found, toml.load(found.text), FIRST, "pipenv")


def test_a_first_entry_goes_before_the_others_and_the_comments_above_them(tmp_path):
    text = '# my pipfile\n\n# the public one\n[[source]] # pypi\nname = "pypi"\nurl = "https://pypi.org/simple"\n\n[packages]\n'
    after = first_edit(tmp_path, text)
    assert after == text.replace("# the public one\n", '[[source]]\nname = "ours"\nurl = "https://x/simple/"\n\n# the public one\n')
    assert [s["name"] for s in toml.load(after)["source"]] == ["ours", "pypi"]


def test_a_first_entry_in_an_inline_array_and_with_no_others(tmp_path):
    after = first_edit(tmp_path, 'source = [{ name = "pypi", url = "https://pypi.org/simple" }]\n')
    assert [s["name"] for s in toml.load(after)["source"]] == ["ours", "pypi"]
    assert first_edit(tmp_path, "[packages]\n") == '[packages]\n\n[[source]]\nname = "ours"\nurl = "https://x/simple/"\n'


def test_a_first_entry_that_exists_stays_where_it_is(tmp_path):
    text = '[[source]]\nname = "pypi"\nurl = "https://pypi.org/simple"\n\n[[source]]\nname = "ours"\nurl = "https://old/simple/"\n'
    assert first_edit(tmp_path, text) == text.replace("https://old/simple/", "https://x/simple/")


@pytest.mark.parametrize("line, shown", [
    ("index-url = https://me:pw-1@o.example/simple/", "index-url = https://****@o.example/simple/"),
    ("url = https://aws:tok-2@o.example/", "url = https://aws:****@o.example/"),
    ('publish-url = "https://aws@o.example/"', 'publish-url = "https://aws@o.example/"'),  # ours, no secret
    ("password: two words 3", "password: ****"),
    ("aws_secret_access_key=abc4", "aws_secret_access_key=****"),
    ("  aws_session_token = abc5 ; a comment", "  aws_session_token = ****"),
    ('"pypi-token".pypi = "pypi-6"', '"pypi-token".pypi = "****"'),
    ("api_key = k7", "api_key = ****"),
    ('source = { name = "x", password = "p8", url = "https://u:p9@h/" }',
     'source = { name = "x", password = "****", url = "https://****@h/" }'),
    ("token_duration = 43200", "token_duration = 43200"),  # about a token, not one
    ("keyring-provider = subprocess", "keyring-provider = subprocess"),
    ("# password = not a setting", "# password = not a setting"),
])
def test_a_diff_line_shows_no_secret(line, shown):
    assert masking.masked([line + "\r\n"]) == [shown + "\r\n"]


def test_a_secret_that_goes_on_over_lines_is_masked_to_its_end():
    ini = ["[pypi]\n", "password =\n", "    line-one-1\n", "    line-two-2\n", "username = me\n"]
    assert masking.masked(ini) == ["[pypi]\n", "password =\n", "    ****\n", "    ****\n", "username = me\n"]
    multi_line = ['password = """\n', "first-3\n", 'last-4"""\n', 'name = "x"\n']
    assert masking.masked(multi_line) == ['password = """****"""\n', "****\n", "****\n", 'name = "x"\n']


def test_every_value_of_a_token_section_is_masked_and_a_removed_secret_anywhere():
    lines = ["[pypi-token]\n", 'pypi = "pypi-5"\n', "[other]\n", "pypi = 1\n", "note = removed-6\n"]
    assert masking.masked(lines, ("removed-6",)) == ["[pypi-token]\n", 'pypi = "****"\n', "[other]\n", "pypi = 1\n",
                                                    "note = ****\n"]
