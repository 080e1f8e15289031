"""Edits of other tools' config files that keep every byte they do not have to change.

TOML is edited through tomlkit and INI through configupdater: real parsers that
keep comments, order, quoting and blank lines. What they do not keep (a UTF-8 byte
order mark, CRLF line endings) is kept here: a file is edited as plain text, and
only the lines that changed are spliced back into its original bytes.

Both libraries are imported only by the functions that use them (only
``codeartifact-keyring setup`` does): keyring lookups never pay for them.
"""

import copy
import difflib
import json
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Optional, cast

if TYPE_CHECKING:
    from configupdater import ConfigUpdater, Option, Section
    from configupdater.block import Block
    from tomlkit.items import Array, InlineTable
    from tomlkit.toml_document import TOMLDocument

BOM = "\ufeff"


class CannotEdit(Exception):
    """A file cannot be read, parsed or written; the message says which and why."""


class Original(NamedTuple):
    """A file as found: its bytes, and its text as the parsers get it."""

    path: Path
    raw: bytes  # b"" when the file does not exist
    exists: bool
    text: str  # decoded, without a byte order mark, every line ending "\n"
    bom: bool
    newline: str  # the line ending most of its lines use


def read(path: Path) -> Original:
    """The file at ``path`` (an empty one if there is none); CannotEdit if unreadable."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Original(path, b"", False, "", False, "\n")
    except OSError as error:
        raise CannotEdit(f"cannot read {path}: {error.strerror}") from None
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CannotEdit(f"cannot read {path}: it is not UTF-8 text; convert it, then run setup again") from None
    bom = decoded.startswith(BOM)
    lines = _lines(decoded[1:] if bom else decoded)
    crlf = sum(line.endswith("\r\n") for line in lines)
    newline = "\r\n" if crlf > len(lines) - crlf else "\n"
    return Original(path, raw, True, "".join(_plain(line) for line in lines), bom, newline)


def render(original: Original, text: str) -> bytes:
    """``text`` (an edit of ``original.text``) as bytes in the original's encoding: its
    unchanged lines exactly as they were, new lines with the file's own line ending."""
    if text == original.text:
        return original.raw
    raw_lines = _lines(original.raw.decode("utf-8")[1 if original.bom else 0:])
    old, new = [_plain(line) for line in raw_lines], _lines(text)
    out: list[str] = [BOM] if original.bom else []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.extend(raw_lines[i1:i2])
        else:
            out.extend(line[:-1] + original.newline if line.endswith("\n") else line for line in new[j1:j2])
    return "".join(out).encode("utf-8")


def decode(data: bytes) -> str:
    """Bytes this module rendered, as text the parsers read (no byte order mark)."""
    text = data.decode("utf-8")
    return text[1:] if text.startswith(BOM) else text


def _lines(text: str) -> list[str]:
    """``text`` split after each "\\n" only (str.splitlines also splits on \\f, \\x1c, ...)."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


def _plain(line: str) -> str:
    return line[:-2] + "\n" if line.endswith("\r\n") else line


class Change(NamedTuple):
    """A file, its bytes before and after, and what the reader should know about it."""

    path: Path
    before: bytes
    after: bytes
    existed: bool
    notes: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ()  # removed passwords: never shown, not even in a diff

    @property
    def changes_anything(self) -> bool:
        return self.before != self.after

    def diff(self) -> str:
        """The change as a unified diff, every secret in it (context lines too) ``****``."""
        before, after = (_text_lines(data) for data in (self.before, self.after))
        lines = _unified_diff(
            (before, masked(before, self.secrets)), (after, masked(after, self.secrets)),
            str(self.path) if self.existed else "/dev/null", str(self.path),
        )
        return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)

    def apply(self) -> None:
        """Write ``after`` atomically, keeping the file's mode (0600 for a new file);
        CannotEdit, saying why, if it cannot be written."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            mode = self.path.stat().st_mode & 0o777 if self.path.exists() else 0o600
            descriptor, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
        except OSError as error:
            raise CannotEdit(f"cannot write {self.path}: {error.strerror}") from None
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(self.after)
            os.chmod(temporary, mode)
            os.replace(temporary, self.path)
        except OSError as error:
            Path(temporary).unlink(missing_ok=True)
            raise CannotEdit(f"cannot write {self.path}: {error.strerror}") from None
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def _text_lines(data: bytes) -> list[str]:
    return data.decode("utf-8", "replace").splitlines(keepends=True)


