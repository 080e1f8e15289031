"""`codeartifact-keyring setup TOOL`: write, once, the configuration that makes pip,
uv, poetry, twine, pdm or pipenv ask keyring for a CodeArtifact repository. Never a
token: the backend supplies one at every use.

Every tool's set-up is a list of ``edits.Change``, each made through the tool's own
writer or a format-preserving library, then read back with the reader the tool
itself uses and compared with what was meant: the file must say exactly that, and
everything else it said before. If it does not, nothing is written and the error
says why. The command shows the changes as a diff (``--dry-run``) or applies them;
running it twice changes nothing.

One function per tool (``pip_changes``, ``uv_changes``, ...): a new tool is a new
function here and a new subcommand in cli/setup.py.
"""

import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, NamedTuple, Optional
from urllib.parse import urlsplit

from . import edits, userfolders
from .endpoint import Endpoint, parse
from .settings import NAMES_SECTION, config_path

if TYPE_CHECKING:
    from configupdater import ConfigUpdater

IniData = dict[str, dict[str, Any]]  # {section: {key: value}}, as configparser reads a file

_FIRST_PIP_WITH_CREDS_MODE = (26, 2)  # pip from 26.2 asks `keyring --mode=creds`, no username needed
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_INI_COMMENTS = ("#", ";")  # configparser's full-line comments, also between continuation lines


class SetupError(Exception):
    """The set-up cannot be done; the message says why and what to do (exit 1)."""


class BadRequest(SetupError):
    """The command line asks for something that cannot be set up (exit 2)."""


class Repository(NamedTuple):
    """The repository to set up, and the name it gets in the tools' configs."""

    name: str
    upload_url: str  # https://HOST/pypi/REPO/ (twine, poetry publish, uv publish)
    endpoint: Endpoint

    @property
    def index_url(self) -> str:
        return self.upload_url + "simple/"


def check_name(name: str) -> None:
    """BadRequest unless ``name`` can be a section, key or index name in every tool's config."""
    if not _NAME.fullmatch(name):
        raise BadRequest(
            f"--name {name!r} is not a valid name: use letters, digits, '.', '_' and '-', "
            "starting with a letter or digit"
        )


def repository_from_url(url: str, name: str) -> Repository:
    endpoint = parse(url)
    if endpoint is None or endpoint.repository is None:
        raise BadRequest(
            f"{url} is not a CodeArtifact repository URL "
            "(https://DOMAIN-OWNER.d.codeartifact.REGION.amazonaws.com/pypi/REPO/)"
        )
    if endpoint.form == "vpc":
        path = f"/pypi/d/{endpoint.domain}-{endpoint.owner}/{endpoint.repository}/"
    else:
        path = f"/pypi/{endpoint.repository}/"
    return Repository(name, f"https://{endpoint.host}{path}", endpoint)


def _with_aws_user(url: str) -> str:
    return url.replace("https://", "https://aws@", 1)


def _same_place(url: str, other: str) -> bool:
    """Whether two URLs name the same index, whatever user or password they carry."""
    def place(value: str) -> tuple[str, str]:
        parts = urlsplit(value.strip())
        return (parts.hostname or "").lower(), parts.path.rstrip("/")

    return place(url) == place(other)


def _password_of(url: str) -> Optional[str]:
    try:
        return urlsplit(url.strip()).password
    except ValueError:
        return None


class _Edit(NamedTuple):
    """The result of editing one file's text: the new text, notes, secrets to hide."""

    text: str
    notes: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ()


def _change(original: edits.Original, edit: _Edit, after: Optional[bytes] = None) -> edits.Change:
    return edits.Change(
        original.path, original.raw, edits.render(original, edit.text) if after is None else after,
        original.exists, edit.notes, edit.secrets,
    )


# -- pip ------------------------------------------------------------------------------


