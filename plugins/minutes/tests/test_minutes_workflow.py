"""Gaps a new user met in the meeting workflow: cancelling a meeting (and restoring it),
inviting only people who can open the meeting, "Mine" for external stakeholders, and
the approval box following the invitations without a reload."""

from __future__ import annotations

import re

from icalendar import Calendar
from sqlalchemy import select

from workspace.api import Event, db
from workspace.testing import HTMX, sign_in

from .test_minutes_meetings import (
    add_item,
    close,
    item_ids,
    load,
    meeting_url,
    minutes_on,
    new_meeting,
    step,
)

__all__ = ["minutes_on"]


def cancel(client, app, meeting_id: int, reason: str = "", region: str | None = "burgos"):
    version = load(app, meeting_id)["version"]
    return client.post(
        f"{meeting_url(meeting_id, region)}/cancel",
        data={"version": str(version), "reason": reason},
    )


def restore(client, app, meeting_id: int):
    version = load(app, meeting_id)["version"]
    return client.post(f"{meeting_url(meeting_id)}/restore", data={"version": str(version)})


def events(app, verb: str) -> list[Event]:
    with app.app_context():
        rows = db.session.scalars(select(Event).where(Event.verb == verb)).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def ics_event(client, url: str):
    response = client.get(url)
    assert response.status_code == 200
    (event,) = Calendar.from_ical(response.data).walk("VEVENT")
    return event


def select_options(page: str, name: str) -> list[str]:
    """The labels of a <select name=...> on a page."""
    match = re.search(rf'<select[^>]*name="{re.escape(name)}"[^>]*>(.*?)</select>', page, re.S)
    assert match, name
    return re.findall(r"<option[^>]*>([^<]*)</option>", match.group(1))


# ---------------------------------------------------------------- a. cancelling


def test_a_cancelled_meeting_stays_listed_marked_and_its_calendar_entry_says_so(app, minutes_on):
    editor = sign_in(app, minutes_on.editor.email)
    meeting_id = new_meeting(editor)
    add_item(editor, meeting_id, "Welcome")
    assert step(editor, app, meeting_id, "open").status_code == 303
    url = meeting_url(meeting_id)

    page = editor.get(url).text
    assert "Cancel the meeting" in page
    response = cancel(editor, app, meeting_id, reason="Moved online: see the new meeting")
    assert response.status_code == 303
    page = editor.get(url).text
    assert 'class="badge status-cancelled">Cancelled</span>' in page
    assert "Moved online: see the new meeting" in page and "by Editor" in page
    # Nothing on the page invites a change any more.
    for gone in ("Edit details", "Add to the agenda", "Start the meeting", "Cancel the meeting"):
        assert gone not in page, gone

    # Still in the list of upcoming meetings, marked cancelled.
    listing = editor.get("/r/burgos/minutes/").text
    assert "Partner meeting on good practices" in listing
    assert 'class="cancelled"' in listing and "status-cancelled" in listing

    # Calendars: the meeting's own file and the region feed both say CANCELLED.
    event = ics_event(editor, f"{url}/meeting.ics")
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["SUMMARY"]) == "Cancelled: Partner meeting on good practices"
    assert "Moved online" in str(event["DESCRIPTION"])
    assert int(event["SEQUENCE"]) == load(app, meeting_id)["version"]
    assert str(ics_event(editor, "/r/burgos/minutes/meetings.ics")["STATUS"]) == "CANCELLED"

    # Recorded, with the reason, and shown in the region's activity.
    (event,) = events(app, "meeting_cancelled")
    assert event.detail["reason"] == "Moved online: see the new meeting"
    assert event.target == f"minutes:meeting:{meeting_id}"
    assert "cancelled the meeting" in editor.get("/r/burgos/activity").text