def _unified_diff(
    before: tuple[list[str], list[str]], after: tuple[list[str], list[str]], fromfile: str, tofile: str
) -> Iterator[str]:
    """difflib's unified diff of the lines as they are (``[0]``), showing them as ``[1]`` says."""
    (old, old_shown), (new, new_shown) = before, after
    for number, group in enumerate(difflib.SequenceMatcher(None, old, new).get_grouped_opcodes(3)):
        if number == 0:
            yield f"--- {fromfile}\n"
            yield f"+++ {tofile}\n"
        yield f"@@ -{_hunk_range(group[0][1], group[-1][2])} +{_hunk_range(group[0][3], group[-1][4])} @@\n"
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                yield from (" " + line for line in old_shown[i1:i2])
                continue
            yield from ("-" + line for line in old_shown[i1:i2])
            yield from ("+" + line for line in new_shown[j1:j2])


def _hunk_range(start: int, stop: int) -> str:
    """A hunk's ``first,length`` as unified diffs give it (difflib's format)."""
    length = stop - start
    first = start + 1 if length else start
    return str(first) if length == 1 else f"{first},{length}"


# -- what a diff may show of a config file: no password, token, secret key or URL userinfo ----

MASK = "****"
_USERINFO = re.compile(r"""(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*:/{1,2})(?P<userinfo>[^\s"'<>]*)@""")
_KEY_LINE = re.compile(r"""^(?P<lead>\s*(?P<key>[^\s=:\[#;][^=:]*?)\s*[=:][ \t]*)(?P<value>.*)$""")
_INLINE_PAIR = re.compile(
    r"""(?P<lead>(?P<key>[\w.-]+|"[^"]*"|'[^']*')\s*=\s*)(?P<value>"(?:[^"\\]|\\.)*"|'[^']*'|[^,}\]\s]+)"""
)
_SECRET_WORDS = {"password", "passwd", "secret", "token", "apikey"}
_ABOUT_A_SECRET = {"duration", "url", "file", "path", "provider", "type", "expiry", "expires", "margin", "timeout",
                   "name", "command", "process", "endpoint"}  # a setting about a token, not one


def names_a_secret(key: str) -> bool:
    """Whether a config key (``password``, ``aws_secret_access_key``, ``pypi-token.pypi``)
    holds a password, token or secret (``token_duration`` does not)."""
    words = re.findall(r"[a-z0-9]+", key.lower())
    if not words or words[-1] in _ABOUT_A_SECRET:
        return False
    pairs = set(zip(words, words[1:]))
    return bool(_SECRET_WORDS & set(words)) or "secret" in "".join(words) or bool(
        {("api", "key"), ("external", "id"), ("private", "key")} & pairs)


def masked(lines: list[str], secrets: tuple[str, ...] = ()) -> list[str]:
    """The lines of an INI or TOML file as a diff may show them: every URL's userinfo
    (but a lone user ``aws``), the value of every key that names a secret (with its
    continuation lines), every value of a section that does (``[pypi-token]``), and
    each of ``secrets`` as ``****``."""
    shown: list[str] = []
    masking = _Masking()
    for line in lines:
        body = line.rstrip("\r\n")
        text = masking.line(_USERINFO.sub(_masked_userinfo, body))
        for secret in secrets:
            text = text.replace(secret, MASK)
        shown.append(text + line[len(body):])
    return shown


def _masked_userinfo(found: "re.Match[str]") -> str:
    user, colon, _ = found["userinfo"].partition(":")
    if user == "aws":
        return f"{found['scheme']}aws{colon and ':' + MASK}@"
    return f"{found['scheme']}{MASK}@"


