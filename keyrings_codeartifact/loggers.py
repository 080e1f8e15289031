"""Loggers for the lookup's modules that import ``logging`` only when a record can go somewhere.

A process that has not imported ``logging`` has configured no handler and no level:
logging would drop a record below WARNING (its last-resort handler prints WARNING and
above), so such a record is dropped here without importing ``logging``, about 4 ms of
a warm lookup by the fast ``keyring`` command. Anywhere else (keyring's CLI, pip,
poetry, a test's ``caplog``) every call is the named ``logging`` logger's own, with the
caller's file and line.
"""

import sys

__all__ = ["Logger", "get"]

_WARNING = 30  # logging.WARNING


class Logger:
    """``logging.getLogger(name)``'s ``debug`` and ``warning``, imported on first need."""

    def __init__(self, name: str) -> None:
        self.name = name

    def debug(self, message: str, *args: object) -> None:
        self._log(10, message, args)  # logging.DEBUG

    def warning(self, message: str, *args: object) -> None:
        self._log(_WARNING, message, args)

    def _log(self, level: int, message: str, args: tuple[object, ...]) -> None:
        if level < _WARNING and "logging" not in sys.modules:
            return  # nothing configured logging: the record would be dropped
        import logging  # here: only a record that can be handled needs it

        logging.getLogger(self.name).log(level, message, *args, stacklevel=3)


def get(name: str) -> Logger:
    """The logger of module ``name``."""
    return Logger(name)
