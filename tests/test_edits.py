"""Config file edits keep every other byte, and a second run changes nothing."""

import sys

import pytest

from keyrings_codeartifact import edits

PIP_CONF = """# my pip settings
[global]
timeout = 60   ; seconds
extra-index-url =
    https://one.example/simple/
    https://two.example/simple/

[install]
no-binary = :none:
"""


def test_ini_set_replaces_a_value_and_keeps_the_rest():
    after = edits.ini_set(PIP_CONF, "global", "timeout", "30")
    assert after == PIP_CONF.replace("timeout = 60   ; seconds", "timeout = 30")


def test_ini_set_adds_a_key_at_the_end_of_its_section():
    after = edits.ini_set(PIP_CONF, "global", "index-url", "https://x/simple/")
    assert after == PIP_CONF.replace(
        "    https://two.example/simple/\n", "    https://two.example/simple/\nindex-url = https://x/simple/\n"
    )
    assert edits.ini_set(after, "global", "index-url", "https://x/simple/") == after


def test_ini_multi_line_values_read_and_write():
    assert edits.ini_get(PIP_CONF, "global", "extra-index-url").split() == [
        "https://one.example/simple/", "https://two.example/simple/",
    ]
    after = edits.ini_set(PIP_CONF, "global", "extra-index-url", "https://one.example/simple/\nhttps://new/simple/")
    assert "    https://new/simple/\n" in after and "two.example" not in after
    assert after.endswith("[install]\nno-binary = :none:\n")


def test_ini_set_adds_a_section_to_a_file_without_it():
    assert edits.ini_set("", "global", "a", "1") == "[global]\na = 1\n"
    assert edits.ini_set("[x]\ny = 2", "global", "a", "1") == "[x]\ny = 2\n\n[global]\na = 1\n"


UV_TOML = """# uv settings
native-tls = true

[[index]]
name = "internal"
url = "https://internal.example/simple/"
"""


def test_toml_top_level_key_goes_before_the_first_table():
    after = edits.toml_set_key(UV_TOML, None, "keyring-provider", '"subprocess"')
    assert after == UV_TOML.replace("native-tls = true\n", 'native-tls = true\nkeyring-provider = "subprocess"\n')
    assert edits.toml_set_key(after, None, "keyring-provider", '"subprocess"') == after
    assert edits.toml_load(after)["keyring-provider"] == "subprocess"


def test_toml_key_in_a_table_added_or_replaced():
    text = '[tool.uv]\nkeyring-provider = "disabled"\n\n[tool.other]\nx = 1\n'
    after = edits.toml_set_key(text, "tool.uv", "keyring-provider", '"subprocess"')
    assert after == text.replace('"disabled"', '"subprocess"')
    added = edits.toml_set_key("[project]\nname = 'a'\n", "tool.uv", "keyring-provider", '"subprocess"')
    assert added == '[project]\nname = \'a\'\n\n[tool.uv]\nkeyring-provider = "subprocess"\n'


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes: Windows keeps only a read-only flag")
def test_change_diff_and_atomic_apply_keep_the_mode(tmp_path):
    (tmp_path / "conf").mkdir()
    path = tmp_path / "conf" / "pip.conf"
    path.write_text(PIP_CONF)
    path.chmod(0o640)
    change = edits.Change(path, PIP_CONF, edits.ini_set(PIP_CONF, "global", "timeout", "30"))
    assert change.diff().count("\n-") == 1 and "+timeout = 30" in change.diff()
    change.apply()
    assert path.read_text() == change.after
    assert path.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in path.parent.iterdir()] == ["pip.conf"]  # no temporary file left


def test_ini_append_adds_a_continuation_line_only():
    after = edits.ini_append(PIP_CONF, "global", "extra-index-url", "https://three.example/simple/")
    assert after == PIP_CONF.replace(
        "    https://two.example/simple/\n", "    https://two.example/simple/\n    https://three.example/simple/\n"
    )
    assert edits.ini_append(after, "global", "extra-index-url", "https://three.example/simple/") == after
    single = edits.ini_append("[global]\nextra-index-url = https://a/simple/\n", "global", "extra-index-url", "https://b/")
    assert single == "[global]\nextra-index-url = https://a/simple/\n    https://b/\n"
    assert edits.ini_append("", "distutils", "index-servers", "x") == "[distutils]\nindex-servers =\n    x\n"
