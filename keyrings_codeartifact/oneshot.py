"""The end of a one-shot command (the fast ``keyring``, the Bazel credential helper).

Both start with Python's cyclic garbage collector off (one short command: its cycles
are left to the exit) and end here: when nothing was registered to run at exit and no
thread was started, the interpreter's teardown (about 3 ms of a 30 ms warm lookup) is
skipped, after the output is flushed; otherwise the exit is the usual one.
"""

import atexit
import os
import sys
from typing import NoReturn


def finish(code: int) -> NoReturn:
    """Exit with ``code``: at once if nothing is left to run at exit, else as usual."""
    if getattr(atexit, "_ncallbacks", lambda: 1)() == 0 and "threading" not in sys.modules:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except AttributeError:  # no stream
                pass
            except OSError:  # the output is lost (its reader is gone, the disk is full):
                code = code or 120  # not a success, as Python's own exit says then
        os._exit(code)
    sys.exit(code)
