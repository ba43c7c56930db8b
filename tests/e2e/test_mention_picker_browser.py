"""The @ picker in a real browser, on the InterVentures demo: the admin types "@Lu" in a
document's comment box, picks Lucía García from the list with the keyboard, posts the
comment, and Lucía's inbox holds the mention.

Run with ``pytest tests/e2e/test_mention_picker_browser.py``; the demo runs on a live
server of its own (``demo_server`` in conftest.py).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from workspace.demo import WEEK_DOCUMENT

from .conftest import DEMO_ADMIN as ADMIN
from .conftest import DEMO_COORDINATOR as COORDINATOR
from .conftest import DemoServer
from .conftest import demo_person as person

pytestmark = pytest.mark.e2e


def test_typing_at_lists_people_and_the_keyboard_picks_one(
    browser: Browser, demo_server: DemoServer
) -> None:
    admin = person(browser, demo_server, ADMIN)
    admin.goto(f"/docs/{demo_server.document_id}")
    box = admin.get_by_role("textbox", name="Comment")
    box.click()
    box.press_sequentially("Thanks @Lu")

    listbox = admin.get_by_role("listbox", name="People to mention")
    expect(listbox).to_be_visible()
    lucia = listbox.get_by_role("option", name="Lucía García CEEI-Burgos")
    expect(lucia).to_be_visible()
    # Open, the comment box is a combobox pointing at the list; a live region counts.
    box = admin.get_by_role("combobox", name="Comment")
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(box).to_have_attribute("aria-controls", "mention-picker")
    expect(admin.get_by_role("status")).to_have_text("People found: 1")

    box.press("ArrowDown")
    expect(lucia).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", "mention-picker-0")
    box.press("Enter")
    expect(listbox).to_be_hidden()
    box = admin.get_by_role("textbox", name="Comment")
    expect(box).to_have_value("Thanks @Lucía García ")
    # Closed, Enter is a new line again.
    box.press("Enter")
    box.press_sequentially("the figures are in.")
    expect(box).to_have_value("Thanks @Lucía García \nthe figures are in.")
    admin.get_by_role("button", name="Comment", exact=True).click()
    expect(admin.locator("#comments .comment-body").last).to_contain_text("Thanks @Lucía García")
    admin.context.close()

    lucia_page = person(browser, demo_server, COORDINATOR)
    lucia_page.goto("/inbox")
    newest = lucia_page.locator(".inbox-list li").first
    subject = f"Anna Kovács mentioned you in a comment on “{WEEK_DOCUMENT}”"
    expect(newest.get_by_role("link")).to_have_text(subject)
    expect(newest).to_contain_text("the figures are in.")
    lucia_page.context.close()
