"""The opt-in log: one line per lookup, for seeing what clients asked and what they got.

On when ``CODEARTIFACT_KEYRING_LOG`` names a file (it wins), or ``log_file`` in
keyringrc.cfg does. Each line::

    2026-12-05T10:00:00.123Z client=pip endpoint=HOST/REPO source=cache ms=3 outcome=ok

``source`` is where the token came from (memory, cache, AWS, environment: the
``CODEARTIFACT_AUTH_TOKEN`` variable; ``-`` when none was had); ``outcome`` is
``ok``, ``refused`` (``owners`` does not list the endpoint's owner) or
``failed CLASS: MESSAGE``, our one-line message. Never a token, a secret or a URL's
userinfo: only the endpoint's host and repository name, and texts through ``redact``.

The file is created 0600 (never through a symbolic link, on POSIX) and appended to,
one ``write`` per line, so processes may share it. Past ``LIMIT`` bytes it is renamed
to PATH.1 (replacing an older one) and a new file begun: at most about 2 MB in all.
A log that cannot be written is skipped (a debug message): it never fails a lookup.
"""

import datetime
import errno
import logging
import os
import stat
import sys
from typing import TYPE_CHECKING, Optional

from . import redact

if TYPE_CHECKING:
    from .endpoint import Endpoint

log = logging.getLogger(__name__)

LIMIT = 1024 * 1024  # bytes of a log file before it is rotated to PATH.1
# O_NONBLOCK: a FIFO planted at the path must not hang every lookup (a regular file ignores it).
_FLAGS = (os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
          | getattr(os, "O_NONBLOCK", 0))


def line(endpoint: "Endpoint", source: str, milliseconds: float, outcome: str, client: Optional[str]) -> str:
    """One log line, without its newline; every part safe to show."""
    now = datetime.datetime.now(datetime.timezone.utc)
    stamp = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
    where = f"{endpoint.host}/{endpoint.repository or '-'}"
    return (f"{stamp} client={redact.text(client or '-', 60).replace(' ', '_')} endpoint={redact.text(where)} "
            f"source={source} ms={milliseconds:.0f} outcome={redact.text(outcome, redact.LINE_LIMIT)}")


def write(path: str, text: str) -> None:
    """Append ``text`` and a newline to the log at ``path``, rotating it past ``LIMIT``."""
    data = (text + "\n").encode("utf-8", "replace")
    descriptor = -1
    try:
        descriptor = _open(path)
        if os.fstat(descriptor).st_size + len(data) > LIMIT:
            _rotate(path, descriptor)
            os.close(descriptor)
            descriptor = -1
            descriptor = _open(path)
        os.write(descriptor, data)
    except OSError as error:
        log.debug("the lookup log %s cannot be written: %s", redact.text(path), error.strerror)
    finally:
        if descriptor >= 0:
            os.close(descriptor)


def _open(path: str) -> int:
    """The log at ``path``, opened to append: made 0600 if missing; an OSError unless it
    is a regular file of this user that no other user may write (a file or FIFO another
    user planted in a shared folder is never written to)."""
    descriptor = os.open(path, _FLAGS, 0o600)
    info = os.fstat(descriptor)
    foreign = sys.platform != "win32" and (info.st_uid != os.geteuid() or info.st_mode & 0o022)
    if not stat.S_ISREG(info.st_mode) or foreign:
        os.close(descriptor)
        raise OSError(errno.EPERM, "not a regular file of this user's that only this user may write")
    return descriptor


def _rotate(path: str, descriptor: int) -> None:
    """Move the full log open on ``descriptor`` to PATH.1, unless another process just did."""
    if os.path.samestat(os.stat(path, follow_symlinks=False), os.fstat(descriptor)):
        os.replace(path, path + ".1")

