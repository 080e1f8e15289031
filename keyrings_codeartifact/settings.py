"""The settings that apply to one repository endpoint.

They come from keyring's own config file, ``keyringrc.cfg`` in keyring's config
root. ``[codeartifact]`` holds defaults; qualified sections such as
``[codeartifact domain="my-team" account="111122223333" region="us-east-1" name="repo"]``
apply only to endpoints that match every key they name. Options are layered:
defaults first, then applicable sections from the least to the most specific
(more keys named), so each option comes from the most specific section that sets
it. Between equally specific sections, the one later in the file wins.

``owners`` (in ``[codeartifact]`` only) bounds every lookup to the repositories
of the named accounts.

No file, or no ``codeartifact`` section in it, is the normal case: defaults apply.
The file is read with configparser as keyring reads it, which keyring does before
any backend runs: a file configparser rejects, or takes long over, has failed or
taken that time in keyring already (tests/lookup/test_settings.py shows what keyring does
with one). Our own part, the section headers, is read in linear time, and an error
echoes the file's text only through ``redact``: one line, cut short, no userinfo.
"""

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, NamedTuple, Optional, Union

from . import redact, userfolders
from .errors import PREFIX, ConfigError
from .token_record import ADVISORY_MARGIN, MANDATORY_MARGIN, MAX_DURATION, MIN_DURATION

if TYPE_CHECKING:
    import configparser

    from .endpoint import Endpoint

SECTION = "codeartifact"
NAMES_SECTION = "codeartifact-repositories"
QUALIFIERS = ("domain", "account", "region", "name")
# Characters of a section header of ours; naming all four keys at their longest takes ~250.
MAX_HEADER = 512
# Names keyrings.codeartifact users may already have in their files.
ALIASES = {"assume_role": "role_arn", "assume_role_session_name": "role_session_name"}

DURATION_HELP = f"0 (as long as the AWS role session) or {MIN_DURATION} to {MAX_DURATION} seconds"
LOG_VARIABLE = "CODEARTIFACT_KEYRING_LOG"  # names the lookup log (lookuplog); wins over log_file
MAX_ATTEMPTS = 3  # per AWS call, each up to `timeout` to connect and to read: botocore's standard retries
# Patterns stay strings (``re`` compiles and caches them on first use): this
# module is imported on every CodeArtifact lookup, cache hits included.
_ROLE_ARN = r"arn:aws(?:-cn|-us-gov)?:iam::[0-9]{12}:role/[\w+=,.@/-]{1,512}"
_SESSION_NAME = r"[\w+=,.@-]{2,64}"
_QUALIFIER = r"""\s+(?P<key>\w+)=(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"']+))"""
_OWNER = r"[0-9]{12}"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class Settings(NamedTuple):
    """How to ask AWS for a token for one endpoint."""

    profile_name: Optional[str] = None
    role_arn: Optional[str] = None
    role_session_name: str = "codeartifact-keyring"
    external_id: Optional[str] = None
    token_duration: int = 3600
    endpoint_url: Optional[str] = None
    verify: Union[bool, str, None] = None  # None: boto's default (AWS_CA_BUNDLE, profile)
    timeout: float = 10.0  # seconds, for connecting and for each read
    aws_access_key_id: Optional[str] = None
    aws_secret_access_key: Optional[str] = None
    cache: bool = True  # share tokens between processes through the disk cache
    cache_dir: Optional[str] = None  # None: $CODEARTIFACT_KEYRING_CACHE_DIR or the user cache folder
    refresh_margin: float = MANDATORY_MARGIN  # seconds of life left below which a token is never served
    advisory_margin: float = ADVISORY_MARGIN  # seconds of life left below which a refresh is tried
    owners: Optional[tuple[str, ...]] = None  # the accounts whose repositories get tokens; None: any
    log_file: Optional[str] = None  # a line per lookup appended there (lookuplog); CODEARTIFACT_KEYRING_LOG wins

    def allows(self, endpoint: "Endpoint") -> bool:
        """Whether ``owners`` lets ``endpoint`` have a token (no owners set: every endpoint may)."""
        return self.owners is None or endpoint.owner in self.owners


