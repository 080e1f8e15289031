"""The recipes of docs/ci.md, run as printed against the stand-ins: the GitHub Actions
workflow (both ways configure-aws-credentials hands over credentials: exported keys, and
AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE), each job on a fresh runner, one token request
per job, no token in any output; and the Dockerfile's RUN lines as a script, the secret at
a temporary path standing for /run/secrets/, no token left in any file the build keeps.

The runner's (or image's) tool installation (`pipx ...`, `pip install keyring
codeartifact-keyring`) is the test environment's own: those lines are checked, not run.
`pip` and `uv` install into a folder of the test (wrappers add --target)."""

import os
import re
import shutil
from pathlib import Path

import pytest

from helpers import ALICE, BIN, ROOT, run
from standin.wheels import make_wheel
from support import BASE_PYTHON, publish

TOOL_INSTALLS = {"pipx install keyring && pipx inject keyring codeartifact-keyring",
                 "pip install --no-cache-dir keyring codeartifact-keyring"}


def recipe(name: str) -> str:
    """The fenced block after ``<!-- recipe: NAME -->`` in docs/ci.md."""
    text = (ROOT / "docs" / "ci.md").read_text()
    [block] = re.findall(rf"<!-- recipe: {name} -->\n```\w+\n(.*?)```", text, re.S)
    return block


def workflow_jobs(text: str) -> dict:
    """job name -> (env, steps: [(kind, text)]) of the workflow, read by indentation
    (this file's shape: jobs at 2 spaces, their keys at 4, env and steps at 6)."""
    jobs: dict = {}
    section, block = None, None
    for line in text.splitlines():
        if block is not None and (line.startswith(" " * 10) or not line.strip()):
            block.append(line[10:])
            continue
        block = None
        if re.fullmatch(r"  [\w-]+:", line):
            env, steps = jobs.setdefault(line.strip()[:-1], ({}, []))
        elif re.fullmatch(r"    (env|steps):", line):
            section = line.strip()[:-1]
        elif section == "env" and re.fullmatch(r"      \w+: \S+", line):
            name, value = line.strip().split(": ", 1)
            env[name] = value
        elif section == "steps" and line.startswith("      - uses: "):
            steps.append(("uses", line.split(": ", 1)[1]))
        elif section == "steps" and line == "      - run: |":
            block = []
            steps.append(("run", block))
        elif section == "steps" and line.startswith("      - run: "):
            steps.append(("run", [line.split(": ", 1)[1]]))
        elif re.fullmatch(r"    \S.*", line):
            section = None
    return {name: (env, [(kind, "\n".join(body) if kind == "run" else body) for kind, body in steps])
            for name, (env, steps) in jobs.items()}


def wrappers(folder: Path, target: Path) -> Path:
    """pip and uv that install into ``target``; pipx that the tool install must not reach."""
    folder.mkdir(parents=True)
    for tool in ("pip", "uv"):
        (folder / tool).write_text(f'#!/bin/sh\nexec "{BIN / tool}" "$@" --target "{target}"\n')
    (folder / "twine").symlink_to(BIN / "twine")
    for path in folder.iterdir():
        path.chmod(0o755)
    return folder


def credentials(mode: str, standin, home: Path, role: str) -> dict:
    """The variables configure-aws-credentials sets, in ``mode``."""
    region = {"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1"}
    if mode == "keys":
        keys = standin.temporary_identity(f"role:{role}")
        return {**region, "AWS_ACCESS_KEY_ID": keys.access_key, "AWS_SECRET_ACCESS_KEY": keys.secret_key,
                "AWS_SESSION_TOKEN": keys.session_token}
    oidc = f"oidc-token-{home.name}"
    standin.web_identity_tokens.add(oidc)
    (home / "web-identity-token").write_text(oidc)
    return {**region, "AWS_ROLE_ARN": role, "AWS_WEB_IDENTITY_TOKEN_FILE": str(home / "web-identity-token")}


def run_job(job, mode: str, standin, runner: Path, monkeypatch) -> list:
    """Run the job's steps on a fresh runner (HOME ``runner``), each in bash as GitHub
    does, with $GITHUB_ENV carried to later steps; the outputs of its steps."""
    env, steps = job
    home = runner / "home"
    home.mkdir(parents=True)
    (runner / "dist").mkdir()
    make_wheel(runner / "dist", "from-ci", "1.0")
    path = wrappers(runner / "bin", runner / "installed")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / ".aws" / "config"))  # a runner has no AWS files
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / ".aws" / "credentials"))
    monkeypatch.setenv("GITHUB_ENV", str(runner / "github_env"))
    monkeypatch.setenv("PATH", f"{path}{os.pathsep}{os.environ['PATH']}")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    outputs = []
    for kind, text in steps:
        if kind == "uses":
            assert text == "aws-actions/configure-aws-credentials@v4"
            role = "arn:aws:iam::111122223333:role/ci-read"
            for name, value in credentials(mode, standin, home, role).items():
                monkeypatch.setenv(name, value)
        elif text in TOOL_INSTALLS:
            continue
        else:
            result = run("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", text, cwd=runner)
            assert result.returncode == 0, result.stdout + result.stderr
            outputs.append(result.stdout + result.stderr)
    return outputs


