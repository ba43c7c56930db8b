"""Links between documents and plugin objects, shown in both directions."""

from __future__ import annotations

import pytest

from tests.conftest import HTMX
from workspace.testing import new_document


@pytest.fixture
def docs(client, auth, world):
    auth.login(world.editor.email)
    analysis = new_document(client, "Portfolio analysis Burgos", "x")
    report = new_document(client, "Situation report 50%_done", "y")
    return analysis, report


def test_pick_and_link_a_document_both_ways(client, docs):
    analysis, report = docs
    picker = client.get(f"/links/doc/{analysis}/targets?q=situation", headers=HTMX).text
    assert "Situation report 50%_done" in picker and f'value="doc:{report}"' in picker
    assert f'value="doc:{analysis}"' not in picker  # not itself
    panel = client.post(f"/links/doc/{analysis}", data={"target": f"doc:{report}"}, headers=HTMX)
    assert panel.status_code == 200
    assert "Situation report 50%_done" in panel.text
    # The other document shows where it is linked from, with no code of its own.
    page = client.get(f"/docs/{report}").text
    assert "Linked from" in page and "Portfolio analysis Burgos" in page


def test_like_wildcards_in_the_query_are_literal(client, docs):
    analysis, _ = docs
    assert "Situation report" in client.get(f"/links/doc/{analysis}/targets?q=50%25_").text
    assert "Situation report" not in client.get(f"/links/doc/{analysis}/targets?q=5_%25x").text


def test_linking_twice_or_to_nothing(client, docs):
    analysis, report = docs
    client.post(f"/links/doc/{analysis}", data={"target": f"doc:{report}"})
    again = client.post(f"/links/doc/{analysis}", data={"target": f"doc:{report}"}, headers=HTMX)
    assert again.status_code == 200
    assert again.text.count(">Situation report 50%_done</a>") == 1
    assert client.post(f"/links/doc/{analysis}", data={"target": "doc:999"}).status_code == 400
    assert (
        client.post(f"/links/doc/{analysis}", data={"target": f"doc:{analysis}"}).status_code == 400
    )
    assert client.post(f"/links/doc/{analysis}", data={"target": "nothing:x:1"}).status_code == 400


def test_plugin_objects_link_and_show_unavailable_when_switched_off(client, auth, world, docs):
    analysis, _ = docs
    auth.logout()
    auth.login(world.coordinator.email)
    client.post("/r/burgos/plugins/fixture", data={"enabled": "1"})
    picker = client.get(f"/links/doc/{analysis}/targets?q=vouchers").text
    assert "Note on export vouchers" in picker
    client.post(f"/links/doc/{analysis}", data={"target": "fixture:note:1"})
    assert "Note on export vouchers" in client.get(f"/docs/{analysis}").text
    client.post("/r/burgos/plugins/fixture", data={"enabled": "0"})
    page = client.get(f"/docs/{analysis}").text
    assert "Note on export vouchers" not in page
    assert "Unavailable" in page


def test_links_to_unreadable_documents_are_unavailable(app, client, auth, world, docs):
    analysis, _ = docs
    project = new_document(client, "Internal budget note", "z", region="none")
    client.post(f"/links/doc/{analysis}", data={"target": f"doc:{project}"})
    auth.logout()
    auth.login(world.stakeholder.email)  # reads Burgos, not project-wide documents
    page = client.get(f"/docs/{analysis}").text
    assert "Internal budget note" not in page and "Unavailable" in page


def test_who_may_link(client, auth, world, docs):
    analysis, report = docs
    for who in ("stakeholder", "other", "outsider"):
        auth.logout()
        auth.login(getattr(world, who).email)
        assert (
            client.post(f"/links/doc/{analysis}", data={"target": f"doc:{report}"}).status_code
            == 403
        )
        assert client.get(f"/links/doc/{analysis}/targets?q=s").status_code == 403


def test_remove_a_link(app, client, docs):
    analysis, report = docs
    client.post(f"/links/doc/{analysis}", data={"target": f"doc:{report}"})
    from sqlalchemy import select

    from workspace.extensions import db
    from workspace.models import Link

    with app.app_context():
        link_id = db.session.scalar(select(Link.id))
    panel = client.post(f"/links/doc/{analysis}/{link_id}/remove", headers=HTMX).text
    assert "Nothing linked yet." in panel
    assert client.post(f"/links/doc/{report}/{link_id}/remove").status_code == 404
