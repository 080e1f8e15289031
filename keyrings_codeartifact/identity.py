"""Who asks AWS, in words for people: the credentials botocore would pick, named
without calling anyone (``explain``, and errors that name the source). The cache key
does not come from here but from a digest of the inputs (``fingerprint``), so that a
case this model misses costs a call, never a token of another principal.

The order is botocore's (``credentials.create_credential_resolver``): keys in
keyringrc.cfg, environment keys (unless keyringrc.cfg names a profile), the profile
(``profile_name``, ``AWS_DEFAULT_PROFILE``, ``AWS_PROFILE``, ``default``) if one of its
providers applies, the boto2-era files, container credentials, IMDS. A variable set but
empty counts as set, as botocore counts it. Pure: reads the AWS files and the
environment, never the network; secrets (a container authorization token, a command
line's arguments) never enter the words.
"""

import configparser
import os
import shlex
import socket
from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple, Optional

if TYPE_CHECKING:
    from .settings import Settings

# Profile settings shown in the words, in this order.
_SHOWN = ("role_arn", "source_profile", "credential_source", "web_identity_token_file", "sso_session",
          "sso_account_id", "sso_role_name", "login_session", "aws_access_key_id")
# What each kind of source looks like to people.
_KIND_WORDS = {
    "keys": "access key in keyringrc.cfg",
    "environment": "environment keys",
    "profile": "AWS profile",
    "web-identity": "web identity from the environment",
    "container": "container credentials",
    "imds": "EC2 instance metadata (IMDS)",
    "legacy": "boto2 credentials file",
    "unreadable": "an AWS file botocore cannot read",
    "none": "no credentials found",
}
_DEFAULT_FILES = {"AWS_CONFIG_FILE": "~/.aws/config", "AWS_SHARED_CREDENTIALS_FILE": "~/.aws/credentials"}
_BOTO_FILES = ("/etc/boto.cfg", "~/.boto")


class Identity(NamedTuple):
    """Who asks AWS: the kind of source (``profile``, ``imds`` ...) and, for people, ``words``."""

    kind: str
    words: str


class _Facts:
    """What names an identity, in words."""

    def __init__(self, kind: str):
        self.kind = kind
        self.shown: list[tuple[str, str]] = []

    def add(self, name: str, value: Optional[str]) -> "_Facts":
        if value is not None:
            self.shown.append((name, value or "''"))
        return self

    def identity(self, role: Optional[tuple[str, Optional[str], bool]] = None) -> Identity:
        """These facts in words; ``role``: (ARN, session name, whether an external id is set)."""
        shown = list(self.shown)
        if role:  # the external id is a secret: only whether it is set, never a digest of it
            arn, session, external = role
            assumed = " ".join(filter(None, (arn, session))) + (", external id (set)" if external else "")
            shown.append(("then assumes role", assumed))
        words = ", ".join(f"{name} {value}" for name, value in shown)
        return Identity(self.kind, f"{_KIND_WORDS[self.kind]}: {words}" if words else _KIND_WORDS[self.kind])


def who_asks(settings: "Settings", environ: Mapping[str, str] = os.environ) -> Identity:
    """The identity that asks AWS for a token under ``settings`` and ``environ``."""
    role: Optional[tuple[str, Optional[str], bool]] = None
    if settings.role_arn:  # keyringrc.cfg's role: assumed with whatever credentials follow
        role = (settings.role_arn, settings.role_session_name, bool(settings.external_id))
    if settings.aws_access_key_id:
        return _Facts("keys").add("id", settings.aws_access_key_id).identity(role)
    return _default_chain(settings.profile_name, environ).identity(role)


def _default_chain(explicit_profile: Optional[str], environ: Mapping[str, str]) -> _Facts:
    files = _AwsFiles(environ)
    if files.unreadable:  # botocore fails before it looks for credentials
        return _Facts("unreadable").add("file", ", ".join(files.unreadable))
    named = explicit_profile or first_set(environ, "AWS_DEFAULT_PROFILE", "AWS_PROFILE")
    if named is not None and files.profile(named) is None:  # botocore: ProfileNotFound
        return _Facts("profile").add("name", named).add("missing from", files.where())
    if not explicit_profile and environ.get("AWS_ACCESS_KEY_ID"):
        return _Facts("environment").add("id", environ["AWS_ACCESS_KEY_ID"])
    # botocore ignores environment credentials when a profile is named
    return _profile(named or "default", files, environ, not explicit_profile) or _after_profiles(environ)


