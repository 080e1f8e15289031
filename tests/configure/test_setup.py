"""`codeartifact-keyring setup TOOL`: the files it writes, read back with the readers
the tools use (pip's own loader, tomllib, configparser), that every other byte stays,
and that a second run, a dry run, a bad name or an unwritable file behave as promised.
(tests/e2e/test_setup_tools.py shows the tools then really get in;
tests/e2e/test_setup_layouts.py runs the same through many layouts of each file.)"""

import ast
import configparser
import os
import subprocess
import sys

import pytest

from helpers import BIN, URL, run
from keyrings_codeartifact import cache

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

CLI = BIN / "codeartifact-keyring"
UPLOAD = URL.replace("/simple/", "/")
AT_URL = URL.replace("https://", "https://aws@")
AT_UPLOAD = UPLOAD.replace("https://", "https://aws@")
OUR_INDEX = {"name": "codeartifact", "url": URL, "publish-url": AT_UPLOAD, "authenticate": "always", "default": True}
STALE = "eyJ2ZXIiOjEsImlzdSI6MTcwMDAwMDAwMH0.stale-token-from-aws-codeartifact-login"


@pytest.fixture(autouse=True)
def _uv(uv_on_path):
    """setup uv writes for the uv on PATH: this one, whatever else this machine has."""


def setup(*args, cwd=None):
    result = run(CLI, "setup", *args, cwd=cwd)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def fails(code, *args, cwd=None):
    """`setup ARGS` fails with exit ``code`` and one line on stderr, no traceback."""
    result = run(CLI, "setup", *args, cwd=cwd)
    assert result.returncode == code, result.stdout + result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("codeartifact-keyring: "), result.stderr
    return result.stderr


