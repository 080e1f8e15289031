"""INI files (pip.conf, .pypirc, keyringrc.cfg): edited through configupdater, which
keeps comments, order and blank lines (and here, each option's indentation), and
checked with configparser, as pip, twine and keyring read them."""

import configparser
import copy
from typing import Any, Callable, Optional

from configupdater import ConfigUpdater, Option, Section, Space
from configupdater.block import Block

from .files import CannotEdit, Change, Edit, Original, SetupError, check, decode, first_line

IniData = dict[str, dict[str, Any]]  # {section: {key: value}}, as configparser reads a file
COMMENTS = ("#", ";")  # configparser's full-line comments, also between continuation lines


def parse(original: Original) -> ConfigUpdater:
    """A configupdater document of the file; CannotEdit if it does not parse."""
    updater = ConfigUpdater()
    try:
        updater.read_string(original.text)
    except Exception as error:  # configparser.Error and its relatives
        raise CannotEdit(f"cannot parse {original.path}: {first_line(error)}; fix it, then run setup again") from None
    return updater


def section(updater: ConfigUpdater, name: str) -> Section:
    """The section ``[name]``, added at the end (after a blank line) if missing."""
    if updater.has_section(name):
        return updater[name]
    blocks = list(updater.iter_blocks())
    if not blocks:
        updater.add_section(name)
    elif str(blocks[-1]).endswith("\n\n") or isinstance(blocks[-1], Space):
        blocks[-1].add_after.section(name)
    else:
        last: Block = blocks[-1]
        while isinstance(last, Section) and list(last.iter_blocks()):
            last = list(last.iter_blocks())[-1]
        _end_last_line(last)
        blocks[-1].add_after.space(1).section(name)
    return updater[name]


def set_value(updater: ConfigUpdater, name: str, key: str, value: str) -> None:
    """``key = value`` in ``[name]``: the old value replaced where it stands, or a new
    line after the section's last option, indented as that option is. A value with
    several lines gets one per line."""
    target = section(updater, name)
    items = value.split("\n")
    if key in target:
        option = target[key]
    else:
        options = [block for block in target.iter_blocks() if isinstance(block, Option)]
        if options:
            _end_last_line(options[-1])
            options[-1].add_after.option(key, items[0])
            _keep_indent(updater, target[key], _indent(options[-1]))
        else:
            target.insert_at(0).option(key, items[0])
        option = target[key]
    indent = _indent(option)
    if len(items) > 1:
        option.set_values(items[1:] if items[0] == "" else items, indent=indent + "    ")
    else:
        option.value = value
    _keep_indent(updater, option, indent)


def text(updater: ConfigUpdater) -> str:
    """The document as text, options indented as they were (configparser reads a line
    indented deeper than the key before it as part of that key's value)."""
    for option, indent in getattr(updater, "_indents", {}).values():
        if indent and not option.raw_key.startswith(indent):
            option.key = indent + option.raw_key
    updater._indents = {}  # type: ignore[attr-defined]  # ours, see _keep_indent
    return str(updater)


def _indent(option: Block) -> str:
    text = getattr(option, "_indent", None) or str(option)
    return text[: len(text) - len(text.lstrip(" \t"))]


def _keep_indent(updater: ConfigUpdater, option: Option, indent: str) -> None:
    # Attributes of our own on configupdater's objects (which it does not declare).
    option._indent = indent  # type: ignore[attr-defined]  # configupdater forgets it once the option changes
    if not hasattr(updater, "_indents"):
        updater._indents = {}  # type: ignore[attr-defined]
    updater._indents[id(option)] = (option, indent)  # type: ignore[attr-defined]


def remove(updater: ConfigUpdater, name: str, key: str) -> bool:
    """Remove ``key`` from ``[name]``; whether it was there."""
    if updater.has_section(name) and key in updater[name]:
        del updater[name][key]
        return True
    return False


def _end_last_line(block: Block) -> None:
    """Give a block that ends the file without a newline its newline."""
    lines = getattr(block, "lines", None)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"


def list_value(value: Optional[str]) -> tuple[list[str], list[str]]:
    """A whitespace-separated INI list value: its lines (comment lines kept, for writing
    back) and its items (as configparser, and so pip and twine, read them)."""
    lines = [line.strip() for line in (value or "").split("\n") if line.strip()]
    return lines, [item for line in lines if not line.startswith(COMMENTS) for item in line.split()]


def data(text_: str, path: Any, tool: str, **options: Any) -> IniData:
    """``text_`` as configparser reads it for ``tool`` (strict, as they all are)."""
    parser = configparser.RawConfigParser(**options)
    try:
        parser.read_string(text_, source=str(path))
    except configparser.Error as error:
        first = str(error).splitlines()[0]
        raise SetupError(f"{tool} cannot read {path} ({first}); fix it, then run setup again") from None
    return {name: dict(parser.items(name)) for name in parser.sections()}


def change(original: Original, tool: str, edit: Callable[[ConfigUpdater], Edit], expect: Callable[[IniData], None],
           lists: tuple[tuple[str, ...], ...] = (), **options: Any) -> Change:
    """The file edited through configupdater, checked with configparser: what was
    there before, changed as ``expect`` says, and nothing else."""
    before = data(original.text, original.path, tool, **options)
    result = Change.of(original, edit(parse(original)))
    expected = copy.deepcopy(before)
    expect(expected)
    check(original.path, tool, data(decode(result.after), original.path, tool, **options), expected, lists)
    return result
