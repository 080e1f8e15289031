"""Making a ``TomlEdit`` in a file's text, touching as few of the user's lines as can be.

tomlkit changes what already exists, in place. It does not place or keep new keys
and entries right in every layout, so each candidate puts them in one of several
named ways (``_NEW_KEYS``, ``_NEW_ENTRY``); every candidate is read back with tomllib,
and of those that read as meant, the one that touches fewest lines wins.
"""

import difflib
from collections.abc import Iterator
from itertools import product
from typing import Any, Callable, Optional

import tomlkit
from tomlkit.items import Array, InlineTable
from tomlkit.toml_document import TOMLDocument

from . import toml
from .files import CannotEdit, Change, Edit, Original, decode, dig, same_data, split_lines
from .toml import TomlEdit

TextStep = Callable[[str], Optional[str]]  # text put in around the document; None: no place for it


def change(original: Original, wanted: TomlEdit, tool: str) -> Change:
    """The file with ``wanted`` done, checked with tomllib (as uv and poetry read it;
    pdm and pipenv read TOML through tomlkit): exactly what was there before plus
    ``wanted``."""
    before = toml.data(original, tool)
    if same_data(before, toml.expected(before, wanted, original.path)):
        return Change.of(original, Edit(original.text))
    notes, secrets = toml.stale_passwords(before, wanted)
    return Change.of(original, Edit(edit(original, before, wanted, tool), notes, secrets))


def changes(original: Original, wanted: list[TomlEdit], tool: str) -> Change:
    """The file with each of ``wanted`` done in turn, each step checked as ``change`` checks one."""
    current = original
    notes: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ()
    for step in wanted:
        done = change(current, step, tool)
        notes, secrets = notes + done.notes, secrets + done.secrets
        current = current._replace(raw=done.after, text=decode(done.after).replace("\r\n", "\n"))
    return Change(original.path, original.raw, current.raw, original.exists, notes, secrets)


def edit(original: Original, before: dict[str, Any], wanted: TomlEdit, tool: str) -> str:
    """The text of ``original`` with ``wanted`` done, read back by tomllib as exactly
    ``before`` plus ``wanted``: of the candidates that do, the one that touches fewest
    of the user's lines."""
    expected = toml.expected(before, wanted, original.path)
    right = [text for text in candidates(original, wanted, before) if _reads_as(text, expected)]
    if not right:
        raise CannotEdit(
            f"cannot edit {original.path} safely: no edit {tool} reads back as meant "
            f"({toml.describe(wanted)}); add it by hand"
        )
    return min(right, key=lambda text: lines_touched(original.text, text))


def _reads_as(text: str, expected: dict[str, Any]) -> bool:
    try:
        return same_data(toml.load(text), expected)
    except ValueError:
        return False


class _Draft:
    """One candidate: tomlkit's changes to the document, then text put in around it."""

    def __init__(self, original: Original, wanted: TomlEdit, before: dict[str, Any]) -> None:
        self.original, self.wanted = original, wanted
        self.data = dig(before, wanted.table) if wanted.table else before  # the table's data, if any
        self._document: Optional[TOMLDocument] = None  # parsed only if tomlkit is asked for something
        self._steps: list[TextStep] = []

    @property
    def document(self) -> TOMLDocument:
        if self._document is None:
            self._document = toml.parse(self.original)
        return self._document

    def table(self) -> Any:
        """The tomlkit table of ``wanted``, or None where there is none."""
        return toml.item(self.document, self.wanted.table) if self.wanted.table else self.document

    def later(self, step: TextStep) -> bool:
        self._steps.append(step)
        return True

    def text(self) -> Optional[str]:
        text: Optional[str] = self.original.text if self._document is None else self._document.as_string()
        for step in self._steps:
            text = step(text) if text is not None else None
        return text


