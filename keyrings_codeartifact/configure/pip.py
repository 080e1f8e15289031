"""`setup pip`: index-url (or an extra-index-url) and keyring-provider in the config
file ``pip config --SCOPE`` uses, checked with that pip's own config loader."""

import ast
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Optional

from configupdater import ConfigUpdater

from . import ini, launcher
from .files import Change, Edit, SetupError, check, read
from .repository import Repository, password_of, same_place, with_aws_user
from .shell import run, unless_set, unless_shadowed

_FIRST_PIP_WITH_CREDS_MODE = (26, 2)  # pip from 26.2 asks `keyring --mode=creds`, no username needed


def changes(repository: Repository, pip: list[str], scope: str, extra: bool) -> list[Change]:
    """pip's index-url (or an extra-index-url) and keyring-provider, in the config file
    ``pip config --SCOPE`` uses; checked with that pip's own config loader. With the
    subprocess provider, a keyring command on PATH that reaches this backend too."""
    version = _version(pip)
    installed = json.loads(_run_pip(pip, "list", "--format=json", "--disable-pip-version-check", config=False))
    has_backend = any(package["name"].lower() == "codeartifact-keyring" for package in installed)
    provider = "import" if has_backend else "subprocess"
    needs_user = provider == "subprocess" and version < _FIRST_PIP_WITH_CREDS_MODE
    url = with_aws_user(repository.index_url) if needs_user else repository.index_url
    original = read(_config_file(pip, scope))
    seen = _reads(pip, original.raw, original.path, "now")
    conf = _GlobalSection(ini.parse(original))
    conf.set_index(url, extra)
    if conf.value("keyring-provider") != provider:
        conf.set("keyring-provider", provider)
    change = Change.of(original, conf.edit())
    check(original.path, "pip", _reads(pip, change.after, original.path, "after the edit"), dict(seen, **conf.ours),
          lists=(("global.extra-index-url",),))
    variable = "PIP_EXTRA_INDEX_URL" if extra else "PIP_INDEX_URL"
    change = unless_set(change, "pip", {variable: "uses it instead of the config file's"})
    changes = [unless_shadowed(change, "PIP_CONFIG_FILE", "pip")]
    return launcher.reaching(changes, "pip", _scripts_folder(pip)) if provider == "subprocess" else changes


def default_pip() -> list[str]:
    """The pip a user means by `pip`: the one on PATH, else this Python's."""
    found = shutil.which("pip")
    return [found] if found else [sys.executable, "-m", "pip"]


class _GlobalSection:
    """pip.conf's [global] being edited: the values set (as pip should read them), and
    the passwords of the old URLs replaced, to say gone and never show."""

    def __init__(self, updater: ConfigUpdater) -> None:
        self.updater = updater
        self.ours: dict[str, str] = {}  # {"global.key": value}
        self.notes: list[str] = []
        self.secrets: list[str] = []

    def value(self, key: str) -> Optional[str]:
        return self.updater["global"][key].value if self.updater.has_option("global", key) else None

    def set(self, key: str, value: str, read_as: Optional[str] = None) -> None:
        ini.set_value(self.updater, "global", key, value)
        self.ours[f"global.{key}"] = value if read_as is None else read_as

    def forget(self, old: str, key: str) -> None:
        password = password_of(old)
        if password:
            self.notes.append(f"removed the password that was in {key}")
            self.secrets.append(password)

    def set_index(self, url: str, extra: bool) -> None:
        """``url`` as the index (or an extra one); an old URL of the same repository is
        replaced where it stands, in index-url or in the extra-index-url list."""
        current = self.value("index-url")
        ours_is_the_index = current is not None and same_place(current, url)
        if (not extra or ours_is_the_index) and (current or "").strip() != url:
            self.forget(current or "", "index-url")
            self.set("index-url", url)
        self._set_extra(url, add=extra and not ours_is_the_index)

    def _set_extra(self, url: str, add: bool) -> None:
        """An old URL of the same repository in extra-index-url replaced by ``url``, and
        with ``add``, ``url`` listed there (one item a line, comment lines kept)."""
        lines, extras = ini.list_value(self.value("extra-index-url"))
        stale = [item for item in extras if same_place(item, url) and item != url]
        if not stale and (not add or url in extras):
            return
        for item in stale:
            self.forget(item, "extra-index-url")
        kept = [url if same_place(line, url) else line for line in lines]
        kept = list(dict.fromkeys(kept + ([] if url in kept else [url])))
        items = " ".join(item for item in kept if not item.startswith(ini.COMMENTS))
        self.set("extra-index-url", "\n" + "\n".join(kept), read_as=items)

    def edit(self) -> Edit:
        return Edit(ini.text(self.updater), tuple(self.notes), tuple(self.secrets))


