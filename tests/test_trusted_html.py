"""Trusted HTML has one way in.

Four places mark HTML as safe for templates: ``Document.rendered`` and
``Comment.rendered`` (the stored ``html`` column), ``render_markup`` and
``Panel.rendered``. The first three are only as safe as what was written into the
``html`` columns, so every write of those columns, in the core and in every
plugin, must come straight from ``markdown.to_html`` (Markdown, then nh3). The
fourth only accepts auto-escaped templates. These tests hold the code to that, and
send hostile text through each way in.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from workspace.api import Panel
from workspace.extensions import db
from workspace.models import Comment, Document
from workspace.testing import new_document

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [
    path
    for folder in ("workspace", "plugins", "bench")
    for path in sorted((ROOT / folder).rglob("*.py"))
    if "migrations" not in path.parts
]
# Calls whose ``html=`` keyword writes a trusted column: the two models, and the
# ``update(...).values(...)`` of a revision save.
WRITERS = {"Document", "Comment", "values"}


def _is_sanitised(value: ast.expr, sanitised_names: set[str]) -> bool:
    if isinstance(value, ast.Call):
        func = value.func
        return getattr(func, "id", getattr(func, "attr", None)) == "to_html"
    if isinstance(value, ast.Subscript):  # htmls[i], a list made by to_html
        return _is_sanitised(value.value, sanitised_names)
    return isinstance(value, ast.Name) and value.id in sanitised_names


def _sanitised_names(tree: ast.AST) -> set[str]:
    """Names bound to ``to_html(...)`` (or a comprehension of it) in the file."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
            if isinstance(value, ast.ListComp):
                value = value.elt
            if isinstance(target, ast.Name) and _is_sanitised(value, set()):
                names.add(target.id)
    return names


def unsanitised_writes(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    sanitised = _sanitised_names(tree)
    where = path.relative_to(ROOT)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            for keyword in node.keywords:
                if (
                    name in WRITERS
                    and keyword.arg == "html"
                    and not _is_sanitised(keyword.value, sanitised)
                ):
                    found.append(f"{where}:{node.lineno} {name}(html=...) not from to_html")
        elif isinstance(node, ast.Assign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if (
                    isinstance(target, ast.Attribute)
                    and target.attr == "html"
                    and not _is_sanitised(node.value, sanitised)
                ):
                    found.append(f"{where}:{node.lineno} .html = ... not from to_html")
    return found


def test_every_write_of_a_trusted_html_column_comes_from_the_sanitiser():
    assert len(SOURCES) > 80  # the core, the four plugins and the bench
    found = [breach for path in SOURCES for breach in unsanitised_writes(path)]
    assert found == [], "\n".join(found)


@pytest.mark.parametrize(
    "source, breaches",
    [
        ("Document(title=t, html=to_html(body))\n", 0),
        ("html = to_html(body)\nupdate(Document).values(html=html)\n", 0),
        ("Comment(body=b, html=b)\n", 1),
        ("update(Document).values(html=body)\n", 1),
        ("document.html = request.form['body']\n", 1),
        ("document.html = to_html(text)\n", 0),
        ("Document(html=markdown.to_html(x))\n", 0),
    ],
)
def test_the_check_catches_a_raw_write(tmp_path, monkeypatch, source, breaches):
    path = tmp_path / "plugins" / "x" / "views.py"
    path.parent.mkdir(parents=True)
    path.write_text(source)
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    assert len(unsanitised_writes(path)) == breaches


HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)"><a href="javascript:x()">a</a>'


def _inert(html: str) -> bool:
    """None of HOSTILE's three attacks is live markup in ``html``."""
    lowered = html.lower()
    return not any(live in lowered for live in ("<script>", "onerror=", 'href="javascript:'))


def test_hostile_text_is_inert_through_every_way_in(app, client, auth, world):
    auth.login(world.editor.email)
    document_id = new_document(client, body=HOSTILE)
    client.post(f"/docs/{document_id}/comments", data={"body": HOSTILE})
    page = client.get(f"/docs/{document_id}").text
    assert _inert(page)
    with app.app_context():
        document = db.session.get(Document, document_id)
        comment = db.session.query(Comment).filter_by(document_id=document_id).one()
        assert _inert(str(document.rendered)) and _inert(str(comment.rendered))
        assert "alert(1)" not in document.html  # the script's content goes too
    assert _inert(client.post("/docs/preview", data={"body": HOSTILE}).text)


def test_text_a_plugin_hands_a_panel_as_a_plain_string_is_escaped(app):
    """Only ``Panel.rendered`` (auto-escaped templates, see test_plugins) makes
    trusted panel HTML; a plain string is escaped by the dashboard."""
    with app.test_request_context("/"):
        template = app.jinja_env.get_template("_panels.html")
        rendered = template.render(panels=[Panel("Notes", html=HOSTILE)])
    assert "<script>" not in rendered and "&lt;script&gt;" in rendered
