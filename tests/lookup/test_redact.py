"""What may be shown of a value: no user:password@ of anything URL-like, one line with no
control character, bounded."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keyrings_codeartifact import redact

pytestmark = pytest.mark.windows  # pure string functions, in-process

# (a value known to be a URL or host, what may be shown of it)
URLS = [
    ("https://aws:PW@host/pypi/r/simple/", "https://host/pypi/r/simple/"),
    ("http://user:Xk9p#1@host:9/", "http://host:9/"),  # '#' in the password: urlsplit reads a fragment
    ("http://user:a/b?c#d@host:9/", "http://host:9/"),  # '/', '?' and '#' in the password
    ("http://user:a@b@host:9/", "http://host:9/"),  # '@' in the password
    ("http://user:pa ss@host:9/", "http://host:9/"),  # whitespace in the password
    ("https:/aws:PW@host/pypi/r/", "https:/host/pypi/r/"),  # one slash
    ("//aws:PW@host/", "//host/"),
    ("aws:PW#X@host", "host"),  # no scheme at all
    ("aws@host:443", "host:443"),
    ("u:S3CRET@127.0.0.1:1/x?next=https://y/", "127.0.0.1:1/x?next=https://y/"),  # a URL later on
    ("https://***:***#1@host:9/", "https://host:9/"),  # botocore's own masking, half done
    ("https://pypi.org/simple/", "https://pypi.org/simple/"),
    ("pypi.org:443", "pypi.org:443"),
    ("", ""),
]

# (any text: a message, a setting, a name; what may be shown of it)
TEXTS = [
    ("could not reach https://u:S@h:1/x; retry", "could not reach https://h:1/x; retry"),
    ("proxy http://user:a#b@h:9 refused", "proxy http://h:9 refused"),
    ("x https://u:pa ss@h", "x https://h"),
    ("a https://u:S@h and https://v:T@i", "a https://i"),  # everything up to the last @ goes
    ("dev@corp", "dev@corp"),  # a profile name: no URL in it
    ("/home/me@corp.example/.config/python_keyring/keyringrc.cfg", "/home/me@corp.example/.config/python_keyring/keyringrc.cfg"),
    ("arn:aws:iam::111122223333:role/a@b", "arn:aws:iam::111122223333:role/a@b"),
    ("line\nbreak\r\n\tand\x1b[31mescape", "line break and [31mescape"),
    (12, "12"),
]


# (a name: a path, a field of a cache entry; what may be shown of it, every character visible)
NAMES = [
    ("/home/me/.cache/evil\x1b[2Jname", "/home/me/.cache/evil\\x1b[2Jname"),
    ("profile:x\nDOMAIN  OWNER", "profile:x\\nDOMAIN  OWNER"),
    ("a\r\n\tb\u200b", "a\\r\\n\\tb\\u200b"),  # each escaped, none merged
    ("/home/me@corp.example/.cache", "/home/me@corp.example/.cache"),
    ("/mnt/nas:/share@2024/cache", "/mnt/nas:/share@2024/cache"),  # a path, not a URL: nothing cut
    ("//server/share@x/" + "a" * 2000, "//server/share@x/" + "a" * 2000),  # nor shortened
]


@pytest.mark.parametrize("value, shown", URLS)
def test_urls_lose_everything_before_their_last_at(value, shown):
    assert redact.url(value) == shown


@pytest.mark.parametrize("value, shown", TEXTS)
def test_text_loses_the_userinfo_of_urls_in_it_and_becomes_one_line(value, shown):
    assert redact.text(value) == shown


@pytest.mark.parametrize("value, shown", NAMES)
def test_names_show_their_control_characters_escaped(value, shown):
    assert redact.name(value) == shown


@pytest.mark.parametrize(
    "value, origin",
    [
        ("https://u:S3CRET@127.0.0.1:1/v1/authorization-token?domain=d", "https://127.0.0.1:1"),
        ("https://u:S#1@h:1", "https://h:1"),
        ("u:S3CRET@127.0.0.1:1", "127.0.0.1:1"),
        ("https://codeartifact.us-east-1.amazonaws.com", "https://codeartifact.us-east-1.amazonaws.com"),
        ("http://h?x", "http://h"),
    ],
)
def test_origin_names_where_a_url_goes_and_nothing_more(value, origin):
    assert redact.origin(value) == origin


def test_long_values_are_cut_and_say_how_long_they_were():
    shown = redact.text("a" * 1_000_000)
    assert shown.startswith("a" * 100) and shown.endswith("... (1000000 characters)")
    assert len(shown) < 300
    assert redact.url("https://u:S3CRET@" + "h" * 5000).startswith("https://hhh")
    assert redact.text("x" * redact.LIMIT) == "x" * redact.LIMIT  # at the limit: unchanged


def test_userinfo_is_removed_before_cutting():
    # Cut first and the '@' that ends the password would be gone, the password shown.
    value = "https://user:" + "S3CRET" * 100 + "@host/"
    assert "S3CRET" not in redact.url(value) and "S3CRET" not in redact.text(value)


_MEGABYTES = """
from keyrings_codeartifact import redact
for text in ("a" * 1_000_000, "a:" * 500_000, "/" * 1_000_000, "@" * 1_000_000, " " * 1_000_000):
    redact.text(text), redact.url(text), redact.origin(text)
"""


def test_redaction_of_a_megabyte_of_anything_never_hangs():
    # A guard against quadratic patterns (hours on a megabyte), not a benchmark: no
    # timed assertion, a subprocess that must finish within a generous timeout.
    import subprocess
    import sys

    finished = subprocess.run([sys.executable, "-c", _MEGABYTES], capture_output=True, text=True, timeout=180)
    assert finished.returncode == 0, finished.stderr


# Any text, with the characters that mean something in a URL drawn often.
ANY = st.text(st.one_of(st.sampled_from(list("@:/?#[]%. \t\n\\")), st.characters()), max_size=30)
SECRET = ANY.map(lambda text: f"S3CRETa{text}S3CRETz")


@settings(max_examples=300, deadline=None)
@given(before=ANY, user=ANY, secret=SECRET, after=ANY,
       scheme=st.sampled_from(["https://", "http://", "https:/", "//", "", "HTTPS://", "socks5h://"]))
def test_no_password_survives_in_a_url(before, user, secret, after, scheme):
    url = f"{scheme}{user}:{secret}@{after}"
    text = f"{before}https://{user}:{secret}@{after}"
    for shown in (redact.url(url), redact.origin(url), redact.text(text)):
        assert "S3CRETa" not in shown and "S3CRETz" not in shown
        assert shown.isprintable() and len(shown) <= redact.LIMIT + 30


@settings(max_examples=300, deadline=None)
@given(value=st.text())
def test_a_name_is_printable_and_says_every_character(value):
    shown = redact.name(value)
    assert shown.isprintable() and len(shown) >= len(value)  # nothing cut
    rest = iter(shown)
    assert all(character in rest for character in value if character.isprintable())  # in order


# -- found by `make mutate`: Redaction at its edges: every form of an
# authority start in free text (`//`, the one-slash `scheme:/`), where a scheme may start, the
# exact length limits, and runs of unprintable characters. An off-by-one here shows a
# password.


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