def _reads(pip: list[str], content: bytes, path: Path, when: str) -> dict[str, str]:
    """What this pip's own config loader reads from ``content`` as a config file
    (``pip config list``, the file given as PIP_CONFIG_FILE), as {"section.key": value}."""
    with tempfile.TemporaryDirectory() as folder:
        candidate = Path(folder) / "pip.conf"
        candidate.write_bytes(content)
        result = run(pip + ["config", "list"], dict(os.environ, PIP_CONFIG_FILE=str(candidate)))
        if result.returncode != 0:
            raise SetupError(_failure(pip + ["config", "list"], result.stderr, f"{path} {when}"))
    seen = {}
    for line in result.stdout.splitlines():
        key, _, value = line.partition("=")
        if value and not key.startswith(":env:"):  # variables, not files
            seen[key] = ast.literal_eval(value)
    return seen


def _run_pip(pip: list[str], *args: str, config: bool = True) -> str:
    """pip's output, with PIP_CONFIG_FILE unset (so that pip tells about the files it
    would read without it); without ``config``, pip reads no config file (so that a
    broken one does not stop it telling its version)."""
    environment = {name: value for name, value in os.environ.items() if name != "PIP_CONFIG_FILE"}
    if not config:
        environment["PIP_CONFIG_FILE"] = os.devnull
    result = run(pip + list(args), environment)
    if result.returncode != 0:
        raise SetupError(_failure(pip + list(args), result.stderr))
    return result.stdout


def _failure(command: list[str], stderr: str, shown_path: Optional[str] = None) -> str:
    """One line for a failed pip run: which config file pip cannot read and why, if that was it."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    if not any("could not be loaded" in line for line in lines):
        return f"`{' '.join(command)}` failed: {lines[-1] if lines else 'no output'}"
    found = next((re.match(r"file: '(.*)', line", line) for line in lines if line.startswith("file: ")), None)
    path = shown_path or (found[1] if found else "its config file")
    reasons = [line for line in lines if "could not be loaded" not in line and not line.startswith(("file: ", "'"))]
    return f"pip cannot read {path} ({reasons[0] if reasons else 'it does not parse'}); fix it, then run setup again"


def _version(pip: list[str]) -> tuple[int, ...]:
    found = re.match(r"pip (\d+)\.(\d+)", _run_pip(pip, "--version", config=False))
    if not found:
        raise SetupError(f"cannot tell the version of {' '.join(pip)}")
    return int(found[1]), int(found[2])


def _scripts_folder(pip: list[str]) -> Optional[Path]:
    """The folder where pip's subprocess provider does not look for keyring: its own
    environment's scripts folder, as its Python's sysconfig names it (pip does the same);
    None if that Python cannot tell."""
    python = _python_of(pip)
    if python is None:
        return None
    result = run([python, "-c", "import sysconfig; print(sysconfig.get_path('scripts'))"])
    return Path(result.stdout.strip()) if result.returncode == 0 and result.stdout.strip() else None


def _python_of(pip: list[str]) -> Optional[str]:
    """The Python that runs ``pip``: the one named in ``python -m pip``, or on the first
    line of pip's script (read, not run); else the one `pip debug` names."""
    if pip[1:3] == ["-m", "pip"]:
        return pip[0]
    try:
        with open(pip[0], "rb") as script:
            first = script.readline(4096).decode("utf-8", "replace")
    except OSError:
        first = ""
    named = re.match(r"#!(\S*python[\w.]*)\s*$", first)
    if named and os.path.isabs(named[1]):
        return named[1]
    found = re.search(r"^sys\.executable: (.+)$", _run_pip(pip, "debug", config=False), re.MULTILINE)
    return found[1].strip() if found else None


def _config_file(pip: list[str], scope: str) -> Path:
    """The file of ``scope`` that wins in pip: the last one that exists (pip reads them
    in order, later ones overriding), else the one `pip config --SCOPE set` creates."""
    files: dict[str, list[tuple[Path, bool]]] = {}
    variant = None
    for line in _run_pip(pip, "config", "debug").splitlines():
        header = re.match(r"^(\w+):$", line)
        entry = re.match(r"^\s+(.+), exists: (True|False)$", line)
        if header:
            variant = header[1]
        elif entry and variant:
            files.setdefault(variant, []).append((Path(entry[1]), entry[2] == "True"))
    candidates = files.get(scope) or []
    if not candidates:
        raise SetupError(f"pip reports no {scope} config file")
    existing = [path for path, exists in candidates if exists]
    return existing[-1] if existing else candidates[-1][0]
