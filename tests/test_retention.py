"""Records are kept until a date (workspace/retention.py), and nothing in a trash is
deleted for good before it (workspace/purge.py).

The date is the project's end plus five years unless an admin sets another; admins see
and set it on Admin -> Records. On and after it, an admin deletes a record in a trash
for good, with its texts, their revisions, comments and files, and its links. The
tests fix the day with ``TODAY``.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from plugins.minutes.tests.test_minutes_meetings import new_meeting
from tests.test_trash import MAKERS, Made, sign_in
from tests.test_trash import switch_on as switch_modules_on
from workspace import retention
from workspace.extensions import db
from workspace.follows import Follow
from workspace.models import Attachment, Comment, Document, Event, Link, Revision
from workspace.testing import load_demo, new_document

KEPT = "Records are kept until 31 July 2027; nothing can be deleted for good before then."


def set_end(client, end: str = "2022-07-31", until: str = ""):
    return client.post("/admin/records", data={"project_end": end, "records_kept_until": until})


def kept_until(app) -> retention.Retention:
    with app.app_context():
        return retention.current()


# ---------------------------------------------------------------- the date


def test_admins_see_the_date_five_years_after_the_project(app, client, auth, world):
    auth.login(world.admin.email)
    page = client.get("/admin/records").text
    assert "Records kept until: not known yet" in page
    assert "Unknown until an administrator sets the end of the project." in page

    response = set_end(client, "31/07/2022")  # the reader's own way of writing it
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).text
    assert "Saved. Records are kept until 31 July 2027." in page
    assert "Records kept until 31 July 2027" in page
    assert "5 years after the end of the project (31 July 2022)." in page
    assert 'href="/admin/records"' in page  # in the Admin menu
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.verb == "retention_changed"))
        assert event.actor_id == world.admin.id
        assert event.detail["records_kept_until"] == "2027-07-31"

    # Another date, set by hand, wins over the project's end.
    assert set_end(client, "2022-07-31", "2030-12-31").status_code == 303
    page = client.get("/admin/records").text
    assert "Records kept until 31 December 2030" in page and "Set by an administrator." in page


@pytest.mark.parametrize("who", ["coordinator", "editor", "other"])
def test_only_admins_see_or_set_it(app, client, auth, world, who):
    auth.login(getattr(world, who).email)
    assert client.get("/admin/records").status_code == 403
    assert set_end(client).status_code == 403
    assert kept_until(app).until is None
    assert 'href="/admin/records"' not in client.get("/").text


@pytest.mark.parametrize(
    ("end", "until", "message"),
    [
        ("31/02/2022", "", "The date 31/02/2022 is not a day of the calendar."),
        ("next summer", "", "is not a date we can read; write it as"),
        ("2022-07-31", "2021-01-01", "choose a day from 31 July 2022 on"),
        ("", "2030-01-01", "Set the end of the project first"),
    ],
)
def test_bad_dates_are_refused_and_nothing_changes(app, client, auth, world, end, until, message):
    auth.login(world.admin.email)
    assert set_end(client, "2022-07-31").status_code == 303
    response = set_end(client, end, until)
    assert response.status_code == 422
    assert message in response.text
    assert f'value="{end}"' in response.text  # what was typed stays in the field
    assert kept_until(app) == retention.Retention(date(2022, 7, 31), None)


def test_the_demo_ends_the_project_in_july_2022(app):
    load_demo(app)
    with app.test_request_context("/"):
        assert retention.current().until == date(2027, 7, 31)


# ---------------------------------------------------------------- deleting for good


@pytest.fixture
def modules(app, world):
    switch_modules_on(app)
    return world


def _with_comment_and_file(app, document_id: int) -> Path:
    """A comment and an attached file on the record's text; returns the stored file."""
    with app.app_context():
        folder = Path(app.config["STORAGE_PATH"])
        folder.mkdir(parents=True, exist_ok=True)
        stored = folder / f"purge-test-{document_id}"
        stored.write_bytes(b"minutes scan")
        db.session.add(Comment(document_id=document_id, body="A remark.", html="<p>A remark.</p>"))
        db.session.add(
            Attachment(
                document_id=document_id,
                filename="scan.pdf",
                stored_name=stored.name,
                sha256="0" * 64,
                size=12,
            )
        )
        db.session.commit()
    return stored


def _purge_key(client, made: Made) -> str:
    """The admin's "Delete for good" button of the record, on its trash page."""
    page = client.get(made.trash_list).text
    assert "Delete for good" in page and "Empty the trash" in page
    row = page[page.index(made.title) :]
    return re.search(r'name="item" value="([^"]+)"', row).group(1)