class _Masking:
    """Masks one line after another, knowing the section and what the line before began."""

    def __init__(self) -> None:
        self.section_is_secret = False
        self.continues: Optional[str] = None  # a secret's value goes on: "ini" (indented lines) or a TOML """

    def line(self, text: str) -> str:
        if self.continues == "ini":
            if text.strip() and text[:1] in " \t":
                return _indent_of(text) + MASK
            self.continues = None
        elif self.continues is not None:
            if self.continues in text:
                self.continues = None
            return _indent_of(text) + MASK
        stripped = text.strip()
        if stripped.startswith("["):
            self.section_is_secret = names_a_secret(stripped.strip("[] \t").split("]")[0])
            return text
        found = _KEY_LINE.match(text)
        if found is None or stripped.startswith(("#", ";")):
            return text
        if self.section_is_secret or names_a_secret(found["key"]):
            return found["lead"] + self._value(found["value"])
        return found["lead"] + _INLINE_PAIR.sub(_masked_pair, found["value"])

    def _value(self, value: str) -> str:
        """A secret's value masked, and whether lines after it are part of it."""
        for quotes in ('"""', "\'\'\'"):
            if value.startswith(quotes):
                if quotes not in value[3:]:
                    self.continues = quotes
                return quotes + MASK + quotes
        if value[:1] in ('"', "'"):
            return value[0] + MASK + value[0]
        self.continues = "ini"  # an INI value may go on in indented lines (TOML has none such)
        return MASK if value.strip() else value


def _masked_pair(found: "re.Match[str]") -> str:
    if not names_a_secret(found["key"].strip("\"'")):
        return found[0]
    value = found["value"]
    return found["lead"] + (value[0] + MASK + value[0] if value[:1] in ('"', "'") else MASK)


def _indent_of(text: str) -> str:
    return text[: len(text) - len(text.lstrip(" \t"))]


# -- INI (pip.conf, .pypirc, keyringrc.cfg) through configupdater -------------------------


def ini_parse(original: Original) -> "ConfigUpdater":
    """A configupdater document of the file; CannotEdit if it does not parse."""
    from configupdater import ConfigUpdater

    updater = ConfigUpdater()
    try:
        updater.read_string(original.text)
    except Exception as error:  # configparser.Error and its relatives
        raise CannotEdit(f"cannot parse {original.path}: {_first_line(error)}; fix it, then run setup again") from None
    return updater


def ini_section(updater: "ConfigUpdater", name: str) -> "Section":
    """The section ``[name]``, added at the end (after a blank line) if missing."""
    if updater.has_section(name):
        return updater[name]
    blocks = list(updater.iter_blocks())
    if not blocks:
        updater.add_section(name)
    elif str(blocks[-1]).endswith("\n\n") or type(blocks[-1]).__name__ == "Space":
        blocks[-1].add_after.section(name)
    else:
        from configupdater import Section

        last: Block = blocks[-1]
        while isinstance(last, Section) and list(last.iter_blocks()):
            last = list(last.iter_blocks())[-1]
        _end_last_line(last)
        blocks[-1].add_after.space(1).section(name)
    return updater[name]


def ini_set(updater: "ConfigUpdater", section: str, key: str, value: str) -> None:
    """``key = value`` in ``[section]``: the old value replaced where it stands, or a new
    line after the section's last option, indented as that option is. A value with
    several lines gets one per line."""
    target = ini_section(updater, section)
    items = value.split("\n")
    if key in target:
        option = target[key]
    else:
        options = [block for block in target.iter_blocks() if type(block).__name__ == "Option"]
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


def ini_text(updater: "ConfigUpdater") -> str:
    """The document as text, options indented as they were (configparser reads a line
    indented deeper than the key before it as part of that key's value)."""
    for option, indent in getattr(updater, "_indents", {}).values():
        if indent and not option.raw_key.startswith(indent):
            option.key = indent + option.raw_key
    updater._indents = {}  # type: ignore[attr-defined]  # ours, see _keep_indent
    return str(updater)


def _indent(option: "Block") -> str:
    text = getattr(option, "_indent", None) or str(option)
    return text[: len(text) - len(text.lstrip(" \t"))]


