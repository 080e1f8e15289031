"""``codeartifact-keyring explain URL`` (alias ``doctor``): first the recorded failures of
lookups for URL's domain (any process, any identity: what a client that hides our
message met), then how URL is recognised, which settings apply and where each came
from, who asks AWS, whether keyring reaches this backend, and the cache state; with
``--check``, what AWS says now. Without URL: the recorded failures of every endpoint.
Never a token."""

import argparse
import os
import shutil
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from .. import redact
from ..cache import DiskCache, UnsafeFolder, cache_key, folder_for
from ..endpoint import Endpoint
from ..errors import CodeArtifactError, ConfigError
from ..fingerprint import identity_key
from ..identity import who_asks
from ..lookup import TOKEN_VARIABLE, check_allowed, environment_token
from ..settings import LOG_VARIABLE, Resolution, Settings, with_sources
from ..token_record import CLOCK_SLACK, trusted
from ..userfolders import CACHE_DIR_VARIABLE
from .common import FAILED, OK, UsageError, endpoint, heading, iso, row, span, state

if TYPE_CHECKING:
    from .common import Commands

_FORMS = {"standard": "standard", "dualstack": "dual-stack", "vpc": "VPC endpoint"}
_SECRET_SETTINGS = ("aws_secret_access_key", "external_id")  # shown as "(set)", never their values
_ENVIRONMENT_SOURCES = {"profile_name": "AWS_PROFILE", "endpoint_url": "AWS_ENDPOINT_URL_CODEARTIFACT",
                        "verify": "AWS_CA_BUNDLE"}  # settings botocore also reads from a variable when not set


def add_to(commands: "Commands") -> None:
    parser = commands.add_parser(
        "explain",
        aliases=["doctor"],
        help="show how URL is recognised and configured, and whether keyring reaches this backend",
        description="Show how URL is recognised, which settings apply and where each came "
        "from, whether keyring would reach this backend, and the cache state. Never prints a token.",
    )
    parser.add_argument("url", metavar="URL", nargs="?",
                        help="the repository endpoint URL; without it, the recent failed lookups of every endpoint")
    parser.add_argument("--check", action="store_true", help="also call AWS: caller identity and a token request")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.url is None:
        if args.check:
            raise UsageError("--check needs a URL: explain URL --check")
        if not _failures(None):
            print("No failed lookups recorded (a success clears its endpoint's record).")
        return OK
    where = endpoint(args.url)
    shown = _failures(where)
    _endpoint(where, first=not shown)
    resolution = with_sources(where)
    _settings(where, resolution)
    _identity(resolution.settings)
    _keyring()
    _cache(where, resolution.settings)
    if args.check:
        return _check(where, resolution.settings)
    return OK


def _failures(where: Optional[Endpoint]) -> bool:
    """The recorded failures of lookups for ``where``'s domain (None: of every endpoint),
    newest first; whether there were any."""
    from .. import failures

    try:
        settings: Optional[Settings] = with_sources(where).settings
    except ConfigError:  # keyringrc.cfg cannot be read: shown later
        settings = None
    found = failures.recent(settings, where)
    if found:
        heading("Last failures (of lookups by any program; a later success clears them)" if where
                else "Failed lookups, newest first", first=True)
    now = time.time()
    for failure in found:
        label = "lookup failed" if where else f"{failure.host}/{failure.repository or '-'}"
        row(label, failures.describe(failure, now))
    return bool(found)


def _endpoint(where: Endpoint, first: bool = True) -> None:
    """How the URL was recognised."""
    heading("Endpoint", first=first)
    row("form", _FORMS[where.form])
    row("domain", where.domain)
    row("owner", where.owner)
    row("region", f"{where.region} (partition {where.partition})")
    row("repository", where.repository or "(none in the URL)")


def _settings(where: Endpoint, resolution: Resolution) -> None:
    """Each setting, and where it came from; whether owners and CODEARTIFACT_AUTH_TOKEN let AWS be called."""
    heading("Settings")
    found = "found" if resolution.path.exists() else "absent: defaults apply"
    row("config file", f"{resolution.path} ({found})")
    row("applicable sections", ", ".join(resolution.sections) or "none")
    for option, value in resolution.settings._asdict().items():
        if option in _SECRET_SETTINGS and value:
            value = "(set)"
        elif option == "owners" and value:
            value = ", ".join(value)
        row(option, f"{'-' if value is None else redact.text(value)}  <- {_source_of(option, resolution.sources)}")
    allowed = resolution.settings.allows(where)
    row("owner allowed", "yes" if allowed else f"NO: {where.owner} is not in owners; no token, AWS is not called")
    if os.environ.get(TOKEN_VARIABLE):
        try:
            environment_token()
            row(TOKEN_VARIABLE, "set: served as the token, AWS is not called")
        except ConfigError:
            row(TOKEN_VARIABLE, "set, but holds whitespace or control characters: refused, not served")


