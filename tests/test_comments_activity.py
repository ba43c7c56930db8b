"""Comments beside a document, and the activity streams and audit trail."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.conftest import HTMX
from workspace.extensions import db
from workspace.models import Comment
from workspace.testing import new_document

EVENTS = 'id="events"'


@pytest.fixture
def doc(client, auth, world):
    auth.login(world.editor.email)
    document_id = new_document(client, "Portfolio analysis", "text")
    auth.logout()
    return document_id


def comment_ids(app, document_id):
    with app.app_context():
        return db.session.scalars(
            select(Comment.id).where(Comment.document_id == document_id)
        ).all()


def test_stakeholder_comments_and_the_panel_updates(app, client, auth, world, doc):
    auth.login(world.stakeholder.email)
    page = client.get(f"/docs/{doc}").text
    assert "No comments yet." in page and "Edit</a>" not in page
    response = client.post(
        f"/docs/{doc}/comments", data={"body": "Add **Burgos** data"}, headers=HTMX
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "<strong>Burgos</strong>" in response.text
    assert "1 open" in response.text
    assert "Your comment is added." in response.text  # the message, out-of-band


def test_empty_comment_is_refused(app, client, auth, world, doc):
    auth.login(world.stakeholder.email)
    response = client.post(f"/docs/{doc}/comments", data={"body": "  "}, headers=HTMX)
    assert response.status_code == 422
    assert "Write something first." in response.text
    assert 'aria-invalid="true" aria-describedby="body-msg"' in response.text
    assert comment_ids(app, doc) == []


def test_a_refused_comment_keeps_its_text_in_the_box(client, auth, world, doc):
    auth.login(world.stakeholder.email)
    long_text = "x" * 20_001 + " <b>&amp;</b>"
    response = client.post(f"/docs/{doc}/comments", data={"body": long_text}, headers=HTMX)
    assert response.status_code == 422
    assert "x" * 20_001 + " &lt;b&gt;&amp;amp;&lt;/b&gt;</textarea>" in response.text


def test_comments_are_sanitised(client, auth, world, doc):
    auth.login(world.stakeholder.email)
    response = client.post(
        f"/docs/{doc}/comments",
        data={"body": '<img src=x onerror=alert(1)> <a href="javascript:x()">x</a>'},
    )
    page = client.get(response.headers["Location"]).text
    assert "onerror" not in page and "javascript:x" not in page


def test_resolve_and_reopen(app, client, auth, world, doc):
    auth.login(world.stakeholder.email)
    client.post(f"/docs/{doc}/comments", data={"body": "please check"})
    (comment_id,) = comment_ids(app, doc)
    auth.logout()
    # Another stakeholder-level reader of the region may not settle it...
    auth.login(world.other.email)
    assert client.post(f"/docs/{doc}/comments/{comment_id}/resolve").status_code == 403
    auth.logout()
    # ...an editor may.
    auth.login(world.editor.email)
    resolved = client.post(f"/docs/{doc}/comments/{comment_id}/resolve", headers=HTMX).text
    assert "Resolved by Editor" in resolved and "0 open" in resolved
    reopened = client.post(f"/docs/{doc}/comments/{comment_id}/reopen", headers=HTMX).text
    assert "1 open" in reopened


def test_who_may_comment(client, auth, world, doc):
    for who, status in [("stakeholder", 303), ("editor", 303), ("other", 403), ("outsider", 403)]:
        auth.login(getattr(world, who).email)
        response = client.post(f"/docs/{doc}/comments", data={"body": f"from {who}"})
        assert response.status_code == status, who
        auth.logout()


def test_comment_of_another_document_is_404(app, client, auth, world, doc):
    auth.login(world.editor.email)
    other_doc = new_document(client, "Other", "x")
    client.post(f"/docs/{other_doc}/comments", data={"body": "here"})
    (comment_id,) = comment_ids(app, other_doc)
    assert client.post(f"/docs/{doc}/comments/{comment_id}/resolve").status_code == 404


def test_activity_streams(app, client, auth, world, doc):
    auth.login(world.stakeholder.email)
    client.post(f"/docs/{doc}/comments", data={"body": "x"})
    region = client.get("/r/burgos/activity").text
    assert "Editor" in region and "created" in region and "Portfolio analysis" in region
    assert "commented on" in region
    # Sign-ins are audit only.
    assert "login" not in re.sub(r"<[^>]+>", "", region).lower()
    auth.logout()
    auth.login(world.outsider.email)
    assert client.get("/r/burgos/activity").status_code == 403
    assert "Portfolio analysis" not in client.get("/activity").text
    auth.logout()
    auth.login(world.other.email)
    assert "Portfolio analysis" in client.get("/activity").text


def test_a_documents_own_activity(app, client, auth, world, doc):
    auth.login(world.editor.email)
    client.post(
        f"/docs/{doc}/edit", data={"base": "1", "title": "Portfolio analysis", "body": "v2"}
    )
    other = new_document(client, "Unrelated note", "text")
    client.post(f"/docs/{other}/comments", data={"body": "elsewhere"})
    auth.logout()
    auth.login(world.stakeholder.email)
    client.post(f"/docs/{doc}/comments", data={"body": "looks good"})
    page = client.get(f"/docs/{doc}/activity")
    assert page.status_code == 200
    items = [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", li)).strip()
        for li in re.findall(r"<li>(.*?)</li>", page.text.split(EVENTS)[1], re.S)
    ]
    # Newest first; only this document's events; the revision each edit made.
    stakeholder, editor = world.stakeholder.name, world.editor.name
    assert items[0].startswith(f"{stakeholder} commented on the document")
    assert items[1].startswith(f"{editor} edited the document (revision 2)")
    assert items[2].startswith(f"{editor} created the document")
    assert len(items) == 3
    assert f'href="/docs/{doc}/activity"' in client.get(f"/docs/{doc}/history").text
    auth.logout()
    auth.login(world.outsider.email)
    assert client.get(f"/docs/{doc}/activity").status_code == 403


def test_audit_trail_is_for_admins(client, auth, world, doc):
    auth.login(world.coordinator.email)
    assert client.get("/admin/audit").status_code == 403
    auth.logout()
    auth.login(world.admin.email)
    page = client.get("/admin/audit").text
    assert "login" in page and "doc_created" in page and "permission_refused" in page
