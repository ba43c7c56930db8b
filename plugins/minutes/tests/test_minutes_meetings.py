"""Meetings of the minutes plugin: planning, the agenda, participants, outcomes, the
states from draft to closed, the partners' approvals, and every mistake a user can make."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from workspace.api import Document, Partner, db
from workspace.testing import HTMX, switch_on

MEETING = {
    "title": "Partner meeting on good practices",
    "kind": "partner",
    "day": "2030-04-15",
    "start": "10:00",
    "end": "12:30",
    "timezone": "Europe/Madrid",
    "place": "",
    "online_url": "https://meet.example.org/good-practices",
}


def switch(app, slug: str, on: bool = True) -> None:
    switch_on(app, slug, "minutes", on)


@pytest.fixture
def minutes_on(app, world):
    switch(app, "burgos")
    switch(app, "pannon")
    return world


def new_meeting(client, region: str | None = "burgos", **fields) -> int:
    """Plan a meeting through the form; returns its id."""
    url = f"/r/{region}/minutes/new" if region else "/p/minutes/new"
    response = client.post(url, data={**MEETING, **fields})
    assert response.status_code == 303, response.text
    return int(response.headers["Location"].split("/")[-1])


def meeting_url(meeting_id: int, region: str | None = "burgos") -> str:
    base = f"/r/{region}/minutes" if region else "/p/minutes"
    return f"{base}/meetings/{meeting_id}"


def load(app, meeting_id: int) -> dict:
    """What is stored about a meeting, read outside any request."""
    from plugins.minutes.models import Meeting

    with app.app_context():
        m = db.session.get(Meeting, meeting_id)
        return {
            "title": m.title,
            "status": m.status.value,
            "version": m.version,
            "starts_at": m.starts_at,
            "ends_at": m.ends_at,
            "agenda": [(i.title, i.duration_minutes, i.position) for i in m.agenda],
            "participants": [p.name for p in m.participants],
            "attended": [p.attended for p in m.participants],
            "outcomes": [(o.kind.value, o.text, o.done_at is not None) for o in m.outcomes],
            "approvals": {a.partner.short_name: a.state.value for a in m.approvals},
            "document": m.minutes_document_id,
        }


def add_item(client, meeting_id: int, title: str, minutes: int = 20, **more) -> None:
    data = {"title": title, "duration_minutes": str(minutes), "presenter": "", "section": ""}
    response = client.post(f"{meeting_url(meeting_id)}/agenda", data={**data, **more}, headers=HTMX)
    assert response.status_code == 200, response.text


def item_ids(app, meeting_id: int) -> list[int]:
    from plugins.minutes.models import Meeting

    with app.app_context():
        return [i.id for i in db.session.get(Meeting, meeting_id).agenda]


def step(client, app, meeting_id: int, to: str, region: str | None = "burgos"):
    version = load(app, meeting_id)["version"]
    return client.post(
        f"{meeting_url(meeting_id, region)}/status", data={"to": to, "version": str(version)}
    )


def close(client, app, meeting_id: int) -> None:
    for to in ("open", "in_progress", "closed"):
        assert step(client, app, meeting_id, to).status_code == 303


# ---------------------------------------------------------------- planning


def test_an_editor_plans_a_meeting_stored_in_utc_with_its_minutes_document(
    app, client, auth, minutes_on
):
    auth.login(minutes_on.editor.email)
    meeting_id = new_meeting(client)
    stored = load(app, meeting_id)
    # 10:00 in Madrid on 15 April (summer time, UTC+2) is 08:00 UTC.
    assert stored["starts_at"] == datetime(2030, 4, 15, 8, 0, tzinfo=UTC)
    assert stored["ends_at"] == datetime(2030, 4, 15, 10, 30, tzinfo=UTC)
    assert stored["status"] == "draft"
    page = client.get(meeting_url(meeting_id)).text
    assert "Partner meeting on good practices" in page
    assert "10:00–12:30 CEST" in page and "Draft" in page
    with app.app_context():
        document = db.session.get(Document, stored["document"])
        assert document.plugin == "minutes" and document.region.slug == "burgos"
    assert f"/docs/{stored['document']}/edit" in page
    # Listed as upcoming, not as past.
    assert "Partner meeting on good practices" in client.get("/r/burgos/minutes/").text
    assert (
        "Partner meeting on good practices" not in client.get("/r/burgos/minutes/?when=past").text
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"end": "09:00"}, "The meeting must end after it starts."),
        ({"day": "2030-02-30"}, "The date 2030-02-30 is not a day of the calendar."),
        ({"day": "04/15/2030"}, "is not a day of the calendar"),
        ({"day": "15/04/30"}, "write it as 15/03/2022 or 2022-03-15"),
        ({"start": "25:00"}, "Enter a time as HH:MM"),
        ({"title": "  "}, "Give the meeting a title."),
        ({"timezone": "Mars/Olympus"}, "Choose a time zone from the list"),
        ({"online_url": "javascript:alert(1)"}, "starting with https://"),
    ],
)
def test_bad_meeting_input_is_refused_with_a_clear_message(
    app, client, auth, minutes_on, fields, message
):
    auth.login(minutes_on.editor.email)
    response = client.post("/r/burgos/minutes/new", data={**MEETING, **fields})
    assert response.status_code == 422
    assert message in response.text
    # The form keeps what the user typed.
    assert 'value="Europe/Madrid"' in response.text or fields.get("timezone")
    from plugins.minutes.models import Meeting

    with app.app_context():
        assert db.session.scalar(select(Meeting.id)) is None


def test_editing_keeps_the_time_zone_and_a_stale_version_is_refused_with_input_kept(
    app, client, auth, minutes_on
):
    auth.login(minutes_on.editor.email)
    meeting_id = new_meeting(client)
    form = client.get(f"{meeting_url(meeting_id)}/edit").text
    assert 'value="2030-04-15"' in form and 'value="10:00"' in form
    version = load(app, meeting_id)["version"]
    # Someone else saves first...
    first = {**MEETING, "title": "Renamed by Lucía", "version": str(version)}
    assert client.post(f"{meeting_url(meeting_id)}/edit", data=first).status_code == 303
    # ...then this form, opened on the same version, is refused and keeps its input.
    mine = {**MEETING, "title": "Renamed by Javier", "place": "Burgos", "version": str(version)}
    response = client.post(f"{meeting_url(meeting_id)}/edit", data=mine)
    assert response.status_code == 409
    assert "Someone else saved this meeting while you were editing it" in response.text
    assert 'value="Renamed by Javier"' in response.text
    assert "Renamed by Lucía" in response.text  # what is saved now, to compare
    assert load(app, meeting_id)["title"] == "Renamed by Lucía"
    # The form now carries the new version: saving again on purpose works.
    new_version = load(app, meeting_id)["version"]
    assert f'value="{new_version}"' in response.text
    again = {**mine, "version": str(new_version)}
    assert client.post(f"{meeting_url(meeting_id)}/edit", data=again).status_code == 303
    assert load(app, meeting_id)["title"] == "Renamed by Javier"


# ---------------------------------------------------------------- agenda


def test_agenda_running_total_warns_when_over_and_moves_by_buttons(app, client, auth, minutes_on):
    auth.login(minutes_on.editor.email)
    meeting_id = new_meeting(client)  # 150 minutes long
    add_item(client, meeting_id, "Welcome", 10, section="Opening", presenter="Lucía García")
    add_item(client, meeting_id, "CAST (ES)", 60, section="Good practices")
    fragment = client.post(
        f"{meeting_url(meeting_id)}/agenda",
        data={"title": "Science and Business (PL)", "duration_minutes": "90"},
        headers=HTMX,
    ).text
    assert fragment.lstrip().startswith('<section id="agenda"')  # only the agenda
    assert "<strong>160</strong> of 150 minutes planned" in fragment
    assert "The agenda runs 10 minutes over the meeting's length." in fragment
    # Start times run along the agenda: 10:00, 10:10, 11:10.
    assert "10:10 · 60 min" in fragment and "11:10 · 90 min" in fragment

    first, second, third = item_ids(app, meeting_id)
    moved = client.post(
        f"{meeting_url(meeting_id)}/agenda/{third}/move", data={"direction": "up"}, headers=HTMX
    )
    assert moved.status_code == 200
    assert moved.text.index("Science and Business") < moved.text.index("CAST (ES)")
    assert [t for t, *_ in load(app, meeting_id)["agenda"]] == [
        "Welcome",
        "Science and Business (PL)",
        "CAST (ES)",
    ]
    # The first item cannot go further up: nothing changes.
    client.post(f"{meeting_url(meeting_id)}/agenda/{first}/move", data={"direction": "up"})
    assert load(app, meeting_id)["agenda"][0][0] == "Welcome"
    # The buttons are labelled for screen readers and keyboard users.
    assert 'aria-label="Move “CAST (ES)” up"' in moved.text


def test_an_agenda_item_without_title_is_refused(app, client, auth, minutes_on):
    auth.login(minutes_on.editor.email)
    meeting_id = new_meeting(client)
    response = client.post(
        f"{meeting_url(meeting_id)}/agenda",
        data={"title": "", "duration_minutes": "15"},
        headers=HTMX,
    )
    assert response.status_code == 422
    assert "Give the agenda item a title." in response.text
    response = client.post(
        f"{meeting_url(meeting_id)}/agenda", data={"title": "Lunch", "duration_minutes": "ten"}
    )
    assert response.status_code == 422
    assert "Enter the length in whole minutes" in response.text
    assert load(app, meeting_id)["agenda"] == []


def test_an_agenda_item_is_edited_in_place(app, client, auth, minutes_on):
    auth.login(minutes_on.editor.email)
    meeting_id = new_meeting(client)
    add_item(client, meeting_id, "CAST", 20)
    (item,) = item_ids(app, meeting_id)
    url = f"{meeting_url(meeting_id)}/agenda/{item}/edit"
    p = f"edit{item}-"
    fields = {f"{p}title": "CAST (ES)", f"{p}duration_minutes": "25", f"{p}presenter": "CEEI"}
    fragment = client.post(url, data=fields, headers=HTMX)
    assert fragment.status_code == 200 and "“CAST (ES)” is saved." in fragment.text
    assert load(app, meeting_id)["agenda"] == [("CAST (ES)", 25, 1)]
    refused = client.post(url, data={**fields, f"{p}title": ""}, headers=HTMX)
    assert refused.status_code == 422
    assert "Give the agenda item a title." in refused.text
    assert load(app, meeting_id)["agenda"] == [("CAST (ES)", 25, 1)]


def test_notes_per_agenda_item(app, client, auth, minutes_on):
    auth.login(minutes_on.editor.email)
    meeting_id = new_meeting(client)
    add_item(client, meeting_id, "CAST (ES)")
    (item,) = item_ids(app, meeting_id)
    response = client.post(
        f"{meeting_url(meeting_id)}/agenda/{item}/notes",
        data={"notes": "Presented by CEEI <b>live</b>"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert "Presented by CEEI &lt;b&gt;live&lt;/b&gt;" in response.text
    assert "Notes on “CAST (ES)” are saved." in response.text


# ---------------------------------------------------------------- participants and outcomes


def test_invite_people_partners_and_guests_and_mark_attendance(app, client, auth, minutes_on):
    auth.login(minutes_on.editor.email)
    meeting_id = new_meeting(client)
    url = f"{meeting_url(meeting_id)}/participants"
    with app.app_context():
        ceei = db.session.scalar(select(Partner.id).where(Partner.short_name == "CEEI-Burgos"))
    assert client.post(url, data={"partner_id": ceei}, headers=HTMX).status_code == 200
    assert client.post(url, data={"user_id": minutes_on.other.id}).status_code == 303
    guest = {"guest_name": "María Sanz", "guest_organisation": "Chamber of Commerce"}
    fragment = client.post(url, data=guest, headers=HTMX).text
    assert "María Sanz" in fragment and "Chamber of Commerce" in fragment
    # Two at once, or nobody, is refused.
    both = client.post(url, data={"partner_id": ceei, "guest_name": "X"}, headers=HTMX)
    assert both.status_code == 422 and "Invite one at a time" in both.text
    assert client.post(url, data={}, headers=HTMX).status_code == 422
    again = client.post(url, data={"partner_id": ceei}, headers=HTMX)
    assert again.status_code == 422 and "They are invited already." in again.text
    assert len(load(app, meeting_id)["participants"]) == 3

    with app.app_context():
        from plugins.minutes.models import Participant

        guest_id = db.session.scalar(
            select(Participant.id).where(Participant.guest_name == "María Sanz")
        )
    fragment = client.post(
        f"{url}/{guest_id}/attendance", data={"attended": "yes"}, headers=HTMX
    ).text
    assert "3 invited · 1 present" in fragment
    assert load(app, meeting_id)["attended"] == [None, None, True]


def test_outcomes_need_a_valid_due_date_and_an_owner_for_action_items(
    app, client, auth, minutes_on
):
    auth.login(minutes_on.editor.email)
    meeting_id = new_meeting(client)
    add_item(client, meeting_id, "CAST (ES)")
    (item,) = item_ids(app, meeting_id)
    url = f"{meeting_url(meeting_id)}/agenda/{item}/outcomes"
    p = f"item{item}-"

    bad_date = {
        f"{p}kind": "action",
        f"{p}text": "Enter CAST in the portfolio",
        f"{p}owner_id": str(minutes_on.editor.id),
        f"{p}due_date": "2030-13-45",
    }
    response = client.post(url, data=bad_date, headers=HTMX)
    assert response.status_code == 422
    assert "The date 2030-13-45 is not a day of the calendar." in response.text
    assert 'value="Enter CAST in the portfolio"' in response.text or (
        "Enter CAST in the portfolio</textarea>" in response.text
    )
    no_owner = {**bad_date, f"{p}owner_id": "0", f"{p}due_date": ""}
    response = client.post(url, data=no_owner, headers=HTMX)
    assert "An action item needs an owner." in response.text
    assert "An action item needs a due date." in response.text
    assert load(app, meeting_id)["outcomes"] == []

    good = {**bad_date, f"{p}due_date": "2030-05-15"}
    assert client.post(url, data=good, headers=HTMX).status_code == 200
    decision = {f"{p}kind": "decision", f"{p}text": "CAST joins the portfolio", f"{p}owner_id": "0"}
    fragment = client.post(url, data=decision, headers=HTMX).text
    assert "CAST joins the portfolio" in fragment and "Decision" in fragment
    assert load(app, meeting_id)["outcomes"] == [
        ("action", "Enter CAST in the portfolio", False),
        ("decision", "CAST joins the portfolio", False),
    ]


# ---------------------------------------------------------------- states and approval


def test_from_draft_to_closed_then_read_only_until_a_coordinator_reopens(
    app, client, auth, minutes_on
):
    auth.login(minutes_on.editor.email)
    meeting_id = new_meeting(client)
    add_item(client, meeting_id, "CAST (ES)")
    # A step that is not the next one is refused.
    assert step(client, app, meeting_id, "closed").status_code == 409
    close(client, app, meeting_id)
    assert load(app, meeting_id)["status"] == "closed"
    page = client.get(meeting_url(meeting_id)).text
    assert "This meeting is closed" in page and "Add an agenda item" not in page

    before = load(app, meeting_id)
    (item,) = item_ids(app, meeting_id)
    for url, data in [
        (f"{meeting_url(meeting_id)}/agenda", {"title": "Late item", "duration_minutes": "5"}),
        (f"{meeting_url(meeting_id)}/agenda/{item}/move", {"direction": "down"}),
        (f"{meeting_url(meeting_id)}/agenda/{item}/notes", {"notes": "changed"}),
        (f"{meeting_url(meeting_id)}/agenda/{item}/delete", {}),
        (f"{meeting_url(meeting_id)}/participants", {"guest_name": "Late guest"}),
        (f"{meeting_url(meeting_id)}/edit", {**MEETING, "title": "Changed"}),
    ]:
        response = client.post(url, data=data, headers=HTMX)
        assert response.status_code == 409, url
        assert "This meeting is closed" in response.text
    assert client.get(f"{meeting_url(meeting_id)}/edit").status_code == 409
    assert load(app, meeting_id) == before

    # An editor may not re-open; the region's coordinator may.
    assert step(client, app, meeting_id, "reopen").status_code == 403
    auth.logout()
    auth.login(minutes_on.coordinator.email)
    assert step(client, app, meeting_id, "reopen").status_code == 303
    assert load(app, meeting_id)["status"] == "in_progress"


def test_a_stale_status_change_is_refused(app, client, auth, minutes_on):
    auth.login(minutes_on.editor.email)
    meeting_id = new_meeting(client)
    version = load(app, meeting_id)["version"]
    assert step(client, app, meeting_id, "open").status_code == 303
    stale = client.post(
        f"{meeting_url(meeting_id)}/status", data={"to": "in_progress", "version": str(version)}
    )
    assert stale.status_code == 409
    assert "Someone else changed this meeting" in stale.text
    assert load(app, meeting_id)["status"] == "open"


def test_participating_partners_approve_or_comment_after_closing(app, client, auth, minutes_on):
    w = minutes_on
    auth.login(w.editor.email)
    meeting_id = new_meeting(client)
    url = f"{meeting_url(meeting_id)}/participants"
    client.post(url, data={"user_id": w.editor.id})  # CEEI-Burgos staff
    client.post(url, data={"user_id": w.other.id})  # Pannon EGTC staff
    approve = {"state": "approved", "comment": ""}
    early = client.post(f"{meeting_url(meeting_id)}/approval", data=approve, headers=HTMX)
    assert early.status_code == 409 and "not closed yet" in early.text
    close(client, app, meeting_id)

    page = client.get(meeting_url(meeting_id)).text
    assert "0 of 2" in page and "Not yet" in page and "For CEEI-Burgos" in page
    comment = {"state": "commented", "comment": ""}
    refused = client.post(f"{meeting_url(meeting_id)}/approval", data=comment, headers=HTMX)
    assert refused.status_code == 422 and "Write the comment" in refused.text
    fragment = client.post(f"{meeting_url(meeting_id)}/approval", data=approve, headers=HTMX).text
    assert "1 of 2" in fragment and "Approved" in fragment
    assert load(app, meeting_id)["approvals"] == {"CEEI-Burgos": "approved"}

    # Staff of the other participating partner answer for theirs.
    auth.logout()
    auth.login(w.other.email)
    commented = {"state": "commented", "comment": "Add the contact person."}
    client.post(f"{meeting_url(meeting_id)}/approval", data=commented)
    assert load(app, meeting_id)["approvals"] == {
        "CEEI-Burgos": "approved",
        "Pannon EGTC": "commented",
    }
    assert "Add the contact person." in client.get(meeting_url(meeting_id)).text

    # The external stakeholder speaks for no partner.
    auth.logout()
    auth.login(w.stakeholder.email)
    page = client.get(meeting_url(meeting_id)).text
    assert "Send our answer" not in page
    response = client.post(f"{meeting_url(meeting_id)}/approval", data=approve)
    assert response.status_code == 403

    # Re-opening withdraws the approvals: the text may change again.
    auth.logout()
    auth.login(w.coordinator.email)
    step(client, app, meeting_id, "reopen")
    assert load(app, meeting_id)["approvals"] == {}


# ---------------------------------------------------------------- project-wide meetings


def test_project_wide_meetings_live_under_the_project(app, client, auth, minutes_on):
    auth.login(minutes_on.editor.email)
    meeting_id = new_meeting(client, region=None, title="2nd interregional meeting")
    assert "2nd interregional meeting" in client.get(meeting_url(meeting_id, None)).text
    assert "2nd interregional meeting" in client.get("/p/minutes/").text
    # The same meeting is not found under a region's address, nor a region's there.
    assert client.get(meeting_url(meeting_id, "burgos")).status_code == 404
    region_meeting = new_meeting(client)
    assert client.get(meeting_url(region_meeting, None)).status_code == 404
    assert client.get(meeting_url(region_meeting, "pannon")).status_code == 404
    # Burgos' meeting shows on the project list as well.
    assert "Partner meeting on good practices" in client.get("/p/minutes/").text
    # An external stakeholder reads no project-wide content.
    auth.logout()
    auth.login(minutes_on.stakeholder.email)
    assert client.get(meeting_url(meeting_id, None)).status_code == 403


def test_the_minutes_of_a_closed_meeting_are_read_only_until_it_reopens(
    app, client, auth, minutes_on
):
    auth.login(minutes_on.editor.email)
    meeting_id = new_meeting(client)
    document_id = load(app, meeting_id)["document"]
    close(client, app, meeting_id)
    form = {"base": "1", "title": "Minutes", "body": "A late rewrite"}
    response = client.post(f"/docs/{document_id}/edit", data=form)
    assert response.status_code == 409
    assert "The meeting is closed" in response.text and "A late rewrite" in response.text
    assert "The meeting is closed" in client.get(f"/docs/{document_id}").text
    auth.logout()
    auth.login(minutes_on.coordinator.email)
    assert step(client, app, meeting_id, "reopen").status_code == 303
    assert client.post(f"/docs/{document_id}/edit", data=form).status_code == 303


@pytest.mark.parametrize("typed", ["15.04.2030", "15/04/2030", "2030. 04. 15."])
def test_a_meeting_day_typed_as_partners_write_it(app, client, auth, minutes_on, typed):
    auth.login(minutes_on.editor.email)
    response = client.post("/r/burgos/minutes/new", data={**MEETING, "day": typed})
    assert response.status_code == 303
    from plugins.minutes.models import Meeting

    with app.app_context():
        meeting = db.session.scalars(select(Meeting)).one()
        assert meeting.local_start.date().isoformat() == "2030-04-15"
