"""What may be shown of a value in a message or a log line.

Every value a user gave (a service string, a setting, an environment variable), a
library said, or a file system holds (a path, a cache entry's key) goes through here
before it is shown: it loses the ``user:password@`` of anything URL-like, becomes one
line with no control character left for a terminal to act on, and is cut to ``LIMIT``
characters (``name``: a name shown whole, escaped). Userinfo is found by pattern, not
by a URL parser: parsers disagree about a password holding ``#``, ``?``, ``/`` or ``@``
(``urlsplit`` reads ``user:pa#ss@host`` as host ``user`` and a fragment), so everything
between the start of the authority and the *last* ``@`` goes. Over-removing is the safe
side. Pure string work in linear time; imports nothing.
"""

LIMIT = 200  # characters of a value shown before it is cut
LINE_LIMIT = 1000  # characters of a whole line (a message about an edit, a row of explain)


def url(value: object, limit: int = LIMIT) -> str:
    """``value``, a URL or ``[user[:password]@]host[:port]...``, without its userinfo."""
    text = str(value)
    start = _leading_authority(text)
    return _fit(_cut_userinfo(text, start if start >= 0 else 0), limit)


def text(value: object, limit: int = LIMIT) -> str:
    """``value``, any text, without the userinfo of the URLs in it (from the first
    ``scheme:/``, ``scheme://`` or ``//`` through the last ``@``), on one line,
    each run of unprintable characters one space."""
    text_ = str(value)
    return _fit(_cut_userinfo(text_, _first_authority(text_)), limit)


def name(value: object) -> str:
    """``value``, a name that must be shown as it is (a path, a field of a cache
    entry, a remedy to paste): whole, each unprintable character escaped (``\\x1b``,
    ``\\n``) so that it cannot act on a terminal. Nothing is cut: a path that looks
    like ``a:/b@c`` is a path, not a URL with a password."""
    return "".join(_escaped(character) for character in str(value))


def origin(value: object, limit: int = LIMIT) -> str:
    """``scheme://host[:port]`` of the URL ``value``: where a call went, and nothing more."""
    text_ = str(value)
    start = max(_leading_authority(text_), 0)
    bare = _cut_userinfo(text_, start)
    end = min((at for at in (bare.find(separator, start) for separator in "/?#") if at >= 0), default=len(bare))
    return _fit(bare[:end], limit)


def _leading_authority(text_: str) -> int:
    """Where the authority starts after a leading ``scheme:/``, ``scheme://`` or ``//``; -1 if none."""
    if text_.startswith("//"):
        return 2
    colon = text_.find(":/")
    if colon <= 0 or not _is_scheme(text_[:colon]):
        return -1
    return colon + (3 if text_.startswith("//", colon + 1) else 2)


def _first_authority(text_: str) -> int:
    """Where the first authority anywhere in ``text_`` starts; -1 if there is none."""
    starts = []
    colon = text_.find(":/")
    if colon >= 0:
        starts.append(colon + (3 if text_.startswith("//", colon + 1) else 2))
    slashes = text_.find("//")
    if slashes >= 0:
        starts.append(slashes + 2)
    return min(starts, default=-1)


def _is_scheme(candidate: str) -> bool:
    return (
        candidate[:1].isalpha()
        and candidate.isascii()
        and candidate.replace("+", "a").replace("-", "a").replace(".", "a").isalnum()
    )


def _cut_userinfo(text_: str, start: int) -> str:
    """``text_`` without what lies from ``start`` through the last ``@``."""
    at = text_.rfind("@")
    if start < 0 or at < start:
        return text_
    return text_[:start] + text_[at + 1 :]


def _escaped(character: str) -> str:
    return character if character.isprintable() else repr(character)[1:-1]


def _fit(text_: str, limit: int) -> str:
    """One line with each run of unprintable characters one space, at most ``limit`` characters."""
    head = text_[: limit * 2]  # enough to fill ``limit`` characters in all but odd texts
    shown: list[str] = []
    replacing = False
    for character in head:
        if character.isprintable():
            shown.append(character)
        elif not replacing:
            shown.append(" ")
        replacing = not character.isprintable()
    line = "".join(shown)
    if len(text_) <= len(head) and len(line) <= limit:
        return line
    return f"{line[:limit]}... ({len(text_)} characters)"
