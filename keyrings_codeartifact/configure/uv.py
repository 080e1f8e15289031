"""`setup uv`: a named index with ``authenticate = "always"`` and keyring-provider =
subprocess, in the user's uv.toml or the project's pyproject.toml ([tool.uv])."""

import re
import shutil
import subprocess
from pathlib import Path
from typing import Optional

from .. import userfolders
from . import launcher, toml_edit
from .files import BadRequest, Change, read
from .repository import Repository, variable_part, with_aws_user
from .shell import SENDS_IT, unless_set, unless_shadowed
from .toml import TomlEdit

_FIRST_UV_WITH_ALWAYS = (0, 6, 10)  # authenticate = "always" asks keyring with no username, uv pip too


def changes(repository: Repository, project: Optional[Path], extra: bool) -> list[Change]:
    """The index (uv then asks keyring with no username). Its publish-url keeps user
    ``aws``: uv publish asks keyring only for a username it knows. A uv on PATH too old
    for ``authenticate`` gets user ``aws`` in the index URL instead. Then a keyring
    command on PATH that reaches this backend (``launcher.reaching``)."""
    if project is not None:
        path, table = project / "pyproject.toml", ["tool", "uv"]
        if not path.exists():
            raise BadRequest(f"{path} does not exist; run this in your project, or leave out --project")
    else:
        path, table = user_config(), []
    version = _version()
    always = version is None or version >= _FIRST_UV_WITH_ALWAYS
    dropped = (("default",) if extra else ()) + (() if always else ("authenticate",))  # keys an old entry loses
    wanted = TomlEdit(table, {"keyring-provider": "subprocess"}, "index", _index(repository, always, extra), dropped)
    change = toml_edit.change(read(path), wanted, "uv")
    if version is not None and not always:
        change = change.noted(
            f"uv {'.'.join(map(str, version))} on PATH is older than 0.6.10, where every uv command honours "
            'authenticate = "always": the index URL carries user aws instead')
    variables = {f"UV_INDEX_{variable_part(repository.name)}_PASSWORD": SENDS_IT}
    if not extra:
        variables.update(dict.fromkeys(("UV_DEFAULT_INDEX", "UV_INDEX_URL"), "uses it as the default index instead"))
    change = unless_set(change, "uv", variables)
    if project is None:
        change = unless_shadowed(unless_shadowed(change, "UV_CONFIG_FILE", "uv"), "UV_NO_CONFIG", "uv")
    return launcher.reaching([change], "uv")


def _index(repository: Repository, always: bool, extra: bool) -> dict[str, object]:
    entry: dict[str, object] = {
        "name": repository.name,
        "url": repository.index_url if always else with_aws_user(repository.index_url),
        "publish-url": with_aws_user(repository.upload_url),
    }
    if always:
        entry["authenticate"] = "always"
    if not extra:
        entry["default"] = True
    return entry


def _version() -> Optional[tuple[int, ...]]:
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


def user_config() -> Path:
    """uv's user uv.toml: uv uses the XDG folder on macOS too."""
    return userfolders.config_folder("uv", xdg_on_macos=True) / "uv.toml"
