"""A config file of another tool: read, changed, checked, shown as a diff, written.

A file is edited as plain text by the format's module (``ini``, ``toml_edit``), and
only the lines that changed are spliced back into its original bytes: what the
parsers do not keep (a UTF-8 byte order mark, CRLF line endings) is kept here.
"""

import copy
import difflib
import json
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple, Optional

from .masking import masked

BOM = "\ufeff"


class SetupError(Exception):
    """The set-up cannot be done; the message says why and what to do (exit 1)."""


class BadRequest(SetupError):
    """The command line asks for something that cannot be set up (exit 2)."""


class CannotEdit(SetupError):
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
    lines = split_lines(decoded[1:] if bom else decoded)
    crlf = sum(line.endswith("\r\n") for line in lines)
    newline = "\r\n" if crlf > len(lines) - crlf else "\n"
    return Original(path, raw, True, "".join(_plain(line) for line in lines), bom, newline)


def render(original: Original, text: str) -> bytes:
    """``text`` (an edit of ``original.text``) as bytes in the original's encoding: its
    unchanged lines exactly as they were, new lines with the file's own line ending."""
    if text == original.text:
        return original.raw
    raw_lines = split_lines(original.raw.decode("utf-8")[1 if original.bom else 0:])
    old, new = [_plain(line) for line in raw_lines], split_lines(text)
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


def split_lines(text: str) -> list[str]:
    """``text`` split after each "\\n" only (str.splitlines also splits on \\f, \\x1c, ...)."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


def _plain(line: str) -> str:
    return line[:-2] + "\n" if line.endswith("\r\n") else line


class Edit(NamedTuple):
    """The result of editing one file's text: the new text, notes, secrets to hide."""

    text: str
    notes: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ()


class Change(NamedTuple):
    """A file, its bytes before and after, and what the reader should know about it."""

    path: Path
    before: bytes
    after: bytes
    existed: bool
    notes: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ()  # removed passwords: never shown, not even in a diff
    mode: int = 0o600  # a new file's (an existing one keeps its own)

    @classmethod
    def of(cls, original: Original, edit: Edit, after: Optional[bytes] = None) -> "Change":
        """``original`` changed by ``edit`` (rendered in its bytes), or to ``after`` if given."""
        rendered = render(original, edit.text) if after is None else after
        return cls(original.path, original.raw, rendered, original.exists, edit.notes, edit.secrets)

    def noted(self, *notes: str) -> "Change":
        return self._replace(notes=self.notes + notes)

    @property
    def changes_anything(self) -> bool:
        return self.before != self.after

    def diff(self) -> str:
        """The change as a unified diff, every secret in it (context lines too) ``****``."""
        before, after = (raw.decode("utf-8", "replace").splitlines(keepends=True) for raw in (self.before, self.after))
        lines = _unified_diff(
            (before, masked(before, self.secrets)), (after, masked(after, self.secrets)),
            str(self.path) if self.existed else "/dev/null", str(self.path),
        )
        return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)

    def apply(self) -> None:
        """Write ``after`` atomically, keeping the file's mode (``mode`` for a new file);
        CannotEdit, saying why, if it cannot be written."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            mode = self.path.stat().st_mode & 0o777 if self.path.exists() else self.mode
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


def same_data(found: object, expected: object) -> bool:
    """Equal as data (NaN equal to NaN, dates by value)."""
    return json.dumps(found, sort_keys=True, default=repr) == json.dumps(expected, sort_keys=True, default=repr)


def dig(data: Any, keys: list[str]) -> Any:
    """``data[k1][k2]...``, or None where a key is missing or not a table."""
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def check(
    path: Path, tool: str, found: dict[str, Any], expected: dict[str, Any], lists: tuple[tuple[str, ...], ...] = ()
) -> None:
    """SetupError unless ``tool`` reads ``found`` from the edited file, as ``expected``.
    ``lists`` are the keys (paths into the data) whose value is a whitespace-separated list."""
    def normal(data: dict[str, Any]) -> dict[str, Any]:
        data = copy.deepcopy(data)
        for keys in lists:
            holder = dig(data, list(keys[:-1]))
            if isinstance(holder, dict) and isinstance(holder.get(keys[-1]), str):
                holder[keys[-1]] = holder[keys[-1]].split()
        return data

    found, expected = normal(found), normal(expected)
    if not same_data(found, expected):
        differing = sorted(key for key in {*found, *expected} if not same_data(found.get(key), expected.get(key)))
        raise SetupError(
            f"cannot edit {path} safely: {tool} would not read it as meant (differs in {', '.join(differing)}); "
            "nothing written"
        )


def first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
