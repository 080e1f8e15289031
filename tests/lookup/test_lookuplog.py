"""The opt-in lookup log (``lookuplog``): where it is turned on, what a line says for
each source and outcome, the file's mode, links, rotation, and that it never fails a lookup."""

import os
import stat

import pytest

from helpers import BIN, URL, run, write_keyring_config
from keyrings_codeartifact import lookup, lookuplog, settings
from keyrings_codeartifact.endpoint import parse
from keyrings_codeartifact.errors import ConfigError

ENDPOINT = parse(URL)
CLI = BIN / "codeartifact-keyring"


def logged(path) -> list:
    """(source, outcome) of each line of the log at ``path``."""
    fields = [dict(part.split("=", 1) for part in line.split(" ")[1:5]) for line in path.read_text().splitlines()]
    outcomes = [line.split(" outcome=", 1)[1] for line in path.read_text().splitlines()]
    return [(f["source"], outcome) for f, outcome in zip(fields, outcomes)]


def test_sources_and_outcomes_of_in_process_lookups(standin, tmp_path, monkeypatch):
    log = tmp_path / "lookups.log"
    monkeypatch.setenv(settings.LOG_VARIABLE, str(log))
    service = lookup.Lookup()
    token = service.token(ENDPOINT).value
    service.token(ENDPOINT)
    lookup.Lookup().token(ENDPOINT)
    monkeypatch.setenv(lookup.TOKEN_VARIABLE, "from-ci")
    lookup.Lookup().token(ENDPOINT)
    assert logged(log) == [("AWS", "ok"), ("memory", "ok"), ("cache", "ok"), ("environment", "ok")]
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    text = log.read_text()
    assert token not in text and "from-ci" not in text
    assert f" endpoint={ENDPOINT.host}/python " in text


def test_refused_and_failed_lookups_are_logged(standin, tmp_path, monkeypatch):
    log = tmp_path / "lookups.log"
    monkeypatch.setenv(settings.LOG_VARIABLE, str(log))
    standin.fault = "deny"
    assert run(BIN / "keyring", "get", URL, "aws").returncode == 1
    write_keyring_config("[codeartifact]\nowners = 444455556666\n")
    with pytest.raises(lookup.OwnerRefused):
        lookup.Lookup().token(ENDPOINT)
    [(source, failed), refused] = logged(log)
    assert source == "-" and failed.startswith("failed AccessDenied: cannot get a token for domain 'my-team'")
    assert refused == ("-", "refused")


def test_the_setting_turns_it_on_and_the_variable_wins(standin, tmp_path, monkeypatch):
    configured, chosen = tmp_path / "configured.log", tmp_path / "chosen.log"
    write_keyring_config(f"[codeartifact]\nlog_file = {configured}\n")
    lookup.Lookup().token(ENDPOINT)
    assert logged(configured) == [("AWS", "ok")]
    monkeypatch.setenv(settings.LOG_VARIABLE, str(chosen))
    lookup.Lookup().token(ENDPOINT)
    assert logged(chosen) == [("cache", "ok")]
    assert len(logged(configured)) == 1


def test_a_relative_log_file_is_refused_in_one_line(standin):
    write_keyring_config("[codeartifact]\nlog_file = lookups.log\n")
    with pytest.raises(ConfigError, match=r"invalid log_file .*'lookups.log' is relative to whatever folder"):
        lookup.Lookup().token(ENDPOINT)


def test_a_link_is_not_followed_and_an_unwritable_log_fails_nothing(standin, tmp_path, monkeypatch):
    target = tmp_path / "elsewhere"
    target.write_text("untouched\n")
    link = tmp_path / "lookups.log"
    link.symlink_to(target)
    monkeypatch.setenv(settings.LOG_VARIABLE, str(link))
    assert lookup.Lookup().token(ENDPOINT).value in standin.issued
    assert target.read_text() == "untouched\n"
    monkeypatch.setenv(settings.LOG_VARIABLE, str(tmp_path))  # a folder
    assert lookup.Lookup().token(ENDPOINT).value in standin.issued


def test_a_fifo_at_the_log_path_hangs_no_lookup(standin, tmp_path, monkeypatch):
    # A FIFO planted at the path (a shared /tmp) blocked open() forever: every pip or uv
    # lookup hung. Now the log is skipped. Run in a thread so that a hang fails the test.
    import threading

    fifo = tmp_path / "lookups.log"
    os.mkfifo(fifo)
    monkeypatch.setenv(settings.LOG_VARIABLE, str(fifo))
    found: list = []
    thread = threading.Thread(target=lambda: found.append(lookup.Lookup().token(ENDPOINT).value), daemon=True)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive() and found[0] in standin.issued


def test_a_log_file_others_may_write_is_not_written(standin, tmp_path, monkeypatch):
    # A file another user pre-created (0666) in a shared folder must not get our lines.
    planted = tmp_path / "lookups.log"
    planted.write_text("")
    planted.chmod(0o666)
    monkeypatch.setenv(settings.LOG_VARIABLE, str(planted))
    assert lookup.Lookup().token(ENDPOINT).value in standin.issued
    assert planted.read_text() == ""
    planted.chmod(0o644)  # one's own file, readable by others: the user's choice, written
    assert lookup.Lookup().token(ENDPOINT).value in standin.issued
    assert [source for source, _ in logged(planted)] == ["cache"]  # a new lookup: from the disk cache


def test_past_the_limit_the_log_moves_to_dot_1(standin, tmp_path, monkeypatch):
    log = tmp_path / "lookups.log"
    log.write_bytes(b"x" * (lookuplog.LIMIT - 10) + b"\n")
    os.chmod(log, 0o600)
    monkeypatch.setenv(settings.LOG_VARIABLE, str(log))
    lookup.Lookup().token(ENDPOINT)
    assert (tmp_path / "lookups.log.1").stat().st_size == lookuplog.LIMIT - 9
    assert logged(log) == [("AWS", "ok")]
    lookup.Lookup().token(ENDPOINT)
    assert len(logged(log)) == 2 and not (tmp_path / "lookups.log.2").exists()


def test_explain_says_where_the_log_goes(standin, tmp_path, monkeypatch):
    write_keyring_config(f"[codeartifact]\nlog_file = {tmp_path / 'configured.log'}\n")
    assert f"log_file:              {tmp_path / 'configured.log'}  <- config file [codeartifact]" in run(
        CLI, "explain", URL).stdout
    monkeypatch.setenv(settings.LOG_VARIABLE, str(tmp_path / "chosen.log"))
    assert f"<- environment CODEARTIFACT_KEYRING_LOG={tmp_path / 'chosen.log'} (wins over the file)" in run(
        CLI, "explain", URL).stdout