def _keep_indent(updater: "ConfigUpdater", option: "Option", indent: str) -> None:
    # Attributes of our own on configupdater's objects (which it does not declare).
    option._indent = indent  # type: ignore[attr-defined]  # configupdater forgets it once the option changes
    if not hasattr(updater, "_indents"):
        updater._indents = {}  # type: ignore[attr-defined]
    updater._indents[id(option)] = (option, indent)  # type: ignore[attr-defined]


def ini_remove(updater: "ConfigUpdater", section: str, key: str) -> bool:
    """Remove ``key`` from ``[section]``; whether it was there."""
    if updater.has_section(section) and key in updater[section]:
        del updater[section][key]
        return True
    return False


def _end_last_line(block: "Block") -> None:
    """Give a block that ends the file without a newline its newline."""
    lines = getattr(block, "lines", None)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"


# -- TOML (uv.toml, pyproject.toml, poetry's config.toml) through tomlkit ---------------------


def toml_parse(original: Original) -> "TOMLDocument":
    """A tomlkit document of the file; CannotEdit if it does not parse."""
    import tomlkit

    try:
        return tomlkit.parse(original.text)
    except Exception as error:  # tomlkit.exceptions.ParseError and its relatives
        raise CannotEdit(f"cannot parse {original.path}: {_first_line(error)}; fix it, then run setup again") from None


class TomlEdit(NamedTuple):
    """Keys to set in a table, and an entry (found by its name) in an array of tables there."""

    table: list[str]  # [] for the top level
    settings: dict[str, object]
    array: Optional[str] = None
    entry: Optional[dict[str, object]] = None
    drop: tuple[str, ...] = ()  # keys to remove from an existing entry
    first: bool = False  # a new entry goes before the others (an existing one stays where it is)


def toml_expected(data: dict[str, Any], wanted: "TomlEdit", path: Path) -> dict[str, Any]:
    """``data`` as it should read once ``wanted`` is done."""
    expected = copy.deepcopy(data)
    table = expected
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
    return expected


def toml_edit(original: Original, before: dict[str, Any], wanted: "TomlEdit", tool: str) -> str:
    """The text of ``original`` with ``wanted`` done, read back by tomllib as exactly
    ``before`` plus ``wanted``. Several ways of placing new lines are tried (tomlkit
    does not place or keep everything right in every layout); of those that read
    back right, the one that touches fewest of the user's lines wins."""
    expected = toml_expected(before, wanted, original.path)
    right = []
    for text in _toml_candidates(original, wanted, before):
        try:
            found = toml_load(text)
        except ValueError:
            continue
        if same_data(found, expected):
            right.append(text)
    if not right:
        raise CannotEdit(
            f"cannot edit {original.path} safely: no edit {tool} reads back as meant "
            f"({_describe(wanted)}); add it by hand"
        )
    return min(right, key=lambda text: lines_touched(original.text, text))


def same_data(found: object, expected: object) -> bool:
    """Equal as data (NaN equal to NaN, dates by value)."""
    def canonical(value: object) -> str:
        return json.dumps(value, sort_keys=True, default=repr)

    return canonical(found) == canonical(expected)


def _toml_candidates(original: Original, wanted: TomlEdit, before: dict[str, Any]) -> Iterator[str]:
    """Edited texts: new keys put in as lines of text, through tomlkit, or in a new
    table at the end; a new entry as an array-of-tables block at the end, or inline."""
    for new_keys in ("lines", "tomlkit", "block"):
        for new_entry in ("block", "inline"):
            text = _toml_edited(original, wanted, before, new_keys, new_entry)
            if text is not None:
                yield text


