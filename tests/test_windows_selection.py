"""Which test modules Windows runs: those whose `pytestmark` line carries the windows
marker, decided from each module's text, so the others are never imported there."""

import importlib
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
MODULES = sorted(path for path in TESTS.rglob("test_*.py") if "e2e" not in path.relative_to(TESTS).parts)


def module_name(path: Path) -> str:
    """The name pytest imports the module under: its stem, or package.stem inside a package (tests/standin)."""
    return f"{path.parent.name}.{path.stem}" if (path.parent / "__init__.py").exists() else path.stem


@pytest.fixture
def conftest(request):
    """tests/conftest.py as pytest loaded it (`import conftest` may find tests/e2e's)."""
    [module] = [plugin for plugin in request.config.pluginmanager.get_plugins()
                if Path(getattr(plugin, "__file__", None) or "-").resolve() == TESTS / "conftest.py"]
    return module


def carries_windows_marker(module) -> bool:
    """What pytest itself applies to the module's tests (its `pytestmark`)."""
    marks = getattr(module, "pytestmark", [])
    marks = marks if isinstance(marks, list) else [marks]
    return any(mark.name == "windows" for mark in marks)


@pytest.mark.parametrize("path", MODULES, ids=[str(path.relative_to(TESTS)) for path in MODULES])
def test_the_text_rule_agrees_with_the_marker_pytest_applies(conftest, path, monkeypatch):
    if not (path.parent / "__init__.py").exists():
        monkeypatch.syspath_prepend(str(path.parent))  # as pytest's prepend import mode does
    assert conftest.marked_for_windows(path) == carries_windows_marker(importlib.import_module(module_name(path)))


def test_on_windows_only_marked_modules_are_collected_and_never_e2e(conftest, monkeypatch):
    monkeypatch.setattr(sys, "platform", "win32")
    folders = {path.parent for path in MODULES}
    assert all(conftest.pytest_ignore_collect(folder) is None for folder in folders)  # every folder but e2e is entered
    collected = {path.name for path in MODULES if not conftest.pytest_ignore_collect(path)}
    assert collected == {path.name for path in MODULES if conftest.marked_for_windows(path)}
    assert {"test_endpoint.py", "test_settings.py"} <= collected
    assert "test_cache_safety.py" not in collected  # POSIX modes and a folder under /tmp
    assert conftest.pytest_ignore_collect(TESTS / "e2e") is True
    assert conftest.pytest_ignore_collect(TESTS / "helpers.py") is None


def test_elsewhere_every_module_is_collected(conftest, monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")
    assert all(conftest.pytest_ignore_collect(path) is None for path in [*MODULES, TESTS / "e2e", TESTS / "lookup"])


@pytest.mark.parametrize(("line", "marked"), [
    ("pytestmark = pytest.mark.windows", True),
    ("pytestmark = [pytest.mark.prints_secrets, pytest.mark.windows]", True),
    ("pytestmark = pytest.mark.prints_secrets", False),
    ("pytestmark = pytest.mark.windowsless", False),
    ("# pytestmark = pytest.mark.windows", False),
    ("    pytestmark = pytest.mark.windows  # not at module level", False),
    ("marks = pytest.mark.windows", False),
])
def test_the_marker_line_is_read_exactly(conftest, tmp_path, line, marked):
    path = tmp_path / "test_x.py"
    path.write_text(f'"""A module."""\n\nimport pytest\n\n{line}\n')
    assert conftest.marked_for_windows(path) is marked
