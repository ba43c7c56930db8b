"""The @ picker's answers (issue 16, item 3): who a comment or a text may mention, found
by any word of their name or e-mail local part, accents and case aside; only people who
may read the document (or the region a new document is being written for), never an
e-mail address, and a text to insert that the mentions read back as that very person.
The typing itself is tests/e2e/test_mention_picker_browser.py's."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from workspace.extensions import db
from workspace.mention_picker import LIMIT
from workspace.mentions import mentioned
from workspace.models import Region, User
from workspace.revisions import create
from workspace.testing import new_document, sign_in, switch_on


@pytest.fixture
def doc(app, world) -> int:
    """A document of Burgos, written by the editor."""
    return new_document(sign_in(app, world.editor.email), "Situation report", "text\n")


def offered(client: FlaskClient, url: str, query: str, **args: object) -> list[dict]:
    response = client.get(url, query_string={"q": query, **args})
    assert response.status_code == 200, response.text
    assert response.is_json
    return response.json["people"]


def names(client: FlaskClient, url: str, query: str, **args: object) -> list[str]:
    return [person["name"] for person in offered(client, url, query, **args)]


def region_id(app, slug: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Region.id).where(Region.slug == slug))


def test_people_are_found_by_any_word_of_their_name_or_address_accents_and_case_aside(
    app, make, world, doc
):
    sodebur = make.partner("SODEBUR", world.burgos)
    make.user("lgarcia@sodebur.example", name="Lucía García", partner=sodebur)
    make.user("t.wisniewski@sodebur.example", name="Łukasz Wiśniewski", partner=sodebur)
    editor = sign_in(app, world.editor.email)
    url = f"/docs/{doc}/mentionable"

    lucia = [{"name": "Lucía García", "partner": "SODEBUR", "mention": "@Lucía García"}]
    for query in ("luc", "lucia", "LUCÍA", "garc", "García", "lucia gar", "@luc", "lgar"):
        assert offered(editor, url, query) == lucia, query
    # Ł and ś are typed as l and s; a later word and the address match too.
    for query in ("luk", "wisn", "t.wis", "Wiśniewski"):
        assert names(editor, url, query) == ["Łukasz Wiśniewski"], query
    assert names(editor, url, "Lu") == ["Lucía García", "Łukasz Wiśniewski"]
    # A word's start, not the middle of one.
    assert names(editor, url, "cia") == []
    # The answer shows names, never an address or its domain.
    response = editor.get(f"{url}?q=wi")
    assert [person["name"] for person in response.json["people"]] == ["Łukasz Wiśniewski"]
    assert "sodebur.example" not in response.text and "example.org" not in response.text


def test_the_best_matches_come_first_and_no_more_than_eight(app, make, world, doc):
    sodebur = make.partner("SODEBUR", world.burgos)
    for n in range(LIMIT + 2):
        make.user(f"p{n}@example.org", name=f"Petra Weber {n:02d}", partner=sodebur)
    make.user("a.w@example.org", name="Anna Webster", partner=sodebur)
    make.user("z@example.org", name="Weber Zeta", partner=sodebur)
    editor = sign_in(app, world.editor.email)
    # The name starting so first, then a later word of it, each in the order of the names.
    assert names(editor, f"/docs/{doc}/mentionable", "web") == [
        "Weber Zeta",
        "Anna Webster",
        *(f"Petra Weber {n:02d}" for n in range(LIMIT - 2)),
    ]


def test_only_active_people_who_may_read_the_document_are_offered(app, make, world, doc):
    make.user("olga@example.org", name="Olga Former", partner=None, active=False)
    coordinator = sign_in(app, world.coordinator.email)
    url = f"/docs/{doc}/mentionable"
    # Partner staff read every region; Pannon's external stakeholder does not read Burgos.
    assert names(coordinator, url, "o") == ["Other"]
    assert names(coordinator, url, "outsider") == []
    # Nor is the one asking offered: a mention of oneself tells nobody anything.
    assert names(coordinator, url, "coord") == []
    assert names(coordinator, url, "st") == ["Stake"]

    # A text its module keeps to the region's editors (the fixture plugin's "[private]").
    switch_on(app, "burgos", "fixture")
    with app.app_context():
        burgos = db.session.get(Region, world.burgos.id)
        author = db.session.get(User, world.editor.id)
        private = create("[private] Budget ideas", "", burgos, author, plugin="fixture").id
    url = f"/docs/{private}/mentionable"
    assert names(coordinator, url, "st") == []
    assert names(coordinator, url, "o") == []
    assert names(coordinator, url, "ed") == ["Editor"]


def test_the_text_inserted_mentions_that_person_even_when_a_name_is_shared(app, make, world, doc):
    sodebur = make.partner("SODEBUR", world.burgos)
    make.user("maria.sanz@one.example", name="María Sanz", partner=sodebur)
    make.user("msanz@two.example", name="María  Sanz", partner=sodebur)
    make.user("ines@one.example", name="Inés Gil", partner=sodebur)
    make.user("ines@two.example", name="Inés Gil", partner=sodebur)
    editor = sign_in(app, world.editor.email)
    url = f"/docs/{doc}/mentionable"
    found = offered(editor, url, "maria")
    assert sorted(person["mention"] for person in found) == ["@maria.sanz", "@msanz"]
    # Two Inés Gil, each with the local part "ines": no text could name either.
    assert offered(editor, url, "ines") == []
    coordinator = offered(editor, url, "coo")
    assert coordinator[0]["mention"] == "@Coord"
    with app.app_context():
        for person in [*found, *coordinator]:
            text = f"Thanks {person['mention']} for the figures."
            assert [user.name for user in mentioned(text)] == [person["name"]]


def test_an_empty_question_gets_an_empty_list(app, world, doc):
    editor = sign_in(app, world.editor.email)
    for query in ("", "@", "   ", "-"):
        assert offered(editor, f"/docs/{doc}/mentionable", query) == [], repr(query)
    assert editor.get(f"/docs/{doc}/mentionable").json == {"people": []}


def test_whoever_may_not_comment_on_the_document_is_refused(app, client, world, doc):
    url = f"/docs/{doc}/mentionable?q=e"
    assert client.get(url).status_code == 302  # signed out: to the sign-in page
    assert sign_in(app, world.outsider.email).get(url).status_code == 403
    # Partner staff elsewhere read Burgos's texts but do not comment on them.
    assert sign_in(app, world.other.email).get(url).status_code == 403
    assert sign_in(app, world.stakeholder.email).get(url).status_code == 200
    assert sign_in(app, world.stakeholder.email).get("/docs/9999/mentionable").status_code == 404


def test_a_new_document_offers_who_may_read_the_region_being_chosen(app, world):
    admin = sign_in(app, world.admin.email)
    url = "/docs/new/mentionable"
    burgos, pannon = region_id(app, "burgos"), region_id(app, "pannon")
    assert names(admin, url, "st", region_id=burgos) == ["Stake"]
    assert names(admin, url, "outs", region_id=burgos) == []
    assert names(admin, url, "outs", region_id=pannon) == ["Outsider"]
    # Project-wide ("Whole project" is 0, or nothing chosen): partner staff only.
    assert names(admin, url, "st", region_id=0) == names(admin, url, "st") == []
    assert names(admin, url, "ed", region_id=0) == names(admin, url, "ed") == ["Editor"]
    # Asked by someone who may write there, as the form itself asks.
    editor = sign_in(app, world.editor.email)
    assert names(editor, url, "coo", region_id=burgos) == ["Coord"]
    assert editor.get(f"{url}?region_id={pannon}&q=o").status_code == 403
    for wrong in ("9999", "x", "-1"):
        assert editor.get(f"{url}?region_id={wrong}&q=o").status_code == 404, wrong


def test_the_comment_box_and_both_editors_ask_the_picker(app, world, doc):
    editor = sign_in(app, world.editor.email)
    asks = f'data-mention-url="/docs/{doc}/mentionable"'
    assert asks in editor.get(f"/docs/{doc}").text
    assert asks in editor.get(f"/docs/{doc}/edit").text
    new = editor.get("/docs/new").text
    assert 'data-mention-url="/docs/new/mentionable"' in new
    assert 'data-mention-fields="region_id"' in new and 'name="region_id"' in new
    assert '<script src="/static/js/mention_picker.js" defer></script>' in new
