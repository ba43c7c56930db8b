"""The import contract: a plugin imports ``workspace.api`` and no other core module,
and never another plugin (demo modules and migrations included). Its tests, in its
own ``tests`` package, may import ``workspace.testing`` too, and nothing of the
workspace's repository that is not installed with it (the core's ``tests``).

Plugins written against the API keep working while the core moves its modules
around; a plugin that reaches into ``workspace.documents`` or ``plugins.minutes``
breaks the day either changes, and this test says so first.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import workspace.api

PLUGINS = Path(__file__).resolve().parent.parent / "plugins"
# What a plugin's own tests may import besides the API: the shipped pytest fixtures.
TEST_ONLY = {"workspace.testing"}
# Top-level modules of the repository that are not installed: the core's tests, the
# benchmark, the WSGI entry. A plugin elsewhere has none of them.
NOT_INSTALLED = {"tests", "bench", "wsgi"}


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, module) for each import in ``path``; ``from workspace import x`` counts
    as ``workspace.x``, relative imports as what they resolve to."""
    package = ".".join(path.relative_to(PLUGINS.parent).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            if module in {"workspace", "plugins"}:
                found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, module))
    return found


def breaches(path: Path) -> list[str]:
    own = path.relative_to(PLUGINS).parts[0]
    is_test = "tests" in path.relative_to(PLUGINS).parts[1:-1]
    found = []
    for line, module in imported_modules(path):
        top = module.split(".")[0]
        if top == "workspace":
            allowed = module == "workspace.api" or (is_test and module in TEST_ONLY)
            if not allowed:
                found.append(f"{path.relative_to(PLUGINS.parent)}:{line} imports {module}")
        elif top == "plugins":
            parts = module.split(".")
            if len(parts) < 2 or parts[1] != own:
                found.append(f"{path.relative_to(PLUGINS.parent)}:{line} imports {module}")
        elif top in NOT_INSTALLED:
            found.append(f"{path.relative_to(PLUGINS.parent)}:{line} imports {module}")
    return found


PLUGIN_FILES = sorted(PLUGINS.rglob("*.py"))


def test_every_plugin_file_is_checked():
    names = {path.relative_to(PLUGINS).parts[0] for path in PLUGIN_FILES}
    assert {"minutes", "portfolio", "action_plans", "budget"} <= names
    assert any(path.parent.name == "migrations" for path in PLUGIN_FILES)
    assert any(path.name == "demo.py" for path in PLUGIN_FILES)
    # Each built-in plugin's own tests, conftest included.
    tests = {
        path.relative_to(PLUGINS).parts[0]
        for path in PLUGIN_FILES
        if "tests" in path.relative_to(PLUGINS).parts
    }
    assert {"minutes", "portfolio", "action_plans", "budget"} <= tests
    assert any(path.name == "conftest.py" for path in PLUGIN_FILES)


def test_plugins_import_only_the_api_and_never_each_other():
    found = [breach for path in PLUGIN_FILES for breach in breaches(path)]
    assert found == [], "\n".join(found)


@pytest.mark.parametrize(
    "source, expected",
    [
        ("from workspace.api import db\n", []),
        ("from workspace import api\n", []),
        ("from workspace.models import Document\n", ["imports workspace.models"]),
        ("from workspace import demo\n", ["imports workspace.demo"]),
        ("import workspace.models\n", ["imports workspace.models"]),
        ("from plugins.minutes.models import Meeting\n", ["imports plugins.minutes.models"]),
        ("from plugins.budget import ledger\n", []),
        ("from .models import Entry\n", []),
        ("from .. import minutes\n", ["imports plugins.minutes"]),
        ("def f():\n    from plugins.portfolio.models import Practice\n", ["imports plugins"]),
        # The test fixtures are for tests only; the core's tests are not installed.
        ("from workspace.testing import HTMX\n", ["imports workspace.testing"]),
        ("from tests.conftest import HTMX\n", ["imports tests.conftest"]),
    ],
)
def test_the_check_catches_what_it_must(tmp_path, monkeypatch, source, expected):
    assert_breaches(tmp_path, monkeypatch, "plugins/budget/module.py", source, expected)


@pytest.mark.parametrize(
    "source, expected",
    [
        ("from workspace.api import db\n", []),
        ("from workspace.testing import HTMX, switch_on\n", []),
        ("from workspace import testing\n", []),
        ("import pytest\nfrom openpyxl import load_workbook\n", []),
        ("from plugins.budget.models import Expenditure\n", []),
        ("from plugins.budget.tests.test_views import figure\n", []),
        ("from .test_views import figure\n", []),
        ("from ..models import Expenditure\n", []),
        ("from workspace.testing_hostile import CORPUS\n", ["imports workspace.testing_hostile"]),
        ("from workspace.plugins import host\n", ["imports workspace.plugins"]),
        ("from workspace import demo, testing\n", ["imports workspace.demo"]),
        ("from tests.conftest import HTMX\n", ["imports tests.conftest"]),
        ("from tests import test_documents\n", ["imports tests"]),
        ("import tests.hostile\n", ["imports tests.hostile"]),
        ("from plugins.minutes.tests.test_meetings import MEETING\n", ["imports plugins.minutes"]),
        ("from ...minutes import models\n", ["imports plugins.minutes"]),
        ("def f():\n    from plugins.portfolio.tests import helpers\n", ["imports plugins"]),
    ],
)
def test_the_check_holds_a_plugins_tests_to_the_api_and_the_fixtures(
    tmp_path, monkeypatch, source, expected
):
    assert_breaches(tmp_path, monkeypatch, "plugins/budget/tests/test_x.py", source, expected)


def assert_breaches(tmp_path, monkeypatch, name: str, source: str, expected: list[str]) -> None:
    path = tmp_path / name
    path.parent.mkdir(parents=True)
    path.write_text(source)
    monkeypatch.setattr(f"{__name__}.PLUGINS", tmp_path / "plugins")
    found = breaches(path)
    assert len(found) == len(expected), found
    for breach, fragment in zip(found, expected, strict=True):
        assert fragment in breach


def test_the_api_names_what_it_exports():
    missing = [name for name in workspace.api.__all__ if not hasattr(workspace.api, name)]
    assert missing == []


def core_imports() -> dict[str, set[str]]:
    """Core module -> the core modules it imports (at the top or inside a function)."""
    core = PLUGINS.parent / "workspace"
    names = {path.stem for path in core.glob("*.py")}
    graph = {}
    for path in core.glob("*.py"):
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                found |= (
                    {node.module.split(".")[0]} if node.module else {a.name for a in node.names}
                )
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("workspace."):
                found.add(node.module.split(".")[1])
        graph[path.stem] = {name for name in found if name in names and name != path.stem}
    return graph


def test_the_core_has_no_import_circles():
    """documents, comments, attachments and links once imported each other (inside
    functions, to get by): the gate (``access``) and the page (``document_page``)
    now stand apart, and no module of the core waits for one that waits for it."""
    graph = core_imports()
    assert graph["comments"] & {"documents", "document_page", "comment_views"} == set()
    circles = []
    for start in graph:
        seen, todo = set(), [(start, [start])]
        while todo:
            module, path = todo.pop()
            for following in graph[module]:
                if following == start:
                    circles.append(" -> ".join([*path, start]))
                elif following not in seen:
                    seen.add(following)
                    todo.append((following, [*path, following]))
    assert circles == []