def pip_changes(repository: Repository, pip: list[str], scope: str, extra: bool) -> list[edits.Change]:
    """pip's index-url (or an extra-index-url) and keyring-provider, in the config file
    ``pip config --SCOPE`` uses; checked with that pip's own config loader."""
    version = _pip_version(pip)
    provider = "import" if _pip_has_backend(pip) else "subprocess"
    needs_user = provider == "subprocess" and version < _FIRST_PIP_WITH_CREDS_MODE
    url = _with_aws_user(repository.index_url) if needs_user else repository.index_url
    original = edits.read(_pip_config_file(pip, scope))
    seen = _pip_reads(pip, original.raw, original.path, "now")
    updater = edits.ini_parse(original)
    edit, ours = _pip_edit(updater, url, provider, extra)
    change = _change(original, edit)
    expected = dict(seen, **ours)
    _check(original.path, "pip", _pip_reads(pip, change.after, original.path, "after the edit"),
           expected, lists=(("global.extra-index-url",),))
    variable = "PIP_EXTRA_INDEX_URL" if extra else "PIP_INDEX_URL"
    change = _unless_set(change, "pip", {variable: "uses it instead of the config file's"})
    return [_unless_shadowed(change, "PIP_CONFIG_FILE", "pip")]


def _pip_edit(updater: "ConfigUpdater", url: str, provider: str, extra: bool) -> tuple[_Edit, dict[str, str]]:
    """Set ``url`` as the index (or an extra one) and the provider; an old URL of the
    same repository is replaced where it stands, and its password said to be gone.
    Also returns the values of the keys set, as pip should read them."""
    notes: list[str] = []
    secrets: list[str] = []
    ours: dict[str, str] = {}

    def forget(old: str, key: str) -> None:
        password = _password_of(old)
        if password:
            notes.append(f"removed the password that was in {key}")
            secrets.append(password)

    def value(key: str) -> Optional[str]:
        return updater["global"][key].value if updater.has_option("global", key) else None

    current = value("index-url")
    lines, extras = _ini_list(value("extra-index-url"))
    ours_is_the_index = current is not None and _same_place(current, url)
    if (not extra or ours_is_the_index) and (current or "").strip() != url:
        forget(current or "", "index-url")
        edits.ini_set(updater, "global", "index-url", url)
        ours["global.index-url"] = url
    stale = [item for item in extras if _same_place(item, url) and item != url]
    if stale or (extra and not ours_is_the_index and url not in extras):
        for item in stale:
            forget(item, "extra-index-url")
        # one item a line, comment lines kept; our URL replaces an old one where it stands
        kept = [url if _same_place(line, url) else line for line in lines]
        kept = list(dict.fromkeys(kept + ([] if url in kept else [url])))
        edits.ini_set(updater, "global", "extra-index-url", "\n" + "\n".join(kept))
        ours["global.extra-index-url"] = " ".join(item for item in kept if not item.startswith(_INI_COMMENTS))
    if value("keyring-provider") != provider:
        edits.ini_set(updater, "global", "keyring-provider", provider)
        ours["global.keyring-provider"] = provider
    return _Edit(edits.ini_text(updater), tuple(notes), tuple(secrets)), ours


def _ini_list(value: Optional[str]) -> tuple[list[str], list[str]]:
    """A whitespace-separated INI list value: its lines (comment lines kept, for writing
    back) and its items (as configparser, and so pip and twine, read them)."""
    lines = [line.strip() for line in (value or "").split("\n") if line.strip()]
    return lines, [item for line in lines if not line.startswith(_INI_COMMENTS) for item in line.split()]


