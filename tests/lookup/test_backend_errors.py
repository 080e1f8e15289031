"""Our errors are plain exceptions (a lookup imports no keyring); the backend, keyring's
side of the boundary, raises each as a keyring.errors.KeyringError of the same class,
name and module, so that poetry (which catches only KeyringError) and keyring's
traceback see what they always saw."""

import json

import pytest
from keyring.errors import KeyringError

from helpers import BIN, URL, run
from keyrings_codeartifact import errors
from keyrings_codeartifact.backend import CodeArtifactBackend, as_keyring_error


def test_our_errors_are_not_keyring_s():
    assert not issubclass(errors.CodeArtifactError, KeyringError)


@pytest.mark.parametrize("cls", [errors.ConfigError, errors.AccessDenied, errors.Unreachable])
def test_the_backend_raises_them_as_keyring_errors_of_the_same_class(cls):
    raised = as_keyring_error(cls("codeartifact-keyring: what went wrong"))
    assert isinstance(raised, cls) and isinstance(raised, KeyringError)
    assert (type(raised).__name__, type(raised).__module__, str(raised)) == (
        cls.__name__, "keyrings_codeartifact.errors", "codeartifact-keyring: what went wrong")
    assert type(as_keyring_error(cls("again"))) is type(raised)  # one class per class


def test_a_failed_lookup_through_the_backend_is_a_keyring_error(standin):
    standin.fault = "deny"
    with pytest.raises(KeyringError) as caught:
        CodeArtifactBackend().get_credential(URL, None)
    assert isinstance(caught.value, errors.AccessDenied)


PROBE = """
import json, sys
from keyrings_codeartifact import lookup, services, settings
services.Services().endpoint(sys.argv[1])
settings.config_path()
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("keyring", "jaraco", "botocore"))))
"""


def test_the_lookup_modules_import_no_keyring():
    result = run(BIN / "python", "-c", PROBE, URL)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