def candidates(original: Original, wanted: TomlEdit, before: dict[str, Any]) -> Iterator[str]:
    """Edited texts, one per way of placing new keys and a new entry."""
    for place_keys, place_entry in product(_NEW_KEYS, _NEW_ENTRY):
        draft = _Draft(original, wanted, before)
        try:
            text = draft.text() if _set_keys(draft, place_keys) and _set_entry(draft, place_entry) else None
        except Exception:  # tomlkit refuses some edits of some layouts: another way may do
            continue
        if text is not None:
            yield text


def _set_keys(draft: _Draft, place: Callable[[_Draft, dict[str, object]], bool]) -> bool:
    """Keys already there changed in place; new ones placed by ``place``."""
    data = draft.data if isinstance(draft.data, dict) else {}
    settings = {key: value for key, value in draft.wanted.settings.items() if data.get(key) != value}
    for key in (key for key in settings if key in data):
        draft.table()[key] = settings[key]
    added = {key: value for key, value in settings.items() if key not in data}
    return not added or place(draft, added)


def _keys_as_lines(draft: _Draft, added: dict[str, object]) -> bool:
    """As plain lines: at the top level before the first table, else right after the table's header."""
    return draft.later(lambda text: insert_lines(text, draft.wanted.table, toml.key_lines(added)))


def _keys_through_tomlkit(draft: _Draft, added: dict[str, object]) -> bool:
    """Through tomlkit: into the table, or a new table in its parent (inline in an inline one)."""
    table = draft.table()
    if table is not None:
        table.update(added)
        return True
    keys = draft.wanted.table
    parent = toml.item(draft.document, keys[:-1]) if keys[:-1] else draft.document
    if parent is None:
        return False
    if isinstance(parent, InlineTable):  # an inline table holds only inline ones
        parent[keys[-1]] = _inline_table(added)
    else:
        parent[keys[-1]] = tomlkit.table()
        parent[keys[-1]].update(added)
    return True


def _keys_as_block(draft: _Draft, added: dict[str, object]) -> bool:
    """In a new ``[table]`` at the end."""
    block = f"[{toml.header(draft.wanted.table)}]\n" + toml.key_lines(added)
    return draft.later(lambda text: append(text, block))


def _set_entry(draft: _Draft, place_new: Callable[[_Draft, bool], bool]) -> bool:
    """The entry changed in place if it is there, else put in the inline array there,
    else placed by ``place_new``."""
    wanted = draft.wanted
    if wanted.array is None or wanted.entry is None:
        return True
    entries: Any = draft.data.get(wanted.array) if isinstance(draft.data, dict) else None  # TOML data, or None
    index = next((n for n, entry in enumerate(entries or []) if entry.get("name") == wanted.entry["name"]), None)
    if index is not None:
        _update_entry(draft, entries[index], index)
    elif entries is not None and _is_inline_array(draft.original, wanted.table + [wanted.array]):
        draft.table()[wanted.array].insert(0 if wanted.first else len(entries), _inline_table(wanted.entry))
    else:
        return place_new(draft, bool(entries))
    return True


def _update_entry(draft: _Draft, found: dict[str, Any], index: int) -> None:
    """The entry there changed through tomlkit, where it stands; untouched if already right."""
    wanted_entry = draft.wanted.entry or {}
    changes = {key: value for key, value in wanted_entry.items() if found.get(key) != value}
    drops = [key for key in draft.wanted.drop if key in found]
    if changes or drops:
        entry = draft.table()[draft.wanted.array][index]
        entry.update(changes)
        for key in drops:
            del entry[key]


def _entry_as_inline_array(draft: _Draft, others: bool) -> bool:
    """A new array ``name = [{...}]`` through tomlkit, in the table if there is one."""
    table = draft.table()
    if table is None:
        return False
    array = tomlkit.array()
    array.append(_inline_table(draft.wanted.entry or {}))
    table[draft.wanted.array] = array
    return True


