"""The demo's week of notifications: the admin signs in to an inbox with an approval
request, and the outbox holds the mails that went out that week."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from tests.conftest import CORE_CONFIG
from tests.test_reset import queued
from workspace.demo import WEEK_DOCUMENT
from workspace.extensions import db
from workspace.notification_models import Notification
from workspace.testing import DEMO_PASSWORD, inbox, load_demo, sign_in

# A Sunday evening: the demo's week ran from Monday the 22nd to Friday the 26th.
NOW = datetime(2027, 3, 28, 18, 0, tzinfo=UTC)
ADMIN = "admin@pannon.example"
LUCIA = "coordinator@ceei.example"
MILAN_APPROVAL = (
    "The minutes of “4th interregional meeting, Milan” await your organisation's approval"
)


@pytest.fixture
def workspace_config() -> dict:
    return {**CORE_CONFIG, "NOW": NOW}


def inbox_of(app, email: str) -> tuple[str, list[tuple[str, str]]]:
    """The person's inbox page, and its notifications' (subject, link) newest first."""
    page = sign_in(app, email, DEMO_PASSWORD).get("/inbox").text
    return page, inbox(app, email, DEMO_PASSWORD)


def test_the_admin_signs_in_to_a_week_of_work_in_her_inbox(app):
    load_demo(app)
    page, items = inbox_of(app, ADMIN)
    subjects = [subject for subject, _ in items]
    week = [
        f"Elena Fernández mentioned you in a comment on “{WEEK_DOCUMENT}”",
        f"Sabine Weber commented on “{WEEK_DOCUMENT}”",
        f"Javier Martín commented on “{WEEK_DOCUMENT}”",
        f"Lucía García mentioned you in “{WEEK_DOCUMENT}”",
    ]
    assert [s for s in subjects if WEEK_DOCUMENT in s] == week
    # The last meeting's minutes await her partner's approval, newest of all.
    assert subjects[0] == MILAN_APPROVAL
    assert "please approve the consultation plan by Friday" in page
    assert "26 Mar 2027" in page and "23 Mar 2027" in page
    # She read one already: four wait for her, in the header and on the button.
    assert "Mark all read (4)" in page
    assert page.count('class="badge badge-new"') == 4

    client = sign_in(app, ADMIN, DEMO_PASSWORD)
    approval = dict(items)[week[-1]]
    response = client.get(approval)
    assert response.status_code == 303
    document_page = client.get(response.headers["Location"])
    assert document_page.status_code == 200
    assert WEEK_DOCUMENT in document_page.text
    assert "please approve the consultation plan" in document_page.text
    # The week happened over the week, not at the moment of loading.
    assert "Revision 2 · 23 Mar 2027, 11:05 CET by Lucía García" in document_page.text


def test_the_coordinator_hears_that_her_report_and_her_action_are_overdue(app):
    load_demo(app)
    page, items = inbox_of(app, LUCIA)
    assert f"Sabine Weber mentioned you in a comment on “{WEEK_DOCUMENT}”" in dict(items)
    assert "progress report of semester 4 for Burgos was due on Monday" in page
    # The minutes' reminder of an action item of hers, overdue since Monday.
    overdue = "Overdue since 2027-03-23: your action from “3rd interregional meeting, Rzeszów”"
    assert [s for s, _ in items[:2]] == [overdue, MILAN_APPROVAL]
    client = sign_in(app, LUCIA, DEMO_PASSWORD)
    meeting = client.get(client.get(dict(items)[overdue]).headers["Location"])
    assert "consultation on the recommendations" in meeting.text


def test_the_outbox_holds_the_mentions_of_the_week(app):
    load_demo(app)
    mails = [m for m in queued(app, "notification") if WEEK_DOCUMENT in m.subject]
    assert [(m.recipients, m.created_at.day) for m in mails] == [
        ([ADMIN], 23),  # Tuesday: the approval request
        (["coordinator@sodebur.example"], 24),
        ([LUCIA], 25),  # Thursday: the overdue report
        ([ADMIN], 26),
    ]
    # The minutes' approval request went to each partner's coordinator at once.
    approvals = [m.recipients for m in queued(app, "notification") if m.subject == MILAN_APPROVAL]
    assert [ADMIN] in approvals and [LUCIA] in approvals and len(approvals) == 8
    approval = mails[0]
    assert "please approve the consultation plan by Friday" in approval.text_body
    # The link opens the notification (marking it read) on the workspace's address.
    (link,) = re.findall(r"http://127\.0\.0\.1:5000(/inbox/\d+)", approval.text_body)
    client = sign_in(app, ADMIN, DEMO_PASSWORD)
    document = client.get(client.get(link).headers["Location"])
    assert "please approve the consultation plan by Friday" in document.text


def test_loading_the_demo_again_adds_no_notification(app):
    load_demo(app)
    with app.app_context():
        before = db.session.scalar(select(func.count(Notification.id)))
    load_demo(app)
    with app.app_context():
        assert db.session.scalar(select(func.count(Notification.id))) == before
    assert len([m for m in queued(app, "notification") if WEEK_DOCUMENT in m.subject]) == 4
