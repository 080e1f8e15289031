"""`setup pdm`: the repository as a [[tool.pdm.source]] in the project's pyproject.toml."""

from pathlib import Path

from . import launcher, toml_edit
from .files import BadRequest, Change, read
from .repository import Repository
from .toml import TomlEdit


def changes(repository: Repository, project: Path, extra: bool) -> list[Change]:
    """The source, named ``pypi`` (so that it replaces PyPI, as pdm defines it) or, with
    ``extra``, by its own name (searched beside PyPI). No username: pdm asks keyring
    with none (``import keyring``, or the keyring command on PATH: ``launcher.reaching``)."""
    pyproject = project / "pyproject.toml"
    if not pyproject.exists():
        raise BadRequest(f"{pyproject} does not exist; run this in your pdm project")
    source: dict[str, object] = {"name": repository.name if extra else "pypi", "url": repository.index_url}
    wanted = TomlEdit(["tool", "pdm"], {}, "source", source, ("username", "password"))
    return launcher.reaching([toml_edit.change(read(pyproject), wanted, "pdm")], "pdm")
