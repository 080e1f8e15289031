"""The README and docs/ stay true to the code: every `codeartifact-keyring` command
their code blocks show parses with the real command line, every `make TARGET` they
name is in the Makefile, and every link between the pages reaches a file and heading."""

import contextlib
import io
import re
import shlex
from pathlib import Path

import pytest

from keyrings_codeartifact.cli import parser

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
PROGRAMS = {("codeartifact-keyring",), ("python", "-m", "keyrings_codeartifact")}
_FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.S | re.M)
_SPAN = re.compile(r"`([^`\n]+)`")
_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")


def _name(page: Path) -> str:
    return str(page.relative_to(ROOT)) if page.is_relative_to(ROOT) else str(page)


def code_blocks(text: str) -> list[str]:
    """The contents of the fenced code blocks of a Markdown text."""
    return _FENCE.findall(text)


def prose(text: str) -> str:
    """The text outside fenced code blocks."""
    return _FENCE.sub("", text)


def shell_commands(block: str) -> list[list[str]]:
    """The simple commands of a shell snippet: lines joined at a trailing backslash,
    comments dropped, split at ; && || | and $( ), leading VAR=value assignments dropped."""
    commands = []
    for line in block.replace("\\\n", " ").splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        try:
            words = list(lexer)
        except ValueError:  # not shell (an INI or TOML line with an odd quote)
            continue
        current: list[str] = []
        for word in words + [";"]:
            if word and set(word) <= set("();&|<>"):
                while current and _ASSIGNMENT.match(current[0]):
                    current.pop(0)
                if current:
                    commands.append(current)
                current = []
            else:  # "VAR=$(cmd)" reaches here as "VAR=$", then "(": drop the $
                current.append(word[:-1] if word.endswith("$") else word)
    return commands


def our_commands(page: Path) -> list[list[str]]:
    """The arguments of every codeartifact-keyring command in ``page``'s code blocks."""
    found = []
    for block in code_blocks(page.read_text(encoding="utf-8")):
        for words in shell_commands(block):
            for program in PROGRAMS:
                if tuple(words[: len(program)]) == program:
                    found.append(words[len(program):])
    return found


def parse_error(argv: list[str]) -> str:
    """Why the real command line refuses ``argv`` ("" if it parses); nothing is run."""
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            parser().parse_args(argv)
    except SystemExit as leaving:
        if leaving.code not in (0, None):  # --help and --version leave with 0
            return err.getvalue().strip().splitlines()[-1]
    return ""


ALL_COMMANDS = [(_name(page), argv) for page in PAGES for argv in our_commands(page)]


def test_the_pages_show_commands():
    # Without this, a change to the extraction that finds nothing would pass every check below.
    assert len(ALL_COMMANDS) >= 10
    assert {argv[0] for _, argv in ALL_COMMANDS} >= {"setup", "token", "explain", "cache"}


@pytest.mark.parametrize(("page", "argv"), ALL_COMMANDS, ids=[" ".join(a)[:60] for _, a in ALL_COMMANDS])
def test_every_command_shown_parses(page, argv):
    assert parse_error(argv) == "", f"{page}: codeartifact-keyring {shlex.join(argv)}"


@pytest.mark.parametrize("argv", [["setup", "pip", "URL", "--no-such-flag"], ["setup", "npm", "URL"],
                                  ["token"], ["cache", "purge"], ["explain", "URL", "extra"]])
def test_a_command_the_parser_refuses_is_caught(argv):
    assert parse_error(argv) != ""


def test_commands_are_found_in_shell_lines():
    block = (
        "export X=$(codeartifact-keyring token URL)   # a comment\n"
        "AWS_PROFILE=dev codeartifact-keyring explain URL --check && echo ok\n"
        "codeartifact-keyring setup uv \\\n    --domain d --repository r\n"
        "python -m keyrings_codeartifact cache list\n"
    )
    commands = shell_commands(block)
    assert ["codeartifact-keyring", "token", "URL"] in commands
    assert ["codeartifact-keyring", "explain", "URL", "--check"] in commands
    assert ["codeartifact-keyring", "setup", "uv", "--domain", "d", "--repository", "r"] in commands
    assert ["python", "-m", "keyrings_codeartifact", "cache", "list"] in commands


# -- make targets ------------------------------------------------------------------------


def makefile_targets() -> list[str]:
    """The Makefile's rule targets (patterns such as python-for-% included)."""
    text = (ROOT / "Makefile").read_text()
    targets = []
    for match in re.finditer(r"^([^\s:#=][^:=]*):(?!=)", text, re.M):
        targets.extend(match.group(1).split())
    return targets


