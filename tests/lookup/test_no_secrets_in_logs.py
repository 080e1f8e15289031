"""With every logger at DEBUG (as ``pip -vv`` sets up), no token or secret is printed."""

from helpers import ALICE, BIN, URL, run, write_keyring_config

LOOKUP_AT_DEBUG = """
import logging, sys, keyring
logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
logging.getLogger("botocore.parsers").setLevel(logging.DEBUG)  # even when set explicitly
print(keyring.get_credential(sys.argv[1], None).password)
"""


def test_debug_logs_hold_no_token_nor_secret(standin):
    role = "arn:aws:iam::111122223333:role/reader"
    write_keyring_config(f"[codeartifact]\nrole_arn = {role}\n")
    result = run(str(BIN / "python"), "-c", LOOKUP_AT_DEBUG, URL)
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    assert token in standin.issued

    logs = result.stderr
    assert "DEBUG:keyrings_codeartifact.aws:got a token for domain 'my-team'" in logs  # logging was on
    assumed = next(i for i in standin.identities.values() if i.name == f"role:{role}")
    for secret in (token, ALICE[2], assumed.secret_key, assumed.session_token):
        assert secret not in logs
