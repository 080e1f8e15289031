"""Who asks AWS: the credentials botocore would pick, named without calling anyone.

A token carries the permissions of the principal that asked for it, so the
cache is keyed by this name: it must change exactly when botocore's answer to
"whose credentials?" changes, and stay the same when a session is merely
refreshed (new temporary keys for the same SSO role or assumed role).

The order is botocore's (``credentials.create_credential_resolver``): keys in
keyringrc.cfg; environment keys (unless keyringrc.cfg names a profile); then the
profile (``profile_name``, else ``AWS_DEFAULT_PROFILE``, else ``AWS_PROFILE``,
else ``default``): a role to assume, web identity (its environment variables win
over the profile's), SSO, keys, ``credential_process``; then the boto2-era files,
container credentials, and the instance metadata service (IMDS). For a profile the
name holds the config and credentials files' paths and a digest of the settings
that decide who it is, along ``source_profile`` chains.

Pure: reads the two AWS files and the environment, imports nothing heavy, never
touches the network. Secrets (a container authorization token) enter only the
digest, never the words.
"""

import configparser
import hashlib
import json
import os
import shlex
from typing import Dict, List, Mapping, NamedTuple, Optional, Tuple

# Profile settings that decide which principal a profile is.
_DECIDING = (
    "aws_access_key_id",
    "role_arn",
    "source_profile",
    "credential_source",
    "external_id",
    "role_session_name",
    "mfa_serial",
    "web_identity_token_file",
    "credential_process",
    "sso_session",
    "sso_start_url",
    "sso_account_id",
    "sso_role_name",
    "login_session",
)
# What each kind of source looks like to people.
_KIND_WORDS = {
    "keys": "access key in keyringrc.cfg",
    "environment": "environment keys",
    "profile": "AWS profile",
    "web-identity": "web identity from the environment",
    "container": "container credentials",
    "imds": "EC2 instance metadata (IMDS)",
    "legacy": "boto2 credentials file",
    "none": "no credentials found",
}


# Kinds whose first fact (profile name, access key id) names them in `cache list`.
_LABELLED = ("keys", "environment", "profile")


class Identity(NamedTuple):
    """Who asks AWS: ``key`` goes into the cache key, ``words`` are for people."""

    kind: str
    words: str
    key: str


class _Facts:
    """What names an identity: shown facts, and hidden ones that only enter the digest."""

    def __init__(self, kind: str):
        self.kind = kind
        self.shown: List[Tuple[str, str]] = []
        self.hidden: List[str] = []

    def add(self, name: str, value: Optional[str]) -> None:
        if value:
            self.shown.append((name, value))

    def identity(self, role: Optional[Tuple[str, ...]] = None) -> Identity:
        shown = list(self.shown)
        if role:
            shown.append(("then assumes role", " ".join(filter(None, role))))
        canonical = json.dumps([self.kind, shown, self.hidden]).encode()
        digest = hashlib.sha256(canonical).hexdigest()[:16]
        words = ", ".join(f"{name} {value}" for name, value in shown)
        words = f"{_KIND_WORDS[self.kind]}: {words}" if words else _KIND_WORDS[self.kind]
        label = self.shown[0][1] if self.shown and self.kind in _LABELLED else ""
        return Identity(self.kind, words, f"{self.kind}:{label}:{digest}" if label else f"{self.kind}:{digest}")


def resolve(settings, environ: Mapping[str, str] = os.environ) -> Identity:
    """The identity that asks AWS for a token under ``settings`` and ``environ``."""
    role = None
    if settings.role_arn:  # keyringrc.cfg's role: assumed with whatever credentials follow
        role = (settings.role_arn, settings.role_session_name, _digest(settings.external_id))
    if settings.aws_access_key_id:
        facts = _Facts("keys")
        facts.add("id", settings.aws_access_key_id)
        return facts.identity(role)
    return _default_chain(settings.profile_name, environ).identity(role)


def _default_chain(explicit_profile: Optional[str], environ: Mapping[str, str]) -> _Facts:
    if not explicit_profile and environ.get("AWS_ACCESS_KEY_ID"):
        facts = _Facts("environment")
        facts.add("id", environ["AWS_ACCESS_KEY_ID"])
        return facts
    name = (
        explicit_profile
        or environ.get("AWS_DEFAULT_PROFILE")
        or environ.get("AWS_PROFILE")
        or "default"
    )
    files = _AwsFiles(environ)
    use_environment = not explicit_profile  # botocore ignores env credentials then
    facts = _profile(name, files, environ, use_environment, seen=())
    if facts is not None:
        return facts
    return _after_profiles(environ)


def _profile(
    name: str, files: "_AwsFiles", environ: Mapping[str, str], use_environment: bool, seen: Tuple[str, ...]
) -> Optional[_Facts]:
    """The facts of profile ``name`` if it provides credentials, else None."""
    config = files.profile(name)
    web_identity = _web_identity(config or {}, environ if use_environment else {})
    assumes_role = config is not None and "role_arn" in config and "web_identity_token_file" not in config
    if not assumes_role and web_identity is not None and web_identity.get("from environment"):
        facts = _Facts("web-identity")
        for option in ("role_arn", "web_identity_token_file", "role_session_name"):
            facts.add(option.replace("_", " "), web_identity.get(option))
        return facts
    if config is None:
        if name == "default" and not seen:
            return None  # no default profile: botocore goes on down the chain
        facts = _Facts("profile")  # botocore fails: ProfileNotFound
        facts.add("name", name)
        facts.add("missing from", files.where())
        return facts
    deciding = {option: config[option] for option in _DECIDING if option in config}
    if not deciding:
        return None
    if "sso_session" in config:
        session = files.sso_session(config["sso_session"]) or {}
        deciding["sso_session start_url"] = session.get("sso_start_url", "")
    facts = _Facts("profile")
    facts.add("name", name)
    facts.add("in", files.where())
    for option in ("role_arn", "sso_account_id", "sso_role_name", "aws_access_key_id", "credential_process"):
        facts.add(option.replace("_", " "), deciding.get(option))
    facts.hidden.append(json.dumps(deciding, sort_keys=True))
    if assumes_role:
        facts.hidden.append(_role_source(config, name, files, environ, seen))
    return facts