def _pip_reads(pip: list[str], content: bytes, path: Path, when: str) -> dict[str, str]:
    """What this pip's own config loader reads from ``content`` as a config file
    (``pip config list``, the file given as PIP_CONFIG_FILE), as {"section.key": value}."""
    import ast

    with tempfile.TemporaryDirectory() as folder:
        candidate = Path(folder) / "pip.conf"
        candidate.write_bytes(content)
        environment = dict(os.environ, PIP_CONFIG_FILE=str(candidate))
        result = _run(pip + ["config", "list"], environment)
        if result.returncode != 0:
            raise SetupError(_pip_failure(pip + ["config", "list"], result.stderr, f"{path} {when}"))
    seen = {}
    for line in result.stdout.splitlines():
        key, _, value = line.partition("=")
        if value and not key.startswith(":env:"):  # variables, not files
            seen[key] = ast.literal_eval(value)
    return seen


def _run(
    command: list[str], environment: Optional[dict[str, str]] = None, cwd: Optional[str] = None
) -> "subprocess.CompletedProcess[str]":
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=120, env=environment, cwd=cwd)
    except OSError as error:
        raise SetupError(f"cannot run {' '.join(command[:1])}: {error.strerror}") from None
    except subprocess.TimeoutExpired:
        raise SetupError(f"`{' '.join(command)}` did not finish within 120 s") from None


def _run_pip(pip: list[str], *args: str, config: bool = True) -> str:
    """pip's output, with PIP_CONFIG_FILE unset (so that pip tells about the files it
    would read without it); without ``config``, pip reads no config file (so that a
    broken one does not stop it telling its version)."""
    environment = {name: value for name, value in os.environ.items() if name != "PIP_CONFIG_FILE"}
    if not config:
        environment["PIP_CONFIG_FILE"] = os.devnull
    result = _run(pip + list(args), environment)
    if result.returncode != 0:
        raise SetupError(_pip_failure(pip + list(args), result.stderr))
    return result.stdout


