"""`codeartifact-keyring setup` on every target file laid out in the odd-but-valid ways
people write them: the issue-11 layouts and more (comments everywhere, CRLF, a byte
order mark, tabs, dotted keys, inline tables, arrays of tables before and after,
continuation lines, empty sections, unusual casing, no final newline).

For each layout: the tool's own reader sees what setup promised and everything it
saw before; every line setup did not have to change is still there in order, with
its own line ending; the real tool then gets in through the file (pip installs, uv
resolves, twine and poetry read it, keyring gets a token by name); and a second
run changes no byte.
"""

import ast
import json
import sys
import textwrap
from pathlib import Path
from typing import NamedTuple

import pytest

from helpers import BIN, URL, run
from standin.wheels import make_wheel

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

CLI = BIN / "codeartifact-keyring"
UPLOAD = URL.replace("/simple/", "/")
AT_UPLOAD = UPLOAD.replace("https://", "https://aws@")
STALE = "eyJ2ZXIiOjEsImlzdSI6MTcwMDAwMDAwMH0.stale-token-in-a-layout"
WITH_STALE = URL.replace("https://", f"https://aws:{STALE}@")


class Layout(NamedTuple):
    id: str
    text: str  # "\n" line endings; crlf / bom applied on writing
    changed: tuple[str, ...] = ()  # lines setup has to change (they may go)
    crlf: bool = False
    bom: bool = False

    def data(self) -> bytes:
        text = self.text.replace("\n", "\r\n") if self.crlf else self.text
        return (b"\xef\xbb\xbf" if self.bom else b"") + text.encode()


