"""The inbox in a real browser, on the InterVentures demo: a coordinator mentions the
admin in a comment; the admin sees the count in the header, follows the notification to
the comment, marks one read and then all read, the count following without a reload.

Run with ``pytest tests/e2e/test_notifications_browser.py``; the demo runs on a live
server of its own (``demo_server`` in conftest.py).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select

from workspace.demo import WEEK_DOCUMENT
from workspace.extensions import db
from workspace.models import User
from workspace.notification_models import Notification

from .conftest import DEMO_ADMIN as ADMIN
from .conftest import DEMO_COORDINATOR as COORDINATOR
from .conftest import DemoServer
from .conftest import demo_person as person

pytestmark = pytest.mark.e2e

MENTION = "@Anna Kovács the invitations are ready to go out on Monday."


def unread_of(server: DemoServer, email: str) -> int:
    with server.app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == email))
        count = db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user_id, Notification.read_at.is_(None)
            )
        )
        db.session.remove()
    return count


def header_count(page: Page, unread: int) -> None:
    """The header's Inbox link shows ``unread`` (nothing at all for none)."""
    count = page.locator("#inbox-count")
    if unread:
        expect(count).to_have_text(f"{unread} unread")
    else:
        expect(count).to_have_text("")
        expect(count.locator(".badge")).to_have_count(0)


def test_a_mention_reaches_the_inbox_and_leads_to_the_comment(
    browser: Browser, demo_server: DemoServer
) -> None:
    before = unread_of(demo_server, ADMIN)
    assert before >= 2, "the demo's week leaves the admin unread notifications"
    coordinator = person(browser, demo_server, COORDINATOR)
    coordinator.goto(f"/docs/{demo_server.document_id}")
    coordinator.get_by_role("textbox", name="Comment").fill(MENTION)
    coordinator.get_by_role("button", name="Comment", exact=True).click()
    expect(coordinator.locator("#comments .comment-body").last).to_have_text(MENTION)
    coordinator.context.close()

    admin = person(browser, demo_server, ADMIN)
    unread = before + 1
    header_count(admin, unread)

    admin.get_by_role("link", name=re.compile(r"^Inbox")).click()
    expect(admin).to_have_url(re.compile(r"/inbox$"))
    newest = admin.locator(".inbox-list li").first
    subject = f"Lucía García mentioned you in a comment on “{WEEK_DOCUMENT}”"
    expect(newest.get_by_role("link")).to_have_text(subject)
    expect(newest).to_contain_text(MENTION)
    expect(newest.locator(".badge-new")).to_be_visible()

    # Following the notification: the document, at the comment, and one fewer unread.
    newest.get_by_role("link", name=subject).click()
    expect(admin).to_have_url(
        re.compile(rf"/docs/{demo_server.document_id}#comment-\d+$"),
    )
    comment_id = admin.url.rsplit("#", 1)[1]
    expect(admin.locator(f"#{comment_id} .comment-body")).to_have_text(MENTION)
    unread -= 1
    header_count(admin, unread)

    admin.get_by_role("link", name=re.compile(r"^Inbox")).click()
    expect(admin.locator(".inbox-list li").first.locator(".badge-new")).to_have_count(0)
    expect(admin.locator(".inbox-list .badge-new")).to_have_count(unread)

    # "Mark read" swaps the list, and the header's count follows without a reload.
    admin.evaluate("window.__marker = 1")
    first_unread = admin.locator(".inbox-list li.unread").first
    first_unread.get_by_role("button", name=re.compile(r"^Mark read")).click()
    unread -= 1
    expect(admin.locator(".inbox-list .badge-new")).to_have_count(unread)
    header_count(admin, unread)

    admin.get_by_role("button", name=re.compile(r"^Mark all read")).click()
    expect(admin.locator(".inbox-list .badge-new")).to_have_count(0)
    expect(admin.get_by_role("button", name=re.compile(r"^Mark all read"))).to_have_count(0)
    header_count(admin, 0)
    assert admin.evaluate("window.__marker") == 1, "the inbox was reloaded, not swapped"

    admin.reload()
    header_count(admin, 0)
    expect(admin.locator(".inbox-list li.unread")).to_have_count(0)
    admin.context.close()