@pytest.mark.parametrize("mode", ["keys", "web-identity"])
def test_the_github_actions_recipe(mode, e2e, standin, tmp_path, monkeypatch):
    jobs = workflow_jobs(recipe("github-actions"))
    assert list(jobs) == ["test", "publish"]
    publish(e2e, tmp_path, "private-hello")
    monkeypatch.setenv("UV_PYTHON", str(BASE_PYTHON))
    monkeypatch.setenv("UV_NO_CACHE", "1")
    outputs = []
    for number, name in enumerate(jobs):
        before = len(standin.token_requests())
        with monkeypatch.context() as job_environment:
            outputs += run_job(jobs[name], mode, standin, tmp_path / f"runner-{number}", job_environment)
        assert len(standin.token_requests()) == before + 1, f"job {name}: one token request"
    assert (tmp_path / "runner-0" / "installed" / "private_hello" / "__init__.py").exists()
    assert "from_ci-1.0-py3-none-any.whl" in e2e.packages("python")
    assert len(outputs) == 3
    assert not [token for token in standin.issued for text in outputs if token in text]


# -- the Dockerfile ----------------------------------------------------------------------


# The project's own build backend (in the tree: no index needed), which notes what of
# the dependency step's secret it could see.
IN_TREE_BACKEND = """
import os, zipfile
SEEN = {name: os.environ.get(name) for name in ("AWS_SHARED_CREDENTIALS_FILE", "CODEARTIFACT_KEYRING_CACHE_DIR")}
def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    name = "the_app-1.0-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as wheel:
        wheel.writestr("the_app.py", "SEEN = %r\\n" % SEEN)
        wheel.writestr("the_app-1.0.dist-info/METADATA", "Metadata-Version: 2.1\\nName: the-app\\nVersion: 1.0\\n")
        wheel.writestr("the_app-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n")
        wheel.writestr("the_app-1.0.dist-info/RECORD", "")
    return name
"""


def instructions(dockerfile: str) -> list:
    """(instruction, arguments) of each line, continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", dockerfile)
    return [tuple(line.split(" ", 1)) for line in joined.splitlines() if line and not line.startswith("#")]


def test_the_dockerfile_recipe(e2e, standin, tmp_path, monkeypatch):
    publish(e2e, tmp_path, "private-hello")
    context = tmp_path / "context"
    context.mkdir()
    (context / "requirements.txt").write_text("private-hello\n")
    (context / "pyproject.toml").write_text('[build-system]\nrequires = []\nbuild-backend = "backend"\n'
                                           'backend-path = ["."]\n')
    (context / "backend.py").write_text(IN_TREE_BACKEND)
    secrets = tmp_path / "run-secrets"
    secrets.mkdir()
    (secrets / "aws").write_text(f"[default]\naws_access_key_id = {ALICE[1]}\naws_secret_access_key = {ALICE[2]}\n")
    tmpfs = tmp_path / "tmpfs"
    image = tmp_path / "image"  # what the build keeps: the working folder and what pip installed
    path = wrappers(tmp_path / "bin", image / "site-packages")
    (Path(os.environ["HOME"]) / ".aws" / "credentials").unlink()  # the image has no AWS credentials
    monkeypatch.delenv("AWS_SHARED_CREDENTIALS_FILE")  # nor their variables: the default paths, under HOME
    monkeypatch.delenv("AWS_CONFIG_FILE")
    environment, workdir, outputs, steps = [f"export PATH={path}:$PATH"], None, [], []
    for instruction, arguments in instructions(recipe("dockerfile")):
        if instruction == "ENV":
            environment.append(f"export {arguments}")
        elif instruction == "WORKDIR":
            workdir = image / arguments.lstrip("/")
            workdir.mkdir(parents=True)
        elif instruction == "COPY":
            source, _ = arguments.split(" ")
            for item in (context.iterdir() if source == "." else [context / source]):
                shutil.copy(item, workdir)
        elif instruction == "RUN" and arguments in TOOL_INSTALLS:
            continue
        elif instruction == "RUN":
            mounts = re.findall(r"--mount=(\S+) ", arguments)
            command = re.sub(r"--mount=\S+ ", "", arguments)
            steps.append((mounts, command))
            command = command.replace("/run/secrets/", f"{secrets}/").replace("/tmp/codeartifact-keyring", str(tmpfs))
            result = run("sh", "-ec", "\n".join([*environment, command]), cwd=workdir)
            assert result.returncode == 0, result.stdout + result.stderr
            outputs.append(result.stdout + result.stderr)
            shutil.rmtree(tmpfs, ignore_errors=True)  # a tmpfs mount ends with its step
    [(dependency_mounts, _), (project_mounts, project_step)] = steps
    assert "type=secret,id=aws" in dependency_mounts and project_mounts == []
    assert "--no-build-isolation" in project_step
    assert (image / "site-packages" / "private_hello" / "__init__.py").exists()
    built = (image / "site-packages" / "the_app.py").read_text()
    assert built == "SEEN = {'AWS_SHARED_CREDENTIALS_FILE': None, 'CODEARTIFACT_KEYRING_CACHE_DIR': None}\n"
    assert len(standin.token_requests()) == 1
    kept = [p for p in [*image.rglob("*"), *Path(os.environ["HOME"]).rglob("*")] if p.is_file()]
    assert not [p for p in kept for token in standin.issued if token.encode() in p.read_bytes()]
    assert not [token for token in standin.issued for text in outputs if token in text]