def _profile(name: str, files: "_AwsFiles", environ: Mapping[str, str], use_environment: bool) -> Optional[_Facts]:
    """The facts of profile ``name`` if one of botocore's profile providers applies, else None."""
    config = files.profile(name)
    web_identity = _web_identity(config or {}, environ if use_environment else {})
    assumes_role = config is not None and "role_arn" in config and "web_identity_token_file" not in config
    if not assumes_role and web_identity and web_identity.pop("from environment", None):
        return _named(_Facts("web-identity"), web_identity)
    if config is None:  # only the default can be missing here: botocore goes on down the chain
        return None
    if not (assumes_role or web_identity or _provides(config, files.credentials.get(name, {}))):
        return None
    facts = _Facts("profile").add("name", name).add("in", files.where())
    shown = {**config, **(web_identity if web_identity and not assumes_role else {})}
    _named(facts, {option: shown.get(option) for option in _SHOWN})
    return facts.add("credential process", _program(config.get("credential_process")))


def _named(facts: _Facts, options: Mapping[str, Optional[str]]) -> _Facts:
    """``facts`` with each option that is set, by its name in words."""
    for option, value in options.items():
        facts.add(option.replace("_", " "), value)
    return facts


def _provides(config: dict[str, str], credentials_section: dict[str, str]) -> bool:
    """Whether SSO, keys, a login session or a credential process apply to this profile."""
    keys = ("sso_account_id", "sso_role_name", "login_session", "credential_process", "aws_access_key_id")
    return "aws_access_key_id" in credentials_section or any(key in config for key in keys)


def _web_identity(config: dict[str, str], environ: Mapping[str, str]) -> Optional[dict[str, str]]:
    """Web identity settings, a set environment variable winning over the profile, or None."""
    variables = {"role_arn": "AWS_ROLE_ARN", "web_identity_token_file": "AWS_WEB_IDENTITY_TOKEN_FILE",
                 "role_session_name": "AWS_ROLE_SESSION_NAME"}
    found = {}
    for option, variable in variables.items():
        value = environ[variable] if variable in environ else config.get(option)
        if value is not None:
            found[option] = value
    if not found.get("web_identity_token_file"):
        return None
    found["web_identity_token_file"] = os.path.abspath(found["web_identity_token_file"])  # opened as is
    if any(variable in environ for variable in variables.values()):
        found["from environment"] = "yes"
    return found


def _after_profiles(environ: Mapping[str, str]) -> _Facts:
    """What botocore tries when no profile provides credentials: the boto2-era files, container
    credentials, then IMDS (the instance's role, as far as it can be told without asking)."""
    found = _legacy(environ) or _container(environ)
    if found is not None:
        return found
    if environ.get("AWS_EC2_METADATA_DISABLED", "false").lower() == "true":
        return _Facts("none")
    return _Facts("imds").add("endpoint", environ.get("AWS_EC2_METADATA_SERVICE_ENDPOINT")).add(
        "host", socket.gethostname())


def _legacy(environ: Mapping[str, str]) -> Optional[_Facts]:
    """botocore's boto2-era providers: AWS_CREDENTIAL_FILE, then BOTO_CONFIG or its default files."""
    if "AWS_CREDENTIAL_FILE" in environ:
        path = os.path.expanduser(environ["AWS_CREDENTIAL_FILE"])
        try:
            with open(path, encoding="utf-8", errors="replace") as file:
                lines = dict(line.split("=", 1) for line in file.read().splitlines() if "=" in line)
        except OSError:
            return _Facts("unreadable").add("file", path)
        values = {key.strip(): value.strip() for key, value in lines.items()}
        if "AWSAccessKeyId" in values:
            return _Facts("legacy").add("file", path).add("access key id", values["AWSAccessKeyId"])
    paths = [environ["BOTO_CONFIG"]] if "BOTO_CONFIG" in environ else list(_BOTO_FILES)
    for path in paths:
        expanded = os.path.expanduser(os.path.expandvars(path))
        if not os.path.isfile(expanded):
            continue
        unreadable: list[str] = []
        key_id = _sections(expanded, unreadable).get("Credentials", {}).get("aws_access_key_id")
        if unreadable:  # botocore stops there: ConfigParseError
            return _Facts("unreadable").add("file", expanded)
        if key_id is not None:
            return _Facts("legacy").add("file", expanded).add("access key id", key_id)
    return None


