"""`codeartifact-keyring setup TOOL`: the files it writes, byte for byte, and that a
second run, a dry run or a name lookup behave as promised. (The end-to-end tests
show the tools then really get in.)"""

import sys

import pytest

from helpers import BIN, URL, run
from keyrings_codeartifact import cache, edits

CLI = BIN / "codeartifact-keyring"
UPLOAD = URL.replace("/simple/", "/")
AT_URL = URL.replace("https://", "https://aws@")


def setup(*args, cwd=None):
    result = run(CLI, "setup", *args, cwd=cwd)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def assert_only_added(before: str, after: str) -> None:
    """Every line of ``before`` is still in ``after``, in order."""
    remaining = iter(after.splitlines())
    assert all(line in remaining for line in before.splitlines())


def test_twine_section_keeps_the_rest_of_pypirc(isolated_env):
    pypirc = isolated_env / ".pypirc"
    before = "# my uploads\n[distutils]\nindex-servers =\n    pypi\n    internal\n\n[internal]\nrepository = https://internal.example/\nusername = me\n"
    pypirc.write_text(before)
    out = setup("twine", URL)
    after = pypirc.read_text()
    assert f"{pypirc}: updated" in out
    assert_only_added(before, after)
    assert edits.ini_get(after, "distutils", "index-servers").split() == ["pypi", "internal", "codeartifact"]
    assert edits.ini_get(after, "codeartifact", "repository") == UPLOAD
    assert edits.ini_get(after, "codeartifact", "username") == "aws"
    assert edits.ini_get(after, "codeartifact", "password") is None
    assert f"{pypirc}: already set up, unchanged" in setup("twine", URL)
    assert pypirc.read_text() == after


def test_dry_run_prints_a_diff_and_writes_nothing(isolated_env):
    out = setup("twine", "--dry-run", URL)
    assert f"+++ {isolated_env / '.pypirc'}" in out and "+username = aws" in out
    assert not (isolated_env / ".pypirc").exists()


def test_pip_user_config(isolated_env):
    out = setup("pip", "--pip", str(BIN / "pip"), URL)
    conf = isolated_env / ".config" / "pip" / "pip.conf"
    assert f"{conf}: updated" in out
    text = conf.read_text()
    # this pip has the backend importable: import provider, no username needed
    assert edits.ini_get(text, "global", "index-url") == URL
    assert edits.ini_get(text, "global", "keyring-provider") == "import"
    assert "already set up, unchanged" in setup("pip", "--pip", str(BIN / "pip"), URL)


def test_pip_extra_index_keeps_existing_ones(isolated_env):
    conf = isolated_env / ".config" / "pip" / "pip.conf"
    conf.parent.mkdir(parents=True)
    conf.write_text("[global]\nextra-index-url = https://other.example/simple/\n")
    setup("pip", "--pip", str(BIN / "pip"), "--extra", URL)
    assert edits.ini_get(conf.read_text(), "global", "extra-index-url").split() == ["https://other.example/simple/", URL]
    assert edits.ini_get(conf.read_text(), "global", "index-url") is None


@pytest.mark.skipif(sys.version_info < (3, 10), reason="pip 26.1 needs Python 3.10+: no tools/pip-26.1 on 3.9")
def test_pip_without_the_backend_uses_the_subprocess_provider_and_user_aws(isolated_env, tools):
    pip = tools / "pip-26.1" / "bin" / "pip"  # no keyring in its environment, before pip 26.2
    setup("pip", "--pip", str(pip), URL)
    text = (isolated_env / ".config" / "pip" / "pip.conf").read_text()
    assert edits.ini_get(text, "global", "keyring-provider") == "subprocess"
    assert edits.ini_get(text, "global", "index-url") == AT_URL


def test_uv_user_config(isolated_env):
    setup("uv", URL)
    text = (isolated_env / ".config" / "uv" / "uv.toml").read_text()
    config = edits.toml_load(text)
    assert config["keyring-provider"] == "subprocess"
    assert config["index"] == [{"name": "codeartifact", "url": AT_URL, "publish-url": UPLOAD.replace("https://", "https://aws@"), "default": True}]
    assert "already set up, unchanged" in setup("uv", URL)