def test_a_cancelled_meeting_takes_no_changes(app, minutes_on):
    editor = sign_in(app, minutes_on.editor.email)
    meeting_id = new_meeting(editor)
    add_item(editor, meeting_id, "Welcome")
    (item,) = item_ids(app, meeting_id)
    p = f"item{item}-"
    editor.post(
        f"{meeting_url(meeting_id)}/agenda/{item}/outcomes",
        data={
            f"{p}kind": "action",
            f"{p}text": "Send the slides",
            f"{p}owner_id": str(minutes_on.editor.id),
            f"{p}due_date": "2030-05-01",
        },
    )
    assert cancel(editor, app, meeting_id).status_code == 303
    before = load(app, meeting_id)
    m = meeting_url(meeting_id)
    with app.app_context():
        from plugins.minutes.models import Outcome

        outcome = db.session.scalar(select(Outcome.id))
    version = str(before["version"])
    attempts = [
        ("get", f"{m}/edit", {}),
        ("post", f"{m}/edit", {"title": "Renamed", "version": version}),
        ("post", f"{m}/agenda", {"title": "Lunch", "duration_minutes": "30"}),
        ("post", f"{m}/agenda/{item}/notes", {"notes": "x"}),
        ("post", f"{m}/agenda/{item}/delete", {}),
        ("post", f"{m}/participants", {"guest_name": "Ana Ruiz"}),
        ("post", f"{m}/outcomes/{outcome}/settle", {"done": "1"}),
        ("post", f"{m}/outcomes/{outcome}/delete", {}),
        ("post", f"{m}/status", {"to": "open", "version": version}),
        ("post", f"{m}/cancel", {"version": version}),
    ]
    for method, url, data in attempts:
        response = getattr(editor, method)(url, data=data, headers=HTMX)
        assert response.status_code == 409, (url, response.status_code)
        assert "cancelled" in response.text, url
    assert load(app, meeting_id) == before


def test_only_a_coordinator_restores_a_cancelled_meeting_as_it_was(app, minutes_on):
    editor = sign_in(app, minutes_on.editor.email)
    meeting_id = new_meeting(editor)
    assert step(editor, app, meeting_id, "open").status_code == 303
    assert cancel(editor, app, meeting_id).status_code == 303
    assert "Restore the meeting" not in editor.get(meeting_url(meeting_id)).text
    assert restore(editor, app, meeting_id).status_code == 403

    coordinator = sign_in(app, minutes_on.coordinator.email)
    assert "Restore the meeting" in coordinator.get(meeting_url(meeting_id)).text
    assert restore(coordinator, app, meeting_id).status_code == 303
    page = coordinator.get(meeting_url(meeting_id)).text
    assert "no longer cancelled: it is open" in page
    assert 'status-open">Open</span>' in page and "status-cancelled" not in page
    assert str(ics_event(editor, f"{meeting_url(meeting_id)}/meeting.ics")["STATUS"]) == (
        "CONFIRMED"
    )
    # It takes changes again.
    add_item(editor, meeting_id, "Welcome")
    assert [e.verb for e in events(app, "meeting_restored")] == ["meeting_restored"]
    assert restore(coordinator, app, meeting_id).status_code == 409


def test_who_may_cancel_and_what_cannot_be_cancelled(app, minutes_on):
    editor = sign_in(app, minutes_on.editor.email)
    meeting_id = new_meeting(editor)
    # A stakeholder and another region's staff read the meeting but do not cancel it.
    for role in (minutes_on.stakeholder, minutes_on.other):
        client = sign_in(app, role.email)
        assert "Cancel the meeting" not in client.get(meeting_url(meeting_id)).text
        assert cancel(client, app, meeting_id).status_code == 403
    assert load(app, meeting_id)["status"] == "draft" and not events(app, "meeting_cancelled")
    # A stale page cancels nothing.
    stale = editor.post(f"{meeting_url(meeting_id)}/cancel", data={"version": "0"})
    assert stale.status_code == 409 and "Someone else changed this meeting" in stale.text
    # A meeting that was held and closed is not cancelled.
    close(editor, app, meeting_id)
    held = cancel(editor, app, meeting_id)
    assert held.status_code == 409 and "was held and closed" in held.text
    # A project-wide meeting is cancelled by an editor, restored by an admin only.
    project = new_meeting(editor, region=None, title="2nd interregional meeting")
    assert cancel(editor, app, project, region=None).status_code == 303
    assert "Cancelled" in editor.get("/p/minutes/").text


