"""Shared documents as people use them: write, edit at the same time, look back."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.conftest import HTMX, PASSWORD
from workspace.extensions import db
from workspace.models import Document, Event, Revision
from workspace.testing import new_document


def edit_form(client, document_id):
    page = client.get(f"/docs/{document_id}/edit").text
    base = re.search(r'id="base" name="base" type="hidden" value="(\d+)"', page).group(1)
    token = re.search(r'id="save_token" name="save_token" type="hidden" value="([^"]+)"', page)
    return {"base": base, "save_token": token.group(1)}


def revisions(app, document_id):
    with app.app_context():
        return db.session.scalars(
            select(Revision.number)
            .where(Revision.document_id == document_id)
            .order_by(Revision.number)
        ).all()


def body_of(app, document_id):
    with app.app_context():
        return db.session.get(Document, document_id).body


@pytest.fixture
def doc(client, auth, world):
    auth.login(world.editor.email)
    return new_document(client, body="".join(f"line {n}\n" for n in range(1, 11)))


def test_create_view_and_list(client, auth, world):
    auth.login(world.editor.email)
    document_id = new_document(client, "Regional situation report", "## Needs\n\n**SMEs** first")
    page = client.get(f"/docs/{document_id}").text
    assert "<h1>Regional situation report</h1>" in page
    assert '<h2 id="h-needs">Needs</h2>' in page and "<strong>SMEs</strong>" in page
    listing = client.get("/docs/?region=burgos").text
    assert "Regional situation report" in listing
    assert "Regional situation report" not in client.get("/docs/?region=pannon").text


def test_new_document_errors_keep_the_text(client, auth, world):
    auth.login(world.editor.email)
    response = client.post("/docs/new", data={"title": " ", "body": "my long text", "region_id": 1})
    assert response.status_code == 422
    assert "This field is required." in response.text
    assert "my long text" in response.text


def test_edit_saves_a_new_revision(app, client, doc):
    form = edit_form(client, doc)
    response = client.post(f"/docs/{doc}/edit", data={**form, "title": "Report", "body": "new"})
    assert response.status_code == 303
    assert "Saved as revision 2." in client.get(f"/docs/{doc}").text
    assert revisions(app, doc) == [1, 2]


def test_double_submit_makes_one_revision(app, client, doc):
    form = {**edit_form(client, doc), "title": "Report", "body": "once"}
    client.post(f"/docs/{doc}/edit", data=form)
    again = client.post(f"/docs/{doc}/edit", data=form)
    assert again.status_code == 303
    assert "This was saved already." in client.get(f"/docs/{doc}").text
    assert revisions(app, doc) == [1, 2]


def test_saving_without_changes_makes_no_revision(app, client, doc):
    form = edit_form(client, doc)
    client.post(
        f"/docs/{doc}/edit", data={**form, "title": "Situation report", "body": body_of(app, doc)}
    )
    assert revisions(app, doc) == [1]


def both_open_then_they_save(app, client, world, doc, old: str, theirs_new: str):
    """The user and the coordinator open the editor; the coordinator saves first.
    Returns the user's form and the body both started from."""
    other = app.test_client()
    other.post("/login", data={"email": world.coordinator.email, "password": PASSWORD})
    mine, theirs = edit_form(client, doc), edit_form(other, doc)
    body = body_of(app, doc)
    other.post(
        f"/docs/{doc}/edit",
        data={**theirs, "title": "Situation report", "body": body.replace(old, theirs_new)},
    )
    return mine, body


def test_concurrent_edits_of_different_lines_merge(app, client, auth, world, doc):
    mine, body = both_open_then_they_save(app, client, world, doc, "line 9", "line 9 (theirs)")
    response = client.post(
        f"/docs/{doc}/edit",
        data={**mine, "title": "Situation report", "body": body.replace("line 2", "line 2 (mine)")},
    )
    assert response.status_code == 303
    page = client.get(f"/docs/{doc}").text
    assert "merged with the changes of Coord" in page
    merged = body_of(app, doc)
    assert "line 2 (mine)" in merged and "line 9 (theirs)" in merged
    assert revisions(app, doc) == [1, 2, 3]


def test_real_conflict_is_409_and_keeps_my_text(app, client, auth, world, doc):
    mine, body = both_open_then_they_save(app, client, world, doc, "line 5", "line five by them")
    my_text = body.replace("line 5", "line 5, my careful wording")
    response = client.post(
        f"/docs/{doc}/edit", data={**mine, "title": "Situation report", "body": my_text}
    )
    assert response.status_code == 409
    assert "Coord changed the same part while you were writing." in response.text
    assert "line 5, my careful wording" in response.text  # still in the editor
    assert "line five by them" in response.text  # what they changed
    assert 'name="base" type="hidden" value="2"' in response.text
    assert revisions(app, doc) == [1, 2]
    # Resolving: the same form, now based on their revision, saves.
    token = re.search(r'name="save_token" type="hidden" value="([^"]+)"', response.text).group(1)
    resolved = my_text.replace("my careful wording", "my careful wording and five")
    done = client.post(
        f"/docs/{doc}/edit",
        data={"base": "2", "save_token": token, "title": "Situation report", "body": resolved},
    )
    assert done.status_code == 303
    assert body_of(app, doc) == resolved
    with app.app_context():
        verbs = db.session.scalars(select(Event.verb).where(Event.target == f"doc:{doc}")).all()
    assert verbs == ["doc_created", "doc_edited", "doc_conflict", "doc_edited"]


