"""`setup twine`: a [NAME] section in ~/.pypirc with the upload URL and user aws and no
password, listed in [distutils] index-servers (twine reads only the sections listed there)."""

from pathlib import Path

from configupdater import ConfigUpdater

from . import ini
from .files import Change, Edit, read
from .repository import Repository
from .shell import SENDS_IT, unless_set

_TWINE_DEFAULT = ["pypi", "testpypi"]  # what twine lists when index-servers is missing


def changes(repository: Repository) -> list[Change]:
    """The section and its listing, checked with configparser as twine reads the file."""
    name, url = repository.name, repository.upload_url

    def edit(updater: ConfigUpdater) -> Edit:
        if updater.has_option("distutils", "index-servers"):
            lines, listed = ini.list_value(updater["distutils"]["index-servers"].value)
        else:
            lines = listed = _TWINE_DEFAULT
        if name not in listed:
            ini.set_value(updater, "distutils", "index-servers", "\n" + "\n".join(lines + [name]))
        for key, value in (("repository", url), ("username", "aws")):
            if not updater.has_option(name, key) or updater[name][key].value != value:
                ini.set_value(updater, name, key, value)
        if not updater.has_option(name, "password"):
            return Edit(ini.text(updater))
        password = updater[name]["password"].value or ""
        ini.remove(updater, name, "password")
        note = f"removed the password that was in [{name}]: keyring gives twine a fresh token"
        return Edit(ini.text(updater), (note,), tuple(filter(None, [password])))

    def expect(data: ini.IniData) -> None:
        listed = data.get("distutils", {}).get("index-servers")
        listed = listed.split() if listed is not None else _TWINE_DEFAULT
        data.setdefault("distutils", {})["index-servers"] = listed + ([name] if name not in listed else [])
        data.setdefault(name, {}).update(repository=url, username="aws")
        data[name].pop("password", None)

    change = ini.change(read(Path.home() / ".pypirc"), "twine", edit, expect, lists=(("distutils", "index-servers"),))
    return [unless_set(change, "twine", {"TWINE_PASSWORD": SENDS_IT})]