# ---------------------------------------------------------------- b. who can be chosen


def test_people_offered_as_participants_and_owners_can_open_the_meeting(app, minutes_on):
    w = minutes_on
    editor = sign_in(app, w.editor.email)
    meeting_id = new_meeting(editor)
    add_item(editor, meeting_id, "Welcome")
    (item,) = item_ids(app, meeting_id)
    page = editor.get(meeting_url(meeting_id)).text
    people = select_options(page, "user_id")
    owners = select_options(page, f"item{item}-owner_id")
    # Partner staff of any region and Burgos' own stakeholder are offered ...
    for offered in ("Editor (CEEI-Burgos)", "Other (Pannon EGTC)", "Stake (external)"):
        assert offered in people and offered in owners
    # ... Pannon's external stakeholder, who cannot open Burgos' pages, is not.
    assert not any(label.startswith("Outsider") for label in people + owners)
    assert "A stakeholder of another region is listed once a coordinator" in page

    # A forged form cannot choose them either, and stores nothing.
    refused = editor.post(
        f"{meeting_url(meeting_id)}/participants", data={"user_id": w.outsider.id}, headers=HTMX
    )
    assert refused.status_code == 422 and "choose one of the listed options" in refused.text
    p = f"item{item}-"
    action = {
        f"{p}kind": "action",
        f"{p}text": "Send the Pécs programme",
        f"{p}owner_id": str(w.outsider.id),
        f"{p}due_date": "2030-05-01",
    }
    refused = editor.post(
        f"{meeting_url(meeting_id)}/agenda/{item}/outcomes", data=action, headers=HTMX
    )
    assert refused.status_code == 422
    assert load(app, meeting_id)["participants"] == [] and load(app, meeting_id)["outcomes"] == []

    # Once Burgos' coordinator adds them as a stakeholder, they are offered and can open
    # the meeting and their action item.
    coordinator = sign_in(app, w.coordinator.email)
    added = coordinator.post(
        "/r/burgos/members", data={"user_id": w.outsider.id, "role": "stakeholder"}
    )
    assert added.status_code in (200, 303)
    page = editor.get(meeting_url(meeting_id)).text
    assert "Outsider (external)" in select_options(page, "user_id")
    assert (
        editor.post(
            f"{meeting_url(meeting_id)}/agenda/{item}/outcomes", data=action, headers=HTMX
        ).status_code
        == 200
    )
    outsider = sign_in(app, w.outsider.email)
    assert outsider.get(meeting_url(meeting_id)).status_code == 200
    assert "Send the Pécs programme" in outsider.get("/r/burgos/minutes/actions?mine=1").text


def test_a_project_wide_meeting_offers_no_external_stakeholders(app, minutes_on):
    editor = sign_in(app, minutes_on.editor.email)
    meeting_id = new_meeting(editor, region=None, title="2nd interregional meeting")
    page = editor.get(meeting_url(meeting_id, None)).text
    people = select_options(page, "user_id")
    assert "Other (Pannon EGTC)" in people
    assert not any("(external)" in label for label in people)
    assert "external stakeholders do not read project-wide meetings" in page


# ---------------------------------------------------------------- c. "Mine"


