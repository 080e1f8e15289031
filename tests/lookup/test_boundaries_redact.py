"""Redaction at its edges: every form of an authority start in free text (`//`, the
one-slash `scheme:/`), where a scheme may start, the exact length limits, and runs of
unprintable characters. An off-by-one here shows a password. Found by `make mutate`."""

import pytest

from keyrings_codeartifact import redact

pytestmark = pytest.mark.windows


@pytest.mark.parametrize(
    "value, shown",
    [
        ("//user:secret@host/x", "//host/x"),
        ("see //user:secret@host/x", "see //host/x"),
        ("https:/user:secret@host/x", "https:/host/x"),
        ("see https:/user:secret@host/x", "see https:/host/x"),
        ("see https://user:secret@host/x", "see https://host/x"),
        ("a:/user:secret@host", "a:/host"),
        ("x://user:secret@host", "x://host"),
        ("ftp://u:secret@h then //v:other@i", "ftp://i"),  # the first start, the last @
        ("//u:s@h and https:/v:t@i", "//i"),
        ("at@first https://u:secret@h", "at@first https://h"),  # an @ before any URL stays
        ("user:secret@host", "user:secret@host"),  # free text without :/ or //: nothing is a URL
        ("no url at all", "no url at all"),
        ("://u:secret@h", "://h"),
        (":/u:secret@h", ":/h"),
        ("//@", "//"),
        ("@//", "@//"),
    ],
)
def test_text_cuts_from_the_first_authority_start_through_the_last_at(value, shown):
    assert redact.text(value) == shown


@pytest.mark.parametrize(
    "value, shown",
    [
        ("//user:secret@host/x", "//host/x"),
        ("https:/user:secret@host/x", "https:/host/x"),
        ("https://user:secret@host/x", "https://host/x"),
        ("git+ssh://u:secret@h", "git+ssh://h"),
        ("a.b-c+d://u:secret@h", "a.b-c+d://h"),
        ("s3://u:secret@h", "s3://h"),
        ("user:secret@host/x", "host/x"),  # no scheme: the authority starts at the start
        ("1http://u:secret@h", "h"),  # no scheme (a digit first): everything through the @ goes
        ("h\u00e9://u:secret@h", "h"),  # a scheme is ASCII
        ("ht tp://u:secret@h", "h"),
        ("://u:secret@h", "h"),
        ("x/https://u:secret@h", "h"),
        ("host/path@x", "x"),  # over-removing is the safe side
        ("", ""),
        ("@", ""),
        ("https://@h", "https://h"),
        ("https://h", "https://h"),
    ],
)
def test_url_cuts_from_its_own_authority_start_through_the_last_at(value, shown):
    assert redact.url(value) == shown


@pytest.mark.parametrize(
    "value, origin",
    [
        ("//user:secret@host:1/x", "//host:1"),
        ("https:/user:secret@host/x", "https:/host"),
        ("https://h/p?q#f", "https://h"),
        ("https://h?q/p", "https://h"),
        ("https://h#f/p", "https://h"),
        ("https://h", "https://h"),
        ("h:1/p", "h:1"),
        ("u:secret@h:1?x", "h:1"),
        ("", ""),
    ],
)
def test_origin_stops_at_the_first_separator_after_the_authority(value, origin):
    assert redact.origin(value) == origin


# -- the length limits ----------------------------------------------------------------------


def test_a_value_at_the_limit_is_whole_and_one_more_is_cut_and_counted():
    assert redact.text("x" * redact.LIMIT) == "x" * redact.LIMIT
    assert redact.text("x" * (redact.LIMIT + 1)) == "x" * redact.LIMIT + f"... ({redact.LIMIT + 1} characters)"
    assert redact.url("x" * 11, limit=10) == "x" * 10 + "... (11 characters)"
    assert redact.url("x" * 10, limit=10) == "x" * 10
    assert redact.origin("https://" + "h" * 30, limit=10) == "https://hh... (38 characters)"
    assert redact.text("é" * 5, limit=5) == "é" * 5


def test_runs_of_unprintable_characters_count_as_one_space_toward_the_limit():
    value = "\n\n".join(["abc"] * 50)  # 248 characters, 199 once each pair is one space
    assert redact.text(value) == " ".join(["abc"] * 50)
    assert redact.text("a\n\r\t\x1b\x00b") == "a b"
    assert redact.text("\n\n") == " "
    assert redact.text("\na\n") == " a "
    assert redact.text("a\nb\nc") == "a b c"


def test_a_value_longer_than_twice_the_limit_is_cut_even_if_it_would_fit_once_joined():
    value = "a" + "\n" * (2 * redact.LIMIT) + "b"
    assert redact.text(value) == f"a ... ({len(value)} characters)"
    value = "a" + "\n" * (2 * redact.LIMIT - 2) + "b"  # exactly twice the limit: whole
    assert redact.text(value) == "a b"


def test_the_line_limit_is_what_a_message_line_may_hold():
    assert (redact.LIMIT, redact.LINE_LIMIT) == (200, 1000)
    assert redact.text("y" * 1000, limit=redact.LINE_LIMIT) == "y" * 1000


# -- names: whole, every unprintable character escaped ---------------------------------------


@pytest.mark.parametrize(
    "value, shown",
    [
        ("a\x7fb", "a\\x7fb"),
        ("\x00", "\\x00"),
        ("\u00a0x", "\\xa0x"),
        ("'\"", "'\""),  # quotes are printable: as they are
        ("é~", "é~"),
        ("\\", "\\"),
        (7, "7"),
    ],
)
def test_names_escape_exactly_the_unprintable_characters(value, shown):
    assert redact.name(value) == shown


# -- where the first authority starts, when a text holds several ------------------------------


@pytest.mark.parametrize(
    "value, shown",
    [
        ("https:/u:secret@h then a:/b", "https:/h then a:/b"),  # the first :/ counts, not the last
        ("//u:secret@h and x://v:t@i", "//i"),  # the first // counts, not the last
        ("x https://u:secret@h/a:/b", "x https://h/a:/b"),
    ],
)
def test_text_starts_cutting_at_the_first_authority(value, shown):
    assert redact.text(value) == shown


@pytest.mark.parametrize(
    "value, shown",
    [
        ("https://u:secret@h/x:/y", "https://h/x:/y"),  # a :/ in the path is no scheme
        ("a://u:secret@h", "a://h"),  # a one-letter scheme
        ("a:/u:secret@h", "a:/h"),
        (":/u:secret@h", "h"),  # no scheme before the colon
    ],
)
def test_url_reads_its_scheme_from_the_first_colon_slash(value, shown):
    assert redact.url(value) == shown


@pytest.mark.parametrize(
    "value, origin",
    [
        ("https://EXAMPLE.COM/X", "https://EXAMPLE.COM"),  # letters are never separators
        ("/pypi/python/", ""),  # a separator first: no origin at all
        ("?x", ""),
        ("#x", ""),
    ],
)
def test_origin_of_odd_values(value, origin):
    assert redact.origin(value) == origin
