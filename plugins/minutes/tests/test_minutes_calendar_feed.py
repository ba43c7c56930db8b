"""The minutes in the calendar feeds of the account page: a person's own feed (the
meetings they are invited to, their open action items on their due dates) and a
region's feed (its meetings), as a calendar app reads them without a session."""

from __future__ import annotations

import re
from datetime import date

import pytest
from icalendar import Calendar
from sqlalchemy import select

from workspace.api import db
from workspace.testing import HTMX, sign_in

from .test_minutes_meetings import add_item, item_ids, meeting_url, minutes_on, new_meeting, switch
from .test_minutes_workflow import cancel

__all__ = ["minutes_on"]  # the fixture, shared with the meeting tests

MINE = "Your meetings and action items"
BURGOS = "Meetings of Castilla y León"
_ADDRESS = re.compile(r"<dt>([^<]+)</dt>\s*<dd[^>]*><output>http://localhost([^<]+)</output>")


def addresses(client) -> dict[str, str]:
    """The signed-in person's feeds (what -> path), from the account page's button."""
    response = client.post("/account/calendar")
    assert response.status_code == 200
    return dict(_ADDRESS.findall(response.text))


def feed(app, path: str) -> dict[str, object]:
    """The events of a feed by summary, read as a calendar app does: no cookie."""
    response = app.test_client().get(path)
    assert response.status_code == 200, response.text
    return {str(e["SUMMARY"]): e for e in Calendar.from_ical(response.data).walk("VEVENT")}


def invite(client, meeting_id: int, user_id: int, region: str = "burgos") -> None:
    response = client.post(
        f"{meeting_url(meeting_id, region)}/participants", data={"user_id": str(user_id)}
    )
    assert response.status_code in (200, 303), response.text


def add_action(client, app, meeting_id: int, text: str, owner_id: int, due: str) -> None:
    item = item_ids(app, meeting_id)[0]
    p = f"item{item}-"
    response = client.post(
        f"{meeting_url(meeting_id)}/agenda/{item}/outcomes",
        data={
            f"{p}kind": "action",
            f"{p}text": text,
            f"{p}owner_id": str(owner_id),
            f"{p}due_date": due,
        },
        headers=HTMX,
    )
    assert response.status_code == 200, response.text


@pytest.fixture
def meetings(app, minutes_on):
    """In Burgos: the editor's meeting (with an action of theirs and one of the
    coordinator's) and a steering group they are not invited to; in Pannon, a visit
    the editor is invited to."""
    world = minutes_on
    editor = sign_in(app, world.editor.email)
    mine = new_meeting(editor, title="Partner meeting on good practices")
    add_item(editor, mine, "CAST (ES)")
    invite(editor, mine, world.editor.id)
    add_action(editor, app, mine, "Describe CAST in the portfolio", world.editor.id, "2030-05-15")
    add_action(editor, app, mine, "Book the room", world.coordinator.id, "2030-05-20")
    steering = new_meeting(editor, title="Steering group")
    admin = sign_in(app, world.admin.email)
    visit = new_meeting(admin, "pannon", title="Thematic visit to Pécs")
    invite(admin, visit, world.editor.id, "pannon")
    return {"mine": mine, "steering": steering, "visit": visit, "editor": editor}


def test_my_feed_holds_my_meetings_and_my_open_action_items(app, meetings):
    mine = feed(app, addresses(meetings["editor"])[MINE])
    assert sorted(mine) == [
        "Action: Describe CAST in the portfolio (due)",
        "Partner meeting on good practices",
        "Thematic visit to Pécs",
    ]
    meeting = mine["Partner meeting on good practices"]
    assert meeting["DTSTART"].params["TZID"] == "Europe/Madrid"
    assert str(meeting["URL"]).endswith(meeting_url(meetings["mine"]))
    assert "CAST (ES)" in str(meeting["DESCRIPTION"])
    action = mine["Action: Describe CAST in the portfolio (due)"]
    assert action.decoded("DTSTART") == date(2030, 5, 15)  # an all-day entry
    assert str(action["URL"]) == str(meeting["URL"])
    # The same UID as the meeting's own .ics: a calendar app updates, not duplicates.
    single = Calendar.from_ical(
        meetings["editor"].get(f"{meeting_url(meetings['mine'])}/meeting.ics").data
    )
    assert single.walk("VEVENT")[0]["UID"] == meeting["UID"]


