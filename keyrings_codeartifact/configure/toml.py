"""TOML documents (uv.toml, pyproject.toml, poetry's config.toml, Pipfile): what a
set-up asks for (``TomlEdit``), the data a file should read as once it is done, and
the parsers: tomlkit to edit (it keeps comments, order and quoting), tomllib (tomli
before Python 3.11) to read back as uv and poetry do. ``toml_edit`` does the editing."""

import copy
import json
import re
import sys
from pathlib import Path
from typing import Any, NamedTuple, Optional

import tomlkit
from tomlkit.toml_document import TOMLDocument

from .files import CannotEdit, Original, SetupError, dig, first_line
from .repository import password_of

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib


class TomlEdit(NamedTuple):
    """Keys to set in a table, and an entry (found by its name) in an array of tables there."""

    table: list[str]  # [] for the top level
    settings: dict[str, object]
    array: Optional[str] = None
    entry: Optional[dict[str, object]] = None
    drop: tuple[str, ...] = ()  # keys to remove from an existing entry
    first: bool = False  # a new entry goes before the others (an existing one stays where it is)


def parse(original: Original) -> TOMLDocument:
    """A tomlkit document of the file; CannotEdit if it does not parse."""
    try:
        return tomlkit.parse(original.text)
    except Exception as error:  # tomlkit.exceptions.ParseError and its relatives
        raise CannotEdit(f"cannot parse {original.path}: {first_line(error)}; fix it, then run setup again") from None


def load(text: str) -> dict[str, Any]:
    """``text`` read as tomllib reads it, as uv and poetry do; ValueError if it does not parse."""
    return tomllib.loads(text)


def data(original: Original, tool: str) -> dict[str, Any]:
    """The file as ``tool`` reads it now; SetupError if it cannot."""
    try:
        return load(original.text)
    except ValueError as error:
        raise SetupError(f"{tool} cannot read {original.path} now ({error}); fix it, then run setup again") from None


def item(document: Any, keys: list[str]) -> Optional[Any]:
    """The tomlkit item at ``keys`` (tables, inline tables), or None."""
    found = document
    for key in keys:
        try:
            found = found[key]
        except (KeyError, TypeError, AttributeError):
            return None
    return found


def header(keys: list[str]) -> str:
    """``a.b.c`` with each key quoted as TOML needs."""
    return ".".join(key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else tomlkit.string(key).as_string() for key in keys)


def key_lines(values: dict[str, object]) -> str:
    """``key = value`` lines, one per item."""
    return "".join(f"{header([key])} = {tomlkit.item(value).as_string()}\n" for key, value in values.items())


def expected(data_: dict[str, Any], wanted: TomlEdit, path: Path) -> dict[str, Any]:
    """``data_`` as it should read once ``wanted`` is done."""
    result = copy.deepcopy(data_)
    table = result
    for key in wanted.table:
        table = table.setdefault(key, {})
        if not isinstance(table, dict):
            raise CannotEdit(f"cannot set up {path}: {'.'.join(wanted.table)} is not a table there")
    table.update(wanted.settings)
    if wanted.array is not None and wanted.entry is not None:
        entries = table.setdefault(wanted.array, [])
        if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
            raise CannotEdit(f"cannot set up {path}: {wanted.array} there is not a list of tables")
        found = next((entry for entry in entries if entry.get("name") == wanted.entry["name"]), None)
        if found is None:
            entries.insert(0 if wanted.first else len(entries), dict(wanted.entry))
        else:
            found.update(wanted.entry)
            for key in wanted.drop:
                found.pop(key, None)
    return result


def describe(wanted: TomlEdit) -> str:
    where = ".".join(wanted.table) or "the top level"
    parts = [f"{key} = {json.dumps(value)}" for key, value in wanted.settings.items()]
    if wanted.entry and wanted.array is not None:  # as everywhere here, an entry goes with its array
        parts.append(f"a [[{'.'.join(wanted.table + [wanted.array])}]] entry {json.dumps(wanted.entry)}")
    return f"in {where}: " + ", ".join(parts)


def stale_passwords(data_: dict[str, Any], wanted: TomlEdit) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Notes and the secrets, if the entry being replaced had a password in its URLs
    or a ``password`` key that ``wanted`` drops."""
    entries = dig(data_, wanted.table + [wanted.array]) if wanted.array else None
    if not isinstance(entries, list) or wanted.entry is None:
        return (), ()
    notes, secrets = [], []
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("name") != wanted.entry["name"]:
            continue
        for key in ("url", "publish-url"):
            password = password_of(str(entry.get(key, "")))
            if password and entry.get(key) != wanted.entry.get(key):
                notes.append(f"removed the password that was in the {key} of {wanted.array} {entry['name']!r}")
                secrets.append(password)
        if "password" in wanted.drop and entry.get("password"):
            notes.append(f"removed the password of {wanted.array} {entry['name']!r}: keyring gives a fresh token")
            secrets.append(str(entry["password"]))
    return tuple(notes), tuple(secrets)
