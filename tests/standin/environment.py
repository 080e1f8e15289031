"""The environment in which real clients reach the stand-ins under the real hostnames.

Clears this machine's (and developers' shells') client settings that would change
what pip, uv, twine, poetry or botocore do, routes HTTPS through the proxy and
trusts only the test CA.
"""

import os
from pathlib import Path
from typing import Optional

# A global pip config, find-links, CA bundles, endpoint overrides, other proxies.
_CLEARED_PREFIXES = ("PIP_", "UV_", "POETRY_", "TWINE_", "AWS_", "CODEARTIFACT_", "PYTHON_KEYRING")
_CLEARED = ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "VIRTUAL_ENV", "SSL_CERT_DIR")
_CA_VARIABLES = ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "PIP_CERT", "AWS_CA_BUNDLE")


def client_environment(
    base: dict[str, str], home: Path, proxy_url: str, ca_bundle: Path, keyring_bin: Optional[Path]
) -> dict[str, Optional[str]]:
    """The changes to ``base`` (None: remove) that put clients in the stand-ins' world.

    ``keyring_bin`` is the folder of the keyring CLI that pip's subprocess
    provider and uv should run, put first on PATH.
    """
    changes: dict[str, Optional[str]] = {
        name: None for name in base if name.startswith(_CLEARED_PREFIXES) or name in _CLEARED
    }
    changes.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CACHE_HOME=str(home / ".cache"),
        AWS_CONFIG_FILE=str(home / ".aws" / "config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / ".aws" / "credentials"),
        AWS_EC2_METADATA_DISABLED="true",  # never probe 169.254.169.254
        PIP_CONFIG_FILE=os.devnull,
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_CACHE_DIR=str(home / ".cache" / "pip"),
        UV_CACHE_DIR=str(home / ".cache" / "uv"),
        UV_PYTHON_DOWNLOADS="never",
    )
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        changes[name] = proxy_url
    for name in _CA_VARIABLES:
        changes[name] = str(ca_bundle)
    if keyring_bin is not None:
        changes["PATH"] = f"{keyring_bin}{os.pathsep}{base.get('PATH', '')}"
    return changes
