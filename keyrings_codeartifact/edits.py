"""Edits of other tools' config files that keep every byte they do not have to change.

TOML is edited through tomlkit and INI through configupdater: real parsers that
keep comments, order, quoting and blank lines. What they do not keep (a UTF-8 byte
order mark, CRLF line endings) is kept here: a file is edited as plain text, and
only the lines that changed are spliced back into its original bytes.

Both libraries are imported only by the functions that use them (only
``codeartifact-keyring setup`` does): keyring lookups never pay for them.
"""

import difflib
import os
import re
import tempfile
from pathlib import Path
from typing import Any, List, NamedTuple, Optional, Tuple

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
    out: List[str] = [BOM] if original.bom else []
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


def _lines(text: str) -> List[str]:
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
    notes: Tuple[str, ...] = ()
    secrets: Tuple[str, ...] = ()  # removed passwords: never shown, not even in a diff

    @property
    def changes_anything(self) -> bool:
        return self.before != self.after

    def diff(self) -> str:
        before, after = (self._shown(data).splitlines(keepends=True) for data in (self.before, self.after))
        lines = difflib.unified_diff(
            before, after, fromfile=str(self.path) if self.existed else "/dev/null", tofile=str(self.path)
        )
        return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)

    def _shown(self, data: bytes) -> str:
        text = data.decode("utf-8", "replace")
        for secret in self.secrets:
            text = text.replace(secret, "****")
        return text

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


# -- INI (pip.conf, .pypirc, keyringrc.cfg) through configupdater -------------------------


def ini_parse(original: Original):
    """A configupdater document of the file; CannotEdit if it does not parse."""
    from configupdater import ConfigUpdater

    updater = ConfigUpdater()
    try:
        updater.read_string(original.text)
    except Exception as error:  # configparser.Error and its relatives
        raise CannotEdit(f"cannot parse {original.path}: {_first_line(error)}; fix it, then run setup again") from None
    return updater


def ini_section(updater, name: str):
    """The section ``[name]``, added at the end (after a blank line) if missing."""
    if updater.has_section(name):
        return updater[name]
    blocks = list(updater.iter_blocks())
    if not blocks:
        updater.add_section(name)
    elif str(blocks[-1]).endswith("\n\n") or type(blocks[-1]).__name__ == "Space":
        blocks[-1].add_after.section(name)
    else:
        if not str(updater).endswith("\n"):
            _end_last_line(blocks[-1])
        blocks[-1].add_after.space(1).section(name)
    return updater[name]


def ini_set(updater, section: str, key: str, value: str) -> None:
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


def ini_text(updater) -> str:
    """The document as text, options indented as they were (configparser reads a line
    indented deeper than the key before it as part of that key's value)."""
    for option, indent in getattr(updater, "_indents", {}).values():
        if indent and not option.raw_key.startswith(indent):
            option.key = indent + option.raw_key
    updater._indents = {}
    return str(updater)


def _indent(option) -> str:
    return re.match(r"[ \t]*", getattr(option, "_indent", None) or str(option)).group()


def _keep_indent(updater, option, indent: str) -> None:
    option._indent = indent  # configupdater forgets it once the option changes
    if not hasattr(updater, "_indents"):
        updater._indents = {}
    updater._indents[id(option)] = (option, indent)


def ini_remove(updater, section: str, key: str) -> bool:
    """Remove ``key`` from ``[section]``; whether it was there."""
    if updater.has_section(section) and key in updater[section]:
        del updater[section][key]
        return True
    return False


def _end_last_line(block) -> None:
    """Give a block that ends the file without a newline its newline."""
    lines = getattr(block, "lines", None)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"


# -- TOML (uv.toml, pyproject.toml, poetry's config.toml) through tomlkit ---------------------


def toml_parse(original: Original):
    """A tomlkit document of the file; CannotEdit if it does not parse."""
    import tomlkit

    try:
        return tomlkit.parse(original.text)
    except Exception as error:  # tomlkit.exceptions.ParseError and its relatives
        raise CannotEdit(f"cannot parse {original.path}: {_first_line(error)}; fix it, then run setup again") from None


def toml_load(text: str) -> dict:
    """``text`` read as tomllib (tomli before Python 3.11) reads it, as uv and poetry do."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python < 3.11
        import tomli as tomllib  # type: ignore[no-redef]
    return tomllib.loads(text)


def toml_dig(data: Any, keys: List[str]) -> Any:
    """``data[k1][k2]...``, or None where a key is missing or not a table."""
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def toml_header(keys: List[str]) -> str:
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


def toml_insert_lines(text: str, table: List[str], lines: str) -> Optional[str]:
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


def _is_header_of(parsed: dict, table: List[str]) -> bool:
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


def toml_item(document, keys: List[str]) -> Optional[Any]:
    """The tomlkit item at ``keys`` (tables, inline tables), or None."""
    item = document
    for key in keys:
        try:
            item = item[key]
        except (KeyError, TypeError, AttributeError):
            return None
    return item