def pip_config(pip=BIN / "pip", scope="--user"):
    """What pip itself reads from its config files: {"section.key": value}."""
    result = run(pip, "config", scope, "list")
    assert result.returncode == 0, result.stderr
    pairs = (line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    return {key: ast.literal_eval(value) for key, value in pairs}


def toml(path):
    """The file as uv and poetry read it (a UTF-8 byte order mark allowed, as uv does)."""
    return tomllib.loads(path.read_bytes().decode("utf-8-sig"))


def ini(path):
    """The file as twine (.pypirc) and keyring (keyringrc.cfg) read it."""
    parser = configparser.RawConfigParser()
    parser.read(path, encoding="utf-8")
    return {name: dict(parser.items(name)) for name in parser.sections()}


def assert_kept(before: str, after: str, changed=()) -> None:
    """Every line of ``before`` but those in ``changed`` is still in ``after``, in order."""
    remaining = iter(after.splitlines())
    for line in before.splitlines():
        if line not in changed:
            assert line in remaining, f"lost or moved: {line!r}"


def pip_conf(home):
    return home / ".config" / "pip" / "pip.conf"


def keyringrc(home):
    return home / ".config" / "python_keyring" / "keyringrc.cfg"


# -- what setup writes, read back by the tools' readers --------------------------------


def test_twine_section_keeps_the_rest_of_pypirc(isolated_env):
    pypirc = isolated_env / ".pypirc"
    before = "# my uploads\n[distutils]\nindex-servers =\n    pypi\n    internal\n\n[internal]\nrepository = https://internal.example/\nusername = me\n"
    pypirc.write_text(before)
    out = setup("twine", URL)
    after = pypirc.read_text()
    assert f"{pypirc}: updated" in out
    assert_kept(before, after)
    config = ini(pypirc)
    assert config["distutils"]["index-servers"].split() == ["pypi", "internal", "codeartifact"]
    assert config["codeartifact"] == {"repository": UPLOAD, "username": "aws"}
    assert f"{pypirc}: already set up, unchanged" in setup("twine", URL)
    assert pypirc.read_text() == after


def test_dry_run_prints_a_diff_and_writes_nothing(isolated_env):
    out = setup("twine", "--dry-run", URL)
    assert f"+++ {isolated_env / '.pypirc'}" in out and "+username = aws" in out
    assert not (isolated_env / ".pypirc").exists()
    assert not keyringrc(isolated_env).exists()


def test_pip_user_config(isolated_env):
    out = setup("pip", "--pip", str(BIN / "pip"), URL)
    assert f"{pip_conf(isolated_env)}: updated" in out
    seen = pip_config()
    # this pip has the backend importable: import provider, no username needed
    assert (seen["global.index-url"], seen["global.keyring-provider"]) == (URL, "import")
    assert "already set up, unchanged" in setup("pip", "--pip", str(BIN / "pip"), URL)


def test_a_variable_that_makes_the_tool_read_another_file_is_said(isolated_env, monkeypatch):
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    assert f"but PIP_CONFIG_FILE={os.devnull} is set here, so pip reads no config file instead" in setup("pip", "--pip", str(BIN / "pip"), URL)
    monkeypatch.setenv("UV_CONFIG_FILE", str(isolated_env / "other.toml"))
    assert "so uv reads that file instead" in setup("uv", URL)


def test_pip_extra_index_keeps_existing_ones(isolated_env):
    conf = pip_conf(isolated_env)
    conf.parent.mkdir(parents=True)
    conf.write_text("[global]\nextra-index-url = https://other.example/simple/\n")
    setup("pip", "--pip", str(BIN / "pip"), "--extra", URL)
    seen = pip_config()
    assert seen["global.extra-index-url"].split() == ["https://other.example/simple/", URL]
    assert "global.index-url" not in seen


@pytest.mark.skipif(sys.version_info < (3, 10), reason="pip 26.1 needs Python 3.10+: no tools/pip-26.1 on 3.9")
def test_pip_without_the_backend_uses_the_subprocess_provider_and_user_aws(isolated_env, tools):
    pip = tools / "pip-26.1" / "bin" / "pip"  # no keyring in its environment, before pip 26.2
    setup("pip", "--pip", str(pip), URL)
    seen = pip_config(pip)
    assert (seen["global.index-url"], seen["global.keyring-provider"]) == (AT_URL, "subprocess")


def test_uv_user_config(isolated_env):
    setup("uv", URL)
    config = toml(isolated_env / ".config" / "uv" / "uv.toml")
    assert config["keyring-provider"] == "subprocess"
    # no username for installs (uv asks `keyring --mode creds`); uv publish asks keyring only with one
    assert config["index"] == [OUR_INDEX]
    assert "already set up, unchanged" in setup("uv", URL)


def fake_uv(folder, version):
    """A `uv` on PATH that only tells its version: which form setup writes depends on it."""
    folder.mkdir(parents=True, exist_ok=True)
    uv = folder / "uv"
    uv.write_text(f"#!/bin/sh\necho 'uv {version} (fake)'\n")
    uv.chmod(0o755)
    return folder


def test_uv_too_old_for_authenticate_always_gets_user_aws_and_back(isolated_env, tmp_path, monkeypatch):
    config = isolated_env / ".config" / "uv" / "uv.toml"
    monkeypatch.setenv("PATH", f"{fake_uv(tmp_path / 'old', '0.6.9')}{os.pathsep}{os.environ['PATH']}")
    out = setup("uv", URL)
    assert "uv 0.6.9 on PATH is older than 0.6.10" in out
    old_form = {"name": "codeartifact", "url": AT_URL, "publish-url": AT_UPLOAD, "default": True}
    assert toml(config)["index"] == [old_form]
    monkeypatch.setenv("PATH", f"{fake_uv(tmp_path / 'new', '0.13.9')}{os.pathsep}{os.environ['PATH']}")
    setup("uv", URL)  # a newer uv: the same entry, changed in place
    assert toml(config)["index"] == [OUR_INDEX]
    monkeypatch.setenv("PATH", f"{tmp_path / 'old'}{os.pathsep}{os.environ['PATH']}")
    setup("uv", URL)
    assert toml(config)["index"] == [old_form]  # authenticate dropped again: that uv cannot read it


def test_uv_project_keeps_the_rest_of_pyproject(tmp_path):
    project = tmp_path / "app"
    project.mkdir()
    before = '[project]\nname = "app"  # mine\nversion = "1"\n\n[[tool.uv.index]]\nname = "other"\nurl = "https://o/simple/"\n'
    (project / "pyproject.toml").write_text(before)
    setup("uv", "--project", "--extra", URL, cwd=project)
    after = (project / "pyproject.toml").read_text()
    assert_kept(before, after)
    uv = toml(project / "pyproject.toml")["tool"]["uv"]
    assert uv["keyring-provider"] == "subprocess"
    assert [i["name"] for i in uv["index"]] == ["other", "codeartifact"]
    assert "default" not in uv["index"][1] and uv["index"][1]["authenticate"] == "always"


def test_uv_index_written_by_an_earlier_setup_with_user_aws_is_changed_in_place(isolated_env):
    config = isolated_env / ".config" / "uv" / "uv.toml"
    config.parent.mkdir(parents=True)
    before = f'keyring-provider = "subprocess"\n\n# ours\n[[index]]\nname = "codeartifact"\nurl = "{AT_URL}"\npublish-url = "{AT_UPLOAD}"\ndefault = true\n'
    config.write_text(before)
    setup("uv", URL)
    assert toml(config)["index"] == [OUR_INDEX]
    assert_kept(before, config.read_text(), changed=[f'url = "{AT_URL}"'])


@pytest.mark.skipif(sys.platform != "linux", reason="checks poetry's Linux config folder (~/.config/pypoetry)")
def test_poetry_source_and_publish_repository(tmp_path, isolated_env):
    project = tmp_path / "lib"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "lib"\nversion = "1"\n')
    setup("poetry", "--priority", "supplemental", URL, cwd=project)
    pyproject = toml(project / "pyproject.toml")
    assert pyproject["tool"]["poetry"]["source"] == [{"name": "codeartifact", "url": URL, "priority": "supplemental"}]
    config = toml(isolated_env / ".config" / "pypoetry" / "config.toml")
    assert config == {"repositories": {"codeartifact": {"url": UPLOAD}}}
    assert "updated" not in setup("poetry", "--priority", "supplemental", URL, cwd=project)


def project_folder(tmp_path, name, text):
    """A project folder ``name`` holding a pyproject.toml of ``text``."""
    project = tmp_path / name
    project.mkdir()
    (project / "pyproject.toml").write_text(text)
    return project


def poetry_project(tmp_path, text='[project]\nname = "lib"\n'):
    return project_folder(tmp_path, "lib", text)


def test_poetry_requires_plugins_adds_this_package_once_keeping_every_line(tmp_path):
    before = '# the app\n[project]\nname = "lib"  # ours\n\n[tool.poetry]\npackage-mode = false\n'
    project = poetry_project(tmp_path, before)
    diff = setup("poetry", "--requires-plugins", "--dry-run", URL, cwd=project)
    assert '+[tool.poetry.requires-plugins]\n+codeartifact-keyring = ">=0.1"\n' in diff
    assert (project / "pyproject.toml").read_text() == before
    output = setup("poetry", "--requires-plugins", URL, cwd=project)
    assert "run `poetry install` again" in output
    after = (project / "pyproject.toml").read_text()
    assert toml(project / "pyproject.toml")["tool"]["poetry"]["requires-plugins"] == {"codeartifact-keyring": ">=0.1"}
    assert_kept(before, after)
    assert "updated" not in setup("poetry", "--requires-plugins", URL, cwd=project)
    assert (project / "pyproject.toml").read_text() == after


def test_poetry_requires_plugins_keeps_the_projects_own_constraint(tmp_path):
    pinned = '[tool.poetry.requires-plugins]\ncodeartifact_keyring = "==0.1.0"\nother-plugin = ">=1"\n'
    project = poetry_project(tmp_path, '[project]\nname = "lib"\n\n' + pinned)
    setup("poetry", "--requires-plugins", URL, cwd=project)
    assert pinned in (project / "pyproject.toml").read_text()


@pytest.mark.parametrize("options, extra, named", [
    ([], "", True),  # CodeArtifact primary: PyPI is off, no source serves the plugin before it is there
    (["--priority", "supplemental"], "", False),  # no primary source: PyPI stays on
    ([], '[[tool.poetry.source]]\nname = "PyPI"\npriority = "supplemental"\n', False),
    ([], '[[tool.poetry.source]]\nname = "mirror"\nurl = "https://mirror.example/simple/"\n', False),
    ([], '[[tool.poetry.source]]\nname = "mirror"\nurl = "https://mirror.example/simple/"\npriority = "explicit"\n', True),
])
def test_poetry_requires_plugins_says_when_no_source_can_serve_the_plugin(tmp_path, options, extra, named):
    project = poetry_project(tmp_path, '[project]\nname = "lib"\n\n' + extra)
    output = setup("poetry", "--requires-plugins", *options, URL, cwd=project)
    assert ("has none that needs no token" in output) is named
    assert ("poetry source add --priority=supplemental PyPI" in output) is named


@pytest.mark.parametrize("files, variable, undo", [
    ({"config.toml": "[keyring]\nenabled = false\n"}, None, "`poetry config keyring.enabled true`"),
    ({"poetry.toml": "[keyring]\nenabled = false\n"}, None, "`poetry config --local --unset keyring.enabled`"),
    ({"config.toml": "[keyring]\nenabled = true\n", "poetry.toml": "[keyring]\nenabled = false\n"}, None,
     "`poetry config --local --unset keyring.enabled`"),  # the project's poetry.toml wins
    ({}, "false", "unset POETRY_KEYRING_ENABLED"),
    ({}, "yes", "unset POETRY_KEYRING_ENABLED"),  # poetry takes only "true" and "1" as true
    ({"config.toml": "[keyring]\nenabled = false\n"}, "1", None),  # the variable wins
    ({"config.toml": "[keyring]\nenabled = false\n", "poetry.toml": "[keyring]\nenabled = true\n"}, None, None),
])
def test_setup_poetry_names_keyring_turned_off_and_never_changes_it(tmp_path, isolated_env, monkeypatch, files, variable,
                                                                    undo):
    project = poetry_project(tmp_path)
    paths = {"config.toml": isolated_env / ".config" / "pypoetry" / "config.toml", "poetry.toml": project / "poetry.toml"}
    for name, text in files.items():
        paths[name].parent.mkdir(parents=True, exist_ok=True)
        paths[name].write_text(text)
    if variable is not None:
        monkeypatch.setenv("POETRY_KEYRING_ENABLED", variable)
    result = run(CLI, "setup", "poetry", URL, cwd=project)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    if undo is None:
        assert result.stderr == ""
    else:
        [line] = result.stderr.splitlines()
        assert line.startswith("codeartifact-keyring: warning: ")
        assert "poetry asks no keyring backend, this one included, so its installs get 401" in line and undo in line
    for name, text in files.items():
        assert toml(paths[name]).get("keyring") == tomllib.loads(text)["keyring"]  # told, not changed


@pytest.mark.parametrize("tool, options, variable", [
    ("twine", [], "TWINE_PASSWORD"),
    ("uv", [], "UV_INDEX_CODEARTIFACT_PASSWORD"),
    ("uv", ["--name", "my-repo"], "UV_INDEX_MY_REPO_PASSWORD"),
    ("uv", [], "UV_DEFAULT_INDEX"),
    ("pip", ["--pip", str(BIN / "pip")], "PIP_INDEX_URL"),
    ("pip", ["--pip", str(BIN / "pip"), "--extra"], "PIP_EXTRA_INDEX_URL"),
])
def test_a_variable_the_tool_would_use_instead_is_named_not_shown(isolated_env, monkeypatch, tool, options, variable):
    # e.g. an `export TWINE_PASSWORD=$(aws codeartifact get-authorization-token ...)` left in a profile
    monkeypatch.setenv(variable, "https://aws:pasted-secret@example.invalid/simple/")
    output = setup(tool, *options, URL)
    assert f"{variable} is set in this shell" in output and "pasted-secret" not in output
    monkeypatch.delenv(variable)
    assert "is set in this shell" not in setup(tool, *options, URL)


def test_poetry_credentials_in_the_environment_are_named_not_shown(tmp_path, monkeypatch):
    project = tmp_path / "lib"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "lib"\n')
    monkeypatch.setenv("POETRY_HTTP_BASIC_MY_REPO_PASSWORD", "pasted-secret")
    output = setup("poetry", "--name", "my-repo", URL, cwd=project)
    assert "POETRY_HTTP_BASIC_MY_REPO_PASSWORD is set in this shell" in output and "pasted-secret" not in output
    assert "--unset" not in setup("poetry", URL, cwd=project)  # another name: nothing of its own


def test_a_changed_url_updates_the_entry_in_place(tmp_path):
    project = tmp_path / "lib"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "lib"\n')
    setup("poetry", URL, cwd=project)
    other = URL.replace("/python/", "/release/")
    setup("poetry", other, cwd=project)
    sources = toml(project / "pyproject.toml")["tool"]["poetry"]["source"]
    assert sources == [{"name": "codeartifact", "url": other, "priority": "primary"}]


def test_url_from_domain_and_repository_via_get_repository_endpoint(standin, isolated_env):
    setup("twine", "--domain", "my-team", "--repository", "python", "--region", "us-east-1")
    assert ini(isolated_env / ".pypirc")["codeartifact"]["repository"] == UPLOAD
    setup("twine", "--name", "ds", "--domain", "my-team", "--repository", "python", "--region", "us-east-1", "--endpoint-type", "dualstack")
    dualstack = "https://my-team-111122223333.codeartifact.us-east-1.on.aws/pypi/python/"
    assert ini(isolated_env / ".pypirc")["ds"]["repository"] == dualstack
    [first, second] = standin.requests()
    assert (first["api"], first["owner"], second["endpoint_type"]) == ("GetRepositoryEndpoint", "111122223333", "dualstack")


def test_named_repository_gets_its_token(standin, isolated_env):
    setup("twine", "--name", "team-python", URL)
    result = run(BIN / "keyring", "get", "team-python", "aws")
    assert result.returncode == 0, result.stderr
    assert standin.issued[result.stdout.strip()]["domain"] == "my-team"
    assert run(BIN / "keyring", "get", "other-name", "aws").returncode == 1


def test_no_token_is_ever_written(standin, isolated_env, tmp_path):
    project = tmp_path / "p"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "p"\n')
    (project / "Pipfile").write_text("[packages]\n")
    run(CLI, "token", URL)  # a token exists and is cached
    for tool in ("twine", "uv", "poetry", "pdm", "pipenv"):
        setup(tool, URL, cwd=project)
    setup("pip", "--pip", str(BIN / "pip"), URL)
    cache_folder = cache.folder_for()  # holds the token, as it should
    written = [p for p in list(isolated_env.rglob("*")) + list(project.rglob("*")) if p.is_file() and cache_folder not in p.parents]
    assert len(written) >= 6
    for path in written:
        text = path.read_text(errors="replace")
        assert not any(token in text for token in standin.issued), path


def test_bad_input_is_one_line(isolated_env):
    assert "is not a CodeArtifact repository URL" in fails(2, "twine", "https://pypi.org/simple/")
    assert "pyproject.toml does not exist" in fails(2, "poetry", URL, cwd=isolated_env)
    assert "pyproject.toml does not exist" in fails(2, "pdm", URL, cwd=isolated_env)
    assert "Pipfile does not exist" in fails(2, "pipenv", URL, cwd=isolated_env)
    assert run(CLI, "setup", "twine").returncode == 2


def test_pip_site_config_of_another_environment(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = venv / "bin" / "pip"
    setup("pip", "--site", "--pip", str(pip), URL)
    seen = pip_config(pip, "--site")
    assert seen["global.keyring-provider"] == "subprocess"  # no backend in that venv
    major, minor = map(int, run(pip, "--version").stdout.split()[1].split(".")[:2])
    expected = URL if (major, minor) >= (26, 2) else AT_URL  # older pip needs the user in the URL
    assert seen["global.index-url"] == expected


# -- the cases of issue 11: valid files that hand-written line edits broke -------------


def uv_project(tmp_path, text):
    return project_folder(tmp_path, "app", text)


def uv_in_project(project):
    return toml(project / "pyproject.toml")["tool"]["uv"]


def test_pyproject_with_tool_table_and_dotted_uv_keys(tmp_path):
    before = '[project]\nname = "app"\n\n[tool]\nuv.keyring-provider = "disabled"\nblack.line-length = 100\n'
    project = uv_project(tmp_path, before)
    setup("uv", "--project", URL, cwd=project)
    after = toml(project / "pyproject.toml")
    assert after["tool"]["uv"] == {"keyring-provider": "subprocess", "index": [OUR_INDEX]}
    assert after["tool"]["black"] == {"line-length": 100}
    assert_kept(before, (project / "pyproject.toml").read_text(), changed=['uv.keyring-provider = "disabled"'])


def test_pyproject_with_a_quoted_uv_header(tmp_path):
    before = '[tool."uv"]\nkeyring-provider = "disabled"\n'
    project = uv_project(tmp_path, before)
    setup("uv", "--project", URL, cwd=project)
    assert uv_in_project(project) == {"keyring-provider": "subprocess", "index": [OUR_INDEX]}


def test_existing_index_whose_url_is_a_multi_line_string(tmp_path):
    before = '[tool.uv]\nkeyring-provider = "subprocess"\n\n[[tool.uv.index]]\nname = "codeartifact"\nurl = """\nhttps://old.example/simple/"""\n'
    project = uv_project(tmp_path, before)
    setup("uv", "--project", URL, cwd=project)
    assert uv_in_project(project) == {"keyring-provider": "subprocess", "index": [OUR_INDEX]}


def test_inline_index_array(tmp_path):
    before = '[tool.uv]\nindex = [{ name = "other", url = "https://o.example/simple/" }]\n'
    project = uv_project(tmp_path, before)
    setup("uv", "--project", "--extra", URL, cwd=project)
    ours = {key: value for key, value in OUR_INDEX.items() if key != "default"}
    assert uv_in_project(project) == {
        "keyring-provider": "subprocess",
        "index": [{"name": "other", "url": "https://o.example/simple/"}, ours],
    }


def test_a_key_lookalike_inside_a_multi_line_string_is_left_alone(tmp_path):
    note = 'keyring-provider = "x"\n'
    before = f'[tool.uv]\n# see notes\nnotes = """\n{note}"""\n'
    project = uv_project(tmp_path, before)
    setup("uv", "--project", URL, cwd=project)
    uv = uv_in_project(project)
    assert uv["notes"] == note and uv["keyring-provider"] == "subprocess"
    assert_kept(before, (project / "pyproject.toml").read_text())


def test_pip_conf_with_a_spaced_section_name(isolated_env):
    conf = pip_conf(isolated_env)
    conf.parent.mkdir(parents=True)
    conf.write_text("[ global ]\ntimeout = 30\n")  # pip reads this as a section named " global "
    setup("pip", "--pip", str(BIN / "pip"), URL)
    seen = pip_config()
    assert (seen["global.index-url"], seen["global.keyring-provider"]) == (URL, "import")
    assert seen[" global .timeout"] == "30"


def test_pip_conf_whose_first_key_is_indented(isolated_env):
    conf = pip_conf(isolated_env)
    conf.parent.mkdir(parents=True)
    before = "[global]\n    index-url = https://old.example/simple/\n    timeout = 30\n"
    conf.write_text(before)
    setup("pip", "--pip", str(BIN / "pip"), URL)
    seen = pip_config()
    assert (seen["global.index-url"], seen["global.timeout"]) == (URL, "30")
    assert_kept(before, conf.read_text(), changed=["    index-url = https://old.example/simple/"])


def test_stale_password_in_pypirc_is_removed_and_said(isolated_env):
    pypirc = isolated_env / ".pypirc"
    pypirc.write_text(f"[distutils]\nindex-servers = codeartifact\n\n[codeartifact]\nrepository = {UPLOAD}\nusername = aws\npassword = {STALE}\n")
    out = setup("twine", URL)
    assert ini(pypirc)["codeartifact"] == {"repository": UPLOAD, "username": "aws"}
    assert "removed the password" in out and STALE not in out
    assert STALE not in pypirc.read_text()


def test_a_dry_run_shows_a_stale_password_as_stars_and_keeps_it(isolated_env):
    pypirc = isolated_env / ".pypirc"
    before = f"[distutils]\nindex-servers = codeartifact\n\n[codeartifact]\nrepository = {UPLOAD}\nusername = aws\npassword = {STALE}\n"
    pypirc.write_text(before)
    out = setup("twine", "--dry-run", URL)
    assert "-password = ****" in out and "removed the password" in out and STALE not in out
    assert pypirc.read_text() == before


def test_without_poetry_on_path_its_config_is_written_through_tomlkit(tmp_path, isolated_env, monkeypatch):
    monkeypatch.setenv("PATH", str(BIN))  # no poetry here
    config = isolated_env / ".config" / "pypoetry" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("# mine\n[virtualenvs]\nin-project = true # yes\n")
    project = tmp_path / "lib"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "lib"\n')
    setup("poetry", URL, cwd=project)
    assert config.read_text() == f'# mine\n[virtualenvs]\nin-project = true # yes\n\n[repositories.codeartifact]\nurl = "{UPLOAD}"\n'


def test_poetry_refuses_a_name_with_a_dot(tmp_path):
    project = tmp_path / "lib"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "lib"\n')
    assert "poetry reads a '.'" in fails(2, "poetry", "--name", "team.python", URL, cwd=project)


def test_stale_token_in_pip_index_url_is_removed_and_said(isolated_env):
    conf = pip_conf(isolated_env)
    conf.parent.mkdir(parents=True)
    conf.write_text(f"[global]\nindex-url = {URL.replace('https://', f'https://aws:{STALE}@')}\n")
    out = setup("pip", "--pip", str(BIN / "pip"), "--extra", URL)
    assert pip_config()["global.index-url"] == URL  # the repository stays where it was, token gone
    assert "global.extra-index-url" not in pip_config()
    assert "removed the password" in out and STALE not in out + conf.read_text()


@pytest.mark.parametrize("name", ["x = 1\n[codeartifact]\nendpoint_url = https://evil.example/ #", "-x", "a b", "", "x]", "é"])
def test_a_name_that_is_not_a_plain_word_is_refused_before_any_file(isolated_env, name):
    assert "--name" in fails(2, "twine", f"--name={name}", URL)
    assert list(isolated_env.rglob("*")) == []


@pytest.mark.parametrize("tool", ["pdm", "pipenv", "uv"])
def test_a_bad_name_touches_no_project_file(tmp_path, isolated_env, tool):
    project = tmp_path / "p"
    project.mkdir()
    files = {"pyproject.toml": '[project]\nname = "p"\n', "Pipfile": "[packages]\n"}
    for name, text in files.items():
        (project / name).write_text(text)
    assert "--name" in fails(2, tool, "--name=x]", URL, cwd=project)
    assert {path.name: path.read_text() for path in project.iterdir()} == files
    assert list(isolated_env.rglob("*")) == []


def test_an_unwritable_file_is_one_line(isolated_env):
    isolated_env.joinpath(".config").mkdir()
    # root ignores file modes: a read-only mount is what stops it
    result = run("unshare", "--mount", "sh", "-c",
                 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"',
                 isolated_env, CLI, "setup", "twine", URL)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr.count("\n") == 1 and "cannot write" in result.stderr and ".pypirc" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unreadable_file_is_one_line_and_left_alone(isolated_env):
    pypirc = isolated_env / ".pypirc"
    pypirc.write_bytes(b"# caf\xe9\n[pypi]\nusername = me\n")  # Latin-1, not UTF-8
    assert "cannot read" in fails(1, "twine", URL)
    assert pypirc.read_bytes() == b"# caf\xe9\n[pypi]\nusername = me\n"
    assert not keyringrc(isolated_env).exists()


def test_a_bad_aws_profile_for_domain_is_one_line(isolated_env, monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")
    assert "no-such-profile" in fails(1, "twine", "--domain", "my-team", "--repository", "python")
    assert "no-such-profile" in fails(1, "twine", "--domain", "my-team", "--repository", "python", "--region", "us-east-1")
    assert list(isolated_env.rglob("*")) == []


# -- pdm: a [[tool.pdm.source]] ----------------------------------------------------------


def pdm_project(tmp_path, text='[project]\nname = "app"\nversion = "0.1.0"\n'):
    return project_folder(tmp_path, "app", text)


def test_pdm_source_replaces_pypi_and_keeps_the_rest(tmp_path):
    before = '[project]\nname = "app"  # mine\n\n[tool.pdm]\ndistribution = false\n\n[[tool.pdm.source]]\nname = "other"\nurl = "https://o.example/simple/"\n'
    project = pdm_project(tmp_path, before)
    out = setup("pdm", URL, cwd=project)
    assert f"{project / 'pyproject.toml'}: updated" in out
    pdm = toml(project / "pyproject.toml")["tool"]["pdm"]
    # named pypi: pdm then uses it instead of PyPI; no username, pdm asks keyring with none
    assert pdm["source"] == [{"name": "other", "url": "https://o.example/simple/"}, {"name": "pypi", "url": URL}]
    assert pdm["distribution"] is False
    assert_kept(before, (project / "pyproject.toml").read_text())
    after = (project / "pyproject.toml").read_bytes()
    assert "already set up, unchanged" in setup("pdm", URL, cwd=project)
    assert (project / "pyproject.toml").read_bytes() == after


def test_pdm_extra_source_is_named_and_pypi_stays(tmp_path, isolated_env):
    project = pdm_project(tmp_path)
    setup("pdm", "--extra", "--name", "team", URL, cwd=project)
    assert toml(project / "pyproject.toml")["tool"]["pdm"]["source"] == [{"name": "team", "url": URL}]
    assert ini(keyringrc(isolated_env))["codeartifact-repositories"]["team"] == UPLOAD


def test_pdm_source_with_a_stale_password_loses_it_and_says_so(tmp_path):
    before = f'[project]\nname = "app"\n\n[[tool.pdm.source]]\nname = "pypi"\nurl = "{URL}"\nusername = "aws"\npassword = "{STALE}"\nverify_ssl = true\n'
    project = pdm_project(tmp_path, before)
    out = setup("pdm", URL, cwd=project)
    assert "removed the password of source 'pypi'" in out and STALE not in out
    assert toml(project / "pyproject.toml")["tool"]["pdm"]["source"] == [{"name": "pypi", "url": URL, "verify_ssl": True}]


def test_pdm_dry_run_writes_nothing(tmp_path):
    before = '[project]\nname = "app"\n'
    project = pdm_project(tmp_path, before)
    out = setup("pdm", "--dry-run", URL, cwd=project)
    assert "+[[tool.pdm.source]]" in out and f'+url = "{URL}"' in out
    assert (project / "pyproject.toml").read_text() == before


# -- pipenv: a [[source]] in the Pipfile, and the variable to export ----------------------------

PIPFILE = '# made by pipenv\n[[source]]\nurl = "https://pypi.org/simple"\nverify_ssl = true\nname = "pypi"\n\n[packages]\nrequests = "*"\n'


def pipenv_project(tmp_path, text=PIPFILE):
    project = tmp_path / "app"
    project.mkdir()
    (project / "Pipfile").write_text(text)
    return project


def test_pipenv_source_goes_first_and_the_export_is_printed(tmp_path):
    project = pipenv_project(tmp_path)
    out = setup("pipenv", URL, cwd=project)
    pipfile = toml(project / "Pipfile")
    # the first source is the index pipenv installs from
    assert pipfile["source"] == [
        {"name": "codeartifact", "url": URL, "verify_ssl": True},
        {"url": "https://pypi.org/simple", "verify_ssl": True, "name": "pypi"},
    ]
    assert pipfile["packages"] == {"requests": "*"}
    assert_kept(PIPFILE, (project / "Pipfile").read_text())
    # pipenv reads its provider from the environment only: setup says what to export, exactly
    assert "\nexport PIPENV_KEYRING_PROVIDER=subprocess\n" in out
    after = (project / "Pipfile").read_bytes()
    assert "already set up, unchanged" in setup("pipenv", URL, cwd=project)
    assert (project / "Pipfile").read_bytes() == after


def test_pipenv_extra_source_goes_last(tmp_path):
    project = pipenv_project(tmp_path)
    setup("pipenv", "--extra", URL, cwd=project)
    assert [source["name"] for source in toml(project / "Pipfile")["source"]] == ["pypi", "codeartifact"]


def test_pipenv_source_that_is_not_first_is_updated_where_it_stands_and_said(tmp_path):
    stale = URL.replace("https://", f"https://aws:{STALE}@")
    project = pipenv_project(tmp_path, PIPFILE + f'\n[[source]]\nurl = "{stale}"\nverify_ssl = true\nname = "codeartifact"\n')
    out = setup("pipenv", URL, cwd=project)
    assert [source["url"] for source in toml(project / "Pipfile")["source"]] == ["https://pypi.org/simple", URL]
    assert "is not the first source" in out and "removed the password" in out and STALE not in out


def test_pipenv_extra_source_in_a_pipfile_without_sources_keeps_pypi_first(tmp_path):
    # pipenv reads a Pipfile with no [[source]] as one with PyPI's; one source of ours would replace it
    before = "[packages]\r\nrequests = \"*\"\r\n"
    project = pipenv_project(tmp_path, before)
    setup("pipenv", "--extra", URL, cwd=project)
    pipfile = (project / "Pipfile").read_bytes()
    assert [s["name"] for s in toml(project / "Pipfile")["source"]] == ["pypi", "codeartifact"]
    assert pipfile.startswith(before.encode()) and b"\n" not in pipfile.replace(b"\r\n", b"")
    assert "already set up, unchanged" in setup("pipenv", "--extra", URL, cwd=project)
    assert "is not the first source" in setup("pipenv", URL, cwd=project)  # as the index: it stays, and that is said


def test_a_password_in_a_rejected_url_is_never_echoed():
    result = run(CLI, "setup", "pip", "https://user:S3CRET-pw@example.com/simple/")
    assert result.returncode == 2
    assert "S3CRET" not in result.stdout + result.stderr
    assert "https://example.com/simple/ is not a CodeArtifact repository URL" in result.stderr


# -- a dry run shows no secret of the files it edits (issue 18, item 5) ---------------------

# Each secret sits within a diff's three lines of context of what setup adds.
PLANTED = {
    "pip.conf": "pip-conf-index-password-0001",
    "pip.conf extra": "pip-conf-extra-password-0002",
    "uv.toml": "uv-toml-index-password-0003",
    "pyproject poetry": "pyproject-poetry-password-0004",
    "pyproject pdm": "pyproject-pdm-password-0005",
    "pyproject uv": "pyproject-uv-password-0006",
    "poetry config": "poetry-config-http-basic-0007",
    "poetry pypi-token": "pypi-AgEIcHlwaS5vcmcPLANTED0008",
    "poetry auth": "poetry-auth-http-basic-0009",
    ".pypirc": "pypi-AgEIcHlwaS5vcmcPYPIRC0010",
    "Pipfile": "pipfile-source-password-0011",
    "keyringrc key": "keyringrc-secret-access-key-0012",
    "keyringrc mapping": "keyringrc-mapping-token-0013",
    "keyringrc session": "keyringrc-session-token-0014",
}


def plant_secrets(home, project):
    """Files of every kind setup edits, each holding a secret of its own."""
    s = PLANTED
    files = {
        pip_conf(home): "[global]\ntimeout = 30\n"
        f"index-url = https://me:{s['pip.conf']}@other.example/simple/\n"
        f"extra-index-url =\n    https://me:{s['pip.conf extra']}@extra.example/simple/\n",
        home / ".config" / "uv" / "uv.toml": f'[[index]]\nname = "other"\nurl = "https://me:{s["uv.toml"]}@o.example/simple/"\n',
        project / "pyproject.toml": '[project]\nname = "app"\n\n'
        f'[[tool.poetry.source]]\nname = "other"\nurl = "https://me:{s["pyproject poetry"]}@o.example/simple/"\n\n'
        f'[[tool.uv.index]]\nname = "other"\nurl = "https://me:{s["pyproject uv"]}@o.example/simple/"\n\n'
        f'[[tool.pdm.source]]\nname = "private"\nurl = "https://o.example/simple/"\nusername = "me"\n'
        f'password = "{s["pyproject pdm"]}"\n',
        home / ".config" / "pypoetry" / "config.toml": f'[virtualenvs]\nin-project = true\n\n[pypi-token]\n'
        f'pypi = "{s["poetry pypi-token"]}"\n[http-basic.other]\npassword = "{s["poetry config"]}"\n',
        home / ".config" / "pypoetry" / "auth.toml": f'[http-basic.codeartifact]\nusername = "aws"\npassword = "{s["poetry auth"]}"\n',
        home / ".pypirc": f"[distutils]\nindex-servers =\n    pypi\n\n[pypi]\nusername = __token__\npassword = {s['.pypirc']}\n",
        project / "Pipfile": f'[[source]]\nurl = "https://me:{s["Pipfile"]}@o.example/simple"\nverify_ssl = true\nname = "other"\n',
        keyringrc(home): f"[codeartifact-repositories]\nother = https://aws:{s['keyringrc mapping']}@o.example/pypi/x/\n"
        f"[codeartifact]\naws_secret_access_key = {s['keyringrc key']}\naws_session_token = {s['keyringrc session']}\n"
        "aws_access_key_id = AKIAPLANTEDEXAMPLE01\n",
    }
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return {path: path.read_bytes() for path in files}


@pytest.mark.parametrize("poetry_on_path", [True, False], ids=["poetry-config", "tomlkit"])
def test_a_dry_run_shows_no_secret_of_any_file_it_edits(tmp_path, isolated_env, tools, monkeypatch, poetry_on_path):
    project = tmp_path / "app"
    project.mkdir()
    files = plant_secrets(isolated_env, project)
    monkeypatch.setenv("PATH", f"{tools / 'poetry' / 'bin'}{os.pathsep}{BIN}" if poetry_on_path else str(BIN))
    runs = [("pip", "--pip", str(BIN / "pip"), "--extra"), ("uv",), ("uv", "--project", "--extra"), ("poetry",),
            ("pdm", "--extra"), ("twine",), ("pipenv",)]
    shown = ""
    for args in runs:
        result = run(CLI, "setup", *args, "--dry-run", URL, cwd=project)
        assert result.returncode == 0, result.stdout + result.stderr
        shown += result.stdout + result.stderr
    leaked = [where for where, secret in PLANTED.items() if secret in shown]
    assert leaked == [], leaked
    # the context was there to leak, masked; what setup adds is shown as it is
    for masked in ("    https://****@extra.example/simple/", "url = \"https://****@o.example/simple/\"",
                   'password = "****"', "password = ****", "aws_secret_access_key = ****",
                   "aws_session_token = ****", "other = https://aws:****@o.example/pypi/x/", 'pypi = "****"'):
        assert masked in shown
    for added in (f"+    {URL}", '+keyring-provider = "subprocess"', f'+url = "{URL}"', "+username = aws",
                  f"+codeartifact = {UPLOAD}", f'+publish-url = "{AT_UPLOAD}"', "+keyring-provider = import"):
        assert added in shown
    assert {path: path.read_bytes() for path in files} == files  # and nothing written