def test_an_invited_organisation_brings_the_meeting_to_its_staff(app, meetings, minutes_on):
    lead = minutes_on.other.partner_id  # Pannon EGTC, the other's employer
    response = meetings["editor"].post(
        f"{meeting_url(meetings['steering'])}/participants", data={"partner_id": str(lead)}
    )
    assert response.status_code in (200, 303)
    other = feed(app, addresses(sign_in(app, minutes_on.other.email))[MINE])
    assert sorted(other) == ["Steering group"]
    assert "Steering group" not in feed(app, addresses(meetings["editor"])[MINE])


def test_a_done_action_item_leaves_the_feed(app, meetings):
    from plugins.minutes.models import Outcome

    with app.app_context():
        outcome_id = db.session.scalar(
            select(Outcome.id).where(Outcome.text == "Describe CAST in the portfolio")
        )
    editor = meetings["editor"]
    done = editor.post(f"{meeting_url(meetings['mine'])}/outcomes/{outcome_id}/settle")
    assert done.status_code == 303
    assert not any(s.startswith("Action:") for s in feed(app, addresses(editor)[MINE]))


def test_the_region_feed_holds_the_region_meetings(app, meetings):
    burgos = feed(app, addresses(meetings["editor"])[BURGOS])
    assert sorted(burgos) == ["Partner meeting on good practices", "Steering group"]


def test_minutes_switched_off_in_a_region_leave_its_feeds(app, meetings):
    found = addresses(meetings["editor"])
    switch(app, "burgos", on=False)
    assert sorted(feed(app, found[MINE])) == ["Thematic visit to Pécs"]
    assert feed(app, found[BURGOS]) == {}


def test_a_meeting_the_person_may_not_read_is_absent(app, meetings, minutes_on):
    """The outsider (an external stakeholder of Pannon) was invited to the Burgos
    meeting, say while a member there: it stays out of their feed."""
    from plugins.minutes.models import Participant

    with app.app_context():
        for meeting_id in (meetings["mine"], meetings["visit"]):
            db.session.add(Participant(meeting_id=meeting_id, user_id=minutes_on.outsider.id))
        db.session.commit()
    outsider = addresses(sign_in(app, minutes_on.outsider.email))
    assert BURGOS not in outsider
    assert sorted(feed(app, outsider[MINE])) == ["Thematic visit to Pécs"]


def test_a_cancelled_meeting_says_so_and_a_trashed_one_is_gone(app, meetings):
    editor = meetings["editor"]
    assert cancel(editor, app, meetings["mine"], reason="Moved online").status_code == 303
    found = addresses(editor)
    event = feed(app, found[MINE])["Cancelled: Partner meeting on good practices"]
    assert str(event["STATUS"]) == "CANCELLED"
    assert "Cancelled. Moved online" in str(event["DESCRIPTION"])
    # Nobody's task any more, as for the reminders.
    assert not any(s.startswith("Action:") for s in feed(app, found[MINE]))
    assert editor.post(f"{meeting_url(meetings['steering'])}/trash").status_code == 303
    assert sorted(feed(app, found[BURGOS])) == ["Cancelled: Partner meeting on good practices"]


def test_the_meetings_page_points_to_the_account_page(client, auth, minutes_on):
    auth.login(minutes_on.editor.email)
    page = client.get("/r/burgos/minutes/").text
    assert 'Subscribe in your calendar app: see <a href="/account#calendar">' in page
