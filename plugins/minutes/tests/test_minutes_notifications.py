"""What the minutes tell people (issue 16, item 3): an action item assigned to them,
due in 3 days and overdue (the hourly job, once per state), minutes awaiting their
partner's approval, an agenda published or changed with the meeting's calendar entry
attached, and nothing of a region where the minutes are switched off. Each is checked
where a person meets it: their inbox (whose link opens the meeting) and the mail the
worker writes to ``instance/outbox/``."""

from __future__ import annotations

import email
import re
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from urllib.parse import urlsplit

from icalendar import Calendar
from sqlalchemy import select

from workspace.api import db
from workspace.testing import HTMX, inbox, run_worker, sign_in

from .test_minutes_meetings import (
    add_item,
    item_ids,
    meeting_url,
    minutes_on,
    new_meeting,
    step,
    switch,
)

__all__ = ["minutes_on"]


def opens(app, user, link: str, expected: str) -> None:
    """The inbox link takes the person to ``expected``, a page that opens."""
    client = sign_in(app, user.email)
    response = client.get(link)
    assert response.status_code == 303 and urlsplit(response.location).path == expected
    assert client.get(expected).status_code == 200


def mails_to(app, runner, user) -> list[EmailMessage]:
    """The mails the worker has written for ``user`` so far (it runs once first)."""
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    folder = Path(app.instance_path) / "outbox"
    messages = [
        email.message_from_bytes(path.read_bytes(), policy=default)
        for path in sorted(folder.glob("*.eml"))
    ]
    return [m for m in messages if user.email in m["To"]]


def add_action(client, app, meeting_id: int, owner, due: str = "2030-05-15") -> None:
    (item,) = item_ids(app, meeting_id)[:1]
    p = f"item{item}-"
    data = {
        f"{p}kind": "action",
        f"{p}text": "Enter CAST in the portfolio",
        f"{p}owner_id": str(owner.id),
        f"{p}due_date": due,
    }
    url = f"{meeting_url(meeting_id)}/agenda/{item}/outcomes"
    assert client.post(url, data=data, headers=HTMX).status_code == 200


def invite(client, meeting_id: int, *people) -> None:
    for person in people:
        response = client.post(
            f"{meeting_url(meeting_id)}/participants", data={"user_id": person.id}
        )
        assert response.status_code == 303


def ics_of(message: EmailMessage):
    (part,) = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert part.get_filename().endswith(".ics")
    (event,) = Calendar.from_ical(part.get_content()).walk("VEVENT")
    return event


# ---------------------------------------------------------------- action items


def test_the_owner_of_a_new_action_item_finds_it_in_the_inbox_and_by_mail(app, runner, minutes_on):
    w = minutes_on
    editor = sign_in(app, w.editor.email)
    meeting_id = new_meeting(editor)
    add_item(editor, meeting_id, "CAST (ES)")
    add_action(editor, app, meeting_id, w.coordinator)

    ((subject, link),) = inbox(app, w.coordinator)
    expected = "Action for you from “Partner meeting on good practices” (due 2030-05-15)"
    assert subject == expected
    opens(app, w.coordinator, link, meeting_url(meeting_id))
    (mail,) = mails_to(app, runner, w.coordinator)
    assert mail["Subject"] == expected
    assert "Enter CAST in the portfolio" in mail.get_body(("plain",)).get_content()


def test_handing_an_action_item_to_someone_else_tells_the_new_owner_only(app, minutes_on):
    from plugins.minutes.models import Outcome

    w = minutes_on
    editor = sign_in(app, w.editor.email)
    meeting_id = new_meeting(editor)
    add_item(editor, meeting_id, "CAST (ES)")
    add_action(editor, app, meeting_id, w.coordinator)
    with app.app_context():
        outcome = db.session.scalar(select(Outcome))
        outcome_id, version = outcome.id, outcome.version
    url = f"{meeting_url(meeting_id)}/outcomes/{outcome_id}/edit"
    p = f"outcome{outcome_id}-"
    data = {
        f"{p}kind": "action",
        f"{p}text": "Enter CAST and PACE in the portfolio",
        f"{p}owner_id": str(w.other.id),
        f"{p}due_date": "2030-05-20",
        f"{p}version": str(version),
    }
    assert editor.post(url, data=data, headers=HTMX).status_code == 200
    ((subject, _),) = inbox(app, w.other)
    assert subject == "Action for you from “Partner meeting on good practices” (due 2030-05-20)"
    # A change of the text alone tells nobody again.
    data.update({f"{p}text": "Enter CAST, PACE in the portfolio", f"{p}version": str(version + 1)})
    assert editor.post(url, data=data, headers=HTMX).status_code == 200
    assert len(inbox(app, w.other)) == 1
    assert len(inbox(app, w.coordinator)) == 1


