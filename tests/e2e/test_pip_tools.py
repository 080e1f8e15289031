"""Real pip-compile and pip-sync against the CodeArtifact stand-in, with the provider in pip's
config file and the keyring tool on PATH.

The subprocess provider is the one that survives pip-sync: it uninstalls whatever the
requirements do not list, so a backend installed beside the synced packages (the import
provider) would be gone before pip asks it.
"""

from helpers import run
from support import AT_URL, BASE_PYTHON, ONE_TOKEN, assert_no_token_in, ok, ok_served, publish, token_requests


def test_pip_compile_then_pip_sync(e2e, standin, tools, tmp_path, monkeypatch):
    publish(e2e, tmp_path, "tools-hello", message="for pip-tools")
    config = tmp_path / "pip.conf"
    # aws@: the synced venv's pip is older than 26.2, whose subprocess provider needs the username.
    config.write_text(f"[global]\nindex-url = {AT_URL}\nkeyring-provider = subprocess\n")
    monkeypatch.setenv("PIP_CONFIG_FILE", str(config))
    project = tmp_path / "project"
    project.mkdir()
    (project / "requirements.in").write_text("tools-hello\n")
    bin = tools / "pip-tools" / "bin"

    ok_served(e2e, lambda: run(bin / "pip-compile", "--quiet", "requirements.in", cwd=project))
    assert "tools-hello==1.0" in (project / "requirements.txt").read_text()
    assert_no_token_in(standin, project / "requirements.txt")

    ok(run(BASE_PYTHON, "-m", "venv", project / ".venv"))
    venv_python = project / ".venv" / "bin" / "python"
    ok_served(e2e, lambda: run(bin / "pip-sync", "--python-executable", venv_python, "requirements.txt", cwd=project))
    check = ok(run(venv_python, "-c", "import tools_hello; print(tools_hello.MESSAGE)"))
    assert check.stdout.strip() == "for pip-tools"
    assert token_requests(standin) == ONE_TOKEN