def _entry_as_block(draft: _Draft, others: bool) -> bool:
    """A new ``[[array]]`` block: before the others if it goes first, else at the end."""
    keys = draft.wanted.table + [str(draft.wanted.array)]
    block = f"[[{toml.header(keys)}]]\n" + toml.key_lines(draft.wanted.entry or {})
    if draft.wanted.first and others:
        return draft.later(lambda text: insert_before(text, keys, block))
    return draft.later(lambda text: append(text, block))


_NEW_KEYS = (_keys_as_lines, _keys_through_tomlkit, _keys_as_block)
_NEW_ENTRY = (_entry_as_block, _entry_as_inline_array)


def _is_inline_array(original: Original, keys: list[str]) -> bool:
    """Whether ``keys`` is an inline array (``[...]``), not an array of tables. Asked of
    a parse of its own: tomlkit may re-lay out a document whose tables it only looked at."""
    return isinstance(toml.item(toml.parse(original), keys), Array)


def _inline_table(values: dict[str, object]) -> InlineTable:
    inline = tomlkit.inline_table()
    inline.update(values)
    return inline


def append(text: str, block: str) -> str:
    """``text`` with ``block`` (whole tables) added at the end after a blank line."""
    if not text.strip():
        return block
    return text + ("" if text.endswith("\n\n") else "\n" if text.endswith("\n") else "\n\n") + block


def insert_lines(text: str, table: list[str], lines: str) -> Optional[str]:
    """``text`` with ``lines`` (key = value lines) put in ``table`` as plain text: for
    the top level, after the last line before the first table header (and the
    comments just above it); for a table, right after its own ``[header]`` line.
    None if there is no such header. (The caller checks the result with tomllib.)"""
    rows = split_lines(text)
    if rows and not rows[-1].endswith("\n"):
        rows[-1] += "\n"
    if not table:
        at = next((n for n, row in enumerate(rows) if row.startswith("[")), len(rows))
        while at > 0 and (not rows[at - 1].strip() or rows[at - 1].lstrip().startswith("#")) and at < len(rows):
            at -= 1
        return "".join(rows[:at] + [lines] + rows[at:])
    number = _header_row(rows, table, {})
    return None if number is None else "".join(rows[: number + 1] + [lines] + rows[number + 1:])


def insert_before(text: str, array: list[str], block: str) -> Optional[str]:
    """``text`` with ``block`` (an array-of-tables entry) put before the first
    ``[[array]]`` header, and before the comment lines right above it, with a blank
    line after it. None if there is no such header. (The caller checks the result.)"""
    rows = split_lines(text)
    at = _header_row(rows, array, [{}])
    if at is None:
        return None
    while at > 0 and rows[at - 1].lstrip().startswith("#"):
        at -= 1
    return "".join(rows[:at] + [block, "\n"] + rows[at:])


def _header_row(rows: list[str], keys: list[str], leaf: object) -> Optional[int]:
    """The number of the first row that is the header ``[keys]`` (``leaf`` {}) or
    ``[[keys]]`` (``leaf`` [{}]); None if there is none."""
    opening = "[[" if leaf == [{}] else "["
    for number, row in enumerate(rows):
        if not row.lstrip().startswith(opening) or (opening == "[" and row.lstrip().startswith("[[")):
            continue
        try:
            parsed = toml.load(row)
        except ValueError:
            continue
        for key in keys[:-1]:
            if list(parsed) != [key] or not isinstance(parsed[key], dict):
                break
            parsed = parsed[key]
        else:
            if list(parsed) == keys[-1:] and parsed[keys[-1]] == leaf:
                return number
    return None


def lines_touched(before: str, after: str) -> int:
    """How many lines of ``before`` are not kept as they were in ``after``."""
    matcher = difflib.SequenceMatcher(None, split_lines(before), split_lines(after), autojunk=False)
    return sum(i2 - i1 for tag, i1, i2, _, _ in matcher.get_opcodes() if tag != "equal")
