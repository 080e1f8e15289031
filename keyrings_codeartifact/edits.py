"""Small, careful edits of client config files: INI (pip.conf, .pypirc) and TOML
(uv.toml, pyproject.toml, poetry's config.toml).

Each edit changes only the lines it must and keeps every other byte of the file,
comments and layout included. Applying an edit twice changes nothing the second
time. Writes are atomic (temporary file, then rename) and keep the file's mode.
"""

import difflib
import os
import re
import tempfile
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional, Tuple


class CannotEdit(Exception):
    """The file is not laid out in a way these edits can change safely."""


class Change(NamedTuple):
    """A file and what it should hold."""

    path: Path
    before: str  # "" when the file does not exist
    after: str

    @property
    def changes_anything(self) -> bool:
        return self.before != self.after

    def diff(self) -> str:
        return "".join(
            difflib.unified_diff(
                self.before.splitlines(keepends=True),
                self.after.splitlines(keepends=True),
                fromfile=str(self.path) if self.before else "/dev/null",
                tofile=str(self.path),
            )
        )

    def apply(self) -> None:
        """Write ``after`` atomically, keeping the file's mode (0600 for a new file)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        mode = self.path.stat().st_mode & 0o777 if self.path.exists() else 0o600
        descriptor, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as file:
                file.write(self.after)
            os.chmod(temporary, mode)
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""


# -- INI ----------------------------------------------------------------------------

_SECTION = re.compile(r"^\s*\[(?P<name>[^\]]+)\]\s*(?:[#;].*)?$")


def ini_get(text: str, section: str, key: str) -> Optional[str]:
    """The value of ``key`` in ``section`` (continuation lines joined by newlines)."""
    span = _ini_key_span(text.splitlines(keepends=True), section, key)
    if span is None:
        return None
    lines = text.splitlines(keepends=True)[span[0]:span[1]]
    first = lines[0].split("=", 1)[1] if "=" in lines[0] else lines[0].split(":", 1)[1]
    return "\n".join([first.strip()] + [line.strip() for line in lines[1:]]).strip()


def ini_set(text: str, section: str, key: str, value: str) -> str:
    """``text`` with ``key = value`` in ``section``, replacing any old value.

    A value with several lines is written with indented continuation lines.
    """
    lines = text.splitlines(keepends=True)
    value_lines = value.split("\n")
    first = f"{key} = {value_lines[0]}".rstrip()
    rendered = [f"{first}\n"] + [f"    {line}\n" for line in value_lines[1:]]
    span = _ini_key_span(lines, section, key)
    if span is not None:
        return "".join(lines[: span[0]] + rendered + lines[span[1]:])
    bounds = _ini_section_bounds(lines, section)
    if bounds is None:
        prefix = "" if not text or text.endswith("\n\n") else ("\n" if text.endswith("\n") else "\n\n")
        return text + prefix + f"[{section}]\n" + "".join(rendered)
    start, end = bounds
    insert_at = end
    while insert_at > start + 1 and not lines[insert_at - 1].strip():
        insert_at -= 1  # after the section's last line, before blank lines
    if insert_at and not lines[insert_at - 1].endswith("\n"):
        lines[insert_at - 1] += "\n"
    return "".join(lines[:insert_at] + rendered + lines[insert_at:])


def ini_append(text: str, section: str, key: str, item: str) -> str:
    """``text`` with ``item`` added to the whitespace-separated list in ``key``, as a
    continuation line after the existing ones; unchanged if it is already there."""
    current = ini_get(text, section, key)
    if current is None:
        return ini_set(text, section, key, "\n" + item)
    if item in current.split():
        return text
    lines = text.splitlines(keepends=True)
    _, end = _ini_key_span(lines, section, key)
    if not lines[end - 1].endswith("\n"):
        lines[end - 1] += "\n"
    return "".join(lines[:end] + [f"    {item}\n"] + lines[end:])


def _ini_section_bounds(lines: List[str], section: str):
    start = None
    for number, line in enumerate(lines):
        found = _SECTION.match(line)
        if found:
            if start is not None:
                return start, number
            if found["name"].strip() == section:
                start = number
    return (start, len(lines)) if start is not None else None


def _ini_key_span(lines: List[str], section: str, key: str):
    bounds = _ini_section_bounds(lines, section)
    if bounds is None:
        return None
    pattern = re.compile(rf"^{re.escape(key)}\s*[=:]", re.IGNORECASE)
    for number in range(bounds[0] + 1, bounds[1]):
        if pattern.match(lines[number]):
            end = number + 1
            while end < bounds[1] and lines[end][:1] in (" ", "\t") and lines[end].strip():
                end += 1  # continuation lines
            return number, end
    return None


# -- TOML ---------------------------------------------------------------------------


def toml_load(text: str) -> dict:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python < 3.11
        import tomli as tomllib  # type: ignore[no-redef]
    return tomllib.loads(text)


def toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def toml_set_key(text: str, table: Optional[str], key: str, value: str) -> str:
    """``text`` with ``key = value`` (value already in TOML syntax) in ``table``
    (None: the top level), replacing a value on a single line or adding the line."""
    lines = text.splitlines(keepends=True)
    headers = [n for n, line in enumerate(lines) if re.match(r"^\s*\[", line)]
    if table is None:
        start, end = 0, headers[0] if headers else len(lines)
    else:
        own = [n for n in headers if re.match(rf"^\s*\[\s*{re.escape(table)}\s*\]\s*(#.*)?$", lines[n])]
        if not own:
            prefix = "" if not text or text.endswith("\n\n") else ("\n" if text.endswith("\n") else "\n\n")
            return text + prefix + f"[{table}]\n{key} = {value}\n"
        start = own[0] + 1
        later = [n for n in headers if n > own[0]]
        end = later[0] if later else len(lines)
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for number in range(start, end):
        if pattern.match(lines[number]):
            lines[number] = f"{key} = {value}\n"
            return "".join(lines)
    insert_at = end
    while insert_at > start and not lines[insert_at - 1].strip():
        insert_at -= 1  # after the table's last line, before blank lines
    line = f"{key} = {value}\n"
    if table is None and headers and insert_at == headers[0]:
        line += "\n"  # keep a blank line before the first table
    if insert_at and not lines[insert_at - 1].endswith("\n"):
        lines[insert_at - 1] += "\n"
    return "".join(lines[:insert_at] + [line] + lines[insert_at:])


def toml_append_block(text: str, block: str) -> str:
    """``text`` with ``block`` (whole TOML tables) appended after a blank line."""
    if not text:
        return block
    separator = "\n" if text.endswith("\n") else "\n\n"
    if text.endswith("\n\n"):
        separator = ""
    return text + separator + block


def toml_set_array_entry(text: str, array: str, fields: Dict[str, str]) -> str:
    """``text`` with an ``[[array]]`` entry named ``fields["name"]`` holding ``fields``
    (strings quoted, "true" as is): added, or its keys set if it exists."""
    rendered = {key: value if value == "true" else toml_string(value) for key, value in fields.items()}
    entries = _dig(toml_load(text), array.split(".")) or []
    if not any(entry.get("name") == fields["name"] for entry in entries):
        block = f"[[{array}]]\n" + "".join(f"{key} = {value}\n" for key, value in rendered.items())
        return toml_append_block(text, block)
    lines = text.splitlines(keepends=True)
    start, end = _toml_entry_span(lines, array, fields["name"])
    section = "".join(lines[start:end])
    for key, value in rendered.items():
        pattern = re.compile(rf"^{re.escape(key)}\s*=.*$", re.MULTILINE)
        if pattern.search(section):
            section = pattern.sub(lambda _: f"{key} = {value}", section, count=1)
        else:
            section = section.rstrip("\n") + f"\n{key} = {value}\n" + ("\n" if section.endswith("\n\n") else "")
    return "".join(lines[:start]) + section + "".join(lines[end:])


def _toml_entry_span(lines: List[str], array: str, name: str) -> Tuple[int, int]:
    header = re.compile(rf"^\s*\[\[\s*{re.escape(array)}\s*\]\]")
    starts = [n for n, line in enumerate(lines) if header.match(line)]
    for start in starts:
        end = next((n for n in range(start + 1, len(lines)) if lines[n].lstrip().startswith("[")), len(lines))
        if any(re.match(rf'^\s*name\s*=\s*["\']{re.escape(name)}["\']', line) for line in lines[start:end]):
            return start, end
    raise CannotEdit(f"cannot find the [[{array}]] entry named {name} to update; edit it by hand")


def _dig(data: dict, keys: List[str]):
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data
