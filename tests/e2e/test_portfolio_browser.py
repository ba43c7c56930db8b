"""The good-practice portfolio in a real browser: from draft to approved, then rated
from another region, with the matrix updating in place."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from plugins.portfolio.practices import SECTIONS
from tests.e2e.conftest import set_plugin
from tests.e2e.test_documents_browser import sign_in

pytestmark = pytest.mark.e2e

TITLE = "Export coaching vouchers"


def test_practice_from_draft_to_approved_and_rated(browser: Browser, live_server, base_url):
    set_plugin(live_server.app, "burgos", "portfolio", True)
    set_plugin(live_server.app, "pannon", "portfolio", True)
    world = live_server.world

    editor = browser.new_context(base_url=base_url).new_page()
    sign_in(editor, world.editor.email)
    editor.goto("/r/burgos/portfolio/")
    editor.get_by_role("button", name="New practice").click()
    editor.get_by_label("Title").fill(TITLE)
    editor.get_by_label("Main institution").fill("CEEI-Burgos")
    editor.get_by_label("Short summary").fill("Vouchers buy export coaching for small firms.")
    editor.get_by_label("Started").fill("2019-03-01")
    editor.get_by_label("Topic").select_option("SME competitiveness")
    editor.get_by_label("Contact").fill("coaching@example.org")
    editor.get_by_role("button", name="Save as draft").click()
    expect(editor.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    expect(editor.locator("#submission")).to_contain_text("detailed description")
    practice_url = editor.url

    # The long texts are written in the core editor, one section each.
    editor.get_by_role("link", name="Write them").click()
    editor.get_by_label("Text (Markdown)").fill(
        "".join(f"## {name}\n\nAbout {name.lower()}.\n\n" for name in SECTIONS)
    )
    editor.get_by_role("button", name="Save").click()
    expect(editor.locator("#messages")).to_contain_text("Saved as revision 2.")
    editor.goto(practice_url)
    expect(editor.locator("#submission")).to_contain_text("Everything the template asks for")
    editor.get_by_role("button", name="Submit for validation").click()
    expect(editor.locator(".page-head .badge")).to_have_text("Awaiting validation")

    admin = browser.new_context(base_url=base_url).new_page()
    sign_in(admin, world.admin.email)
    admin.goto(practice_url)
    admin.get_by_role("button", name="Approve").click()
    expect(admin.locator(".page-head .badge")).to_have_text("Approved")

    # An editor of Pannon rates it; the row's average changes without a reload.
    rater: Page = browser.new_context(base_url=base_url).new_page()
    sign_in(rater, world.other.email)
    rater.goto("/p/portfolio/matrix")
    rater.evaluate("window.notReloaded = true")
    row = rater.locator("tr", has=rater.get_by_role("link", name=TITLE))
    expect(row.locator(".average")).to_have_text("–")
    row.get_by_label(re.compile(r"Interest of Dél-Dunántúl")).select_option("3")
    expect(row.locator(".average")).to_have_text("3.0")
    assert rater.evaluate("window.notReloaded") is True
    rater.reload()
    row = rater.locator("tr", has=rater.get_by_role("link", name=TITLE))
    expect(row.locator(".average")).to_have_text("3.0")
    # A filter swaps the matrix in place: one matrix, not one inside the other.
    rater.get_by_label("Topic").select_option("SME competitiveness")
    expect(rater).to_have_url(re.compile(r"topic=SME"))
    expect(rater.locator("#matrix")).to_have_count(1)
    expect(rater.get_by_role("link", name=TITLE)).to_be_visible()
    # So does the portfolio's own filter, and the search page as one types.
    rater.goto("/p/portfolio/")
    rater.get_by_label("Keyword").fill("coaching")
    expect(rater).to_have_url(re.compile(r"q=coaching"))
    expect(rater.locator("#results")).to_have_count(1)
    expect(rater.locator("#results .practice-card", has_text=TITLE)).to_be_visible()
    rater.goto("/search")
    rater.locator("#q").fill("coaching")
    expect(rater).to_have_url(re.compile(r"q=coaching"))
    expect(rater.locator("#results")).to_have_count(1)

    # The admin moves it to the trash (the browser asks first) and brings it back.
    admin.goto(practice_url)
    dialogs: list[str] = []

    def accept(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.accept()

    admin.on("dialog", accept)
    admin.get_by_role("button", name="Move to trash").click()
    expect(admin.locator("#messages")).to_contain_text("is moved to the trash")
    assert dialogs and TITLE in dialogs[0]
    expect(admin.get_by_role("link", name=TITLE)).to_have_count(0)
    admin.goto("/r/burgos/portfolio/trash")
    admin.get_by_role("button", name=f"Restore – {TITLE}").click()
    expect(admin.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    expect(admin.locator(".page-head .badge")).to_have_text("Approved")