def _pip_failure(command: list[str], stderr: str, shown_path: Optional[str] = None) -> str:
    """One line for a failed pip run: which config file pip cannot read and why, if that was it."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    if any("could not be loaded" in line for line in lines):
        found = next((re.match(r"file: '(.*)', line", line) for line in lines if line.startswith("file: ")), None)
        path = shown_path or (found[1] if found else "its config file")
        reasons = [line for line in lines if "could not be loaded" not in line and not line.startswith(("file: ", "'"))]
        reason = reasons[0] if reasons else "it does not parse"
        return f"pip cannot read {path} ({reason}); fix it, then run setup again"
    return f"`{' '.join(command)}` failed: {lines[-1] if lines else 'no output'}"


def _pip_version(pip: list[str]) -> tuple[int, ...]:
    found = re.match(r"pip (\d+)\.(\d+)", _run_pip(pip, "--version", config=False))
    if not found:
        raise SetupError(f"cannot tell the version of {' '.join(pip)}")
    return int(found[1]), int(found[2])


def _pip_has_backend(pip: list[str]) -> bool:
    installed = json.loads(_run_pip(pip, "list", "--format=json", "--disable-pip-version-check", config=False))
    return any(package["name"].lower() == "codeartifact-keyring" for package in installed)


def _pip_config_file(pip: list[str], scope: str) -> Path:
    """The file of ``scope`` that wins in pip: the last one that exists (pip reads them
    in order, later ones overriding), else the one `pip config --SCOPE set` creates."""
    files: dict[str, list[tuple[Path, bool]]] = {}
    variant = None
    for line in _run_pip(pip, "config", "debug").splitlines():
        header = re.match(r"^(\w+):$", line)
        entry = re.match(r"^\s+(.+), exists: (True|False)$", line)
        if header:
            variant = header[1]
        elif entry and variant:
            files.setdefault(variant, []).append((Path(entry[1]), entry[2] == "True"))
    candidates = files.get(scope) or []
    if not candidates:
        raise SetupError(f"pip reports no {scope} config file")
    existing = [path for path, exists in candidates if exists]
    return existing[-1] if existing else candidates[-1][0]


def _unless_shadowed(change: edits.Change, variable: str, tool: str) -> edits.Change:
    """``change``, with a note if ``variable`` in this shell makes ``tool`` read another file."""
    value = os.environ.get(variable)
    if not value or Path(value) == change.path:
        return change
    reads = "no config file" if value in ("1", "true", os.devnull) else "that file"
    note = f"but {variable}={value} is set here, so {tool} reads {reads} instead"
    return change._replace(notes=change.notes + (note,))


def _unless_set(change: edits.Change, tool: str, variables: dict[str, str]) -> edits.Change:
    """``change``, with a note naming each of ``variables`` (name: what ``tool`` does with
    it) that is set in this shell; never its value, which may be a token."""
    found = [f"{variable} is set in this shell, and {tool} {does}" for variable, does in variables.items()
             if os.environ.get(variable)]
    if not found:
        return change
    return change._replace(notes=change.notes + (f"but {'; '.join(found)} (unset it to use this)",))


def _variable_part(name: str) -> str:
    """A repository name as uv and poetry spell it in variable names: MY_REPO."""
    return "".join(character if character.isalnum() else "_" for character in name.upper())


_SENDS_IT = "sends it instead of asking keyring"


# -- TOML files: uv.toml, pyproject.toml, poetry's config.toml ------------------------------


def _toml_change(original: edits.Original, wanted: edits.TomlEdit, tool: str) -> edits.Change:
    """The file with ``wanted`` done, checked with tomllib (as uv and poetry read it;
    pdm and pipenv read TOML through tomlkit): exactly what was there before plus
    ``wanted``."""
    before = _toml_data(original, tool)
    if edits.same_data(before, edits.toml_expected(before, wanted, original.path)):
        return _change(original, _Edit(original.text))
    notes, secrets = _stale_url(before, wanted)
    return _change(original, _Edit(edits.toml_edit(original, before, wanted, tool), notes, secrets))


def _toml_changes(original: edits.Original, wanted: list[edits.TomlEdit], tool: str) -> edits.Change:
    """The file with each of ``wanted`` done in turn, each step checked as
    ``_toml_change`` checks one."""
    current = original
    notes: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ()
    for step in wanted:
        change = _toml_change(current, step, tool)
        notes, secrets = notes + change.notes, secrets + change.secrets
        text = edits.decode(change.after)
        current = current._replace(raw=change.after, text=text.replace("\r\n", "\n"))
    return edits.Change(original.path, original.raw, current.raw, original.exists, notes, secrets)


def _toml_data(original: edits.Original, tool: str) -> dict[str, Any]:
    try:
        return edits.toml_load(original.text)
    except ValueError as error:
        raise SetupError(f"{tool} cannot read {original.path} now ({error}); fix it, then run setup again") from None


def _stale_url(data: dict[str, Any], wanted: edits.TomlEdit) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A note and the secret, if the entry being replaced had a password in its URLs
    or a ``password`` key that ``wanted`` drops."""
    entries = edits.toml_dig(data, wanted.table + [wanted.array]) if wanted.array else None
    if not isinstance(entries, list) or wanted.entry is None:
        return (), ()
    notes, secrets = [], []
    for entry in entries:
        if isinstance(entry, dict) and entry.get("name") == wanted.entry["name"]:
            for key in ("url", "publish-url"):
                password = _password_of(str(entry.get(key, "")))
                if password and entry.get(key) != wanted.entry.get(key):
                    notes.append(f"removed the password that was in the {key} of {wanted.array} {entry['name']!r}")
                    secrets.append(password)
            if "password" in wanted.drop and entry.get("password"):
                notes.append(f"removed the password of {wanted.array} {entry['name']!r}: keyring gives a fresh token")
                secrets.append(str(entry["password"]))
    return tuple(notes), tuple(secrets)


# -- uv -------------------------------------------------------------------------------

_FIRST_UV_WITH_ALWAYS = (0, 6, 10)  # authenticate = "always" asks keyring with no username, uv pip too


