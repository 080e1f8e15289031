"""Where the user's folders are on each platform (simulated: sys.platform and the
variables), and the places the cache and `setup` take from them, against the
locations the tools document: uv (%APPDATA%\\uv\\uv.toml; $XDG_CONFIG_HOME/uv/uv.toml,
macOS too) and poetry (%APPDATA%\\pypoetry; ~/Library/Application Support/pypoetry;
$XDG_CONFIG_HOME/pypoetry)."""

import sys

import pytest

from keyrings_codeartifact import cache
from keyrings_codeartifact.configure import poetry, uv


@pytest.fixture
def platform(monkeypatch):
    def simulate(name: str) -> None:
        monkeypatch.setattr(sys, "platform", name)

    return simulate


def test_windows(platform, isolated_env):
    platform("win32")
    local, roaming = isolated_env / "AppData" / "Local", isolated_env / "AppData" / "Roaming"
    assert cache.folder_for() == local / "codeartifact-keyring" / "Cache"
    assert uv.user_config() == roaming / "uv" / "uv.toml"
    assert poetry.config_file() == roaming / "pypoetry" / "config.toml"


def test_macos(platform, isolated_env):
    platform("darwin")
    library = isolated_env / "Library"
    assert cache.folder_for() == library / "Caches" / "codeartifact-keyring"
    assert uv.user_config() == isolated_env / ".config" / "uv" / "uv.toml"
    assert poetry.config_file() == library / "Application Support" / "pypoetry" / "config.toml"


def test_linux_follows_the_xdg_variables(platform, isolated_env, tmp_path, monkeypatch):
    platform("linux")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert cache.folder_for() == tmp_path / "cache" / "codeartifact-keyring"
    assert uv.user_config() == tmp_path / "config" / "uv" / "uv.toml"
    assert poetry.config_file() == tmp_path / "config" / "pypoetry" / "config.toml"


def test_poetry_config_dir_wins(platform, tmp_path, monkeypatch):
    platform("darwin")
    monkeypatch.setenv("POETRY_CONFIG_DIR", str(tmp_path / "poetry"))
    assert poetry.config_file() == tmp_path / "poetry" / "config.toml"


@pytest.mark.parametrize("value", ["", "relative/folder", None])
@pytest.mark.parametrize("name, variables, cache_home, config_home", [
    ("win32", ("LOCALAPPDATA", "APPDATA"), "AppData/Local/codeartifact-keyring/Cache", "AppData/Roaming"),
    ("linux", ("XDG_CACHE_HOME", "XDG_CONFIG_HOME"), ".cache/codeartifact-keyring", ".config"),
])
def test_an_unset_empty_or_relative_variable_is_ignored(platform, isolated_env, monkeypatch, value, name, variables,
                                                        cache_home, config_home):
    # A relative folder would follow the working folder: a config or a token written into a project.
    platform(name)
    for variable in variables:
        if value is None:
            monkeypatch.delenv(variable)
        else:
            monkeypatch.setenv(variable, value)
    assert cache.folder_for() == isolated_env / cache_home
    assert uv.user_config() == isolated_env / config_home / "uv" / "uv.toml"
    assert poetry.config_file() == isolated_env / config_home / "pypoetry" / "config.toml"
