"""`setup poetry`: the project's source, and poetry's publish repository (`poetry
config repositories.NAME URL`); never a password. With ``--requires-plugins``, this
package in the project's ``[tool.poetry.requires-plugins]``, so that poetry 2
installs the backend itself."""

import os
import re
import shutil
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any, Optional

from . import toml, toml_edit
from .files import BadRequest, Change, Original, SetupError, decode, dig, read, same_data
from .poetry_keyring import config_file
from .repository import Repository, variable_part
from .shell import SENDS_IT, run, unless_set
from .toml import TomlEdit

DISTRIBUTION = "codeartifact-keyring"


def changes(repository: Repository, project: Path, priority: str, requires_plugins: bool = False) -> list[Change]:
    """The source in pyproject.toml ([[tool.poetry.source]]), and this package in its
    [tool.poetry.requires-plugins] if asked; repositories.NAME.url in poetry's config.toml."""
    if "." in repository.name:
        raise BadRequest(
            f"--name {repository.name}: poetry reads a '.' in a repository name as a nested key; use another name"
        )
    pyproject = project / "pyproject.toml"
    if not pyproject.exists():
        raise BadRequest(f"{pyproject} does not exist; run this in your poetry project")
    source: dict[str, object] = {"name": repository.name, "url": repository.index_url, "priority": priority}
    edits = [TomlEdit(["tool", "poetry"], {}, "source", source)]
    original = read(pyproject)
    if requires_plugins:
        edits += _plugin_requirement(toml.data(original, "poetry"))
    change = toml_edit.changes(original, edits, "poetry")
    if requires_plugins and not _plain_source(toml.load(decode(change.after)), repository):
        change = change.noted("poetry gets plugins from the project's sources before it can authenticate to any, "
                              "and this project has none that needs no token: add one, e.g. "
                              "`poetry source add --priority=supplemental PyPI`")
    return [change, _repository_change(repository)]


def _plugin_requirement(data: dict[str, Any]) -> list[TomlEdit]:
    """This package in [tool.poetry.requires-plugins], unless it is there already
    (under any spelling of its name, with whatever constraint the project chose)."""
    plugins = dig(data, ["tool", "poetry", "requires-plugins"])
    if isinstance(plugins, dict) and any(re.sub(r"[-_.]+", "-", name).lower() == DISTRIBUTION for name in plugins):
        return []
    return [TomlEdit(["tool", "poetry", "requires-plugins"], {DISTRIBUTION: plugin_constraint()})]


def plugin_constraint() -> str:
    """``>=MAJOR.MINOR`` of this package as installed: the backend that wrote the
    set-up, or a later one (PEP 440, as poetry 2 reads requires-plugins)."""
    try:
        found = re.match(r"(\d+)\.(\d+)", metadata.version(DISTRIBUTION))
    except metadata.PackageNotFoundError:
        found = None
    return f">={found[1]}.{found[2]}" if found else ">=0.1"


def _plain_source(data: dict[str, Any], repository: Repository) -> bool:
    """Whether poetry's pool has a source it can read before the backend is installed:
    PyPI (implicit while no source is primary, or named), or any source not at this
    repository's host."""
    sources = dig(data, ["tool", "poetry", "source"])
    sources = [s for s in sources if isinstance(s, dict)] if isinstance(sources, list) else []
    sources = [s for s in sources if s.get("priority") != "explicit"]  # only for what names them
    if not any(s.get("priority", "primary") == "primary" for s in sources):
        return True
    host = repository.index_url.split("/")[2]
    return any(str(s.get("name", "")).lower() == "pypi" or (s.get("url") and str(s["url"]).split("/")[2:3] != [host])
               for s in sources)


def _repository_change(repository: Repository) -> Change:
    """repositories.NAME.url in poetry's config.toml, with a note if poetry has
    credentials of its own for NAME (it would send those, never asking keyring)."""
    change = _config_change(repository)
    own = _credentials(repository.name)
    if own:
        change = change.noted(f"but poetry has credentials of its own for {repository.name!r}, which it sends "
                              f"instead of asking keyring: {own}")
    return unless_set(change, "poetry", {f"POETRY_HTTP_BASIC_{variable_part(repository.name)}_PASSWORD": SENDS_IT})


def _credentials(name: str) -> Optional[str]:
    """Where poetry keeps credentials for repository ``name``, with how to remove them:
    http-basic.NAME in auth.toml (its password there or in keyring)."""
    auth = config_file().with_name("auth.toml")
    try:
        data = toml.load(decode(auth.read_bytes()))
    except (OSError, ValueError):
        return None
    basic = data.get("http-basic")
    if not (isinstance(basic, dict) and isinstance(basic.get(name), dict)):
        return None
    return f"http-basic.{name} in {auth} (remove it with `poetry config --unset http-basic.{name}`)"


def _config_change(repository: Repository) -> Change:
    """repositories.NAME.url in poetry's config.toml: written by the poetry on PATH
    into a copy of the file, or through tomlkit if there is no poetry."""
    original = read(config_file())
    wanted = TomlEdit(["repositories", repository.name], {"url": repository.upload_url})
    poetry = shutil.which("poetry")
    if poetry is None:
        return toml_edit.change(original, wanted, "poetry")
    before = toml.data(original, "poetry")
    expected = toml.expected(before, wanted, original.path)
    if same_data(before, expected):
        return Change(original.path, original.raw, original.raw, original.exists)
    try:
        after = _config_set(poetry, original, f"repositories.{repository.name}", repository.upload_url)
    except SetupError as error:  # poetry's writer cannot edit some valid layouts (inline tables)
        return toml_edit.change(original, wanted, "poetry").noted(f"through tomlkit, as {error}")
    try:
        found = toml.load(decode(after))
    except ValueError as error:
        raise SetupError(f"poetry wrote a {original.path} that does not parse ({error}); nothing written") from None
    if not same_data(found, expected):
        raise SetupError(
            f"`poetry config` would change more than repositories.{repository.name} in {original.path}; "
            "nothing written"
        )
    return Change(original.path, original.raw, after, original.exists)


def _config_set(poetry: str, original: Original, key: str, value: str) -> bytes:
    """The bytes `poetry config KEY VALUE` makes of the file, run on a copy of it."""
    with tempfile.TemporaryDirectory() as folder:
        copy_ = Path(folder) / "config.toml"
        if original.exists:
            copy_.write_bytes(original.raw)
        environment = dict(os.environ, POETRY_CONFIG_DIR=folder)
        result = run([poetry, "config", "--no-interaction", key, value], environment, cwd=folder)
        if result.returncode != 0:
            lines = [line.strip() for line in (result.stderr + result.stdout).splitlines() if line.strip()]
            raise SetupError(f"`poetry config {key} {value}` failed: {lines[-1] if lines else 'no output'}")
        return copy_.read_bytes() if copy_.exists() else original.raw
