"""loggers: the lookup's modules log through ``logging`` as before wherever logging is in
use, and a record that could go nowhere costs no ``import logging``."""

import logging
import subprocess
import sys

import pytest

from keyrings_codeartifact import loggers

pytestmark = pytest.mark.windows

PROBE = """
import sys
from keyrings_codeartifact import loggers
log = loggers.get("keyrings_codeartifact.probe")
log.debug("dropped %s", 1)
print("logging" in sys.modules)
log.warning("shown %s", 2)
print("logging" in sys.modules)
"""


def test_a_record_that_can_go_nowhere_imports_no_logging_and_a_warning_is_printed():
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]
    assert result.stderr == "shown 2\n"  # logging's last-resort handler, as for any logger


def emit(log: loggers.Logger) -> None:
    log.debug("debug %s", "one")
    log.warning("warning %s", "two")


def test_records_are_the_named_loggers_with_the_callers_place(caplog):
    caplog.set_level(logging.DEBUG, logger="keyrings_codeartifact.probe")
    emit(loggers.get("keyrings_codeartifact.probe"))
    assert [(r.name, r.levelno, r.getMessage(), r.funcName, r.filename) for r in caplog.records] == [
        ("keyrings_codeartifact.probe", logging.DEBUG, "debug one", "emit", "test_loggers.py"),
        ("keyrings_codeartifact.probe", logging.WARNING, "warning two", "emit", "test_loggers.py"),
    ]


def test_a_level_set_on_the_named_logger_applies(caplog):
    caplog.set_level(logging.DEBUG)
    logging.getLogger("keyrings_codeartifact.probe").setLevel(logging.WARNING)
    try:
        emit(loggers.get("keyrings_codeartifact.probe"))
    finally:
        logging.getLogger("keyrings_codeartifact.probe").setLevel(logging.NOTSET)
    assert [r.getMessage() for r in caplog.records] == ["warning two"]
