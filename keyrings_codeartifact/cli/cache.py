"""``codeartifact-keyring cache list|clear``: the cached tokens (never the tokens themselves).

Both read the folder the [codeartifact] defaults choose; neither makes it. A folder
that must not be used is one line on stderr (exit 1).
"""

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional

from .. import redact
from .. import settings as config
from ..cache import DiskCache, UnsafeFolder, belongs_to, folder_for
from ..errors import PREFIX
from ..settings import Settings
from ..token_record import Token
from .common import FAILED, OK, Handler, endpoint, help_handler, iso, state

if TYPE_CHECKING:
    from .common import Commands

    CacheRun = Callable[[argparse.Namespace, Path, Optional[DiskCache], Settings], int]

_COLUMNS = ("DOMAIN", "OWNER", "REGION", "IDENTITY", "DURATION")  # fields of an entry's key, as listed


def add_to(commands: "Commands") -> None:
    cache = commands.add_parser("cache", help="list or clear cached tokens")
    cache.set_defaults(run=help_handler(cache))
    subcommands = cache.add_subparsers(title="cache commands", metavar="COMMAND")
    listing = subcommands.add_parser("list", help="list cached tokens (never the tokens themselves)")
    listing.set_defaults(run=_cache_command(_list))
    clear = subcommands.add_parser("clear", help="remove cached tokens, all or those for URL's domain")
    clear.add_argument("url", metavar="URL", nargs="?",
                       help="only tokens for this repository's domain, owner and region")
    clear.set_defaults(run=_cache_command(_clear))


def _cache_command(run: "CacheRun") -> Handler:
    """``run`` with the cache folder, the cache open in it (None: no folder yet, and
    none is made) and the [codeartifact] defaults that chose it."""

    def command(args: argparse.Namespace) -> int:
        try:
            defaults = config.load(None)
            folder = folder_for(defaults.cache_dir)
            try:
                disk: Optional[DiskCache] = DiskCache.open(folder)
            except FileNotFoundError:
                disk = None
            return run(args, folder, disk, defaults)
        except UnsafeFolder as unsafe:
            line = f"cannot use the token cache at {unsafe.path}: {unsafe.problem}; {unsafe.remedy}"
            print(PREFIX + redact.name(line), file=sys.stderr)
            return FAILED

    return command


def _list(args: argparse.Namespace, folder: Path, disk: Optional[DiskCache], defaults: Settings) -> int:
    found = disk.entries() if disk else []
    if not found:
        print(f"No cached tokens in {redact.name(folder)}.")
        return OK
    print(f"Cached tokens in {redact.name(folder)}:")
    rows: list[tuple[str, ...]] = [(*_COLUMNS, "EXPIRES", "STATE")]
    for _, entry in found:
        if entry["valid"]:
            expires = iso(entry["expires_at"])
            shown = state(Token("", entry["issued_at"], entry["expires_at"], entry["offset"]), defaults.refresh_margin)
        else:
            expires, shown = "-", "invalid: replaced on the next lookup"
        cells = [entry["key"].get(column.lower()) for column in _COLUMNS]
        rows.append((*(redact.name(cell) for cell in cells), expires, shown))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    return OK


def _clear(args: argparse.Namespace, folder: Path, disk: Optional[DiskCache], defaults: Settings) -> int:
    removed = 0
    if disk and args.url:
        where = endpoint(args.url)
        removed = disk.clear(lambda key: belongs_to(key, where))
    elif disk:
        removed = disk.clear()
    print(f"Removed {removed} cached token{'' if removed == 1 else 's'} from {redact.name(folder)}.")
    return OK