def test_due_in_3_days_and_overdue_are_each_told_once_by_the_hourly_job(app, runner, minutes_on):
    w = minutes_on
    editor = sign_in(app, w.editor.email)
    meeting_id = new_meeting(editor)
    add_item(editor, meeting_id, "CAST (ES)")
    add_action(editor, app, meeting_id, w.coordinator, due="2030-05-15")
    assigned = len(inbox(app, w.coordinator))

    def told() -> list[tuple[str, str]]:
        return inbox(app, w.coordinator)[: -assigned or None]

    run_worker(app, datetime(2030, 5, 11, 9, tzinfo=UTC))  # 4 days ahead
    assert told() == []
    run_worker(app, datetime(2030, 5, 12, 9, tzinfo=UTC))  # 3 days ahead
    ((subject, link),) = told()
    assert subject == "Due on 2030-05-15: your action from “Partner meeting on good practices”"
    opens(app, w.coordinator, link, meeting_url(meeting_id))
    run_worker(app, datetime(2030, 5, 13, 9, tzinfo=UTC))
    run_worker(app, datetime(2030, 5, 15, 9, tzinfo=UTC))
    assert len(told()) == 1  # once

    run_worker(app, datetime(2030, 5, 16, 9, tzinfo=UTC))
    overdue = "Overdue since 2030-05-15: your action from “Partner meeting on good practices”"
    assert [s for s, _ in told()][0] == overdue
    run_worker(app, datetime(2030, 5, 17, 9, tzinfo=UTC))
    run_worker(app, datetime(2030, 5, 20, 9, tzinfo=UTC))
    assert [s for s, _ in told()].count(overdue) == 1 and len(told()) == 2


def test_a_done_action_item_is_not_reminded(app, runner, minutes_on):
    from plugins.minutes.models import Outcome

    w = minutes_on
    editor = sign_in(app, w.editor.email)
    meeting_id = new_meeting(editor)
    add_item(editor, meeting_id, "CAST (ES)")
    add_action(editor, app, meeting_id, w.coordinator, due="2030-05-15")
    with app.app_context():
        outcome_id = db.session.scalar(select(Outcome.id))
    settle = f"{meeting_url(meeting_id)}/outcomes/{outcome_id}/settle"
    assert editor.post(settle, data={"done": "1"}).status_code == 303
    run_worker(app, datetime(2030, 5, 16, 9, tzinfo=UTC))
    assert len(inbox(app, w.coordinator)) == 1  # the assignment only


def test_nothing_is_told_of_a_region_where_the_minutes_are_switched_off(app, runner, minutes_on):
    w = minutes_on
    editor = sign_in(app, w.editor.email)
    meeting_id = new_meeting(editor)
    add_item(editor, meeting_id, "CAST (ES)")
    add_action(editor, app, meeting_id, w.coordinator, due="2030-05-15")
    before = inbox(app, w.coordinator)
    switch(app, "burgos", on=False)
    run_worker(app, datetime(2030, 5, 12, 9, tzinfo=UTC))
    run_worker(app, datetime(2030, 5, 16, 9, tzinfo=UTC))
    assert inbox(app, w.coordinator) == before
    # Switched on again, the reminder still open comes (it was not used up meanwhile).
    switch(app, "burgos")
    run_worker(app, datetime(2030, 5, 17, 9, tzinfo=UTC))
    assert inbox(app, w.coordinator)[0][0].startswith("Overdue since 2030-05-15")