def _source_of(option: str, sources: dict[str, str]) -> str:
    if option == "cache_dir" and os.environ.get(CACHE_DIR_VARIABLE):
        return f"environment {CACHE_DIR_VARIABLE} (wins over the file)"
    if option == "log_file" and os.environ.get(LOG_VARIABLE):
        return f"environment {LOG_VARIABLE}={redact.text(os.environ[LOG_VARIABLE])} (wins over the file)"
    if option in sources:
        return f"config file {sources[option]}"
    variable = _ENVIRONMENT_SOURCES.get(option)
    if variable and os.environ.get(variable):
        shown = (redact.url if option == "endpoint_url" else redact.text)(os.environ[variable])
        return f"default; botocore uses {variable}={shown}"
    return "default"


def _identity(settings: Settings) -> None:
    """Who asks AWS, as botocore's credential chain would pick it, and the identity
    part of the cache key (a digest of the inputs, which names no secret)."""
    heading("Identity")
    row("asks AWS as", who_asks(settings).words)
    row("cache key", identity_key(settings))


def _keyring() -> None:
    """Which backend keyring picks in this Python, whether this one is in its chain, and
    whether poetry asks keyring at all."""
    import keyring  # here, with keyring's backends: only explain needs them (~120 ms)
    from keyring.backend import KeyringBackend
    from keyring.backends.chainer import ChainerBackend

    from ..backend import CodeArtifactBackend
    from ..configure.poetry_keyring import turned_off

    heading("Keyring")
    active = keyring.get_keyring()
    chain: list[KeyringBackend] = list(active.backends) if isinstance(active, ChainerBackend) else [active]
    row("python", sys.executable)
    row("active backend", _backend_name(active))
    if isinstance(active, ChainerBackend):
        row("chain", ", ".join(f"{_backend_name(b)} ({b.priority:g})" for b in chain))
    if any(isinstance(b, CodeArtifactBackend) for b in chain):
        row("reaches this backend", "yes")
    else:
        forced = os.environ.get("PYTHON_KEYRING_BACKEND")
        why = (f"PYTHON_KEYRING_BACKEND={forced}" if forced
               else "keyringrc.cfg [backend] default-keyring, or keyring.backends.fail,") + " selects another backend"
        row("reaches this backend", f"NO: {why}")
    on_path = shutil.which("keyring")
    row("keyring on PATH", f"{on_path or 'none'} (what pip's subprocess provider and uv run)")
    poetry_off = turned_off(Path.cwd())  # poetry's keyring.enabled, for poetry run here
    row("poetry asks keyring", f"NO: {poetry_off}" if poetry_off else "yes (keyring.enabled is not off)")


def _backend_name(backend: object) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__name__}"


def _cache(where: Endpoint, settings: Settings) -> None:
    """The cache folder, whether it can be used, and the state of this endpoint's entry."""
    heading("Cache")
    if not settings.cache:
        row("disk cache", "off (cache = false)")
        return
    disk = None
    try:
        folder = folder_for(settings.cache_dir)
        disk = DiskCache.open(folder)
        row("folder", f"{folder} (usable)", as_is=True)
    except FileNotFoundError:
        row("folder", f"{folder} (made on the first lookup)", as_is=True)
    except UnsafeFolder as unsafe:
        row("folder", f"{unsafe.path} (NOT usable: {unsafe.problem}; {unsafe.remedy})", as_is=True)
    cached = disk.read(cache_key(where, settings)) if disk else None
    if cached is None:
        row("this endpoint", "no cached token: the next lookup asks AWS")
    else:
        shown = state(cached, settings.refresh_margin)
        row("this endpoint", f"{shown} (expires {iso(cached.expires_at)})")


def _check(where: Endpoint, settings: Settings) -> int:
    """Ask AWS who these credentials are and for a token, bypassing the cache, so
    that what is shown is what AWS says now for the identity above."""
    from .. import aws  # here: botocore, for --check only

    heading("Check (calls AWS, bypasses the cache)")
    try:
        check_allowed(where, settings)
    except ConfigError:
        row("result", "NOT RUN: the owner is not in owners, so AWS is not called")
        return FAILED
    try:
        row("caller identity", aws.caller_identity(where, settings))
        token, measured = aws.fetch_token_and_offset(where, settings)
    except CodeArtifactError as error:
        row("result", f"FAILED: {error}")
        return FAILED
    row("token", f"issued to that caller; expires {iso(token.expires_at)} (not cached)")
    row("clock", _clock(measured))
    row("served by lookups", "the cached token of the identity above, asked for by these same credentials")
    return OK


def _clock(measured: Optional[float]) -> str:
    """How this machine's clock stands to AWS's, as the token response's Date measured
    it (``measured``: AWS's minus ours), and which clock tokens are judged by."""
    if measured is None:
        return "AWS sent no Date header: tokens are judged by this machine's clock"
    if not trusted(measured):
        way = "ahead of" if measured > 0 else "behind"
        return (f"the Date header is {span(abs(measured))} {way} this machine's clock, more than AWS "
                "accepts in a signed request, so not AWS's (a proxy's?): tokens are judged by this machine's clock")
    if abs(measured) <= CLOCK_SLACK:
        return f"agrees with AWS (within {CLOCK_SLACK:.0f} s)"
    if measured > 0:
        return f"this machine's clock is {span(measured)} behind AWS; tokens are judged by AWS's clock"
    return (f"this machine's clock is {span(-measured)} ahead of AWS; tokens are judged by this machine's "
            "clock, the later one (a Date behind never keeps a token longer)")
