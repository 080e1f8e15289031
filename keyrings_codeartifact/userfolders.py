"""Where a user's configuration and cache folders are, as each platform names them.

Windows: ``%APPDATA%`` (configuration, roaming) and ``%LOCALAPPDATA%`` (caches);
macOS: ``~/Library/Application Support`` and ``~/Library/Caches``; elsewhere the XDG
base directories, ``$XDG_CONFIG_HOME`` (else ``~/.config``) and ``$XDG_CACHE_HOME``
(else ``~/.cache``). A variable that is unset, empty or relative is ignored, as the
XDG spec says (a relative folder would follow the working folder). The platform and
the variables are read at each call, so tests can simulate a platform.

Also keyring's own config folder (``keyring_config_root``), computed exactly as
keyring computes it, so that keyringrc.cfg is found without importing keyring,
and the variable that moves our own cache folder. Standard library only.
"""

import os
import sys
from pathlib import Path

CACHE_DIR_VARIABLE = "CODEARTIFACT_KEYRING_CACHE_DIR"  # our cache folder; wins over cache_dir


def cache_folder(app: str) -> Path:
    """``app``'s cache folder: ``%LOCALAPPDATA%\\APP\\Cache``, ``~/Library/Caches/APP``
    or ``$XDG_CACHE_HOME/APP``."""
    if sys.platform == "win32":
        return _absolute("LOCALAPPDATA", Path.home() / "AppData" / "Local") / app / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / app
    return _absolute("XDG_CACHE_HOME", Path.home() / ".cache") / app


def config_folder(app: str, xdg_on_macos: bool = False) -> Path:
    """``app``'s configuration folder: ``%APPDATA%\\APP``, ``~/Library/Application
    Support/APP`` or ``$XDG_CONFIG_HOME/APP``. With ``xdg_on_macos`` (tools such as
    uv), macOS uses the XDG folder too."""
    if sys.platform == "win32":
        return _absolute("APPDATA", Path.home() / "AppData" / "Roaming") / app
    if sys.platform == "darwin" and not xdg_on_macos:
        return Path.home() / "Library" / "Application Support" / app
    return _absolute("XDG_CONFIG_HOME", Path.home() / ".config") / app


def keyring_config_root() -> Path:
    """The folder of keyringrc.cfg, as ``keyring.util.platform_.config_root`` names it:
    ``%LOCALAPPDATA%`` (else ``%ProgramData%``, else ``.``) ``\\Python Keyring`` on
    Windows, ``$XDG_CONFIG_HOME`` (else ``~/.config``) ``/python_keyring`` elsewhere,
    macOS included. Unlike the folders above, keyring takes a relative folder as given
    and, on Windows, an empty one as the current folder."""
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA", os.environ.get("ProgramData", "."))) / "Python Keyring"
    return Path(os.environ.get("XDG_CONFIG_HOME", None) or Path.home() / ".config", "python_keyring")


def _absolute(variable: str, default: Path) -> Path:
    """The folder ``variable`` names if that is an absolute path, else ``default``."""
    value = os.environ.get(variable)
    return Path(value) if value and os.path.isabs(value) else default