def _container(environ: Mapping[str, str]) -> Optional[_Facts]:
    relative = environ.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
    full = environ.get("AWS_CONTAINER_CREDENTIALS_FULL_URI")
    if relative is None and full is None:
        return None
    facts = _Facts("container")
    if relative is not None:  # botocore prefers the relative URI when both are set
        facts.add("relative uri", relative)
    else:
        facts.add("uri", _without_secrets(full or ""))
    token_file = environ.get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
    if token_file is not None:
        facts.add("authorization token file", os.path.abspath(token_file))
    elif "AWS_CONTAINER_AUTHORIZATION_TOKEN" in environ:
        facts.add("authorization token", "(set)")
    return facts


def first_set(environ: Mapping[str, str], *names: str) -> Optional[str]:
    """The value of the first variable that is set, even to nothing (botocore's rule)."""
    for name in names:
        if name in environ:
            return environ[name]
    return None


def _program(command: Optional[str]) -> Optional[str]:
    """A command line's program name, without arguments (which may hold secrets)."""
    if command is None:
        return None
    words = _split(command) or [command]
    return os.path.basename(words[0]) + (" ..." if len(words) > 1 else "")


def _without_secrets(url: str) -> str:
    """A URL without user:password and query, for showing it."""
    scheme, _, rest = url.partition("://")
    host, slash, path = rest.partition("/")
    return f"{scheme}://{host.rpartition('@')[2]}{slash}{path.split('?')[0].split('#')[0]}"


class _AwsFiles:
    """The shared config and credentials files, read as botocore reads them."""

    def __init__(self, environ: Mapping[str, str]):
        self.unreadable: list[str] = []  # paths of files botocore cannot parse
        self.config_path = _path(environ, "AWS_CONFIG_FILE")
        self.credentials_path = _path(environ, "AWS_SHARED_CREDENTIALS_FILE")
        self._config = _sections(self.config_path, self.unreadable)
        self.credentials = _sections(self.credentials_path, self.unreadable)

    def where(self) -> str:
        return f"{self.config_path or '(no config file)'} and {self.credentials_path or '(no credentials file)'}"

    def profile(self, name: str) -> Optional[dict[str, str]]:
        """The profile's settings, the credentials file's winning (botocore's full_config)."""
        found = None
        for section, options in self._config.items():
            if _profile_name(section) == name:
                found = dict(options)  # a later section replaces an earlier one
        if name in self.credentials:
            found = {**(found or {}), **self.credentials[name]}
        return found


def _profile_name(section: str) -> Optional[str]:
    """The profile a config-file section names (botocore's build_profile_map)."""
    if section == "default":
        return "default"
    if section.startswith("profile"):
        parts = _split(section)
        return parts[1] if len(parts) == 2 else None
    return None


def _split(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:
        return []


def _path(environ: Mapping[str, str], variable: str) -> Optional[str]:
    """The file ``variable`` names (set but empty: none, as botocore reads it)."""
    value = environ[variable] if variable in environ else _DEFAULT_FILES[variable]
    if not value:
        return None
    return os.path.abspath(os.path.expanduser(os.path.expandvars(value)))


def _sections(path: Optional[str], unreadable: list[str]) -> dict[str, dict[str, str]]:
    """The file's sections and options ({} if it does not exist). A file botocore
    cannot parse is recorded in ``unreadable``: botocore fails on it."""
    if path is None or not os.path.isfile(path):
        return {}
    parser = configparser.RawConfigParser()
    try:
        parser.read([path])
        return {section: dict(parser.items(section)) for section in parser.sections()}
    except (configparser.Error, UnicodeDecodeError, OSError):
        unreadable.append(path)
        return {}
