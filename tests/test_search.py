"""Search as you type: documents, comments and plugin results, within permissions."""

from __future__ import annotations

import pytest

from tests.conftest import HTMX
from tests.test_documents import edit_form
from workspace.testing import new_document


@pytest.fixture
def docs(client, auth, world):
    auth.login(world.editor.email)
    burgos = new_document(client, "Internationalisation of SMEs", "Export coaching in Klaipėda")
    project = new_document(client, "Policy recommendations", "Cross-border vouchers", "none")
    client.post(f"/docs/{burgos}/comments", data={"body": "Add the Rzeszów trade fair data"})
    auth.logout()
    return burgos, project


def results(client, query):
    response = client.get("/search", query_string={"q": query}, headers=HTMX)
    assert response.status_code == 200
    assert "<html" not in response.text
    # Only the results: a pending message may come along out-of-band.
    return response.text.split('<section id="results"', 1)[1].split("</section>", 1)[0]


def test_finds_titles_bodies_and_comments_as_you_type(client, auth, world, docs):
    auth.login(world.other.email)
    assert "Internationalisation of SMEs" in results(client, "internat")  # a prefix
    assert "Internationalisation of SMEs" in results(client, "klaipeda")  # without accents
    hit = results(client, "rzeszow trade")
    assert "Comment" in hit and "#comment-" in hit
    assert "Policy recommendations" in results(client, "vouchers")


def test_results_respect_permissions(client, auth, world, docs):
    auth.login(world.outsider.email)
    assert "Internationalisation" not in results(client, "export")
    assert "Policy recommendations" not in results(client, "vouchers")
    auth.logout()
    auth.login(world.stakeholder.email)
    assert "Internationalisation" in results(client, "export")
    assert "Policy recommendations" not in results(client, "vouchers")


def test_edits_and_deletes_update_the_index(app, client, auth, world, docs):
    burgos, _ = docs
    auth.login(world.editor.email)
    form = edit_form(client, burgos)
    client.post(
        f"/docs/{burgos}/edit",
        data={**form, "title": "Internationalisation of SMEs", "body": "Matchmaking events"},
    )
    assert "Internationalisation" not in results(client, "coaching")
    assert "Internationalisation" in results(client, "matchmaking")
    client.post(f"/docs/{burgos}/delete")
    assert "Internationalisation" not in results(client, "matchmaking")
    client.post(f"/docs/{burgos}/undelete")
    assert "Internationalisation" in results(client, "matchmaking")


@pytest.mark.parametrize(
    "query", ['"', "NEAR(", "a OR", "*", "(", "title:x", "'; DROP TABLE document; --", "x" * 500]
)
def test_odd_queries_are_harmless(client, auth, world, docs, query):
    auth.login(world.editor.email)
    assert client.get("/search", query_string={"q": query}).status_code == 200


def test_plugin_results_come_through_the_hook(client, auth, world, docs):
    auth.login(world.coordinator.email)
    client.post("/r/burgos/plugins/fixture", data={"enabled": "1"})
    assert "Fixture note" in results(client, "fixture")


def test_full_page_search(client, auth, world, docs):
    auth.login(world.editor.email)
    page = client.get("/search?q=export").text
    assert "<html" in page and "Internationalisation of SMEs" in page


def test_title_matches_come_first_then_the_newest(client, auth, world):
    auth.login(world.editor.email)
    new_document(client, "Vouchers for SMEs", "Older text")
    new_document(client, "Trade fair report", "It mentions vouchers in passing")
    new_document(client, "Coaching notes", "Vouchers again, the newest mention")
    found = results(client, "vouchers")
    order = [
        found.index(title) for title in ("Vouchers for SMEs", "Coaching notes", "Trade fair report")
    ]
    assert order == sorted(order)