def test_history_diff_and_restore(app, client, doc):
    form = edit_form(client, doc)
    client.post(
        f"/docs/{doc}/edit", data={**form, "title": "Situation report", "body": "line 1 changed\n"}
    )
    history = client.get(f"/docs/{doc}/history").text
    assert "Compare" in history and "Restore" in history
    fragment = client.get(f"/docs/{doc}/diff?from=1&to=2", headers=HTMX)
    assert "<html" not in fragment.text
    assert 'class="row-removed"' in fragment.text and "line 1 changed" in fragment.text
    side = client.get(f"/docs/{doc}/diff?from=1&to=2&layout=side").text
    assert "diff-side" in side and "<html" in side
    assert client.get(f"/docs/{doc}/diff?from=1&to=9").status_code == 404
    restored = client.post(f"/docs/{doc}/revisions/1/restore")
    assert restored.status_code == 303
    assert revisions(app, doc) == [1, 2, 3]
    assert body_of(app, doc).startswith("line 1\nline 2\n")
    assert "Revision 1 is restored as revision 3." in client.get(f"/docs/{doc}").text


def test_delete_and_undelete(app, client, doc):
    assert client.post(f"/docs/{doc}/delete").status_code == 303
    assert client.get(f"/docs/{doc}").status_code == 404
    assert "Situation report" in client.get("/docs/?trash=1").text
    assert "Situation report" not in client.get("/docs/").text
    client.post(f"/docs/{doc}/undelete")
    assert client.get(f"/docs/{doc}").status_code == 200


def test_edit_of_a_deleted_document_keeps_the_text(app, client, doc):
    form = edit_form(client, doc)
    client.post(f"/docs/{doc}/delete")
    response = client.post(f"/docs/{doc}/edit", data={**form, "title": "T", "body": "keep me"})
    assert response.status_code == 409
    assert "deleted while you were editing" in response.text
    assert "keep me" in response.text


def test_preview_renders_safe_markdown(client, auth, world):
    auth.login(world.editor.email)
    response = client.post(
        "/docs/preview", data={"body": "**hi** <script>x()</script>"}, headers=HTMX
    )
    assert "<strong>hi</strong>" in response.text and "<script" not in response.text


# ---------------------------------------------------------------- permissions

DOC_ROUTES = [
    ("GET", "/docs/{doc}", "read"),
    ("GET", "/docs/{doc}/history", "read"),
    ("GET", "/docs/{doc}/activity", "read"),
    ("GET", "/docs/{doc}/diff?from=1&to=1", "read"),
    ("GET", "/docs/{doc}/edit", "edit"),
    ("POST", "/docs/{doc}/edit", "edit"),
    ("POST", "/docs/{doc}/revisions/1/restore", "edit"),
    ("POST", "/docs/{doc}/delete", "edit"),
    ("POST", "/docs/{doc}/undelete", "edit"),
]
ALLOWED = {
    "admin": {"read", "edit"},
    "coordinator": {"read", "edit"},
    "editor": {"read", "edit"},
    "stakeholder": {"read"},
    "other": {"read"},
    "outsider": set(),
}


@pytest.mark.parametrize("who", sorted(ALLOWED))
@pytest.mark.parametrize(("method", "path", "needs"), DOC_ROUTES)
def test_document_routes_by_role(app, client, auth, world, doc, who, method, path, needs):
    auth.logout()
    auth.login(getattr(world, who).email)
    data = {"base": "1", "title": "Changed", "body": "changed"} if path.endswith("edit") else {}
    before = (revisions(app, doc), body_of(app, doc))
    response = client.open(path.format(doc=doc), method=method, data=data)
    if needs in ALLOWED[who]:
        assert response.status_code in (200, 303), response.status_code
    else:
        assert response.status_code == 403
        assert (revisions(app, doc), body_of(app, doc)) == before


def test_anonymous_gets_the_login_page(client, doc):
    client.post("/logout")
    assert client.get(f"/docs/{doc}").status_code == 302


def test_stakeholder_cannot_create_documents(client, auth, world):
    auth.login(world.stakeholder.email)
    assert client.get("/docs/new").status_code == 403
    assert "New document" not in client.get("/docs/").text


def test_project_wide_documents_for_the_consortium(app, client, auth, world):
    auth.login(world.editor.email)
    document_id = new_document(client, "Policy recommendations", "text", region="none")
    auth.logout()
    auth.login(world.other.email)
    assert client.get(f"/docs/{document_id}").status_code == 200
    auth.logout()
    auth.login(world.stakeholder.email)
    assert client.get(f"/docs/{document_id}").status_code == 403
    assert "Policy recommendations" not in client.get("/docs/").text


def test_region_dashboard_lists_recent_documents(client, auth, world):
    auth.login(world.stakeholder.email)
    assert "No documents yet." in client.get("/r/burgos/").text
    auth.logout()
    auth.login(world.editor.email)
    document_id = new_document(client, "Stakeholder group meeting notes", "x")
    auth.logout()
    auth.login(world.other.email)  # an editor in Pannon
    new_document(client, "Elsewhere", "y", region="pannon")
    page = client.get("/r/burgos/").text
    recent = page.split('id="recent-title"', 1)[1].split("</article>", 1)[0]
    assert f'href="/docs/{document_id}">Stakeholder group meeting notes</a>' in recent
    assert "Elsewhere" not in recent