def _trashed(app, client, auth, world, kind: str) -> tuple[Made, int, Path]:
    made = MAKERS[kind](app, client, auth, world)
    stored = _with_comment_and_file(app, made.document_id)
    sign_in(auth, world, "coordinator")
    plain = new_document(client, "Situation report", "Nothing about islands.")
    assert client.post(f"/links/doc/{plain}", data={"target": made.ref}).status_code == 200
    sign_in(auth, world, made.trasher)
    assert client.post(made.trash).status_code == 303
    return made, plain, stored


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_nothing_is_deleted_for_good_before_the_date(app, client, auth, modules, kind):
    world = modules
    app.config["TODAY"] = "2027-07-30"
    made, _, stored = _trashed(app, client, auth, world, kind)

    # A trash page loaded once the date had come gave the button...
    sign_in(auth, world, "admin")
    app.config["TODAY"] = "2027-07-31"
    set_end(client, "2022-07-31")
    key = _purge_key(client, made)

    # ...the day before, the page offers none, says why, and the route refuses.
    app.config["TODAY"] = "2027-07-30"
    page = client.get(made.trash_list).text
    assert "Records are kept until 31 Jul 2027" in page and "Delete for good" not in page
    response = client.post("/trash/delete", data={"item": key})
    assert response.status_code == 409 and KEPT in response.text

    # No date known: refused, and the admin is told what is missing.
    set_end(client, "")
    assert "Delete for good" not in client.get(made.trash_list).text
    response = client.post("/trash/delete", data={"item": key})
    assert response.status_code == 409
    assert "an administrator must set the project&#39;s end first" in response.text

    # All of it is still there, and comes back.
    assert stored.exists()
    sign_in(auth, world, made.trasher)
    assert client.post(made.untrash).status_code == 303
    assert client.get(made.page).status_code == 200
    assert client.get(f"/docs/{made.document_id}").status_code == 200


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_after_the_date_a_record_goes_for_good_with_its_texts(app, client, auth, modules, kind):
    world = modules
    app.config["TODAY"] = "2027-07-31"
    made, plain, stored = _trashed(app, client, auth, world, kind)

    # The trash's people other than admins get no such button, and may not post it.
    sign_in(auth, world, made.trasher)
    if made.trasher != "admin":
        assert "Delete for good" not in client.get(made.trash_list).text
    sign_in(auth, world, "admin")
    set_end(client, "2022-07-31")
    key = _purge_key(client, made)
    sign_in(auth, world, "coordinator")
    assert client.post("/trash/delete", data={"item": key}).status_code == 403

    sign_in(auth, world, "admin")
    back = {"Referer": f"http://localhost{made.trash_list}"}  # the page the button is on
    response = client.post("/trash/delete", data={"item": key}, headers=back)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(made.trash_list)
    page = client.get(made.trash_list).text
    assert re.search(f"“[^”]*{made.title}” is deleted for good, with its texts.", page)
    assert f"<strong>{made.title}</strong>" not in page  # its row is gone
    assert client.post(made.untrash).status_code == 404
    assert client.get(f"/docs/{made.document_id}").status_code == 404
    assert not stored.exists()
    with app.app_context():
        assert db.session.get(Document, made.document_id) is None
        for model in (Revision, Comment, Attachment):
            count = select(func.count()).where(model.document_id == made.document_id)
            assert db.session.scalar(count) == 0
        links = select(func.count()).where(Link.source == f"doc:{plain}")
        assert db.session.scalar(links) == 0  # the link to it went with it
        follows = select(func.count()).where(Follow.target == f"doc:{made.document_id}")
        assert db.session.scalar(follows) == 0  # its author followed it: not any more
        event = db.session.scalar(select(Event).where(Event.verb == "deleted_for_good"))
        assert event.target == made.ref and event.actor_id == world.admin.id
    assert made.title not in client.get("/search?q=Zanzibar").text


def test_emptying_the_trash_deletes_every_row_of_the_page(app, client, auth, modules):
    world = modules
    app.config["TODAY"] = "2030-01-01"
    first = MAKERS["meeting"](app, client, auth, world)
    sign_in(auth, world, first.trasher)
    assert client.post(first.trash).status_code == 303
    sign_in(auth, world, "editor")
    draft = new_meeting(client, title="Zanzibar rehearsal")
    assert client.post(f"/r/burgos/minutes/meetings/{draft}/trash").status_code == 303
    sign_in(auth, world, "admin")
    set_end(client, "2022-07-31")
    page = client.get(first.trash_list).text
    form = page[page.index('<footer class="retention">') :]
    keys = re.findall(r'name="item" value="([^"]+)"', form)
    assert len(keys) == 2
    response = client.post("/trash/delete", data={"item": keys}, follow_redirects=True)
    assert response.status_code == 200
    assert "2 records are deleted for good, with their texts." in response.text
    page = client.get(first.trash_list).text
    assert "Zanzibar" not in page and "Empty the trash" not in page
    # Asked again (a second tab): they are gone, so there is nothing to find.
    assert client.post("/trash/delete", data={"item": keys}).status_code == 404
    assert client.post("/trash/delete", data={}).status_code == 400


def test_a_text_given_the_id_of_one_deleted_for_good_is_not_hidden(app, client, auth, modules):
    """The workers keep the ids of the texts in the trash. SQLite gives a deleted
    highest id again: the new meeting's minutes must not inherit the old one's place."""
    world = modules
    app.config["TODAY"] = "2027-07-31"
    made = MAKERS["meeting"](app, client, auth, world)
    sign_in(auth, world, made.trasher)
    assert client.post(made.trash).status_code == 303
    sign_in(auth, world, "admin")
    assert client.get(f"/docs/{made.document_id}").status_code == 404  # the list is kept
    set_end(client, "2022-07-31")
    assert client.post("/trash/delete", data={"item": _purge_key(client, made)}).status_code == 303

    again = MAKERS["meeting"](app, client, auth, world)
    with app.app_context():
        if db.session.get_bind().dialect.name == "sqlite":
            assert again.document_id == made.document_id  # the case this test is about
    sign_in(auth, world, "admin")
    assert client.get(f"/docs/{again.document_id}").status_code == 200
    assert again.title in client.get("/search?q=Zanzibar").text