def make_commands(page: Path) -> list[list[str]]:
    """Every `make ...` in ``page``: in code blocks and in inline code."""
    text = page.read_text(encoding="utf-8")
    snippets = code_blocks(text) + _SPAN.findall(prose(text))
    return [words for snippet in snippets for words in shell_commands(snippet) if words[0] == "make" and len(words) > 1]


def make_problems(words: list[str], targets: list[str], makefile: str) -> list[str]:
    """What in ``make WORDS`` the Makefile does not have: a target, or a variable it never reads."""
    problems = []
    for word in words[1:]:
        if _ASSIGNMENT.match(word):
            variable = word.split("=", 1)[0]
            if f"$({variable})" not in makefile:
                problems.append(f"variable {variable}")
        elif not word.startswith("-") and not any(re.fullmatch(t.replace("%", ".+"), word) for t in targets):
            problems.append(f"target {word}")
    return problems


ALL_MAKES = [(_name(page), words) for page in PAGES for words in make_commands(page)]


def test_the_pages_name_the_two_commands():
    assert (["make", "demo"] in [w for _, w in ALL_MAKES]) and (["make", "test"] in [w for _, w in ALL_MAKES])


@pytest.mark.parametrize(("page", "words"), ALL_MAKES, ids=[" ".join(w) for _, w in ALL_MAKES])
def test_every_make_target_exists(page, words):
    makefile = (ROOT / "Makefile").read_text()
    assert make_problems(words, makefile_targets(), makefile) == [], f"{page}: {shlex.join(words)}"


def test_a_missing_target_or_variable_is_caught():
    makefile = (ROOT / "Makefile").read_text()
    targets = makefile_targets()
    assert {"test", "demo", "test-versions", "bench"} <= set(targets)
    assert make_problems(["make", "deploy"], targets, makefile) == ["target deploy"]
    assert make_problems(["make", "test", "PYTEST_ARG=-x"], targets, makefile) == ["variable PYTEST_ARG"]
    assert make_problems(["make", "python-for-3.9"], targets, makefile) == []


# -- links ---------------------------------------------------------------------------------


def anchors(page: Path) -> set[str]:
    """The anchors GitHub makes for ``page``'s headings (repeats get -1, -2...)."""
    made: set[str] = set()
    for heading in re.findall(r"^#{1,6}\s+(.*?)\s*#*\s*$", prose(page.read_text(encoding="utf-8")), re.M):
        text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link in a heading keeps its text
        slug = re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")
        anchor, n = slug, 0
        while anchor in made:
            n += 1
            anchor = f"{slug}-{n}"
        made.add(anchor)
    return made


def link_problem(page: Path, target: str) -> str:
    """Why a relative link in ``page`` goes nowhere ("" if it reaches its file and heading)."""
    path, _, anchor = target.partition("#")
    destination = (page.parent / path).resolve() if path else page
    if not destination.exists():
        return f"no file {path}"
    if anchor and destination.suffix == ".md" and anchor not in anchors(destination):
        return f"no heading #{anchor} in {_name(destination)}"
    return ""


def relative_links(page: Path) -> list[str]:
    return [t for t in _LINK.findall(prose(page.read_text(encoding="utf-8"))) if not re.match(r"[a-z]+:", t)]


ALL_LINKS = [(page, target) for page in PAGES for target in relative_links(page)]


@pytest.mark.parametrize(("page", "target"), ALL_LINKS, ids=[f"{_name(p)}->{t}" for p, t in ALL_LINKS])
def test_every_link_resolves(page, target):
    assert link_problem(page, target) == "", f"{_name(page)}: ({target})"


def test_a_broken_link_is_caught(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# Some `code` title\n\n## Every Python: `make test-versions`\n\n## Twice\n\n## Twice\n")
    assert anchors(page) == {"some-code-title", "every-python-make-test-versions", "twice", "twice-1"}
    assert link_problem(page, "#twice-1") == ""
    assert link_problem(page, "#missing").startswith("no heading #missing in ")
    assert link_problem(page, "gone.md") == "no file gone.md"


def test_every_docs_page_is_linked_from_the_readme():
    linked = {(ROOT / t.partition("#")[0]).resolve() for t in relative_links(ROOT / "README.md")}
    assert [_name(p) for p in PAGES[1:] if p not in linked] == []
