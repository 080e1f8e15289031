"""``codeartifact-keyring setup bazel``: make Bazel's downloader ask
``codeartifact-credential-helper`` for CodeArtifact's hosts.

It writes to a ``.bazelrc`` (default ``~/.bazelrc``) one line
``common --credential_helper=SCOPE=HELPER`` per host form that ``endpoint.parse``
recognises in each region (``*.d.codeartifact.R.amazonaws.com``, dual-stack
``*.codeartifact.R.on.aws``, VPC ``*.d.codeartifact.R.vpce.amazonaws.com``; in China
``.amazonaws.com.cn``, no dual-stack), each checked by parsing a URL under it. HELPER is
by default the absolute path of the helper beside the running ``codeartifact-keyring``.
Every other line and byte is kept; a scope already this helper's is left (or its path
updated in place), a scope of another helper's is refused.
"""

import os
import shlex
import shutil
import sys
from pathlib import Path
from typing import NamedTuple, Optional

from .. import aws
from ..endpoint import parse
from . import files
from .files import BadRequest, CannotEdit, Change, Original
from .launcher import default_bin

HELPER_NAME = "codeartifact-credential-helper"
FLAGS = ("--credential_helper", "--experimental_credential_helper")
HEADER = "# AWS CodeArtifact tokens for Bazel's downloader (written by `codeartifact-keyring setup bazel`)"
WORKSPACE = "%workspace%/"
_UNSAFE = " \t'\"#\\"  # read by a .bazelrc's parser as more than part of a word
VERSIONS = (
    "Bazel 7.1 or later reuses each token until the helper's `expires` (7.4 or later: 7.1 to 7.3 "
    "run the helper very often); Bazel 5.x to 7.0 ignore it and keep credentials for "
    "--credential_helper_cache_duration (30 min)."
)

# A URL under each scope, as the helper will be asked for it; R stands for the region.
_SAMPLES = {
    "*.d.codeartifact.R.amazonaws.com": "https://a1-000000000000.d.codeartifact.R.amazonaws.com/pypi/r1/",
    "*.codeartifact.R.on.aws": "https://a1-000000000000.codeartifact.R.on.aws/pypi/r1/",
    "*.d.codeartifact.R.vpce.amazonaws.com": "https://vpce-0a-b.d.codeartifact.R.vpce.amazonaws.com/pypi/d/a1-000000000000/r1/",
}


def scopes(region: str) -> list[str]:
    """The ``--credential_helper`` scopes of CodeArtifact's hosts in ``region``: those
    under which ``endpoint.parse`` recognises a repository URL. BadRequest if none."""
    china = ".cn" if region.startswith("cn-") else ""
    found = []
    for scope, sample in _SAMPLES.items():
        scope, sample = (text.replace(".R.", f".{region}.") for text in (scope, sample))
        scope, sample = scope.replace(".com", ".com" + china), sample.replace(".com/", f".com{china}/")
        if region.isascii() and parse(sample) is not None:
            found.append(scope)
    if not found:
        raise BadRequest(f"not an AWS region: {region[:60]!r}")
    return found


def check_helper(helper: str) -> str:
    """``helper`` as a .bazelrc word (``/`` for ``\\`` on Windows) if Bazel can find it: an
    absolute path, ``%workspace%/...``, or a bare name (looked up on PATH); BadRequest if
    it is none of these, or holds what a .bazelrc would read otherwise (space, quote, #)."""
    word = helper.replace("\\", "/") if sys.platform == "win32" else helper
    if not word or not word.isprintable() or any(character in word for character in _UNSAFE):
        raise BadRequest(f"--helper {helper!r}: a path with spaces, quotes, # or backslashes cannot go in a .bazelrc "
                         "unquoted; install the helper elsewhere, or give a name Bazel finds on PATH")
    if os.path.isabs(helper) or word.startswith(WORKSPACE) or "/" not in word:
        return word
    raise BadRequest(f"--helper {helper!r}: give an absolute path, {WORKSPACE}PATH, or a name Bazel finds on PATH")


def default_helper() -> Optional[str]:
    """The absolute path of the helper installed beside the running ``codeartifact-keyring``,
    else of the one found on PATH; None if there is neither."""
    folder = default_bin()
    names = [HELPER_NAME + ".exe", HELPER_NAME] if sys.platform == "win32" else [HELPER_NAME]
    found = next((str(folder / name) for name in names if folder is not None and (folder / name).is_file()), None)
    found = found or shutil.which(HELPER_NAME)
    return check_helper(os.path.abspath(found)) if found else None


