"""Real pip builds an sdist whose build dependency is private: pip installs it in a child pip
(build isolation), which gets no options from the parent's command line but does get
``PIP_NO_INPUT=1``. The provider reaches the child only from the environment or pip's config."""

import re

import pytest

from helpers import BIN, ROOT, URL, run
from standin.wheels import make_build_backend_wheel, make_sdist
from support import ONE_TOKEN, ok, token_requests

PIP_COMMAND = [BIN / "pip", "install", "--index-url", URL, "--no-input"]


@pytest.fixture
def private_sdist(e2e, tmp_path):
    """needs-private-build 1.0, an sdist built by private-backend, both only in the private index."""
    folder = e2e.root / "python"
    folder.mkdir(parents=True, exist_ok=True)
    make_build_backend_wheel(folder, "private-backend")
    make_sdist(folder, "needs-private-build", "1.0", "private-backend")
    return e2e


def assert_built(result, target):
    ok(result)
    assert (target / "needs_private_build" / "__init__.py").read_text().startswith("MESSAGE = 'built by private-backend'")


@pytest.mark.parametrize("provider", ["import", "subprocess"])
def test_provider_in_the_environment(private_sdist, standin, tmp_path, monkeypatch, provider):
    monkeypatch.setenv("PIP_KEYRING_PROVIDER", provider)
    target = tmp_path / "t"
    assert_built(run(*PIP_COMMAND, "--target", target, "needs-private-build"), target)
    assert token_requests(standin) == ONE_TOKEN  # the child pip used the disk cache


def test_provider_in_pip_config(private_sdist, standin, tmp_path, monkeypatch):
    config = tmp_path / "pip.conf"
    config.write_text("[global]\nkeyring-provider = import\n")
    monkeypatch.setenv("PIP_CONFIG_FILE", str(config))
    target = tmp_path / "t"
    assert_built(run(*PIP_COMMAND, "--target", target, "needs-private-build"), target)
    assert token_requests(standin) == ONE_TOKEN


def test_provider_on_the_command_line_with_in_process_build_dependencies(private_sdist, standin, tmp_path):
    # pip 26.3's --use-feature inprocess-build-deps installs build dependencies without a child pip.
    target = tmp_path / "t"
    result = run(
        *PIP_COMMAND, "--keyring-provider", "import", "--use-feature", "inprocess-build-deps",
        "--target", target, "needs-private-build",
    )
    assert_built(result, target)
    assert token_requests(standin) == ONE_TOKEN


def test_provider_on_the_command_line_does_not_reach_the_child(private_sdist, standin, tmp_path):
    # The trap the README names: the parent finds the sdist; its child meets 401 and no keyring.
    result = run(*PIP_COMMAND, "--keyring-provider", "import", "--target", tmp_path / "t", "needs-private-build")
    assert result.returncode != 0
    assert "private-backend" in result.stdout + result.stderr
    assert token_requests(standin) == ONE_TOKEN  # the parent's lookup only
    assert 401 in [r["status"] for r in private_sdist.requests if "private-backend" in r["path"]]


def readme_ci_recipe() -> str:
    """The README's CI recipe: the shell block that exports PIP_KEYRING_PROVIDER."""
    blocks = re.findall(r"```sh\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    [recipe] = [block for block in blocks if "export PIP_KEYRING_PROVIDER" in block]
    return recipe


def test_the_readme_ci_recipe_builds_private_sdists(private_sdist, standin, tmp_path):
    recipe = readme_ci_recipe()
    project = tmp_path / "project"
    project.mkdir()
    (project / "requirements.txt").write_text("needs-private-build\n")
    # `pip` in the recipe is the test environment's pip, told to install into a folder of this test.
    wrapper = tmp_path / "bin" / "pip"
    wrapper.parent.mkdir()
    target = tmp_path / "t"
    wrapper.write_text(f'#!/bin/sh\nexec "{BIN / "pip"}" "$@" --target "{target}"\n')
    wrapper.chmod(0o755)
    script = f'export PATH="{wrapper.parent}:$PATH"\nset -eu\n{recipe}'
    assert_built(run("bash", "-c", script, cwd=project), target)
    assert token_requests(standin) == ONE_TOKEN
