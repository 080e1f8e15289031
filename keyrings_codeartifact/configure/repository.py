"""The repository to set up, the name it gets in the tools' configs, and what its URLs say."""

import re
from typing import NamedTuple, Optional
from urllib.parse import urlsplit

from ..endpoint import Endpoint, parse
from .files import BadRequest

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


class Repository(NamedTuple):
    """The repository to set up, and the name it gets in the tools' configs."""

    name: str
    upload_url: str  # https://HOST/pypi/REPO/ (twine, poetry publish, uv publish)
    endpoint: Endpoint

    @property
    def index_url(self) -> str:
        return self.upload_url + "simple/"


def check_name(name: str) -> None:
    """BadRequest unless ``name`` can be a section, key or index name in every tool's config."""
    if not _NAME.fullmatch(name):
        raise BadRequest(
            f"--name {name!r} is not a valid name: use letters, digits, '.', '_' and '-', "
            "starting with a letter or digit"
        )


def from_url(url: str, name: str) -> Repository:
    """The repository whose endpoint ``url`` is; BadRequest if it is none."""
    endpoint = parse(url)
    if endpoint is None or endpoint.repository is None:
        raise BadRequest(
            f"{url} is not a CodeArtifact repository URL "
            "(https://DOMAIN-OWNER.d.codeartifact.REGION.amazonaws.com/pypi/REPO/)"
        )
    if endpoint.form == "vpc":
        path = f"/pypi/d/{endpoint.domain}-{endpoint.owner}/{endpoint.repository}/"
    else:
        path = f"/pypi/{endpoint.repository}/"
    return Repository(name, f"https://{endpoint.host}{path}", endpoint)


def with_aws_user(url: str) -> str:
    return url.replace("https://", "https://aws@", 1)


def same_place(url: str, other: str) -> bool:
    """Whether two URLs name the same index, whatever user or password they carry."""
    def place(value: str) -> tuple[str, str]:
        parts = urlsplit(value.strip())
        return (parts.hostname or "").lower(), parts.path.rstrip("/")

    return place(url) == place(other)


def password_of(url: str) -> Optional[str]:
    try:
        return urlsplit(url.strip()).password
    except ValueError:
        return None


def variable_part(name: str) -> str:
    """A repository name as uv and poetry spell it in variable names: MY_REPO."""
    return "".join(character if character.isalnum() else "_" for character in name.upper())