def test_a_stakeholder_finds_the_action_items_they_own_under_mine(app, minutes_on):
    w = minutes_on
    editor = sign_in(app, w.editor.email)
    meeting_id = new_meeting(editor)
    add_item(editor, meeting_id, "Welcome")
    (item,) = item_ids(app, meeting_id)
    p = f"item{item}-"
    for text, owner in [("Collect the SME survey", w.stakeholder), ("Book the room", w.editor)]:
        response = editor.post(
            f"{meeting_url(meeting_id)}/agenda/{item}/outcomes",
            data={
                f"{p}kind": "action",
                f"{p}text": text,
                f"{p}owner_id": str(owner.id),
                f"{p}due_date": "2030-05-01",
            },
            headers=HTMX,
        )
        assert response.status_code == 200

    stakeholder = sign_in(app, w.stakeholder.email)
    listing = stakeholder.get("/r/burgos/minutes/actions").text
    mine_href = re.search(r'href="([^"]*mine=1[^"]*)"[^>]*>Mine<', listing).group(1)
    assert mine_href.startswith("/r/burgos/"), "the button leads where a stakeholder may go"
    mine = stakeholder.get(mine_href.replace("&amp;", "&"))
    assert mine.status_code == 200
    assert "My action items" in mine.text
    assert "Collect the SME survey" in mine.text and "Book the room" not in mine.text
    # The owner closes it from there, and finds it under Done.
    with app.app_context():
        from plugins.minutes.models import Outcome

        outcome = db.session.scalar(
            select(Outcome.id).where(Outcome.text == "Collect the SME survey")
        )
    done = stakeholder.post(
        f"{meeting_url(meeting_id)}/outcomes/{outcome}/settle",
        data={"done": "1", "from": "list"},
        headers=HTMX,
    )
    assert done.status_code == 200 and "Re-open" in done.text
    assert "Collect the SME survey" not in stakeholder.get(mine_href.replace("&amp;", "&")).text
    assert (
        "Collect the SME survey"
        in stakeholder.get("/r/burgos/minutes/actions?mine=1&show=done").text
    )
    # Partner staff keep their project-wide list.
    staff = editor.get("/r/burgos/minutes/actions").text
    assert re.search(r'href="/r/burgos/minutes/actions\?mine=1"', staff)
    assert "Book the room" in editor.get("/p/minutes/actions?mine=1").text


# ---------------------------------------------------------------- f. the approval box


def test_inviting_or_removing_a_partner_updates_the_approval_box_in_the_same_answer(
    app, minutes_on
):
    editor = sign_in(app, minutes_on.editor.email)
    meeting_id = new_meeting(editor)
    url = f"{meeting_url(meeting_id)}/participants"
    before = editor.get(meeting_url(meeting_id)).text
    assert "Invite the partners to collect their approval." in before

    answer = editor.post(url, data={"user_id": minutes_on.other.id}, headers=HTMX).text
    # The participants block, then the approval box swapped out-of-band by its id.
    assert answer.index('id="participants"') < answer.index('id="approvals"')
    oob = re.search(r'<section id="approvals"[^>]*>', answer).group(0)
    assert 'hx-swap-oob="true"' in oob
    approvals = answer[answer.index('id="approvals"') :]
    assert "0 of 1" in approvals and "Pannon EGTC" in approvals

    with app.app_context():
        from plugins.minutes.models import Participant

        participant = db.session.scalar(select(Participant.id))
    answer = editor.post(f"{url}/{participant}/delete", headers=HTMX).text
    approvals = answer[answer.index('id="approvals"') :]
    assert "Invite the partners to collect their approval." in approvals
    # A refused invitation changes nothing and sends no approval box.
    refused = editor.post(url, data={}, headers=HTMX)
    assert refused.status_code == 422 and 'id="approvals"' not in refused.text


def test_the_minutes_text_of_a_cancelled_meeting_is_read_only(app, minutes_on):
    editor = sign_in(app, minutes_on.editor.email)
    meeting_id = new_meeting(editor)
    document = load(app, meeting_id)["document"]
    assert editor.get(f"/docs/{document}/edit").status_code == 200
    assert cancel(editor, app, meeting_id).status_code == 303
    refused = editor.get(f"/docs/{document}/edit", follow_redirects=True)
    assert "The meeting is cancelled, so its minutes are read-only." in refused.text
    assert "Edit the minutes" not in editor.get(meeting_url(meeting_id)).text
