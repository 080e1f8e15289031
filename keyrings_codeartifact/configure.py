"""`codeartifact-keyring setup TOOL`: write, once, the configuration that makes pip,
uv, poetry or twine ask keyring for a CodeArtifact repository. Never a token:
the backend supplies one at every use.

Every tool's set-up is a list of ``edits.Change``; the command shows them as a
diff (``--dry-run``) or applies them. Running it twice changes nothing.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional, Tuple

from . import edits
from .endpoint import Endpoint, parse
from .settings import NAMES_SECTION, config_path

_FIRST_PIP_WITH_CREDS_MODE = (26, 2)  # pip from 26.2 asks `keyring --mode=creds`, no username needed


class SetupError(Exception):
    """The set-up cannot be done as asked; the message says why and what to do."""


class Repository(NamedTuple):
    """The repository to set up, and the name it gets in the tools' configs."""

    name: str
    upload_url: str  # https://HOST/pypi/REPO/ (twine, poetry publish, uv publish)
    endpoint: Endpoint

    @property
    def index_url(self) -> str:
        return self.upload_url + "simple/"


def repository_from_url(url: str, name: str) -> Repository:
    endpoint = parse(url)
    if endpoint is None or endpoint.repository is None:
        raise SetupError(
            f"{url} is not a CodeArtifact repository URL "
            "(https://DOMAIN-OWNER.d.codeartifact.REGION.amazonaws.com/pypi/REPO/)"
        )
    if endpoint.form == "vpc":
        path = f"/pypi/d/{endpoint.domain}-{endpoint.owner}/{endpoint.repository}/"
    else:
        path = f"/pypi/{endpoint.repository}/"
    return Repository(name, f"https://{endpoint.host}{path}", endpoint)


def _with_aws_user(url: str) -> str:
    return url.replace("https://", "https://aws@", 1)


# -- pip ------------------------------------------------------------------------------


def pip_changes(repository: Repository, pip: List[str], scope: str, extra: bool) -> List[edits.Change]:
    """Set pip's index-url (or add an extra-index-url) and its keyring provider."""
    version = _pip_version(pip)
    provider = "import" if _pip_has_backend(pip) else "subprocess"
    needs_user = provider == "subprocess" and version < _FIRST_PIP_WITH_CREDS_MODE
    url = _with_aws_user(repository.index_url) if needs_user else repository.index_url
    path = _pip_config_file(pip, scope)
    before = edits.read(path)
    after = before
    if extra:
        after = edits.ini_append(after, "global", "extra-index-url", url)
    else:
        after = edits.ini_set(after, "global", "index-url", url)
    after = edits.ini_set(after, "global", "keyring-provider", provider)
    return [edits.Change(path, before, after)]


def _run_pip(pip: List[str], *args: str) -> str:
    try:
        result = subprocess.run(pip + list(args), capture_output=True, text=True, timeout=120)
    except OSError as error:
        raise SetupError(f"cannot run {' '.join(pip)}: {error.strerror}; name pip with --pip") from None
    if result.returncode != 0:
        first = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise SetupError(f"`{' '.join(pip + list(args))}` failed: {first}")
    return result.stdout


def _pip_version(pip: List[str]) -> Tuple[int, ...]:
    found = re.match(r"pip (\d+)\.(\d+)", _run_pip(pip, "--version"))
    if not found:
        raise SetupError(f"cannot tell the version of {' '.join(pip)}")
    return int(found[1]), int(found[2])


def _pip_has_backend(pip: List[str]) -> bool:
    installed = json.loads(_run_pip(pip, "list", "--format=json", "--disable-pip-version-check"))
    return any(package["name"].lower() == "codeartifact-keyring" for package in installed)


def _pip_config_file(pip: List[str], scope: str) -> Path:
    """The file `pip config --SCOPE set` would write, as that pip reports it."""
    files: Dict[str, List[Tuple[Path, bool]]] = {}
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
    return existing[0] if existing else candidates[-1][0]


# -- uv -------------------------------------------------------------------------------


def uv_changes(repository: Repository, project: Optional[Path], extra: bool) -> List[edits.Change]:
    """A named index with user ``aws`` and keyring-provider = subprocess."""
    if project is not None:
        path, table, prefix = project / "pyproject.toml", "tool.uv", "tool.uv."
        if not path.exists():
            raise SetupError(f"{path} does not exist; run this in your project, or leave out --project")
    else:
        path, table, prefix = _uv_user_config(), None, ""
    before = edits.read(path)
    after = edits.toml_set_key(before, table, "keyring-provider", '"subprocess"')
    fields = {
        "name": repository.name,
        "url": _with_aws_user(repository.index_url),
        "publish-url": _with_aws_user(repository.upload_url),
    }
    if not extra:
        fields["default"] = "true"
    after = edits.toml_set_array_entry(after, f"{prefix}index", fields)
    return [edits.Change(path, before, after)]


def _uv_user_config() -> Path:
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA", Path.home())) / "uv" / "uv.toml"
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "uv" / "uv.toml"


# -- poetry ---------------------------------------------------------------------------


def poetry_changes(repository: Repository, project: Path, priority: str) -> List[edits.Change]:
    """The project's source, and poetry's publish repository; never a password."""
    pyproject = project / "pyproject.toml"
    if not pyproject.exists():
        raise SetupError(f"{pyproject} does not exist; run this in your poetry project")
    before = edits.read(pyproject)
    after = edits.toml_set_array_entry(
        before, "tool.poetry.source", {"name": repository.name, "url": repository.index_url, "priority": priority}
    )
    config = _poetry_config_file()
    config_before = edits.read(config)
    config_after = edits.toml_set_key(
        config_before, f"repositories.{repository.name}", "url", edits.toml_string(repository.upload_url)
    )
    return [edits.Change(pyproject, before, after), edits.Change(config, config_before, config_after)]


def _poetry_config_file() -> Path:
    if os.environ.get("POETRY_CONFIG_DIR"):
        return Path(os.environ["POETRY_CONFIG_DIR"]) / "config.toml"
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA", Path.home())) / "pypoetry" / "config.toml"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "pypoetry" / "config.toml"
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "pypoetry" / "config.toml"


# -- twine ----------------------------------------------------------------------------


def twine_changes(repository: Repository) -> List[edits.Change]:
    """A [NAME] section in ~/.pypirc with the upload URL and user aws, no password."""
    path = Path.home() / ".pypirc"
    before = edits.read(path)
    after = before
    if edits.ini_get(before, "distutils", "index-servers") is None:
        after = edits.ini_set(after, "distutils", "index-servers", "\npypi\ntestpypi")  # twine's defaults
    after = edits.ini_append(after, "distutils", "index-servers", repository.name)
    after = edits.ini_set(after, repository.name, "repository", repository.upload_url)
    after = edits.ini_set(after, repository.name, "username", "aws")
    return [edits.Change(path, before, after)]


# -- named services -------------------------------------------------------------------


def name_mapping_change(repository: Repository) -> edits.Change:
    """keyringrc.cfg's [codeartifact-repositories] NAME = URL, so that tools that ask
    keyring for a repository's name (hatch; `keyring get NAME aws`) get its token."""
    path = config_path()
    before = edits.read(path)
    return edits.Change(path, before, edits.ini_set(before, NAMES_SECTION, repository.name, repository.upload_url))


def default_pip() -> List[str]:
    """The pip a user means by `pip`: the one on PATH, else this Python's."""
    found = shutil.which("pip")
    return [found] if found else [sys.executable, "-m", "pip"]