OPTIONS = tuple(Settings._fields)


def log_path(settings: Optional[Settings]) -> Optional[str]:
    """The lookup log's file (``lookuplog``): ``CODEARTIFACT_KEYRING_LOG``, else
    ``log_file`` (None: no log); here so a lookup with no log need not import lookuplog."""
    chosen = os.environ.get(LOG_VARIABLE) or (settings.log_file if settings is not None else None)
    return os.path.expanduser(chosen) if chosen else None


def config_path() -> Path:
    """Where keyring, and so this backend, reads its config file."""
    return userfolders.keyring_config_root() / "keyringrc.cfg"


class Resolution(NamedTuple):
    """Settings, and where each one that is not a default came from."""

    settings: Settings
    sources: dict[str, str]  # option -> "[section]"
    sections: list[str]  # the sections that apply, least specific first
    path: Path


def load(endpoint: Optional["Endpoint"], path: Optional[Path] = None) -> Settings:
    """Return the settings for ``endpoint`` (None: the defaults section only)."""
    return with_sources(endpoint, path).settings


def with_sources(endpoint: Optional["Endpoint"], path: Optional[Path] = None) -> Resolution:
    """The settings for ``endpoint`` from the config file at ``path``, with their sources."""
    path = config_path() if path is None else path
    chosen: dict[str, tuple[str, str]] = {}  # option -> (value, section it came from)
    applicable = _applicable_sections(path, endpoint)
    for section, options in applicable:
        for option, value in options.items():
            chosen[ALIASES.get(option, option)] = (value, section)
    sources = {option: f"[{section}]" for option, (_, section) in chosen.items()}
    return Resolution(_validate(chosen, path), sources, [f"[{s}]" for s, _ in applicable], path)


def repository_names(path: Optional[Path] = None) -> dict[str, str]:
    """``[codeartifact-repositories]``: repository names (lower-cased) and their URLs,
    for tools that ask keyring by name rather than by URL."""
    path = config_path() if path is None else path
    parser = _read(path)
    if parser is None or not parser.has_section(NAMES_SECTION):
        return {}
    return {name.lower(): url.strip() for name, url in parser.items(NAMES_SECTION)}


def parse_option(option: str, value: str) -> Any:  # Any: the option decides the type
    """Convert one option's text as the config file would; ValueError says what is allowed."""
    return _CONVERTERS.get(option, _non_empty)(value.strip())


def _read(path: Path) -> Optional["configparser.RawConfigParser"]:
    """keyringrc.cfg parsed, as keyrings.codeartifact read it: inline comments
    allowed, no DEFAULT section merged into the others. None if there is no file:
    configparser skips a file it cannot open, so keyring reads none either."""
    if not os.path.exists(path):
        return None
    import configparser  # here: only a file that is there needs it (1 ms of a warm lookup without one)

    parser = configparser.RawConfigParser(inline_comment_prefixes=("#", ";"), default_section="\0no-defaults")
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError) as error:
        raise ConfigError(f"{PREFIX}cannot read {path}: {_unreadable(error)}") from None
    return parser


def _unreadable(error: Exception) -> str:
    """What configparser found wrong, in one line that names the line."""
    import configparser  # loaded: the error is configparser's

    if isinstance(error, configparser.MissingSectionHeaderError):
        return f"line {error.lineno} comes before any [section]: {redact.text(error.line)}"
    if isinstance(error, configparser.ParsingError) and error.errors:
        lineno, line = error.errors[0]
        return f"line {lineno} is neither a [section] nor option = value: {redact.text(line)}"
    return redact.text(str(error).splitlines()[0], limit=300)


