"""Whether poetry asks keyring at all: its ``keyring.enabled`` setting, read where
poetry 2 reads it. ``POETRY_KEYRING_ENABLED`` wins (poetry takes only "true" or "1",
any case, as true); else the project's poetry.toml (``poetry config --local``), merged
over poetry's config.toml. poetry tests the value as Python does (``if
config.get("keyring.enabled")``), so a false, 0 or "" in a file turns it off. With it
off, poetry never asks any keyring backend, this one included.

Standard library only: ``explain`` uses it too, without setup's editing libraries.
"""

import os
import sys
from pathlib import Path
from typing import Optional

from .. import userfolders

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

VARIABLE = "POETRY_KEYRING_ENABLED"
_EFFECT = "poetry asks no keyring backend, this one included, so its installs get 401"


def config_file() -> Path:
    """poetry's config.toml: in POETRY_CONFIG_DIR if set, else in its user config folder."""
    if os.environ.get("POETRY_CONFIG_DIR"):
        return Path(os.environ["POETRY_CONFIG_DIR"]) / "config.toml"
    return userfolders.config_folder("pypoetry") / "config.toml"


def turned_off(project: Optional[Path]) -> Optional[str]:
    """One line saying where keyring.enabled is off, what that does and how to undo it;
    None if poetry asks keyring (for the poetry project in ``project`` or above it)."""
    if VARIABLE in os.environ:
        value = os.environ[VARIABLE]
        if value.lower() in ("true", "1"):
            return None
        return f"{VARIABLE}={value!r} turns keyring off: {_EFFECT}; undo: unset {VARIABLE} (or set it to true)"
    local = _poetry_toml(project)
    for path, undo in ((local, "poetry config --local --unset keyring.enabled"),
                       (config_file(), "poetry config keyring.enabled true")):
        found = _setting(path) if path is not None else None
        if found is not None:
            on, written = found
            return None if on else f"keyring.enabled = {written} in {path}: {_EFFECT}; undo: `{undo}`"
    return None


def _poetry_toml(project: Optional[Path]) -> Optional[Path]:
    """The poetry.toml beside the pyproject.toml poetry would use from ``project``
    (the nearest in it or above it), or None."""
    if project is None:
        return None
    for folder in (project, *project.parents):
        if (folder / "pyproject.toml").is_file():
            return folder / "poetry.toml"
    return None


def _setting(path: Path) -> Optional[tuple[bool, str]]:
    """(whether poetry takes it as on, the value as written) of keyring.enabled in ``path``;
    None if the file does not set it (or cannot be read: poetry would say so itself)."""
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except (OSError, ValueError):
        return None
    table = data.get("keyring")
    if not isinstance(table, dict) or "enabled" not in table:
        return None
    value = table["enabled"]
    shown = str(value).lower() if isinstance(value, bool) else repr(value)
    return bool(value), shown
