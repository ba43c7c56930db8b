"""What users type (or a forged request sends) into forms: line breaks in one-line
fields, values that are not among a list's options, NUTS codes."""

from __future__ import annotations

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from plugins.minutes.models import Meeting, Outcome, Participant
from plugins.minutes.tests.test_minutes_meetings import MEETING
from plugins.portfolio.models import Analysis, Practice
from plugins.portfolio.tests.test_portfolio import FIELDS as PRACTICE
from tests.conftest import HTMX
from workspace.extensions import db
from workspace.models import Document, Region, User
from workspace.plugins import host

CHOOSE = "choose one of the listed options"
ONE_LINE = "Keep this on one line: remove the line breaks."


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def modules(app, world, auth):
    with app.app_context():
        for region in db.session.scalars(select(Region)):
            for plugin in ("minutes", "portfolio"):
                host().set_enabled(region, plugin, True, None)
        db.session.commit()
    auth.login(world.admin.email)
    return world


def new_meeting(client, **fields) -> int:
    response = client.post("/r/burgos/minutes/new", data={**MEETING, **fields})
    assert response.status_code == 303, response.text
    return int(response.headers["Location"].rsplit("/", 1)[1])


# ---------------------------------------------------------------- line breaks


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "Partner meeting\non good practices"),
        ("title", "Partner meeting\r\non good practices"),
        ("title", "Partner meeting\ron good practices"),
        ("title", "Partner meeting\u2028on good practices"),
        ("place", "Room 1\nSecond floor"),
        ("online_url", "https://meet.example.org/a\nb"),
    ],
)
def test_a_meeting_field_refuses_line_breaks(app, client, modules, field, value):
    before = count(app, Meeting)
    response = client.post("/r/burgos/minutes/new", data={**MEETING, field: value})
    assert response.status_code == 422
    assert ONE_LINE in response.text
    assert count(app, Meeting) == before


def test_other_control_characters_are_refused_too(app, client, modules):
    response = client.post("/r/burgos/minutes/new", data={**MEETING, "title": "Bell\x07"})
    assert response.status_code == 422
    assert "Remove the invisible control characters" in response.text


def test_an_edited_meeting_and_an_agenda_item_refuse_line_breaks(app, client, modules):
    meeting_id = new_meeting(client)
    base = f"/r/burgos/minutes/meetings/{meeting_id}"
    with app.app_context():
        version = db.session.get(Meeting, meeting_id).version
    edited = client.post(
        f"{base}/edit", data={**MEETING, "title": "Two\nlines", "version": str(version)}
    )
    assert edited.status_code == 422 and ONE_LINE in edited.text
    item = {"title": "CAST\n(ES)", "duration_minutes": "20", "presenter": "", "section": ""}
    added = client.post(f"{base}/agenda", data=item, headers=HTMX)
    assert added.status_code == 422 and ONE_LINE in added.text
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        assert meeting.title == MEETING["title"] and meeting.agenda == []


def test_a_line_break_at_the_end_of_a_title_is_trimmed_not_refused(app, client, modules):
    meeting_id = new_meeting(client, title="Partner meeting\r\n")
    with app.app_context():
        assert db.session.get(Meeting, meeting_id).title == "Partner meeting"


def test_a_stored_title_with_line_breaks_still_exports_to_a_calendar(app, client, modules):
    """A meeting saved before the forms refused line breaks: its .ics (and the region
    feed) still answers, with the breaks as spaces, and parses as iCalendar."""
    meeting_id = new_meeting(client, place="Burgos")
    item = {"title": "CAST", "duration_minutes": "20", "presenter": "", "section": ""}
    base = f"/r/burgos/minutes/meetings/{meeting_id}"
    assert client.post(f"{base}/agenda", data=item, headers=HTMX).status_code == 200
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        meeting.title = "Partner meeting\non good\r\npractices"
        meeting.place = "Room 1\nSecond floor"
        meeting.agenda[0].title = "CAST\n(ES)"
        db.session.commit()
    for url in (f"{base}/meeting.ics", "/r/burgos/minutes/meetings.ics"):
        response = client.get(url)
        assert response.status_code == 200, url
        calendar = Calendar.from_ical(response.data)
        (event,) = calendar.walk("VEVENT")
        assert str(event["summary"]) == "Partner meeting on good practices"
        assert str(event["location"]) == "Room 1 Second floor"
        assert "1. CAST (ES)" in str(event["description"])
        assert "\n" not in str(calendar["x-wr-calname"])
    single = Calendar.from_ical(client.get(f"{base}/meeting.ics").data)
    assert str(single["x-wr-calname"]) == "Partner meeting on good practices"


