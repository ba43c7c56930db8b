"""Action plans in a real browser: two people write two actions of one plan at the
same time, the plan goes to review, endorsing waits while a comment is open, the comment
is resolved, the coordinator endorses it, and the DOCX is downloaded and read back."""

from __future__ import annotations

import pytest
from docx import Document as Docx
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import set_plugin
from tests.e2e.test_documents_browser import sign_in

pytestmark = pytest.mark.e2e

INSTRUMENT = "ROP Castilla y León 2014-2020, axis 3"


def write_texts(page: Page, action_title: str, text: str) -> None:
    """Open the editor of one action's texts and fill them in (without saving)."""
    action = page.locator("article.plan-action", has_text=action_title)
    action.get_by_role("button", name="Write the texts").click()
    page.get_by_label("Text (Markdown)").fill(
        f"## Background\n\n{text} background.\n\n## Action\n\n{text} action.\n\n"
        f"## Players involved\n\n{text} players.\n"
    )


def set_facts(page: Page, plan_url: str, action_title: str) -> None:
    page.goto(plan_url)
    action = page.locator("article.plan-action", has_text=action_title)
    action.get_by_role("button", name="Timeframe, costs, funding").click()
    page.get_by_label("Starts (month)").fill("2021-01")
    page.get_by_label("Ends (month)").fill("2022-06")
    page.get_by_label("Costs (EUR)").fill("25000")
    page.get_by_label("Funding sources").fill("ERDF axis 3")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#messages")).to_contain_text("saved")


def test_two_people_write_a_plan_that_is_reviewed_endorsed_and_downloaded(
    browser: Browser, live_server, base_url
):
    set_plugin(live_server.app, "burgos", "action_plans", True)
    world = live_server.world

    editor = browser.new_context(base_url=base_url, accept_downloads=True).new_page()
    sign_in(editor, world.editor.email)
    editor.goto("/r/burgos/action_plans/")
    editor.get_by_role("button", name="New action plan").click()
    editor.get_by_label("Name of the policy instrument").fill(INSTRUMENT)
    editor.get_by_label("Contact person").fill("Lucía, plans@example.org")
    editor.get_by_role("button", name="Start the plan").click()
    expect(editor.get_by_role("heading", level=1, name=INSTRUMENT)).to_be_visible()
    plan_url = editor.url
    for title in ("Export vouchers", "Rural coaching"):
        editor.get_by_label("New action").fill(title)
        editor.get_by_role("button", name="Add action").click()
        expect(editor.locator("article.plan-action", has_text=title)).to_be_visible()
    expect(editor.locator("#workflow")).to_contain_text("Part II: policy context")

    # Two people open two actions' texts at the same time, then both save.
    coordinator = browser.new_context(base_url=base_url, accept_downloads=True).new_page()
    sign_in(coordinator, world.coordinator.email)
    coordinator.goto(plan_url)
    write_texts(editor, "Export vouchers", "Vouchers")
    write_texts(coordinator, "Rural coaching", "Coaching")
    editor.get_by_role("button", name="Save").click()
    coordinator.get_by_role("button", name="Save").click()
    expect(editor.locator("#messages")).to_contain_text("Saved as revision 2.")
    expect(coordinator.locator("#messages")).to_contain_text("Saved as revision 2.")

    editor.goto(plan_url)
    editor.get_by_role("link", name="Write the policy context").click()
    editor.get_by_label("Text (Markdown)").fill("Axis 3 funds the competitiveness of SMEs.")
    editor.get_by_role("button", name="Save").click()
    expect(editor.locator("#messages")).to_contain_text("Saved as revision 2.")
    set_facts(editor, plan_url, "Export vouchers")
    set_facts(coordinator, plan_url, "Rural coaching")

    editor.goto(plan_url)
    expect(editor.locator("#part-3-title ~ article", has_text="Vouchers action.")).to_be_visible()
    expect(editor.locator("#actions")).to_contain_text("Coaching players.")
    # The plan is in English, so it needs no separate English summary.
    expect(editor.locator("#workflow")).to_contain_text("Everything the template asks for")
    editor.get_by_role("button", name="Send to review").click()
    expect(editor.locator(".page-head .badge")).to_have_text("In review")

    # The coordinator comments on an action's texts; the editor resolves it.
    coordinator.goto(plan_url)
    coordinator.locator("article.plan-action", has_text="Export vouchers").get_by_role(
        "button", name="Comments and history"
    ).click()
    coordinator.locator("#comments textarea").fill("Name the managing authority.")
    coordinator.get_by_role("button", name="Comment").click()
    expect(coordinator.locator("#comments")).to_contain_text("1 open")
    comments_url = coordinator.url

    # Endorsing now shows the open comment and asks first; the coordinator waits.
    coordinator.goto(plan_url)
    workflow = coordinator.locator("#workflow")
    expect(workflow).to_contain_text("1 open review comment")
    vouchers = coordinator.locator("article.plan-action", has_text="Export vouchers")
    expect(vouchers).to_contain_text("1 open comment")
    coordinator.get_by_role("button", name="Endorse the plan").click()
    expect(workflow).to_contain_text("1 review comment is still open")
    expect(workflow).to_contain_text("Name the managing authority.")
    expect(workflow.get_by_role("button", name="Endorse with 1 open comment")).to_be_visible()
    expect(coordinator.locator(".page-head .badge")).to_have_text("In review")

    editor.goto(comments_url)
    editor.locator("#comments").get_by_role("button", name="Resolve").click()
    expect(editor.locator("#comments")).to_contain_text("0 open")

    # With the comment resolved, the coordinator endorses at once; the texts become
    # read-only.
    coordinator.goto(plan_url)
    expect(coordinator.locator("#workflow")).to_contain_text("No open review comments.")
    coordinator.get_by_role("button", name="Endorse the plan").click()
    expect(coordinator.locator(".page-head .badge")).to_have_text("Endorsed")
    expect(coordinator.locator("#workflow")).to_contain_text("Endorsed on")
    expect(coordinator.get_by_role("button", name="Write the texts")).to_have_count(0)

    with coordinator.expect_download() as download:
        coordinator.get_by_role("button", name="Word (DOCX)").click()
    document = Docx(str(download.value.path()))
    text = "\n".join(p.text for p in document.paragraphs)
    for expected in ("Part I", "Part II", "Part III", "Vouchers background.",
                     "Coaching players.", "2021-01 to 2022-06", "EUR 25,000.00"):  # fmt: skip
        assert expected in text, expected