def uv_changes(repository: Repository, project: Optional[Path], extra: bool) -> list[edits.Change]:
    """A named index with ``authenticate = "always"`` (uv then asks keyring with no
    username) and keyring-provider = subprocess, in the user's uv.toml or the
    project's pyproject.toml ([tool.uv]). Its publish-url keeps user ``aws``: uv
    publish asks keyring only for a username it knows. A uv on PATH too old for
    ``authenticate`` gets user ``aws`` in the index URL instead."""
    if project is not None:
        path, table = project / "pyproject.toml", ["tool", "uv"]
        if not path.exists():
            raise BadRequest(f"{path} does not exist; run this in your project, or leave out --project")
    else:
        path, table = _uv_user_config(), []
    version = _uv_version()
    always = version is None or version >= _FIRST_UV_WITH_ALWAYS
    entry: dict[str, object] = {
        "name": repository.name,
        "url": repository.index_url if always else _with_aws_user(repository.index_url),
        "publish-url": _with_aws_user(repository.upload_url),
    }
    if always:
        entry["authenticate"] = "always"
    if not extra:
        entry["default"] = True
    drop = (("default",) if extra else ()) + (() if always else ("authenticate",))
    wanted = edits.TomlEdit(table, {"keyring-provider": "subprocess"}, "index", entry, drop)
    change = _toml_change(edits.read(path), wanted, "uv")
    if version is not None and not always:
        shown = ".".join(map(str, version))
        change = change._replace(notes=change.notes + (
            f"uv {shown} on PATH is older than 0.6.10, where every uv command honours authenticate = \"always\": "
            "the index URL carries user aws instead",))
    variables = {f"UV_INDEX_{_variable_part(repository.name)}_PASSWORD": _SENDS_IT}
    if not extra:
        variables.update(dict.fromkeys(("UV_DEFAULT_INDEX", "UV_INDEX_URL"), "uses it as the default index instead"))
    change = _unless_set(change, "uv", variables)
    if project is not None:
        return [change]
    return [_unless_shadowed(_unless_shadowed(change, "UV_CONFIG_FILE", "uv"), "UV_NO_CONFIG", "uv")]