def _applicable_sections(path: Path, endpoint: Optional["Endpoint"]) -> list[tuple[str, dict[str, str]]]:
    """The sections that apply to ``endpoint``, least specific first."""
    parser = _read(path)
    if parser is None:
        return []
    applicable = []
    for order, section in enumerate(parser.sections()):
        qualifiers = _qualifiers(section, path)
        if qualifiers is None or not _applies(qualifiers, endpoint):
            continue
        for option in parser.options(section):
            if ALIASES.get(option, option) not in OPTIONS:
                raise ConfigError(
                    f"{PREFIX}unknown option '{redact.text(option)}' in section [{redact.text(section)}] "
                    f"of {path}; known options: {', '.join(OPTIONS)}"
                )
        applicable.append((len(qualifiers), order, section, dict(parser.items(section))))
    applicable.sort()
    return [(section, options) for _, _, section, options in applicable]


def _qualifiers(section: str, path: Path) -> Optional[dict[str, str]]:
    """The keys a section header names, or None if the section is not ours.

    Each key is matched where the previous one ended, never searched for: the
    header is read in one pass, in linear time."""
    if section == SECTION:
        return {}
    if not section.startswith(SECTION) or not section[len(SECTION)].isspace():
        return None
    if len(section) > MAX_HEADER:
        raise ConfigError(
            f"{PREFIX}section header [{redact.text(section)}] in {path} is too long "
            f"({len(section)} characters, at most {MAX_HEADER})"
        )
    rest = section[len(SECTION) :].rstrip()
    qualifier = re.compile(_QUALIFIER)
    qualifiers: dict[str, str] = {}
    position = 0
    while position < len(rest):
        found = qualifier.match(rest, position)
        if not found:
            raise ConfigError(
                f"{PREFIX}cannot read section header [{redact.text(section)}] in {path}; "
                'write it as [codeartifact domain="D" account="123456789012" region="R" name="REPO"]'
            )
        key = found["key"]
        if key not in QUALIFIERS:
            raise ConfigError(
                f"{PREFIX}unknown key '{redact.text(key)}' in section header [{redact.text(section)}] "
                f'of {path}; use {", ".join(QUALIFIERS)}, e.g. [codeartifact domain="my-domain"]'
            )
        qualifiers[key] = next(v for v in found.group("dq", "sq", "bare") if v is not None)
        position = found.end()
    return qualifiers


def _applies(qualifiers: dict[str, str], endpoint: Optional["Endpoint"]) -> bool:
    if endpoint is None:
        return not qualifiers
    actual = {
        "domain": endpoint.domain,
        "account": endpoint.owner,
        "region": endpoint.region,
        "name": endpoint.repository,
    }
    case_insensitive = {"domain", "region"}
    for key, wanted in qualifiers.items():
        have = actual[key]
        if key in case_insensitive:
            wanted = wanted.lower()
        if have != wanted:
            return False
    return True


def _validate(chosen: dict[str, tuple[str, str]], path: Path) -> Settings:
    values: dict[str, Any] = {}  # option -> its value (Any: the option decides the type)
    for option, (raw, section) in chosen.items():
        convert = _CONVERTERS.get(option, _non_empty)
        try:
            values[option] = convert(raw.strip())
        except ValueError as error:
            raise _invalid(option, section, path, error) from None

    if ("aws_access_key_id" in values) != ("aws_secret_access_key" in values):
        given = "aws_access_key_id" if "aws_access_key_id" in values else "aws_secret_access_key"
        problem = "aws_access_key_id and aws_secret_access_key go together; set both or neither"
        raise _invalid(given, chosen[given][1], path, problem)
    if "external_id" in values and "role_arn" not in values:
        problem = "it is only used with role_arn; set role_arn too"
        raise _invalid("external_id", chosen["external_id"][1], path, problem)
    if "owners" in values and chosen["owners"][1] != SECTION:
        problem = f"owners is read only in [{SECTION}], where it bounds every lookup"
        raise _invalid("owners", chosen["owners"][1], path, problem)
    return Settings(**values)


