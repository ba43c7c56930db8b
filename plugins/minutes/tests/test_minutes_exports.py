"""The minutes' files: the .ics of a meeting and of a region, the PDF of the minutes,
and the plugin's part of the region export."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

import pytest
from icalendar import Calendar
from pypdf import PdfReader
from sqlalchemy import select

from workspace.api import Document, db
from workspace.testing import HTMX

from .test_minutes_meetings import add_item, item_ids, meeting_url, minutes_on, new_meeting, switch

__all__ = ["minutes_on"]  # the fixture, shared with the meeting tests


@pytest.fixture
def meeting(app, client, auth, minutes_on):
    """A Burgos meeting with an agenda, a decision, an action item and minutes text."""
    auth.login(minutes_on.editor.email)
    meeting_id = new_meeting(client)
    add_item(client, meeting_id, "Welcome by the host", 10, presenter="Lucía García")
    add_item(client, meeting_id, "CAST (ES)", 20, section="Good practices")
    _, cast = item_ids(app, meeting_id)
    p = f"item{cast}-"
    outcomes = f"{meeting_url(meeting_id)}/agenda/{cast}/outcomes"
    decision = {f"{p}kind": "decision", f"{p}text": "CAST joins the portfolio", f"{p}owner_id": "0"}
    client.post(outcomes, data=decision, headers=HTMX)
    action = {
        f"{p}kind": "action",
        f"{p}text": "Describe CAST in the portfolio",
        f"{p}owner_id": str(minutes_on.editor.id),
        f"{p}due_date": "2030-05-15",
    }
    client.post(outcomes, data=action, headers=HTMX)
    client.post(
        f"{meeting_url(meeting_id)}/participants",
        data={"guest_name": "María Sanz", "guest_organisation": "Chamber of Commerce"},
    )
    from plugins.minutes.models import Meeting

    with app.app_context():
        document = db.session.get(Document, db.session.get(Meeting, meeting_id).minutes_document_id)
        document_id, head = document.id, document.head
    client.post(
        f"/docs/{document_id}/edit",
        data={
            "title": "Minutes",
            "body": "## Summary\n\nThe partners agreed on the portfolio.",
            "base": str(head),
        },
    )
    return meeting_id


def test_the_ics_of_a_meeting_has_the_right_times(client, meeting):
    response = client.get(f"{meeting_url(meeting)}/meeting.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Partner meeting on good practices"
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    # Held in Madrid at 10:00 summer time: 08:00 UTC; the zone itself travels along.
    assert start.astimezone(UTC) == datetime(2030, 4, 15, 8, 0, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2030, 4, 15, 10, 30, tzinfo=UTC)
    assert event["DTSTART"].params["TZID"] == "Europe/Madrid"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Madrid"]
    assert "CAST (ES)" in str(event["DESCRIPTION"])
    assert str(event["LOCATION"]) == "https://meet.example.org/good-practices"


def test_the_region_feed_holds_the_region_meetings_only(app, client, meeting, minutes_on):
    client.post(
        "/r/burgos/minutes/new",
        data={
            "title": "Stakeholder group, Burgos",
            "kind": "stakeholder_group",
            "day": "2030-11-03",
            "start": "17:00",
            "end": "19:00",
            "timezone": "Europe/Madrid",
            "place": "Burgos",
        },
    )
    feed = Calendar.from_ical(client.get("/r/burgos/minutes/meetings.ics").data)
    events = {str(e["SUMMARY"]): e for e in feed.walk("VEVENT")}
    assert set(events) == {"Partner meeting on good practices", "Stakeholder group, Burgos"}
    # Winter time in November: 17:00 in Madrid is 16:00 UTC.
    assert events["Stakeholder group, Burgos"].decoded("DTSTART").astimezone(UTC) == datetime(
        2030, 11, 3, 16, 0, tzinfo=UTC
    )
    pannon = Calendar.from_ical(client.get("/r/pannon/minutes/meetings.ics").data)
    assert pannon.walk("VEVENT") == []


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_pdf_of_the_minutes_holds_agenda_attendance_text_and_decisions(client, meeting):
    response = client.get(f"{meeting_url(meeting)}/minutes.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    text = pdf_text(response.data)
    for expected in [
        "Minutes: Partner meeting on good practices",
        "Welcome by the host",
        "CAST (ES)",
        "María Sanz",
        "The partners agreed on the portfolio.",
        "CAST joins the portfolio",
        "Describe CAST in the portfolio",
    ]:
        assert expected in text, expected


def test_the_region_export_carries_the_meetings_and_action_items(client, meeting):
    response = client.get("/r/burgos/export.zip")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = archive.namelist()
    assert "minutes/meetings.ics" in names and "minutes/action-items.csv" in names
    calendar = Calendar.from_ical(archive.read("minutes/meetings.ics"))
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == [
        "Partner meeting on good practices"
    ]
    rows = archive.read("minutes/action-items.csv").decode("utf-8-sig").splitlines()
    assert rows[0].startswith("meeting,meeting date,agenda item,action,owner,due date,status")
    assert "Describe CAST in the portfolio" in rows[1] and "2030-05-15,open" in rows[1]
    # The decision is not an action item.
    assert len(rows) == 2


def test_the_export_leaves_out_a_switched_off_plugin(app, client, meeting):
    switch(app, "burgos", on=False)
    archive = zipfile.ZipFile(io.BytesIO(client.get("/r/burgos/export.zip").data))
    assert not any(name.startswith("minutes/") for name in archive.namelist())
    with app.app_context():
        from plugins.minutes.models import Meeting

        assert db.session.scalar(select(Meeting.id)) == meeting  # nothing was deleted
