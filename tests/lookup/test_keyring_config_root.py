"""keyringrc.cfg is found where keyring itself looks, without importing keyring:
``userfolders.keyring_config_root`` against keyring's own ``platform_`` functions,
on each platform (simulated: sys.platform) and for each setting of the variables."""

import platform
import sys

import pytest
from keyring.util import platform_

from keyrings_codeartifact import settings, userfolders

UNSET = None


def keyring_s_own(system: str):
    """keyring's config_root for ``system`` (platform.system()), chosen as keyring chooses it."""
    return getattr(platform_, "_config_root_" + system, platform_._config_root_Linux)()


def set_variables(monkeypatch, **values):
    for name, value in values.items():
        if value is UNSET:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)


@pytest.mark.parametrize("xdg", [UNSET, "", "relative/config", "/abs/config"])
@pytest.mark.parametrize("system, sys_platform", [("Linux", "linux"), ("Darwin", "darwin"), ("FreeBSD", "freebsd14")])
def test_posix_platforms(monkeypatch, xdg, system, sys_platform):
    set_variables(monkeypatch, XDG_CONFIG_HOME=xdg)
    monkeypatch.setattr(sys, "platform", sys_platform)
    assert userfolders.keyring_config_root() == keyring_s_own(system)


@pytest.mark.parametrize("local", [UNSET, "", r"C:\Users\me\AppData\Local"])
@pytest.mark.parametrize("program_data", [UNSET, r"C:\ProgramData"])
def test_windows(monkeypatch, local, program_data):
    set_variables(monkeypatch, LOCALAPPDATA=local, ProgramData=program_data)
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(platform, "win32_ver", lambda: ("", "", "", ""))  # keyring calls it, ignoring the answer
    assert userfolders.keyring_config_root() == keyring_s_own("Windows")


def test_this_machine_and_the_settings_path(isolated_env):
    assert platform_.config_root() == userfolders.keyring_config_root()
    assert settings.config_path() == platform_.config_root() / "keyringrc.cfg"
