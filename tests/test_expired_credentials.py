"""Credentials that are still expired after botocore refreshes them (a
credential_process or container endpoint handing out stale keys) end in one
line naming the source, not botocore's RuntimeError and its traceback."""

import sys

from helpers import ALICE, BIN, URL, run, write_aws_file


def test_expired_credential_process_is_one_line(standin, isolated_env):
    script = isolated_env / "stale-credentials.py"
    script.write_text(
        "import json\n"
        f"print(json.dumps({{'Version': 1, 'AccessKeyId': '{ALICE[1]}', 'SecretAccessKey': '{ALICE[2]}',"
        " 'SessionToken': 'stale', 'Expiration': '2000-01-01T00:00:00Z'}))\n"
    )
    (isolated_env / ".aws" / "credentials").unlink()
    write_aws_file(isolated_env / ".aws" / "config", f"[default]\ncredential_process = {sys.executable} {script}\n")
    result = run(BIN / "keyring", "get", URL, "aws")
    assert result.returncode == 1  # keyring's CLI prints any backend error with a traceback
    line = result.stderr.strip().splitlines()[-1]
    assert "RuntimeError" not in result.stderr
    assert "the AWS credentials are still expired after a refresh" in line
    assert f"credential process {sys.executable} {script}" in line
    assert standin.token_requests() == []
    cli = run(BIN / "codeartifact-keyring", "token", URL)
    assert (cli.returncode, cli.stdout) == (1, "")
    assert cli.stderr.count("\n") == 1 and "still expired after a refresh" in cli.stderr