def _invalid(option: str, section: str, path: Path, problem: object) -> ConfigError:
    return ConfigError(f"{PREFIX}invalid {option} in section [{redact.text(section)}] of {path}: {problem}")


# Each converter takes the stripped text of an option and returns its value, or
# raises ValueError saying what is allowed. None of them echo a secret; what
# they echo goes through ``_shown``.


def _shown(value: str) -> str:
    return redact.text(value)


def _non_empty(value: str) -> str:
    if not value:
        raise ValueError("it is empty; remove the line or give a value")
    return value


def _duration(value: str) -> int:
    if not re.fullmatch(r"[0-9]{1,5}", value) or not (int(value) == 0 or MIN_DURATION <= int(value) <= MAX_DURATION):
        raise ValueError(f"'{_shown(value)}' is not allowed; use {DURATION_HELP}")
    return int(value)


def _seconds(low: float, high: float, low_included: bool) -> Callable[[str], float]:
    def convert(value: str) -> float:
        try:
            seconds = float(value)
        except ValueError:
            seconds = float("nan")
        if not (low <= seconds <= high) or (seconds == low and not low_included):
            bound = "from" if low_included else "above"
            raise ValueError(
                f"'{_shown(value)}' is not allowed; use a number of seconds {bound} {low:g} up to {high:g}"
            )
        return seconds

    return convert


def _boolean(value: str) -> bool:
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"'{_shown(value)}' is neither true nor false")


def _verify(value: str) -> Union[bool, str]:
    if value.lower() in _TRUE | _FALSE:
        return _boolean(value)
    bundle = os.path.expanduser(value)
    if not os.path.isfile(bundle):
        raise ValueError(f"'{_shown(value)}' is neither true, false nor an existing CA bundle file")
    return bundle


def _absolute_path(value: str) -> str:
    if not (value.startswith("~") or os.path.isabs(value)):
        raise ValueError(f"'{_shown(value)}' is relative to whatever folder the client runs in; "
                         "use an absolute path, or one starting with ~")
    return value


def _endpoint_url(value: str) -> str:
    if not re.fullmatch(r"https://[^/\s]+(/\S*)?", value):
        raise ValueError(f"'{redact.url(value)}' is not an https:// URL")
    if "@" in value:
        raise ValueError(f"'{redact.url(value)}' holds a user:password@ (or an @); the API takes none, remove it")
    return value


def _role_arn(value: str) -> str:
    if not re.fullmatch(_ROLE_ARN, value):
        raise ValueError(f"'{_shown(value)}' is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME)")
    return value


def _session_name(value: str) -> str:
    if not re.fullmatch(_SESSION_NAME, value):
        raise ValueError(f"'{_shown(value)}' is not allowed; use 2 to 64 of letters, digits and +=,.@_-")
    return value


def _owners(value: str) -> tuple[str, ...]:
    owners = tuple(owner.strip() for owner in value.split(","))
    for owner in owners:
        if not re.fullmatch(_OWNER, owner):
            raise ValueError(
                f"'{_shown(owner)}' is not a 12-digit AWS account id; "
                "write owners = 111122223333, 444455556666"
            )
    return owners


_CONVERTERS: dict[str, Callable[[str], object]] = {
    "token_duration": _duration,
    "timeout": _seconds(0, 300, low_included=False),
    "refresh_margin": _seconds(0, 3600, low_included=True),
    "advisory_margin": _seconds(0, 7200, low_included=True),
    "cache": _boolean,
    "cache_dir": _absolute_path,
    "log_file": _absolute_path,
    "verify": _verify,
    "endpoint_url": _endpoint_url,
    "role_arn": _role_arn,
    "role_session_name": _session_name,
    "owners": _owners,
}