def _toml_edited(
    original: Original, wanted: TomlEdit, before: dict[str, Any], new_keys: str, new_entry: str
) -> Optional[str]:
    """One way to make ``wanted``; tomlkit changes what already exists (in place), and
    is asked for nothing else unless ``new_keys`` or ``new_entry`` say so."""
    import tomlkit

    data = toml_dig(before, wanted.table) if wanted.table else before
    settings = {
        key: value for key, value in wanted.settings.items() if not isinstance(data, dict) or data.get(key) != value
    }
    existing = {key: value for key, value in settings.items() if isinstance(data, dict) and key in data}
    added = {key: value for key, value in settings.items() if key not in existing}
    document: Optional[TOMLDocument] = None

    def table() -> Any:  # a tomlkit table, or None where there is none
        nonlocal document
        if document is None:
            document = toml_parse(original)
        return toml_item(document, wanted.table) if wanted.table else document

    blocks: list[str] = []
    first_block: Optional[str] = None
    lines: dict[str, object] = {}
    text: Optional[str]  # None: the new lines or entry found no place
    try:
        for key, value in existing.items():
            table()[key] = value
        if added and new_keys == "tomlkit" and table() is not None:
            for key, value in added.items():
                table()[key] = value
        elif added and new_keys == "tomlkit" and wanted.table:
            parent = toml_item(document, wanted.table[:-1]) if wanted.table[:-1] else document
            if parent is None:
                return None
            inline = isinstance(parent, tomlkit.items.InlineTable)  # an inline table holds only inline ones
            parent[wanted.table[-1]] = _inline_table(added) if inline else tomlkit.table()
            if not inline:
                parent[wanted.table[-1]].update(added)
        elif added and new_keys == "lines":
            lines = added
        elif added:
            blocks.append(f"[{toml_header(wanted.table)}]\n" + _toml_lines(added))
        if wanted.array is not None and wanted.entry is not None:
            entries: Any = data.get(wanted.array) if isinstance(data, dict) else None  # TOML data, or None
            named = (n for n, entry in enumerate(entries or []) if entry.get("name") == wanted.entry["name"])
            index = next(named, None)
            if index is not None:
                changes = {key: value for key, value in wanted.entry.items() if entries[index].get(key) != value}
                drops = [key for key in wanted.drop if key in entries[index]]
                if changes or drops:
                    entry = table()[wanted.array][index]
                    for key, value in changes.items():
                        entry[key] = value
                    for key in drops:
                        del entry[key]
            elif entries is not None and _is_inline_array(original, wanted.table + [wanted.array]):
                table()[wanted.array].insert(0 if wanted.first else len(entries), _inline_table(wanted.entry))
            elif new_entry == "inline" and table() is not None:
                table()[wanted.array] = _inline_array(_inline_table(wanted.entry))
            elif new_entry == "inline":
                return None
            elif wanted.first and entries:
                first_block = f"[[{toml_header(wanted.table + [wanted.array])}]]\n" + _toml_lines(wanted.entry)
            else:
                blocks.append(f"[[{toml_header(wanted.table + [wanted.array])}]]\n" + _toml_lines(wanted.entry))
        text = original.text if document is None else document.as_string()
    except Exception:  # tomlkit refuses some edits of some layouts: another way may do
        return None
    if lines:
        text = toml_insert_lines(text, wanted.table, _toml_lines(lines))
        if text is None:
            return None
    if first_block is not None:
        array = cast(str, wanted.array)  # set: first_block is made only for an entry of an array
        text = toml_insert_before(text, wanted.table + [array], first_block)
        if text is None:
            return None
    for block in blocks:
        text = toml_append(text, block)
    return text


def _is_inline_array(original: Original, keys: list[str]) -> bool:
    """Whether ``keys`` is an inline array (``[...]``), not an array of tables. Asked of
    a parse of its own: tomlkit may re-lay out a document whose tables it only looked at."""
    import tomlkit

    return isinstance(toml_item(toml_parse(original), keys), tomlkit.items.Array)


def _inline_table(values: dict[str, object]) -> "InlineTable":
    import tomlkit

    inline = tomlkit.inline_table()
    inline.update(values)
    return inline


def _inline_array(inline: "InlineTable") -> "Array":
    import tomlkit

    array = tomlkit.array()
    array.append(inline)
    return array


def _toml_lines(values: dict[str, object]) -> str:
    import tomlkit

    return "".join(f"{toml_header([key])} = {tomlkit.item(value).as_string()}\n" for key, value in values.items())


