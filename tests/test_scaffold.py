"""``flask --app workspace plugins new NAME``: the plugin it writes keeps the plugin
contract, lints clean, and passes its own tests outside the repository."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests import test_import_contract as contract
from workspace.i18n import LANGUAGES
from workspace.scaffold import core_head

NAME = "webinars"
PACKAGE = f"workspace_{NAME}"
EXPECTED = [
    "README.md",
    "pyproject.toml",
    "tests/conftest.py",
    f"tests/test_{NAME}.py",
    f"{PACKAGE}/__init__.py",
    f"{PACKAGE}/forms.py",
    f"{PACKAGE}/migrations/{NAME}_0001_items.py",
    f"{PACKAGE}/models.py",
    f"{PACKAGE}/templates/{NAME}/_panel.html",
    f"{PACKAGE}/templates/{NAME}/index.html",
    f"{PACKAGE}/views.py",
    *(
        f"{PACKAGE}/translations/{code}/LC_MESSAGES/messages.po"
        for code in LANGUAGES
        if code != "en"
    ),
]


def contract_breaches(root: Path, monkeypatch) -> list[str]:
    """The import contract of tests/test_import_contract.py, for a plugin outside the
    repository: ``workspace.api`` only (and ``workspace.testing`` in its tests), no
    module of ``plugins``."""
    # ``imported_modules`` resolves relative imports from the folder above PLUGINS.
    monkeypatch.setattr(contract, "PLUGINS", root / "plugins")
    found = []
    for path in sorted(root.rglob("*.py")):
        is_test = path.relative_to(root).parts[0] == "tests"
        for line, module in contract.imported_modules(path):
            top = module.split(".")[0]
            allowed = module == "workspace.api" or (is_test and module in contract.TEST_ONLY)
            if top == "plugins" or (top == "workspace" and not allowed):
                found.append(f"{path.relative_to(root)}:{line} imports {module}")
    return found


def new_plugin(runner, folder: Path, name: str = NAME):
    return runner.invoke(args=["plugins", "new", name, "--path", str(folder)])


def test_a_new_plugin_keeps_the_contract_and_passes_its_own_tests(runner, tmp_path, monkeypatch):
    result = new_plugin(runner, tmp_path)
    assert result.exit_code == 0, result.output
    target = tmp_path / NAME
    written = sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file())
    assert written == sorted(EXPECTED)
    for path in EXPECTED:
        assert f"  {path}\n" in result.output
    for step in (f"pip install -e {target}", "db upgrade heads", f"plugins enable {NAME}"):
        assert step in result.output
    assert "pytest" in result.output

    files = {path: (target / path).read_text() for path in EXPECTED}
    assert not [path for path, text in files.items() if re.search(r"__[A-Z][A-Z_]*__", text)]
    assert f'{NAME} = "{PACKAGE}"' in files["pyproject.toml"]
    assert '"interventures-workspace"' in files["pyproject.toml"]
    migration = files[f"{PACKAGE}/migrations/{NAME}_0001_items.py"]
    assert f'branch_labels = ("{NAME}",)' in migration
    assert "down_revision = None" in migration
    assert f'depends_on = "{core_head()}"' in migration
    assert f'"EXTRA_PLUGINS": ["{PACKAGE}"]' in files["tests/conftest.py"]
    assert '{% extends "base.html" %}' in files[f"{PACKAGE}/templates/{NAME}/index.html"]

    assert contract_breaches(target, monkeypatch) == []
    # The check sees a breach when there is one.
    (target / PACKAGE / "breach.py").write_text("from workspace.models import Region\n")
    assert contract_breaches(target, monkeypatch) == [
        f"{PACKAGE}/breach.py:1 imports workspace.models"
    ]
    (target / PACKAGE / "breach.py").unlink()

    for check in (["check"], ["format", "--check"]):
        lint = subprocess.run(
            [sys.executable, "-m", "ruff", *check, "--no-cache", "."],
            cwd=target,
            capture_output=True,
            text=True,
            check=False,
        )
        assert lint.returncode == 0, lint.stdout + lint.stderr

    # Its own tests, as its author runs them: outside this repository, with the
    # workspace's fixtures (workspace.testing) and the same database server.
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(target / "tests")],
        cwd=target,
        env={**os.environ, "PYTHONPATH": str(target)},
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "6 passed" in tests.stdout, tests.stdout

    # Its catalogs: complete but for its own name, which its author translates.
    check = subprocess.run(
        [sys.executable, "-m", "workspace.catalogs", "check", str(target / PACKAGE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 1
    problems = [line for line in check.stdout.splitlines() if "messages.po" in line]
    assert len(problems) == len(LANGUAGES) - 1, check.stdout
    assert all("fuzzy" in line and "'Webinars'" in line for line in problems), check.stdout


@pytest.mark.parametrize(
    "name, reason",
    [
        ("Webinars", "lower-case Python identifier"),
        ("site-visits", "lower-case Python identifier"),
        ("2030_goals", "lower-case Python identifier"),
        ("class", "lower-case Python identifier"),
        ("members", "the core's own pages use it"),
        ("doc", "starts the core's own references"),
        ("search", "the core's pages has that name"),
        ("minutes", "a plugin of that name is installed"),
        ("fixture", "a plugin of that name is installed"),
    ],
)
def test_a_name_that_cannot_be_a_plugin_is_refused(runner, tmp_path, name, reason):
    folder = tmp_path / "plugins"
    result = new_plugin(runner, folder, name)
    assert result.exit_code != 0
    assert reason in result.output
    assert not folder.exists()


def test_an_existing_folder_is_left_alone(runner, tmp_path):
    (tmp_path / NAME).mkdir()
    (tmp_path / NAME / "notes.txt").write_text("mine")
    result = new_plugin(runner, tmp_path)
    assert result.exit_code != 0
    assert "exists already" in result.output
    assert [p.name for p in (tmp_path / NAME).iterdir()] == ["notes.txt"]