def test_uv_project_keeps_the_rest_of_pyproject(tmp_path):
    project = tmp_path / "app"
    project.mkdir()
    before = '[project]\nname = "app"  # mine\nversion = "1"\n\n[[tool.uv.index]]\nname = "other"\nurl = "https://o/simple/"\n'
    (project / "pyproject.toml").write_text(before)
    setup("uv", "--project", "--extra", URL, cwd=project)
    after = (project / "pyproject.toml").read_text()
    assert_only_added(before, after)
    uv = edits.toml_load(after)["tool"]["uv"]
    assert uv["keyring-provider"] == "subprocess"
    assert [i["name"] for i in uv["index"]] == ["other", "codeartifact"]
    assert "default" not in uv["index"][1]


@pytest.mark.skipif(sys.platform != "linux", reason="checks poetry's Linux config folder (~/.config/pypoetry)")
def test_poetry_source_and_publish_repository(tmp_path, isolated_env):
    project = tmp_path / "lib"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "lib"\nversion = "1"\n')
    setup("poetry", "--priority", "supplemental", URL, cwd=project)
    pyproject = edits.toml_load((project / "pyproject.toml").read_text())
    assert pyproject["tool"]["poetry"]["source"] == [{"name": "codeartifact", "url": URL, "priority": "supplemental"}]
    config = edits.toml_load((isolated_env / ".config" / "pypoetry" / "config.toml").read_text())
    assert config == {"repositories": {"codeartifact": {"url": UPLOAD}}}
    assert "updated" not in setup("poetry", "--priority", "supplemental", URL, cwd=project)


def test_a_changed_url_updates_the_entry_in_place(tmp_path):
    project = tmp_path / "lib"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "lib"\n')
    setup("poetry", URL, cwd=project)
    other = URL.replace("/python/", "/release/")
    setup("poetry", other, cwd=project)
    sources = edits.toml_load((project / "pyproject.toml").read_text())["tool"]["poetry"]["source"]
    assert sources == [{"name": "codeartifact", "url": other, "priority": "primary"}]


def test_url_from_domain_and_repository_via_get_repository_endpoint(standin, isolated_env):
    setup("twine", "--domain", "my-team", "--repository", "python", "--region", "us-east-1")
    assert edits.ini_get((isolated_env / ".pypirc").read_text(), "codeartifact", "repository") == UPLOAD
    setup("twine", "--name", "ds", "--domain", "my-team", "--repository", "python", "--region", "us-east-1", "--endpoint-type", "dualstack")
    dualstack = "https://my-team-111122223333.codeartifact.us-east-1.on.aws/pypi/python/"
    assert edits.ini_get((isolated_env / ".pypirc").read_text(), "ds", "repository") == dualstack
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
    run(CLI, "token", URL)  # a token exists and is cached
    for tool in ("twine", "uv", "poetry"):
        setup(tool, URL, cwd=project)
    setup("pip", "--pip", str(BIN / "pip"), URL)
    cache_folder = cache.folder_for()  # holds the token, as it should
    written = [p for p in list(isolated_env.rglob("*")) + list(project.rglob("*")) if p.is_file() and cache_folder not in p.parents]
    assert len(written) >= 5
    for path in written:
        text = path.read_text(errors="replace")
        assert not any(token in text for token in standin.issued), path


def test_bad_input_is_one_line(isolated_env):
    result = run(CLI, "setup", "twine", "https://pypi.org/simple/")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "is not a CodeArtifact repository URL" in result.stderr
    result = run(CLI, "setup", "poetry", URL, cwd=isolated_env)
    assert result.returncode == 2 and "pyproject.toml does not exist" in result.stderr
    assert run(CLI, "setup", "twine").returncode == 2


def test_pip_site_config_of_another_environment(tmp_path):
    import subprocess
    import sys

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = venv / "bin" / "pip"
    setup("pip", "--site", "--pip", str(pip), URL)
    text = (venv / "pip.conf").read_text()
    assert edits.ini_get(text, "global", "keyring-provider") == "subprocess"  # no backend in that venv
    major, minor = map(int, run(pip, "--version").stdout.split()[1].split(".")[:2])
    expected = URL if (major, minor) >= (26, 2) else AT_URL  # older pip needs the user in the URL
    assert edits.ini_get(text, "global", "index-url") == expected
    assert f"global.index-url='{expected}'" in run(pip, "config", "--site", "list").stdout  # pip reads it
