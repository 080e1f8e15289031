"""Who holds a cache lock, and whether waiting for them is still worth it.

The holder of an entry's lock notes in the lock file its pid, machine and process start
time (``record``). A waiter reads the note (``Watch``) and stops waiting early when the
holder is seen to be *stopped* (Ctrl-Z, a debugger: Linux ``/proc/PID/stat`` state T or
t) or *gone* (no such process; on Linux, also another start time: a reused pid). It only
ever stops *earlier*: its own time limit still applies, and a note it cannot read or
trust means "wait". Where the holder cannot be checked, the time limit alone applies: on
another machine (an NFS home shared by two hosts), in another pid namespace (a
container), on Windows (no note is written), and for stopped processes on macOS and the
BSDs (``os.kill(pid, 0)`` tells only whether one exists).
"""

import json
import os
import sys
import time
from typing import NamedTuple, Optional

CONFIRM_SECONDS = 0.2  # a verdict must hold this long on the same note (a new holder writes its own at once)
_PID_MAX = 2**22  # Linux's highest pid (pid_max); macOS stays below 100000


class Holder(NamedTuple):
    """What a lock holder noted about itself."""

    pid: int
    machine: str
    started: Optional[int]  # Linux: process start, in clock ticks since boot; else None


def record() -> bytes:
    """This process's note for a lock it holds (b"" where nothing can be checked)."""
    machine = _machine()
    if machine is None:
        return b""
    pid = os.getpid()
    process = _linux_process(pid) if sys.platform.startswith("linux") else None
    return json.dumps({"pid": pid, "machine": machine, "started": process[1] if process else None}).encode()


def verdict(note: bytes, machine: str) -> Optional[str]:
    """Why the holder that wrote ``note`` will not finish ("stopped" or "gone"), or
    None when it may (it runs, or it cannot be checked from ``machine``, this one)."""
    holder = _parse(note)
    if holder is None or holder.machine != machine:
        return None
    if sys.platform.startswith("linux"):
        process = _linux_process(holder.pid)
        if process is None or process[0] in "ZX":
            return "gone"
        if holder.started is not None and process[1] != holder.started:
            return "gone"  # another process under a reused pid
        return "stopped" if process[0] in "Tt" else None
    if sys.platform == "win32":
        return None
    try:
        os.kill(holder.pid, 0)
    except (ProcessLookupError, PermissionError):  # PermissionError: another user's, a reused pid (locks are ours)
        return "gone"
    except OSError:
        pass
    return None


class Watch:
    """A waiter's view of the holder: a verdict counts once it held CONFIRM_SECONDS
    on the same note, so that a note left by the previous holder (a new holder has
    the lock but has not written its own yet) never passes for the holder's."""

    def __init__(self) -> None:
        self._machine = _machine()
        self._suspect: Optional[tuple[bytes, float]] = None  # (note, since) judged stuck

    def stuck(self, note: bytes) -> Optional[str]:
        """"stopped" or "gone" if the holder of ``note`` is, confirmed; else None."""
        found = verdict(note, self._machine) if self._machine else None
        if found is None:
            self._suspect = None
            return None
        now = time.monotonic()
        if self._suspect is None or self._suspect[0] != note:
            self._suspect = (note, now)
        return found if now - self._suspect[1] >= CONFIRM_SECONDS else None

    def running(self, note: bytes) -> bool:
        """Whether the holder of ``note`` is seen to run (so worth waiting for longer): on
        Linux only, where a stopped or gone holder can be told apart."""
        holder = _parse(note)
        return (sys.platform.startswith("linux") and self._machine is not None and holder is not None
                and holder.machine == self._machine and verdict(note, self._machine) is None)


def _parse(note: bytes) -> Optional[Holder]:
    """The holder ``note`` names, or None for anything but a well-formed note."""
    try:
        data = json.loads(note.decode("utf-8"))
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    pid, machine, started = data.get("pid"), data.get("machine"), data.get("started")
    if type(pid) is not int or not 0 < pid < _PID_MAX or not isinstance(machine, str):
        return None
    if started is not None and (type(started) is not int or started < 0):
        return None
    return Holder(pid, machine, started)


def _machine() -> Optional[str]:
    """Where this process's pids mean something: on Linux the boot and the pid
    namespace, elsewhere on POSIX the host name; None on Windows."""
    if sys.platform == "win32":
        return None
    if not sys.platform.startswith("linux"):
        return f"{sys.platform} {os.uname().nodename}"
    try:
        with open("/proc/sys/kernel/random/boot_id", "rb") as file:
            boot = file.read(64).decode("ascii").strip()
        return f"linux {boot} {os.readlink('/proc/self/ns/pid')}"
    except (OSError, UnicodeDecodeError):  # no /proc: nothing to check a holder with
        return None


def _linux_process(pid: int) -> Optional[tuple[str, int]]:
    """The state letter and start time (ticks since boot) of process ``pid``, or None
    if there is none."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as file:
            stat = file.read(4096)
        fields = stat[stat.rindex(b")") + 2:].split()  # the name, in parentheses, may hold anything
        return fields[0].decode("ascii"), int(fields[19])
    except (OSError, ValueError, IndexError, UnicodeDecodeError):
        return None