# ---------------------------------------------------------------- choices


def _participant(app, client, world):
    meeting_id = new_meeting(client)
    url = f"/r/burgos/minutes/meetings/{meeting_id}/participants"
    return lambda value: client.post(url, data={"user_id": value}, headers=HTMX)


def _outcome_owner(app, client, world):
    meeting_id = new_meeting(client)
    base = f"/r/burgos/minutes/meetings/{meeting_id}"
    item = {"title": "CAST", "duration_minutes": "20", "presenter": "", "section": ""}
    assert client.post(f"{base}/agenda", data=item, headers=HTMX).status_code == 200
    with app.app_context():
        item_id = db.session.get(Meeting, meeting_id).agenda[0].id
    p = f"item{item_id}-"
    data = {f"{p}kind": "action", f"{p}text": "Send the slides", f"{p}due_date": "2030-05-01"}
    url = f"{base}/agenda/{item_id}/outcomes"
    return lambda value: client.post(url, data={**data, f"{p}owner_id": value})


def _document_where(app, client, world):
    data = {"title": "Notes", "body": "x"}
    return lambda value: client.post("/docs/new", data={**data, "region_id": value})


def _user_partner(app, client, world):
    data = {"email": "new@example.org", "name": "New Person"}
    return lambda value: client.post("/admin/users/new", data={**data, "partner_id": value})


def _analysis_practices(app, client, world):
    practice_id = int(
        client.post("/r/burgos/portfolio/new", data=PRACTICE).headers["Location"].split("/")[-1]
    )
    data = {"title": "Analysis", "region_id": world.burgos.id}
    url = "/p/portfolio/analyses/new"
    return lambda value: client.post(url, data={**data, "practices": [practice_id, value]})


def _analysis_region(app, client, world):
    return lambda value: client.post(
        "/p/portfolio/analyses/new", data={"title": "Analysis", "region_id": value}
    )


def state(app):
    with app.app_context():
        return [
            db.session.scalar(select(func.count()).select_from(model))
            for model in (Document, User, Analysis, Outcome, Participant)
        ]


@pytest.mark.parametrize(
    "form",
    [
        _participant,
        _outcome_owner,
        _document_where,
        _user_partner,
        _analysis_practices,
        _analysis_region,
    ],
)
@pytest.mark.parametrize("value", ["abc", "١", str(2**63), "-1", ""])
def test_a_value_not_among_the_options_reads_as_a_human_message(app, client, modules, form, value):
    """A forged or stale option value: 422 and a message that says what to do, never
    WTForms' "Invalid Choice: could not coerce." (nor "١" read as 1)."""
    post = form(app, client, modules)
    before = state(app)
    response = post(value)
    assert response.status_code == 422
    assert CHOOSE in response.text
    assert "coerce" not in response.text
    assert state(app) == before


# ---------------------------------------------------------------- NUTS codes


@pytest.mark.parametrize("nuts", ["-5", "H", "1234", "HU23456", "H-23", "HU 23", "HU2_", "ÁB12"])
def test_a_practice_refuses_a_nonsense_nuts_code(app, client, modules, nuts):
    before = count(app, Practice)
    response = client.post("/r/burgos/portfolio/new", data={**PRACTICE, "nuts": nuts})
    assert response.status_code == 422
    assert "A NUTS code is a two-letter country code" in response.text
    assert count(app, Practice) == before


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("HU23", "HU23"),
        ("itc4", "ITC4"),
        ("PL82", "PL82"),
        ("ES41", "ES41"),
        ("LT02", "LT02"),
        ("HU231", "HU231"),
        (" es412 ", "ES412"),
        ("", ""),
    ],
)
def test_a_practice_takes_a_nuts_code(app, client, modules, typed, stored):
    response = client.post("/r/burgos/portfolio/new", data={**PRACTICE, "nuts": typed})
    assert response.status_code == 303, response.text
    practice_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        assert db.session.get(Practice, practice_id).nuts == stored


def test_an_edited_practice_refuses_a_nonsense_nuts_code(app, client, modules):
    response = client.post("/r/burgos/portfolio/new", data=PRACTICE)
    practice_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        version = db.session.get(Practice, practice_id).version
    url = f"/r/burgos/portfolio/{practice_id}/edit"
    edited = client.post(url, data={**PRACTICE, "nuts": "-5", "version": str(version)})
    assert edited.status_code == 422
    assert "A NUTS code is a two-letter country code" in edited.text
    with app.app_context():
        assert db.session.get(Practice, practice_id).nuts == "ES412"
