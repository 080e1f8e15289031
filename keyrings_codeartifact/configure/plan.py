"""What every tool's set-up shares: the repository from the command line, every file's
change worked out (each read back as its tool reads it) before any is written, and
then each shown as a diff or written."""

from typing import Callable

from . import names
from .files import Change
from .repository import Repository, check_name, from_url

ToolChanges = Callable[[Repository], list[Change]]


def changes(name: str, url_of: Callable[[], str], tool_changes: ToolChanges) -> tuple[Repository, list[Change]]:
    """The repository (its URL asked of ``url_of`` once ``name`` is known good), and the
    tool's changes plus keyringrc.cfg's name for it; SetupError (BadRequest for bad
    input) before any file is written if one cannot be made."""
    check_name(name)
    repository = from_url(url_of(), name)
    return repository, tool_changes(repository) + [names.change(repository)]


def carry_out(change: Change, dry_run: bool) -> str:
    """Write one change (or show it as a diff, every secret masked); what to tell the user."""
    notes = "".join(f"; {note}" for note in change.notes)
    if not change.changes_anything:
        return f"{change.path}: already set up, unchanged{notes}\n"
    if dry_run:
        return change.diff() + (f"{change.path}: would be updated{notes}\n" if notes else "")
    change.apply()
    return f"{change.path}: updated{notes}\n"
