"""keyringrc.cfg's [codeartifact-repositories] NAME = URL, which every set-up writes,
so that tools that ask keyring for a repository's name (hatch; `keyring get NAME aws`)
get its token."""

import tempfile
from pathlib import Path

from configupdater import ConfigUpdater

from ..settings import NAMES_SECTION, config_path, repository_names
from . import ini
from .files import Change, Edit, decode, read
from .repository import Repository


def change(repository: Repository) -> Change:
    """NAME = URL in [codeartifact-repositories]; the file read as keyring reads it
    (a plain RawConfigParser) and as this backend does (inline comments), before and after."""
    original = read(config_path())
    name, url = repository.name, repository.upload_url

    def edit(updater: ConfigUpdater) -> Edit:
        with tempfile.TemporaryDirectory() as folder:
            current = Path(folder) / "keyringrc.cfg"
            current.write_bytes(original.raw)
            if repository_names(current).get(name.lower()) != url:
                ini.set_value(updater, NAMES_SECTION, name, url)
        return Edit(ini.text(updater))

    def expect(data: ini.IniData) -> None:
        data.setdefault(NAMES_SECTION, {})[name.lower()] = url

    ini.data(original.text, original.path, "keyring")
    done = ini.change(original, "keyring", edit, expect, inline_comment_prefixes=("#", ";"),
                      default_section="\0no-defaults")
    ini.data(decode(done.after), original.path, "keyring")
    return done
