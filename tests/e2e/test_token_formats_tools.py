"""Real uv, twine and pip use what `codeartifact-keyring token URL --format ...` wrote,
with no keyring anywhere on PATH: the jobs that cannot run this backend."""

from helpers import BIN, URL, run
from standin.wheels import make_wheel
from support import UPLOAD_URL, ok_served, publish

CLI = BIN / "codeartifact-keyring"


def exported(path) -> dict:
    return dict(line.split("=", 1) for line in path.read_text().splitlines())


def test_uv_twine_and_pip_use_what_it_wrote_without_keyring(e2e, standin, tmp_path, monkeypatch):
    publish(e2e, tmp_path, "from-vars")
    written = tmp_path / "vars"
    written.mkdir()
    for form, name in (("uv-env", "uv.env"), ("twine-env", "twine.env"), ("netrc", "netrc")):
        assert run(CLI, "token", URL, "--format", form, "--name", "private", "--output", written / name).returncode == 0
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # no keyring anywhere: the tools have only what was written
    for name, value in exported(written / "uv.env").items():
        monkeypatch.setenv(name, value)
    ok_served(e2e, lambda: run(BIN / "uv", "pip", "install", "--no-cache", "--target", tmp_path / "u",
                               "--python", BIN / "python", "--default-index", f"private={URL}", "from-vars"))
    for name, value in exported(written / "twine.env").items():
        monkeypatch.setenv(name, value)
    wheel = make_wheel(tmp_path / "dist", "twine-vars", "1.0")
    ok_served(e2e, lambda: run(BIN / "twine", "upload", "--non-interactive", "--repository-url", UPLOAD_URL, wheel))
    monkeypatch.setenv("NETRC", str(written / "netrc"))
    ok_served(e2e, lambda: run(BIN / "pip", "install", "--index-url", URL, "--no-input", "--keyring-provider",
                               "disabled", "--target", tmp_path / "p", "twine-vars"))
    assert len(standin.token_requests()) == 1