def d(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


@pytest.fixture
def published(e2e, tmp_path, monkeypatch):
    wheel = make_wheel(tmp_path / "dist", "setup-hello", "1.0", message="set up")
    (e2e.root / "python").mkdir(parents=True, exist_ok=True)
    (e2e.root / "python" / wheel.name).write_bytes(wheel.read_bytes())
    for name in ("PIP_CONFIG_FILE", "UV_NO_CONFIG"):  # configs under HOME count, as for a user
        monkeypatch.delenv(name, raising=False)
    return e2e


def ok(result):
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result


def setup_twice(path, *args, cwd=None):
    """Run setup; then again, which must change no byte. Returns the first output."""
    first = ok(run(CLI, "setup", *args, cwd=cwd)).stdout
    written = path.read_bytes()
    second = ok(run(CLI, "setup", *args, cwd=cwd)).stdout
    assert path.read_bytes() == written
    assert "updated" not in second and f"{path}: already set up, unchanged" in second
    return first


def assert_bytes_kept(layout: Layout, after: bytes) -> None:
    """Every line setup did not have to change is still there, in order, with its own
    line ending; a byte order mark stays; new lines use the file's line ending."""
    if layout.bom:
        assert after.startswith(b"\xef\xbb\xbf")
    newline = b"\r\n" if layout.crlf else b"\n"
    lines = after.split(b"\n")
    remaining = iter(line + b"\n" for line in lines)
    for line in layout.data().splitlines(keepends=True):
        if line.decode("utf-8-sig").rstrip("\r\n") in layout.changed:
            continue
        if not line.endswith(b"\n"):
            line += newline  # a last line without a newline gets one
        assert line in remaining, f"lost or moved: {line!r}"
    if layout.crlf:
        assert all(line.endswith(b"\r") for line in lines[:-1]), after


# -- pip.conf: pip's own loader, then pip install through it --------------------------------

PIP_LAYOUTS = [
    Layout("comments-everywhere", d("""
        # my pip settings
        ; written by hand
        [global]
        # how long to wait
        timeout = 60
        ; retries
        retries = 3
        # end of global

        [install]
        # no binaries
        no-binary = :none:
        # last line
        """)),
    Layout("crlf", "[global]\ntimeout = 60\n\n[install]\nno-binary = :none:\n", crlf=True),
    Layout("tabs", "[global]\n\ttimeout\t=\t60\n\tretries\t=\t3\n"),
    Layout("spaced-section-name", "[ global ]\ntimeout = 60\n"),
    Layout("indented-first-key", "[global]\n    index-url = https://old.example/simple/\n    timeout = 60\n",
           changed=("    index-url = https://old.example/simple/",)),
    Layout("continuation-lines", d("""
        [global]
        extra-index-url =
            https://one.example/simple/
            # a comment between
            https://two.example/simple/
        timeout = 60
        """)),
    Layout("empty-sections", "[install]\n[global]\n[freeze]\n"),
    Layout("unusual-casing", "[GLOBAL]\ntimeout = 60\n[global]\nIndex-URL = https://old.example/simple/\nKeyring-Provider = disabled\n",
           changed=("Index-URL = https://old.example/simple/", "Keyring-Provider = disabled")),
    Layout("colon-delimiters", "[global]\ntimeout: 60\nindex-url: https://old.example/simple/\n",
           changed=("index-url: https://old.example/simple/",)),
    Layout("no-final-newline", "[global]\ntimeout = 60"),
    Layout("other-sections-only", "[install]\nno-binary = :none:\n\n[freeze]\ntimeout = 10\n"),
    Layout("stale-token-in-index-url", f"# from aws codeartifact login\n[global]\nindex-url = {WITH_STALE}\n",
           changed=(f"index-url = {WITH_STALE}",)),
    Layout("empty-file", ""),
    Layout("only-comments", "# nothing yet\n; really\n"),
]


def pip_reads(pip=BIN / "pip"):
    """What pip's own loader reads from the user config: {"section.key": value}."""
    result = ok(run(pip, "config", "--user", "list"))
    pairs = (line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    return {key: ast.literal_eval(value) for key, value in pairs}


@pytest.mark.parametrize("layout", PIP_LAYOUTS, ids=lambda layout: layout.id)
def test_pip_conf_layouts(published, standin, isolated_env, tmp_path, layout):
    conf = isolated_env / ".config" / "pip" / "pip.conf"
    conf.parent.mkdir(parents=True)
    conf.write_bytes(layout.data())
    before = pip_reads()
    out = setup_twice(conf, "pip", "--pip", str(BIN / "pip"), URL)
    assert ("removed the password" in out) == (STALE in layout.text) and STALE not in out
    expected = dict(before, **{"global.index-url": URL, "global.keyring-provider": "import"})
    assert pip_reads() == expected
    assert_bytes_kept(layout, conf.read_bytes())
    ok(run(BIN / "pip", "install", "--target", tmp_path / "t", "setup-hello"))
    assert (tmp_path / "t" / "setup_hello").is_dir()


def test_pip_conf_extra_index_with_continuation_lines_and_comments(published, standin, isolated_env, tmp_path):
    layout = PIP_LAYOUTS[5]
    conf = isolated_env / ".config" / "pip" / "pip.conf"
    conf.parent.mkdir(parents=True)
    conf.write_bytes(layout.data())
    setup_twice(conf, "pip", "--pip", str(BIN / "pip"), "--extra", URL)
    seen = pip_reads()
    assert seen["global.extra-index-url"].split() == ["https://one.example/simple/", "https://two.example/simple/", URL]
    assert "global.index-url" not in seen


def test_pip_conf_with_a_byte_order_mark_is_refused_as_pip_cannot_read_it(isolated_env):
    conf = isolated_env / ".config" / "pip" / "pip.conf"
    conf.parent.mkdir(parents=True)
    data = b"\xef\xbb\xbf[global]\ntimeout = 60\n"
    conf.write_bytes(data)
    result = run(CLI, "setup", "pip", "--pip", str(BIN / "pip"), URL)
    assert result.returncode == 1 and result.stderr.count("\n") == 1, result.stderr
    assert "pip cannot read" in result.stderr and "Traceback" not in result.stderr
    assert conf.read_bytes() == data


# -- uv.toml: tomllib, then uv installs through it --------------------------------------------

UV_TOML_LAYOUTS = [
    Layout("comments-everywhere", d("""
        # uv settings
        offline = false # not offline

        # a second index, ours comes after
        [[index]] # header comment
        name = "internal" # named
        url = "https://internal.example/simple/"
        explicit = true

        [pip]
        # compile
        compile-bytecode = true # yes
        # the end
        """)),
    Layout("crlf", '[pip]\ncompile-bytecode = true\n', crlf=True),
    Layout("bom", 'offline = false\n', bom=True),
    Layout("tabs", '\tpython-preference\t=\t"only-system"\n[pip]\n\tcompile-bytecode = true\n'),
    Layout("dotted-keys", 'pip.compile-bytecode = true\npip.no-build-isolation = false\n'),
    Layout("inline-index-array", 'index = [\n  { name = "internal", url = "https://internal.example/simple/", explicit = true },\n]\n'),
    Layout("tables-before-and-after", d("""
        [[index]]
        name = "first"
        url = "https://first.example/simple/"
        explicit = true

        [pip]
        compile-bytecode = true

        [[index]]
        name = "second"
        url = "https://second.example/simple/"
        explicit = true
        """)),
    Layout("our-index-stale-multiline", d(f'''
        keyring-provider = "disabled"

        [[index]]
        name = "codeartifact"
        url = """
        {WITH_STALE}"""
        explicit = false
        '''), changed=('keyring-provider = "disabled"', f"{WITH_STALE}\"\"\"", 'url = """')),
    Layout("quoted-keys", '"keyring-provider" = "disabled"\n[["index"]]\n"name" = "other"\n\'url\' = \'https://o.example/simple/\'\nexplicit = true\n',
           changed=('"keyring-provider" = "disabled"',)),
    Layout("no-final-newline", 'offline = false'),
    Layout("only-comments", '# nothing yet\n'),
    Layout("empty-table", '[pip]\n'),
]


def uv_config(path):
    """The file as uv reads it (a byte order mark allowed, as uv allows it)."""
    return tomllib.loads(path.read_bytes().decode("utf-8-sig"))


def with_our_index(data: dict, table_keys=(), extra=False) -> dict:
    table = data
    for key in table_keys:
        table = table.setdefault(key, {})
    table["keyring-provider"] = "subprocess"
    ours = {"name": "codeartifact", "url": URL, "publish-url": AT_UPLOAD, "authenticate": "always"}
    if not extra:
        ours["default"] = True
    indexes = table.setdefault("index", [])
    for entry in indexes:
        if entry["name"] == "codeartifact":
            entry.update(ours)
            break
    else:
        indexes.append(ours)
    return data


@pytest.mark.parametrize("layout", UV_TOML_LAYOUTS, ids=lambda layout: layout.id)
def test_uv_toml_layouts(published, standin, isolated_env, tmp_path, uv_on_path, layout):
    config = isolated_env / ".config" / "uv" / "uv.toml"
    config.parent.mkdir(parents=True)
    config.write_bytes(layout.data())
    before = uv_config(config)
    out = setup_twice(config, "uv", URL)
    assert ("removed the password" in out) == (STALE in layout.text) and STALE not in out
    assert uv_config(config) == with_our_index(before)
    assert_bytes_kept(layout, config.read_bytes())
    ok(run(BIN / "uv", "pip", "install", "--no-cache", "--target", tmp_path / "t", "setup-hello"))
    assert (tmp_path / "t" / "setup_hello").is_dir()


# -- pyproject.toml [tool.uv]: tomllib, then uv lock resolves through it ---------------------

PROJECT = '[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.9"\ndependencies = ["setup-hello==1.0"]\n'

PYPROJECT_UV_LAYOUTS = [
    Layout("dotted-uv-keys-under-tool", PROJECT + '\n[tool]\nuv.keyring-provider = "disabled"\nblack.line-length = 100\n',
           changed=('uv.keyring-provider = "disabled"',)),
    Layout("quoted-uv-header", PROJECT + '\n[tool."uv"]\nkeyring-provider = "disabled"\n',
           changed=('keyring-provider = "disabled"',)),
    Layout("multi-line-string-url", PROJECT + '\n[[tool.uv.index]]\nname = "codeartifact"\nurl = """\nhttps://old.example/simple/"""\n',
           changed=('url = """', 'https://old.example/simple/"""')),
    Layout("inline-index-array", PROJECT + '\n[tool.uv]\nindex = [{ name = "other", url = "https://o.example/simple/", explicit = true }]\n',
           changed=('index = [{ name = "other", url = "https://o.example/simple/", explicit = true }]',)),
    Layout("key-lookalike-in-a-string", PROJECT + '\n[tool.uv]\nmanaged = true\n\n[tool.notes]\ntext = """\nkeyring-provider = "x"\n"""\n'),
    Layout("crlf", PROJECT + '\n[tool.uv]\nmanaged = true\n', crlf=True),
    Layout("bom", PROJECT + '\n[tool.uv]\nmanaged = true\n', bom=True),
    Layout("inline-uv-table", PROJECT + '\n[tool]\nuv = { managed = true }\n',
           changed=("uv = { managed = true }",)),
    Layout("sub-table-only", PROJECT + '\n[tool.uv.pip]\ncompile-bytecode = true\n'),
    Layout("tables-before-and-after", d("""
        [[tool.uv.index]]
        name = "first"
        url = "https://first.example/simple/"
        explicit = true

        """) + PROJECT + d("""

        [tool.uv]
        managed = true

        [[tool.uv.index]]
        name = "second"
        url = "https://second.example/simple/"
        explicit = true
        """)),
    Layout("comments-and-tabs", "# top\n" + PROJECT.replace("name", "\tname") + '\n# uv\n[tool.uv] # uv table\n\tmanaged = true # yes\n# end\n'),
    Layout("stale-token-in-our-index", PROJECT + f'\n[[tool.uv.index]]\nname = "codeartifact"\nurl = "{WITH_STALE}"\n',
           changed=(f'url = "{WITH_STALE}"',)),
]


@pytest.mark.parametrize("layout", PYPROJECT_UV_LAYOUTS, ids=lambda layout: layout.id)
def test_pyproject_uv_layouts(published, standin, tmp_path, uv_on_path, layout):
    app = tmp_path / "app"
    app.mkdir()
    pyproject = app / "pyproject.toml"
    pyproject.write_bytes(layout.data())
    before = uv_config(pyproject)
    out = setup_twice(pyproject, "uv", "--project", URL, cwd=app)
    assert ("removed the password" in out) == (STALE in layout.text) and STALE not in out
    assert uv_config(pyproject) == with_our_index(before, ("tool", "uv"))
    assert_bytes_kept(layout, pyproject.read_bytes())
    ok(run(BIN / "uv", "lock", "--no-cache", "--python", BIN / "python", cwd=app))
    assert 'name = "setup-hello"' in (app / "uv.lock").read_text()


# -- poetry: pyproject sources and config.toml through poetry itself, then poetry lock ---------

POETRY_PROJECT = '[project]\nname = "lib"\nversion = "1.0"\nrequires-python = ">=3.9"\ndependencies = ["setup-hello==1.0"]\n'

PYPROJECT_POETRY_LAYOUTS = [
    Layout("plain", POETRY_PROJECT),
    Layout("sources-before-and-after", d("""
        [[tool.poetry.source]]
        name = "first"
        url = "https://first.example/simple/"
        priority = "explicit"

        """) + POETRY_PROJECT + d("""

        [tool.poetry]
        package-mode = true

        [[tool.poetry.source]]
        name = "second"
        url = "https://second.example/simple/"
        priority = "explicit"
        """)),
    Layout("inline-source-array", POETRY_PROJECT + '\n[tool.poetry]\nsource = [{ name = "other", url = "https://o.example/simple/", priority = "explicit" }]\n',
           changed=('source = [{ name = "other", url = "https://o.example/simple/", priority = "explicit" }]',)),
    Layout("dotted-keys", POETRY_PROJECT + '\n[tool]\npoetry.package-mode = true\n'),
    Layout("crlf-and-comments", "# lib\n" + POETRY_PROJECT + "# poetry\n[tool.poetry] # here\npackage-mode = true # yes\n", crlf=True),
    Layout("stale-token-in-our-source", POETRY_PROJECT + f'\n[[tool.poetry.source]]\nname = "codeartifact"\nurl = "{WITH_STALE}"\npriority = "primary"\n',
           changed=(f'url = "{WITH_STALE}"',)),
]

POETRY_CONFIG_LAYOUTS = [
    Layout("comments", '# my poetry config\n[virtualenvs]\nin-project = true  # yes\n\n[repositories.other]\nurl = "https://other.example/"\n# end\n'),
    Layout("dotted-keys", 'virtualenvs.in-project = true\nrepositories.other.url = "https://other.example/"\n'),
    Layout("inline-table", 'repositories = { other = { url = "https://other.example/" } }\n',
           changed=('repositories = { other = { url = "https://other.example/" } }',)),
    Layout("crlf", '[virtualenvs]\nin-project = true\n', crlf=True),
    Layout("ours-already-with-another-url", '[repositories.codeartifact]\nurl = "https://old.example/pypi/x/"\n',
           changed=('url = "https://old.example/pypi/x/"',)),
]


def poetry_env(tools, monkeypatch):
    """poetry on PATH (so setup uses its writer), its virtualenvs in the project."""
    import os

    monkeypatch.setenv("PATH", f"{tools / 'poetry' / 'bin'}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("POETRY_VIRTUALENVS_IN_PROJECT", "true")
    return tools / "poetry" / "bin" / "poetry"


@pytest.mark.parametrize("layout", PYPROJECT_POETRY_LAYOUTS, ids=lambda layout: layout.id)
def test_pyproject_poetry_layouts(published, standin, tools, tmp_path, monkeypatch, layout):
    poetry = poetry_env(tools, monkeypatch)
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "lib").mkdir()
    (lib / "lib" / "__init__.py").write_text("")
    pyproject = lib / "pyproject.toml"
    pyproject.write_bytes(layout.data())
    before = uv_config(pyproject)
    out = setup_twice(pyproject, "poetry", URL, cwd=lib)
    assert ("removed the password" in out) == (STALE in layout.text) and STALE not in out
    expected = before
    sources = expected.setdefault("tool", {}).setdefault("poetry", {}).setdefault("source", [])
    ours = {"name": "codeartifact", "url": URL, "priority": "primary"}
    found = [source for source in sources if source["name"] == "codeartifact"]
    found[0].update(ours) if found else sources.append(ours)
    assert uv_config(pyproject) == expected
    assert_bytes_kept(layout, pyproject.read_bytes())
    shown = ok(run(poetry, "source", "show", "codeartifact", cwd=lib)).stdout
    assert URL in shown and "primary" in shown
    ok(run(poetry, "lock", "--no-interaction", cwd=lib))
    assert 'name = "setup-hello"' in (lib / "poetry.lock").read_text()


@pytest.mark.parametrize("layout", POETRY_CONFIG_LAYOUTS, ids=lambda layout: layout.id)
def test_poetry_config_layouts(published, tools, isolated_env, tmp_path, monkeypatch, layout):
    poetry = poetry_env(tools, monkeypatch)
    config = isolated_env / ".config" / "pypoetry" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_bytes(layout.data())
    before = uv_config(config)
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "pyproject.toml").write_text(POETRY_PROJECT)
    setup_twice(config, "poetry", URL, cwd=lib)
    expected = before
    expected.setdefault("repositories", {}).setdefault("codeartifact", {})["url"] = UPLOAD
    assert uv_config(config) == expected
    assert_bytes_kept(layout, config.read_bytes())
    listed = ok(run(poetry, "config", "--list", cwd=lib)).stdout
    assert f'repositories.codeartifact.url = "{UPLOAD}"' in listed


# -- pyproject.toml [[tool.pdm.source]]: tomllib, then pdm lock resolves through it ------------

PDM_PROJECT = POETRY_PROJECT.replace('"lib"', '"app"')
OTHER_PDM_SOURCE = 'name = "other"\nurl = "https://other.example/simple/"\nexclude_packages = ["*"]\n'  # never asked here

PYPROJECT_PDM_LAYOUTS = [
    Layout("plain", PDM_PROJECT),
    Layout("pypi-source-of-pypi-org", PDM_PROJECT + '\n[[tool.pdm.source]]\nname = "pypi"\nurl = "https://pypi.org/simple"\nverify_ssl = true\n',
           changed=('url = "https://pypi.org/simple"',)),
    Layout("sources-before-and-after", "[[tool.pdm.source]]\n" + OTHER_PDM_SOURCE + "\n" + PDM_PROJECT
           + '\n[tool.pdm]\ndistribution = false\n\n[[tool.pdm.source]]\nname = "more"\nurl = "https://more.example/simple/"\nexclude_packages = ["*"]\n'),
    Layout("dotted-keys", PDM_PROJECT + '\n[tool]\npdm.distribution = false\n'),
    Layout("inline-source-array", PDM_PROJECT + '\n[tool.pdm]\nsource = [{ name = "other", url = "https://other.example/simple/", exclude_packages = ["*"] }]\n',
           changed=('source = [{ name = "other", url = "https://other.example/simple/", exclude_packages = ["*"] }]',)),
    Layout("crlf-and-comments", "# app\n" + PDM_PROJECT + "# pdm\n[tool.pdm] # here\ndistribution = false # yes\n", crlf=True),
    Layout("stale-password-in-our-source", PDM_PROJECT + f'\n[[tool.pdm.source]]\nname = "pypi"\nurl = "{WITH_STALE}"\nusername = "aws"\npassword = "{STALE}"\n',
           changed=(f'url = "{WITH_STALE}"', 'username = "aws"', f'password = "{STALE}"')),
]


@pytest.mark.parametrize("layout", PYPROJECT_PDM_LAYOUTS, ids=lambda layout: layout.id)
def test_pyproject_pdm_layouts(published, standin, tools, tmp_path, monkeypatch, layout):
    monkeypatch.setenv("PDM_CHECK_UPDATE", "false")
    monkeypatch.setenv("PDM_NON_INTERACTIVE", "1")
    monkeypatch.setenv("PDM_PYTHON", str(BIN / "python"))
    app = tmp_path / "app"
    app.mkdir()
    pyproject = app / "pyproject.toml"
    pyproject.write_bytes(layout.data())
    before = uv_config(pyproject)
    out = setup_twice(pyproject, "pdm", URL, cwd=app)
    assert ("removed the password" in out) == (STALE in layout.text) and STALE not in out
    expected = before
    sources = expected.setdefault("tool", {}).setdefault("pdm", {}).setdefault("source", [])
    found = [source for source in sources if source["name"] == "pypi"]
    if found:
        found[0].update(url=URL)
        found[0].pop("username", None), found[0].pop("password", None)
    else:
        sources.append({"name": "pypi", "url": URL})
    assert uv_config(pyproject) == expected
    assert_bytes_kept(layout, pyproject.read_bytes())
    ok(run(tools / "pdm" / "bin" / "pdm", "lock", cwd=app))
    assert 'name = "setup-hello"' in (app / "pdm.lock").read_text()


# -- Pipfile [[source]]: pipenv's own loader (plette) ------------------------------------------

PIPFILE_PYPI = '[[source]]\nurl = "https://pypi.org/simple"\nverify_ssl = true\nname = "pypi"\n'
PIPFILE_LAYOUTS = [
    Layout("made-by-pipenv", PIPFILE_PYPI + '\n[packages]\nsetup-hello = "==1.0"\n\n[dev-packages]\n\n[requires]\npython_version = "3.11"\n'),
    Layout("comments-everywhere", d("""
        # the project's packages
        # public index
        [[source]] # pypi
        url = "https://pypi.org/simple" # the url
        verify_ssl = true
        name = "pypi"

        # what we need
        [packages]
        setup-hello = "==1.0" # pinned
        # end
        """)),
    Layout("crlf", PIPFILE_PYPI + '\n[packages]\nsetup-hello = "*"\n', crlf=True),
    Layout("inline-source-array", 'source = [{ url = "https://pypi.org/simple", verify_ssl = true, name = "pypi" }]\n\n[packages]\nsetup-hello = "*"\n',
           changed=('source = [{ url = "https://pypi.org/simple", verify_ssl = true, name = "pypi" }]',)),
    Layout("packages-before-sources", '[packages]\nsetup-hello = {version = "*", index = "pypi"}\n\n' + PIPFILE_PYPI
           + '\n[[source]]\nurl = "https://other.example/simple"\nverify_ssl = false\nname = "other"\n'),
    Layout("no-source-at-all", '[packages]\nsetup-hello = "*"\n'),
    Layout("ours-first-with-stale-token", f'[[source]]\nurl = "{WITH_STALE}"\nverify_ssl = true\nname = "codeartifact"\n\n' + PIPFILE_PYPI,
           changed=(f'url = "{WITH_STALE}"',)),
    Layout("no-final-newline", PIPFILE_PYPI + '\n[packages]\nsetup-hello = "*"'),
]


def pipenv_reads(tools, path):
    """The Pipfile as pipenv loads it (its vendored plette; a Pipfile with no [[source]] reads as PyPI's)."""
    script = (
        "import json, sys; from pipenv.vendor import plette\n"
        "with open(sys.argv[1], 'rb') as f: print(json.dumps(plette.Pipfile.load(f, encoding='utf-8')._data))"
    )
    return json.loads(ok(run(tools / "pipenv" / "bin" / "python", "-c", script, path)).stdout)


@pytest.mark.parametrize("layout", PIPFILE_LAYOUTS, ids=lambda layout: layout.id)
def test_pipfile_layouts(tools, tmp_path, layout):
    app = tmp_path / "app"
    app.mkdir()
    pipfile = app / "Pipfile"
    pipfile.write_bytes(layout.data())
    expected = uv_config(pipfile)
    out = setup_twice(pipfile, "pipenv", URL, cwd=app)
    assert ("removed the password" in out) == (STALE in layout.text) and STALE not in out
    ours = {"name": "codeartifact", "url": URL, "verify_ssl": True}
    sources = expected.setdefault("source", [])
    found = [source for source in sources if source["name"] == "codeartifact"]
    found[0].update(ours) if found else sources.insert(0, ours)
    assert pipenv_reads(tools, pipfile) == expected
    assert pipenv_reads(tools, pipfile)["source"][0]["name"] == "codeartifact"  # the index pipenv installs from
    assert_bytes_kept(layout, pipfile.read_bytes())


# -- ~/.pypirc: twine's own reader, then twine upload through it ------------------------------

PYPIRC_LAYOUTS = [
    Layout("comments-everywhere", d("""
        # uploads
        [distutils]
        # servers
        index-servers =
            pypi
            # internal one
            internal

        ; internal
        [internal]
        repository = https://internal.example/
        username = me
        # end
        """), changed=("index-servers =", "    pypi", "    # internal one", "    internal")),
    Layout("crlf", "[distutils]\nindex-servers = pypi\n\n[pypi]\nusername = __token__\n", crlf=True,
           changed=("index-servers = pypi",)),
    Layout("tabs-and-colons", "[distutils]\nindex-servers:\n\tpypi\n\tinternal\n[internal]\n\trepository: https://internal.example/\n",
           changed=("index-servers:", "\tpypi", "\tinternal")),
    Layout("ours-with-stale-password", f"[distutils]\nindex-servers = codeartifact\n\n[codeartifact]\nrepository = {UPLOAD}\nusername = aws\npassword = {STALE}\n",
           changed=(f"password = {STALE}",)),
    Layout("ours-indented-with-other-keys", f"[codeartifact]\n  repository = https://old.example/pypi/x/\n  password = {STALE}\n  note = kept as it is\n",
           changed=("  repository = https://old.example/pypi/x/", f"  password = {STALE}")),
    Layout("empty-sections", "[distutils]\n[pypi]\n[testpypi]\n"),
    Layout("unusual-casing", "[Distutils]\nIndex-Servers = other\n[CodeArtifact]\nrepository = https://other.example/\n"),
    Layout("no-final-newline", "[pypi]\nusername = __token__"),
]


def twine_reads(path):
    """twine's own reader of .pypirc (twine.utils.get_config), as JSON."""
    script = "import json, sys, twine.utils; print(json.dumps(twine.utils.get_config(sys.argv[1])))"
    return json.loads(ok(run(BIN / "python", "-c", script, path)).stdout)


@pytest.mark.parametrize("layout", PYPIRC_LAYOUTS, ids=lambda layout: layout.id)
def test_pypirc_layouts(published, standin, isolated_env, tmp_path, layout):
    pypirc = isolated_env / ".pypirc"
    pypirc.write_bytes(layout.data())
    before = twine_reads(pypirc)
    out = setup_twice(pypirc, "twine", URL)
    assert ("removed the password" in out) == (STALE in layout.text) and STALE not in out
    after = twine_reads(pypirc)
    assert after.pop("codeartifact") == dict(before.pop("codeartifact", {}), repository=UPLOAD, username="aws", password=None)
    assert after == before
    assert_bytes_kept(layout, pypirc.read_bytes())
    wheel = make_wheel(tmp_path / "dist", f"twined-{layout.id}", "1.0")
    ok(run(BIN / "twine", "upload", "--non-interactive", "--repository", "codeartifact", wheel))
    assert wheel.name in published.packages("python")


# -- keyringrc.cfg: the backend's reader, then keyring gets a token by name -----------------------

KEYRINGRC_LAYOUTS = [
    Layout("settings-with-inline-comments", "[backend]\ndefault-keyring = keyring.backends.chainer.ChainerBackend\n\n[codeartifact]\ntoken_duration = 1800  # half an hour\n"),
    Layout("other-names", "[codeartifact-repositories]\n# others\nrelease = https://my-team-111122223333.d.codeartifact.us-east-1.amazonaws.com/pypi/release/  ; release\n"),
    Layout("our-name-uppercase-old-url", "[codeartifact-repositories]\nCodeArtifact = https://old.example/pypi/x/\n",
           changed=("CodeArtifact = https://old.example/pypi/x/",)),
    Layout("crlf-and-tabs", "[codeartifact]\n\ttoken_duration\t=\t1800\n", crlf=True),
]


@pytest.mark.parametrize("layout", KEYRINGRC_LAYOUTS, ids=lambda layout: layout.id)
def test_keyringrc_layouts(standin, isolated_env, layout):
    rc = isolated_env / ".config" / "python_keyring" / "keyringrc.cfg"
    rc.parent.mkdir(parents=True)
    rc.write_bytes(layout.data())
    setup_twice(rc, "twine", URL)
    assert_bytes_kept(layout, rc.read_bytes())
    script = "import json, sys; from keyrings_codeartifact.settings import repository_names as r; print(json.dumps(r()))"
    assert json.loads(ok(run(BIN / "python", "-c", script)).stdout)["codeartifact"] == UPLOAD
    result = ok(run(BIN / "keyring", "get", "codeartifact", "aws"))
    assert result.stdout.strip() in standin.issued


@pytest.mark.skipif(sys.platform != "linux", reason="XDG_CONFIG_HOME is poetry's folder on Linux")
@pytest.mark.parametrize("value", [None, "", "  ", "relative/folder", "ABSOLUTE"])
def test_the_poetry_config_file_is_where_real_poetry_looks(tools, isolated_env, tmp_path, monkeypatch, value):
    # poetry takes its folder from platformdirs (poetry.locations.CONFIG_DIR): ask it,
    # for the XDG_CONFIG_HOME values that tools read differently (uv ignores a relative one).
    from keyrings_codeartifact.configure import poetry

    if value is None:
        monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg") if value == "ABSOLUTE" else value)
    result = run(tools / "poetry" / "bin" / "python", "-c", "from poetry.locations import CONFIG_DIR; print(CONFIG_DIR)",
                 cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert poetry.config_file() == Path(result.stdout.strip()) / "config.toml"