def _uv_version() -> Optional[tuple[int, ...]]:
    """The version of the uv on PATH; None if there is none, or it does not say."""
    uv = shutil.which("uv")
    if uv is None:
        return None
    try:
        result = subprocess.run([uv, "--version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = re.match(r"uv (\d+)\.(\d+)\.(\d+)", result.stdout)
    return tuple(int(part) for part in found.groups()) if found else None


def _uv_user_config() -> Path:
    """uv's user uv.toml: uv uses the XDG folder on macOS too."""
    return userfolders.config_folder("uv", xdg_on_macos=True) / "uv.toml"


# -- poetry ---------------------------------------------------------------------------


def poetry_changes(repository: Repository, project: Path, priority: str) -> list[edits.Change]:
    """The project's source, and poetry's publish repository (`poetry config
    repositories.NAME URL`); never a password."""
    if "." in repository.name:
        raise BadRequest(
            f"--name {repository.name}: poetry reads a '.' in a repository name as a nested key; use another name"
        )
    pyproject = project / "pyproject.toml"
    if not pyproject.exists():
        raise BadRequest(f"{pyproject} does not exist; run this in your poetry project")
    source: dict[str, object] = {"name": repository.name, "url": repository.index_url, "priority": priority}
    return [
        _toml_change(edits.read(pyproject), edits.TomlEdit(["tool", "poetry"], {}, "source", source), "poetry"),
        _poetry_repository_change(repository),
    ]


def _poetry_repository_change(repository: Repository) -> edits.Change:
    """repositories.NAME.url in poetry's config.toml, with a note if poetry has
    credentials of its own for NAME (it would send those, never asking keyring)."""
    change = _poetry_config_change(repository)
    own = _poetry_credentials(repository.name)
    if own:
        note = (f"but poetry has credentials of its own for {repository.name!r}, which it sends instead of "
                f"asking keyring: {'; '.join(own)}")
        change = change._replace(notes=change.notes + (note,))
    return _unless_set(change, "poetry", {f"POETRY_HTTP_BASIC_{_variable_part(repository.name)}_PASSWORD": _SENDS_IT})


def _poetry_credentials(name: str) -> list[str]:
    """Where poetry keeps credentials for repository ``name``, with how to remove them:
    http-basic.NAME in auth.toml (its password there or in keyring)."""
    found = []
    auth = _poetry_config_file().with_name("auth.toml")
    try:
        data = edits.toml_load(edits.decode(auth.read_bytes()))
    except (OSError, ValueError):
        data = {}
    basic = data.get("http-basic")
    if isinstance(basic, dict) and isinstance(basic.get(name), dict):
        found.append(f"http-basic.{name} in {auth} (remove it with `poetry config --unset http-basic.{name}`)")
    return found


def _poetry_config_change(repository: Repository) -> edits.Change:
    """repositories.NAME.url in poetry's config.toml: written by the poetry on PATH
    into a copy of the file, or through tomlkit if there is no poetry."""
    original = edits.read(_poetry_config_file())
    wanted = edits.TomlEdit(["repositories", repository.name], {"url": repository.upload_url})
    poetry = shutil.which("poetry")
    if poetry is None:
        return _toml_change(original, wanted, "poetry")
    before = _toml_data(original, "poetry")
    expected = edits.toml_expected(before, wanted, original.path)
    if edits.same_data(before, expected):
        return edits.Change(original.path, original.raw, original.raw, original.exists)
    try:
        after = _poetry_config_set(poetry, original, f"repositories.{repository.name}", repository.upload_url)
    except SetupError as error:  # poetry's writer cannot edit some valid layouts (inline tables)
        change = _toml_change(original, wanted, "poetry")
        return change._replace(notes=change.notes + (f"through tomlkit, as {error}",))
    try:
        found = edits.toml_load(edits.decode(after))
    except ValueError as error:
        raise SetupError(f"poetry wrote a {original.path} that does not parse ({error}); nothing written") from None
    if not edits.same_data(found, expected):
        raise SetupError(
            f"`poetry config` would change more than repositories.{repository.name} in {original.path}; "
            "nothing written"
        )
    return edits.Change(original.path, original.raw, after, original.exists)


def _poetry_config_set(poetry: str, original: edits.Original, key: str, value: str) -> bytes:
    """The bytes `poetry config KEY VALUE` makes of the file, run on a copy of it."""
    with tempfile.TemporaryDirectory() as folder:
        copy_ = Path(folder) / "config.toml"
        if original.exists:
            copy_.write_bytes(original.raw)
        environment = dict(os.environ, POETRY_CONFIG_DIR=folder)
        result = _run([poetry, "config", "--no-interaction", key, value], environment, cwd=folder)
        if result.returncode != 0:
            lines = [line.strip() for line in (result.stderr + result.stdout).splitlines() if line.strip()]
            raise SetupError(f"`poetry config {key} {value}` failed: {lines[-1] if lines else 'no output'}")
        return copy_.read_bytes() if copy_.exists() else original.raw


def _poetry_config_file() -> Path:
    if os.environ.get("POETRY_CONFIG_DIR"):
        return Path(os.environ["POETRY_CONFIG_DIR"]) / "config.toml"
    return userfolders.config_folder("pypoetry") / "config.toml"


# -- pipenv ---------------------------------------------------------------------------

PIPENV_PROVIDER = "PIPENV_KEYRING_PROVIDER=subprocess"  # pipenv reads it from its environment only
_PIPENV_DEFAULT_SOURCE = {"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": True}


def pipenv_changes(repository: Repository, project: Path, extra: bool) -> list[edits.Change]:
    """The repository as a [[source]] in the project's Pipfile: the first source (the
    index pipenv installs from), or with ``extra`` one after the others (for packages
    that name it with ``index = "NAME"``). The keyring provider is no file's to set:
    pipenv takes it from PIPENV_KEYRING_PROVIDER only (see PIPENV_PROVIDER)."""
    pipfile = project / "Pipfile"
    if not pipfile.exists():
        raise BadRequest(f"{pipfile} does not exist; run this in your pipenv project")
    original = edits.read(pipfile)
    sources = edits.toml_dig(_toml_data(original, "pipenv"), ["source"])
    names = [entry.get("name") for entry in sources if isinstance(entry, dict)] if isinstance(sources, list) else []
    source = {"name": repository.name, "url": repository.index_url, "verify_ssl": True}
    wanted = [edits.TomlEdit([], {}, "source", source, first=not extra)]
    if extra and sources is None:  # pipenv reads PyPI as the source of a Pipfile with none: keep it, first
        wanted.insert(0, edits.TomlEdit([], {}, "source", _PIPENV_DEFAULT_SOURCE))
    change = _toml_changes(original, wanted, "pipenv")
    if not extra and repository.name in names[1:]:
        change = change._replace(notes=change.notes + (
            f"[[source]] {repository.name!r} is not the first source: pipenv installs from the first one, "
            f"and from this one only packages that say index = {json.dumps(repository.name)}",))
    return [change]


# -- pdm ------------------------------------------------------------------------------


def pdm_changes(repository: Repository, project: Path, extra: bool) -> list[edits.Change]:
    """The repository as a [[tool.pdm.source]] in the project's pyproject.toml, named
    ``pypi`` (so that it replaces PyPI, as pdm defines it) or, with ``extra``, by its
    own name (searched beside PyPI). No username: pdm asks keyring with none, by
    ``import keyring`` or through the keyring command on PATH."""
    pyproject = project / "pyproject.toml"
    if not pyproject.exists():
        raise BadRequest(f"{pyproject} does not exist; run this in your pdm project")
    source: dict[str, object] = {"name": repository.name if extra else "pypi", "url": repository.index_url}
    wanted = edits.TomlEdit(["tool", "pdm"], {}, "source", source, ("username", "password"))
    return [_toml_change(edits.read(pyproject), wanted, "pdm")]


# -- INI files: .pypirc, keyringrc.cfg -------------------------------------------------------


def _ini_data(text: str, path: Path, tool: str, **options: Any) -> dict[str, dict[str, str]]:
    """``text`` as configparser reads it for ``tool`` (strict, as they all are)."""
    import configparser

    parser = configparser.RawConfigParser(**options)
    try:
        parser.read_string(text, source=str(path))
    except configparser.Error as error:
        first = str(error).splitlines()[0]
        raise SetupError(f"{tool} cannot read {path} ({first}); fix it, then run setup again") from None
    return {section: dict(parser.items(section)) for section in parser.sections()}


def _ini_change(original: edits.Original, tool: str, edit: Callable[["ConfigUpdater"], _Edit],
                expect: Callable[[IniData], None], lists: tuple[tuple[str, ...], ...] = (),
                **options: Any) -> edits.Change:
    """The file edited through configupdater, checked with configparser: what was
    there before, changed as ``expect`` says, and nothing else."""
    before = _ini_data(original.text, original.path, tool, **options)
    result = edit(edits.ini_parse(original))
    change = _change(original, result)
    expected = copy.deepcopy(before)
    expect(expected)
    _check(original.path, tool, _ini_data(edits.decode(change.after), original.path, tool, **options), expected, lists)
    return change


def twine_changes(repository: Repository) -> list[edits.Change]:
    """A [NAME] section in ~/.pypirc with the upload URL and user aws and no password,
    listed in [distutils] index-servers (twine reads only the sections listed there)."""
    name, url = repository.name, repository.upload_url
    original = edits.read(Path.home() / ".pypirc")

    def edit(updater: "ConfigUpdater") -> _Edit:
        notes, secrets = [], []
        if updater.has_option("distutils", "index-servers"):
            lines, listed = _ini_list(updater["distutils"]["index-servers"].value)
        else:
            lines = listed = ["pypi", "testpypi"]  # twine's default when the option is missing
        if name not in listed:
            edits.ini_set(updater, "distutils", "index-servers", "\n" + "\n".join(lines + [name]))
        for key, value in (("repository", url), ("username", "aws")):
            if not updater.has_option(name, key) or updater[name][key].value != value:
                edits.ini_set(updater, name, key, value)
        if updater.has_option(name, "password"):
            secrets.append(updater[name]["password"].value or "")
            edits.ini_remove(updater, name, "password")
            notes.append(f"removed the password that was in [{name}]: keyring gives twine a fresh token")
        return _Edit(edits.ini_text(updater), tuple(notes), tuple(filter(None, secrets)))

    def expect(data: IniData) -> None:
        listed = data.get("distutils", {}).get("index-servers")
        listed = listed.split() if listed is not None else ["pypi", "testpypi"]
        data.setdefault("distutils", {})["index-servers"] = listed + ([name] if name not in listed else [])
        data.setdefault(name, {}).update(repository=url, username="aws")
        data[name].pop("password", None)

    change = _ini_change(original, "twine", edit, expect, lists=(("distutils", "index-servers"),))
    return [_unless_set(change, "twine", {"TWINE_PASSWORD": _SENDS_IT})]


def name_mapping_change(repository: Repository) -> edits.Change:
    """keyringrc.cfg's [codeartifact-repositories] NAME = URL, so that tools that ask
    keyring for a repository's name (hatch; `keyring get NAME aws`) get its token."""
    original = edits.read(config_path())
    name, url = repository.name, repository.upload_url

    def edit(updater: "ConfigUpdater") -> _Edit:
        from .settings import repository_names

        with tempfile.TemporaryDirectory() as folder:
            current = Path(folder) / "keyringrc.cfg"
            current.write_bytes(original.raw)
            if repository_names(current).get(name.lower()) != url:
                edits.ini_set(updater, NAMES_SECTION, name, url)
        return _Edit(edits.ini_text(updater))

    def expect(data: IniData) -> None:
        data.setdefault(NAMES_SECTION, {})[name.lower()] = url

    # keyring reads the file with a plain RawConfigParser; this backend with inline comments
    _ini_data(original.text, original.path, "keyring")
    change = _ini_change(original, "keyring", edit, expect,
                         inline_comment_prefixes=("#", ";"), default_section="\0no-defaults")
    _ini_data(edits.decode(change.after), original.path, "keyring")
    return change


# -- checks ---------------------------------------------------------------------------


def _check(
    path: Path, tool: str, found: dict[str, Any], expected: dict[str, Any], lists: tuple[tuple[str, ...], ...] = ()
) -> None:
    """SetupError unless ``tool`` reads ``found`` from the edited file, as ``expected``.
    ``lists`` are the keys (paths into the data) whose value is a whitespace-separated list."""
    def normal(data: dict[str, Any]) -> dict[str, Any]:
        data = copy.deepcopy(data)
        for keys in lists:
            holder = edits.toml_dig(data, list(keys[:-1]))
            if isinstance(holder, dict) and isinstance(holder.get(keys[-1]), str):
                holder[keys[-1]] = holder[keys[-1]].split()
        return data

    found, expected = normal(found), normal(expected)
    if not edits.same_data(found, expected):
        differing = sorted(
            key for key in set(found) | set(expected) if not edits.same_data(found.get(key), expected.get(key))
        )
        raise SetupError(
            f"cannot edit {path} safely: {tool} would not read it as meant (differs in {', '.join(differing)}); "
            "nothing written"
        )


def default_pip() -> list[str]:
    """The pip a user means by `pip`: the one on PATH, else this Python's."""
    found = shutil.which("pip")
    return [found] if found else [sys.executable, "-m", "pip"]