def _describe(wanted: TomlEdit) -> str:
    where = ".".join(wanted.table) or "the top level"
    parts = [f"{key} = {json.dumps(value)}" for key, value in wanted.settings.items()]
    if wanted.entry and wanted.array is not None:  # as everywhere here, an entry goes with its array
        parts.append(f"a [[{'.'.join(wanted.table + [wanted.array])}]] entry {json.dumps(wanted.entry)}")
    return f"in {where}: " + ", ".join(parts)


def toml_load(text: str) -> dict[str, Any]:
    """``text`` read as tomllib (tomli before Python 3.11) reads it, as uv and poetry do."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    return tomllib.loads(text)


def toml_dig(data: Any, keys: list[str]) -> Any:
    """``data[k1][k2]...``, or None where a key is missing or not a table."""
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def toml_header(keys: list[str]) -> str:
    """``a.b.c`` with each key quoted as TOML needs."""
    return ".".join(key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else toml_string(key) for key in keys)


def toml_string(value: str) -> str:
    import tomlkit

    return tomlkit.string(value).as_string()


def toml_append(text: str, block: str) -> str:
    """``text`` with ``block`` (whole tables) added at the end after a blank line."""
    if not text.strip():
        return block
    return text + ("" if text.endswith("\n\n") else "\n" if text.endswith("\n") else "\n\n") + block


def toml_insert_lines(text: str, table: list[str], lines: str) -> Optional[str]:
    """``text`` with ``lines`` (key = value lines) put in ``table`` as plain text: for
    the top level, after the last line before the first table header (and the
    comments just above it); for a table, right after its own ``[header]`` line.
    None if there is no such header. (The caller checks the result with tomllib.)"""
    rows = _lines(text)
    if rows and not rows[-1].endswith("\n"):
        rows[-1] += "\n"
    if not table:
        at = next((n for n, row in enumerate(rows) if row.startswith("[")), len(rows))
        while at > 0 and (not rows[at - 1].strip() or rows[at - 1].lstrip().startswith("#")) and at < len(rows):
            at -= 1
        return "".join(rows[:at] + [lines] + rows[at:])
    for number, row in enumerate(rows):
        if row.lstrip().startswith("[") and not row.lstrip().startswith("[["):
            try:
                parsed = toml_load(row)
            except ValueError:
                continue
            if _is_header_of(parsed, table):
                return "".join(rows[: number + 1] + [lines] + rows[number + 1:])
    return None


def toml_insert_before(text: str, array: list[str], block: str) -> Optional[str]:
    """``text`` with ``block`` (an array-of-tables entry) put before the first
    ``[[array]]`` header, and before the comment lines right above it, with a blank
    line after it. None if there is no such header. (The caller checks the result.)"""
    rows = _lines(text)
    for number, row in enumerate(rows):
        if not row.lstrip().startswith("[["):
            continue
        try:
            parsed = toml_load(row)
        except ValueError:
            continue
        if _is_array_header_of(parsed, array):
            at = number
            while at > 0 and rows[at - 1].lstrip().startswith("#"):
                at -= 1
            return "".join(rows[:at] + [block, "\n"] + rows[at:])
    return None


def _is_array_header_of(parsed: dict[str, Any], array: list[str]) -> bool:
    for key in array[:-1]:
        if list(parsed) != [key] or not isinstance(parsed[key], dict):
            return False
        parsed = parsed[key]
    return list(parsed) == [array[-1]] and parsed[array[-1]] == [{}]


def _is_header_of(parsed: dict[str, Any], table: list[str]) -> bool:
    for key in table:
        if list(parsed) != [key] or not isinstance(parsed[key], dict):
            return False
        parsed = parsed[key]
    return parsed == {}


def lines_touched(before: str, after: str) -> int:
    """How many lines of ``before`` are not kept as they were in ``after``."""
    matcher = difflib.SequenceMatcher(None, _lines(before), _lines(after), autojunk=False)
    return sum(i2 - i1 for tag, i1, i2, _, _ in matcher.get_opcodes() if tag != "equal")


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def toml_item(document: Any, keys: list[str]) -> Optional[Any]:
    """The tomlkit item at ``keys`` (tables, inline tables), or None."""
    item = document
    for key in keys:
        try:
            item = item[key]
        except (KeyError, TypeError, AttributeError):
            return None
    return item
