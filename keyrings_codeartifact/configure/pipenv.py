"""`setup pipenv`: the repository as a [[source]] in the project's Pipfile. The keyring
provider is no file's to set: pipenv takes it from PIPENV_KEYRING_PROVIDER only
(``PROVIDER``, which setup prints for the user to export)."""

import json
from pathlib import Path

from . import launcher, toml, toml_edit
from .files import BadRequest, Change, dig, read
from .repository import Repository
from .toml import TomlEdit

PROVIDER = "PIPENV_KEYRING_PROVIDER=subprocess"  # pipenv reads it from its environment only
_DEFAULT_SOURCE = {"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": True}


def changes(repository: Repository, project: Path, extra: bool) -> list[Change]:
    """The first source (the index pipenv installs from), or with ``extra`` one after
    the others (for packages that name it with ``index = "NAME"``); then a keyring
    command on PATH that reaches this backend, which the pip that pipenv drives runs."""
    pipfile = project / "Pipfile"
    if not pipfile.exists():
        raise BadRequest(f"{pipfile} does not exist; run this in your pipenv project")
    original = read(pipfile)
    sources = dig(toml.data(original, "pipenv"), ["source"])
    names = [entry.get("name") for entry in sources if isinstance(entry, dict)] if isinstance(sources, list) else []
    source = {"name": repository.name, "url": repository.index_url, "verify_ssl": True}
    wanted = [TomlEdit([], {}, "source", source, first=not extra)]
    if extra and sources is None:  # pipenv reads PyPI as the source of a Pipfile with none: keep it, first
        wanted.insert(0, TomlEdit([], {}, "source", _DEFAULT_SOURCE))
    change = toml_edit.changes(original, wanted, "pipenv")
    if not extra and repository.name in names[1:]:
        change = change.noted(
            f"[[source]] {repository.name!r} is not the first source: pipenv installs from the first one, "
            f"and from this one only packages that say index = {json.dumps(repository.name)}")
    return launcher.reaching([change], "pipenv")
