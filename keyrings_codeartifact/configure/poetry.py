"""`setup poetry`: the project's source, and poetry's publish repository (`poetry
config repositories.NAME URL`); never a password."""

import os
import shutil
import tempfile
from pathlib import Path

from .. import userfolders
from . import toml, toml_edit
from .files import BadRequest, Change, Original, SetupError, decode, read, same_data
from .repository import Repository, variable_part
from .shell import SENDS_IT, run, unless_set
from .toml import TomlEdit


def changes(repository: Repository, project: Path, priority: str) -> list[Change]:
    """The source in pyproject.toml ([[tool.poetry.source]]) and repositories.NAME.url in
    poetry's config.toml."""
    if "." in repository.name:
        raise BadRequest(
            f"--name {repository.name}: poetry reads a '.' in a repository name as a nested key; use another name"
        )
    pyproject = project / "pyproject.toml"
    if not pyproject.exists():
        raise BadRequest(f"{pyproject} does not exist; run this in your poetry project")
    source: dict[str, object] = {"name": repository.name, "url": repository.index_url, "priority": priority}
    return [
        toml_edit.change(read(pyproject), TomlEdit(["tool", "poetry"], {}, "source", source), "poetry"),
        _repository_change(repository),
    ]


def _repository_change(repository: Repository) -> Change:
    """repositories.NAME.url in poetry's config.toml, with a note if poetry has
    credentials of its own for NAME (it would send those, never asking keyring)."""
    change = _config_change(repository)
    own = _credentials(repository.name)
    if own:
        change = change.noted(f"but poetry has credentials of its own for {repository.name!r}, which it sends "
                              f"instead of asking keyring: {'; '.join(own)}")
    return unless_set(change, "poetry", {f"POETRY_HTTP_BASIC_{variable_part(repository.name)}_PASSWORD": SENDS_IT})


def _credentials(name: str) -> list[str]:
    """Where poetry keeps credentials for repository ``name``, with how to remove them:
    http-basic.NAME in auth.toml (its password there or in keyring)."""
    auth = config_file().with_name("auth.toml")
    try:
        data = toml.load(decode(auth.read_bytes()))
    except (OSError, ValueError):
        return []
    basic = data.get("http-basic")
    if isinstance(basic, dict) and isinstance(basic.get(name), dict):
        return [f"http-basic.{name} in {auth} (remove it with `poetry config --unset http-basic.{name}`)"]
    return []


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


def config_file() -> Path:
    """poetry's config.toml: in POETRY_CONFIG_DIR if set, else in its user config folder."""
    if os.environ.get("POETRY_CONFIG_DIR"):
        return Path(os.environ["POETRY_CONFIG_DIR"]) / "config.toml"
    return userfolders.config_folder("pypoetry") / "config.toml"