class Given(NamedTuple):
    """A ``--credential_helper`` option found in the file."""

    line: int  # index of the physical line where its logical line starts
    scope: str
    helper: str
    literal: str  # SCOPE=HELPER as the option's value


def given(lines: list[str]) -> list[Given]:
    """The scoped ``--credential_helper`` options of a .bazelrc's lines (a line ending in a
    backslash goes on), read as a shell reads words; lines that do not split are skipped."""
    found, number = [], 0
    while number < len(lines):
        start, text = number, lines[number]
        while text.rstrip("\n").endswith("\\") and number + 1 < len(lines):
            number += 1
            text = text.rstrip("\n")[:-1] + lines[number]
        number += 1
        try:
            words = shlex.split(text, comments=True)
        except ValueError:
            continue
        for at, word in enumerate(words):
            name, equals, value = word.partition("=")
            if name in FLAGS and not equals:
                value = words[at + 1] if at + 1 < len(words) else ""
            if name in FLAGS and "=" in value:
                scope, _, helper = value.partition("=")
                found.append(Given(start, scope, helper, value))
    return found


def bazelrc_change(path: Path, regions: list[str], helper: str) -> "Change":
    """The change that gives every scope of ``regions`` to ``helper`` in the .bazelrc at
    ``path``; CannotEdit if the file cannot be read or a scope is another helper's."""
    original = files.read(path)
    lines = original.text.splitlines(keepends=True)
    wanted = list(dict.fromkeys(scope for region in regions for scope in scopes(region)))
    done, notes = set(), []
    for option_given in given(lines):
        if option_given.scope not in wanted:
            continue
        done.add(option_given.scope)
        if option_given.helper == helper:
            continue
        if not os.path.basename(option_given.helper).lower().startswith(HELPER_NAME):
            raise files.CannotEdit(
                f"{path}, line {option_given.line + 1}, gives {option_given.scope} to another helper "
                f"({option_given.helper}); left alone: remove that line, then run setup again"
            )
        _replace(lines, option_given, f"{option_given.scope}={helper}", original)
        notes.append(f"{option_given.scope} now goes to {helper}")
    missing = [scope for scope in wanted if scope not in done]
    if missing:
        lines = _appended(lines, [HEADER + "\n"] + [f"common {FLAGS[0]}={scope}={helper}\n" for scope in missing])
    return files.Change(path, original.raw, files.render(original, "".join(lines)), original.exists, tuple(notes))


def _replace(lines: list[str], option_given: Given, value: str, original: "Original") -> None:
    """Put ``value`` where the option's old value stands in its line."""
    for number in range(option_given.line, len(lines)):
        if option_given.literal in lines[number]:
            lines[number] = lines[number].replace(option_given.literal, value, 1)
            return
    raise CannotEdit(f"{original.path}, line {option_given.line + 1}: cannot update {option_given.scope} "
                     "safely (quoted or split); change it by hand")


def _appended(lines: list[str], block: list[str]) -> list[str]:
    """``lines`` with ``block`` at the end, after a blank line."""
    if not lines:
        return block
    if not lines[-1].endswith("\n"):
        lines = lines[:-1] + [lines[-1] + "\n"]
    return lines + ([] if not lines[-1].strip() else ["\n"]) + block


class Outcome(NamedTuple):
    """What ``setup bazel`` did or would do: the file's change, the helper and the regions."""

    change: Change
    helper: str
    regions: list[str]


def plan(bazelrc: Optional[Path], regions: list[str], helper: Optional[str]) -> Outcome:
    """The .bazelrc change for ``regions`` (none given: the AWS config's region) and
    ``helper`` (None: the one installed beside this command); BadRequest for bad input,
    CannotEdit if the file cannot be changed safely."""
    chosen = check_helper(helper) if helper else default_helper()
    if chosen is None:
        raise BadRequest(f"{HELPER_NAME} is not installed beside this command nor on PATH; give --helper PATH")
    if not regions:
        region = aws.default_region()
        if not region:
            raise BadRequest("--region is needed: your AWS config names no default region")
        regions = [region]
    return Outcome(bazelrc_change(bazelrc or Path.home() / ".bazelrc", regions, chosen), chosen, regions)