# ---------------------------------------------------------------- approvals


def test_closing_tells_the_coordinators_of_each_participating_partner(app, runner, minutes_on):
    w = minutes_on
    editor = sign_in(app, w.editor.email)
    meeting_id = new_meeting(editor)
    invite(editor, meeting_id, w.editor, w.other)  # CEEI-Burgos and Pannon EGTC staff
    step(editor, app, meeting_id, "open")
    assert inbox(app, w.coordinator) == []  # not invited: the agenda is not their news
    step(editor, app, meeting_id, "in_progress")
    assert step(editor, app, meeting_id, "closed").status_code == 303

    ((subject, link),) = inbox(app, w.coordinator)  # CEEI-Burgos's coordinator
    expected = (
        "The minutes of “Partner meeting on good practices” await your organisation's approval"
    )
    assert subject == expected
    opens(app, w.coordinator, link, meeting_url(meeting_id))
    assert [m["Subject"] for m in mails_to(app, runner, w.coordinator)] == [expected]
    # Pannon EGTC has no coordinator: its staff are not told in their place.
    assert [s for s, _ in inbox(app, w.other) if "approval" in s] == []
    assert inbox(app, w.admin) == []


# ---------------------------------------------------------------- the agenda


def test_publishing_and_changing_the_agenda_tells_the_participants_with_the_ics(
    app, runner, minutes_on
):
    w = minutes_on
    editor = sign_in(app, w.editor.email)
    meeting_id = new_meeting(editor)
    invite(editor, meeting_id, w.coordinator, w.stakeholder)
    add_item(editor, meeting_id, "Welcome")
    assert inbox(app, w.coordinator) == []  # a draft's agenda is nobody's news yet

    assert step(editor, app, meeting_id, "open").status_code == 303
    published = "Agenda published: “Partner meeting on good practices”, 2030-04-15 10:00"
    for person in (w.coordinator, w.stakeholder):
        ((subject, link),) = inbox(app, person)
        assert subject == published
    opens(app, w.stakeholder, link, meeting_url(meeting_id))
    (mail,) = mails_to(app, runner, w.stakeholder)
    assert mail["Subject"] == published
    event = ics_of(mail)
    assert str(event["summary"]) == "Partner meeting on good practices"
    assert event.decoded("dtstart").isoformat() == "2030-04-15T10:00:00+02:00"
    assert "1. Welcome" in str(event["description"])

    add_item(editor, meeting_id, "CAST (ES)")
    changed = "Agenda changed: “Partner meeting on good practices”, 2030-04-15 10:00"
    assert inbox(app, w.coordinator)[0][0] == changed
    mail = mails_to(app, runner, w.coordinator)[-1]
    assert mail["Subject"] == changed
    assert "2. CAST (ES)" in str(ics_of(mail)["description"])
    # The editor who changed it is not told of their own doing.
    assert [s for s, _ in inbox(app, w.editor) if s.startswith("Agenda")] == []


# ---------------------------------------------------------------- following


def test_following_a_meeting_brings_the_comments_on_its_minutes(app, minutes_on):
    w = minutes_on
    editor = sign_in(app, w.editor.email)
    meeting_id = new_meeting(editor)
    coordinator = sign_in(app, w.coordinator.email)
    page = coordinator.get(meeting_url(meeting_id)).text
    follow = re.search(r'action="(/docs/(\d+)/follow)"', page)
    assert follow, "a Follow button on the meeting page"
    fragment = coordinator.post(follow.group(1), headers=HTMX).text
    assert "Following" in fragment
    assert 'aria-pressed="true"' in coordinator.get(meeting_url(meeting_id)).text

    document_id = follow.group(2)
    stakeholder = sign_in(app, w.stakeholder.email)
    stakeholder.post(f"/docs/{document_id}/comments", data={"body": "Add the contact person."})
    ((subject, link),) = inbox(app, w.coordinator)
    assert subject == "Stake commented on “Minutes: Partner meeting on good practices”"
    opens(app, w.coordinator, link, f"/docs/{document_id}")