def _role_source(config: Dict[str, str], name: str, files: "_AwsFiles", environ, seen) -> str:
    """The key of the credentials a role profile assumes its role with."""
    source = config.get("source_profile")
    if source == name:  # a profile may use its own keys to assume its role
        return "itself"
    if source:
        if source in seen:
            return "cycle"
        parent = _profile(source, files, environ, use_environment=False, seen=seen + (name,))
        return parent.identity().key if parent else "none"
    return _credential_source(config.get("credential_source", ""), environ).identity().key


def _web_identity(config: Dict[str, str], environ: Mapping[str, str]) -> Optional[Dict[str, str]]:
    """Web identity settings, the environment's winning over the profile's, or None."""
    variables = {
        "web_identity_token_file": "AWS_WEB_IDENTITY_TOKEN_FILE",
        "role_arn": "AWS_ROLE_ARN",
        "role_session_name": "AWS_ROLE_SESSION_NAME",
    }
    found = {option: environ.get(variable) or config.get(option, "") for option, variable in variables.items()}
    if not found["web_identity_token_file"]:
        return None
    found["web_identity_token_file"] = _path(found["web_identity_token_file"])
    if any(environ.get(variable) for variable in variables.values()):
        found["from environment"] = "yes"
    return found


def _credential_source(source: str, environ: Mapping[str, str]) -> _Facts:
    """A role profile's ``credential_source``: Environment, EcsContainer or Ec2InstanceMetadata."""
    if source == "Environment":
        facts = _Facts("environment")
        facts.add("id", environ.get("AWS_ACCESS_KEY_ID"))
        return facts
    if source == "EcsContainer":
        return _container(environ) or _Facts("none")
    return _imds(environ)


def _after_profiles(environ: Mapping[str, str]) -> _Facts:
    """What botocore tries when no profile provides credentials."""
    legacy = environ.get("AWS_CREDENTIAL_FILE") or environ.get("BOTO_CONFIG")
    if legacy:
        facts = _Facts("legacy")
        facts.add("file", os.path.abspath(os.path.expanduser(legacy)))
        return facts
    container = _container(environ)
    if container is not None:
        return container
    if environ.get("AWS_EC2_METADATA_DISABLED", "").lower() == "true":
        return _Facts("none")
    return _imds(environ)


def _container(environ: Mapping[str, str]) -> Optional[_Facts]:
    relative = environ.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
    full = environ.get("AWS_CONTAINER_CREDENTIALS_FULL_URI")
    if not (relative or full):
        return None
    facts = _Facts("container")
    facts.add("relative uri", relative)
    facts.add("uri", None if relative else full)
    token_file = environ.get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
    facts.add("authorization token file", token_file and os.path.abspath(token_file))
    if environ.get("AWS_CONTAINER_AUTHORIZATION_TOKEN") and not token_file:
        facts.add("authorization token", "(set)")
        facts.hidden.append(_digest(environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]) or "")
    return facts


def _imds(environ: Mapping[str, str]) -> _Facts:
    facts = _Facts("imds")
    facts.add("endpoint", environ.get("AWS_EC2_METADATA_SERVICE_ENDPOINT"))
    return facts


def _digest(value: Optional[str]) -> Optional[str]:
    return hashlib.sha256(value.encode()).hexdigest()[:16] if value else None


class _AwsFiles:
    """The shared config and credentials files, read as botocore reads them."""

    def __init__(self, environ: Mapping[str, str]):
        self.config_path = _path(environ.get("AWS_CONFIG_FILE") or "~/.aws/config")
        self.credentials_path = _path(environ.get("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials")
        self._config = _sections(self.config_path)
        self._credentials = _sections(self.credentials_path)

    def where(self) -> str:
        return f"{self.config_path} and {self.credentials_path}"

    def profile(self, name: str) -> Optional[Dict[str, str]]:
        """The profile's settings, the credentials file's winning (botocore's full_config)."""
        found = None
        for section, options in self._config.items():
            if _profile_name(section) == name:
                found = dict(options)  # a later section replaces an earlier one
        if name in self._credentials:
            found = {**(found or {}), **self._credentials[name]}
        return found

    def sso_session(self, name: str) -> Optional[Dict[str, str]]:
        for section, options in self._config.items():
            parts = _split(section)
            if len(parts) == 2 and parts[0] == "sso-session" and parts[1] == name:
                return options
        return None


def _profile_name(section: str) -> Optional[str]:
    """The profile a config-file section names (botocore's build_profile_map)."""
    if section == "default":
        return "default"
    if section.startswith("profile"):
        parts = _split(section)
        return parts[1] if len(parts) == 2 else None
    return None


def _split(section: str) -> List[str]:
    try:
        return shlex.split(section)
    except ValueError:
        return []


def _path(value: str) -> str:
    return os.path.abspath(os.path.expanduser(os.path.expandvars(value)))


def _sections(path: str) -> Dict[str, Dict[str, str]]:
    """The file's sections and options; an unreadable file counts as empty (botocore
    then fails with its own error, and the identity does not matter)."""
    parser = configparser.RawConfigParser()
    try:
        parser.read([path])
    except (configparser.Error, UnicodeDecodeError, OSError):
        return {}
    return {section: dict(parser.items(section)) for section in parser.sections()}
