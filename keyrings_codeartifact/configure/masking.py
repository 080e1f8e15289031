"""What a diff may show of a config file: no password, token, secret key or URL userinfo.

Every line shown (context lines too) loses the userinfo of its URLs (but a lone
user ``aws``, which setup writes and is no secret), the value of each key that
names a secret (and the lines it goes on over), and every value of a section that
names one (``[pypi-token]``). Over-masking is the safe side.
"""

import re
from typing import Optional

MASK = "****"
_USERINFO = re.compile(r"""(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*:/{1,2})(?P<userinfo>[^\s"'<>]*)@""")
_KEY_LINE = re.compile(r"""^(?P<lead>\s*(?P<key>[^\s=:\[#;][^=:]*?)\s*[=:][ \t]*)(?P<value>.*)$""")
_INLINE_PAIR = re.compile(
    r"""(?P<lead>(?P<key>[\w.-]+|"[^"]*"|'[^']*')\s*=\s*)(?P<value>"(?:[^"\\]|\\.)*"|'[^']*'|[^,}\]\s]+)"""
)
_SECRET_WORDS = {"password", "passwd", "secret", "token", "apikey", "auth", "credential", "credentials"}
# A credential in a header value (.bazelrc's --remote_header=Authorization=Bearer X,
# --bes_header=..., curl-style "Authorization: Basic X"): everything after the scheme word.
_HEADER_CREDENTIAL = re.compile(r"""(?i)(?P<lead>(?:authorization|proxy-authorization|x-api-key)["']?\s*[=:]\s*["']?"""
                                r"""(?:(?:bearer|basic|token|digest)\s+)?)(?P<value>[^\s"']+)""")
_SECRET_PAIRS = {("api", "key"), ("external", "id"), ("private", "key")}
_ABOUT_A_SECRET = {"duration", "url", "file", "path", "provider", "type", "expiry", "expires", "margin", "timeout",
                   "name", "command", "process", "endpoint", "helper", "source"}  # a setting about a token, not one


def names_a_secret(key: str) -> bool:
    """Whether a config key (``password``, ``aws_secret_access_key``, ``pypi-token.pypi``)
    holds a password, token or secret (``token_duration`` does not)."""
    words = re.findall(r"[a-z0-9]+", key.lower())
    if not words or words[-1] in _ABOUT_A_SECRET:
        return False
    secret = bool(_SECRET_WORDS & set(words)) or "secret" in "".join(words)
    return secret or bool(_SECRET_PAIRS & set(zip(words, words[1:])))


def masked(lines: list[str], secrets: tuple[str, ...] = ()) -> list[str]:
    """The lines of an INI or TOML file as a diff may show them, each of ``secrets``
    (passwords setup removes) ``****`` too; line endings kept."""
    shown: list[str] = []
    masking = _Masking()
    for line in lines:
        body = line.rstrip("\r\n")
        text = masking.line(_HEADER_CREDENTIAL.sub(r"\g<lead>" + MASK, _USERINFO.sub(_masked_userinfo, body)))
        for secret in secrets:
            text = text.replace(secret, MASK)
        shown.append(text + line[len(body):])
    return shown


def _masked_userinfo(found: "re.Match[str]") -> str:
    user, colon, _ = found["userinfo"].partition(":")
    if user == "aws":
        return f"{found['scheme']}aws{colon and ':' + MASK}@"
    return f"{found['scheme']}{MASK}@"


class _Masking:
    """Masks one line after another, knowing the section and whether a secret goes on."""

    def __init__(self) -> None:
        self.section_is_secret = False
        self.continues: Optional[str] = None  # a secret's value goes on: "ini" (indented lines) or a TOML """

    def line(self, text: str) -> str:
        if self.continues == "ini":
            if text.strip() and text[:1] in " \t":
                return _indent_of(text) + MASK
            self.continues = None
        elif self.continues is not None:
            if self.continues in text:
                self.continues = None
            return _indent_of(text) + MASK
        stripped = text.strip()
        if stripped.startswith("["):
            self.section_is_secret = names_a_secret(stripped.strip("[] \t").split("]")[0])
            return text
        found = _KEY_LINE.match(text)
        if found is None or stripped.startswith(("#", ";")):
            return text
        if self.section_is_secret or names_a_secret(found["key"]):
            return found["lead"] + self._value(found["value"])
        return found["lead"] + _INLINE_PAIR.sub(_masked_pair, found["value"])

    def _value(self, value: str) -> str:
        """A secret's value masked; notes whether the lines after it are part of it."""
        for quotes in ('"""', "'''"):
            if value.startswith(quotes):
                if quotes not in value[3:]:
                    self.continues = quotes
                return quotes + MASK + quotes
        if value[:1] in ('"', "'"):
            return value[0] + MASK + value[0]
        self.continues = "ini"  # an INI value may go on in indented lines (TOML has none such)
        return MASK if value.strip() else value


def _masked_pair(found: "re.Match[str]") -> str:
    if not names_a_secret(found["key"].strip("\"'")):
        return found[0]
    value = found["value"]
    return found["lead"] + (value[0] + MASK + value[0] if value[:1] in ('"', "'") else MASK)


def _indent_of(text: str) -> str:
    return text[: len(text) - len(text.lstrip(" \t"))]
