"""Meeting minutes in a real browser: two people take a meeting from draft to approved
minutes. The editor (CEEI-Burgos) plans and runs it; a Pannon EGTC member approves.

Run with ``pytest tests/e2e``; see conftest.py for the live server and the browser.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import LiveServer, set_plugin
from tests.e2e.test_documents_browser import sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def minutes_in_burgos(live_server: LiveServer) -> Iterator[None]:
    set_plugin(live_server.app, "burgos", "minutes", True)
    yield
    set_plugin(live_server.app, "burgos", "minutes", False)


@pytest.fixture
def second_page(browser: Browser, base_url: str) -> Iterator[Page]:
    context = browser.new_context(base_url=base_url)
    try:
        yield context.new_page()
    finally:
        context.close()


def messages(page: Page):
    return page.locator("#messages")


def agenda_titles(page: Page) -> list[str]:
    return page.locator(".agenda-item .agenda-what strong").all_inner_texts()


def test_a_meeting_from_draft_to_approved_minutes(page: Page, second_page: Page) -> None:
    title = "Partner meeting on good practices (browser)"
    sign_in(page, "editor@example.org")

    # Plan the meeting from the region's meeting list.
    page.goto("/r/burgos/minutes/")
    page.get_by_role("button", name="New meeting").click()
    page.get_by_label("Title").fill(title)
    page.get_by_label("Kind").select_option(label="Partner meeting")
    page.get_by_label("Date").fill("2030-04-15")
    page.get_by_label("Starts").fill("10:00")
    page.get_by_label("Ends").fill("11:00")
    page.get_by_label("Time zone").fill("Europe/Madrid")
    page.get_by_label("Online link").fill("https://meet.example.org/browser")
    page.get_by_role("button", name="Plan the meeting").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    expect(messages(page)).to_contain_text("is planned")
    expect(page.get_by_text("10:00–11:00 CEST")).to_be_visible()
    meeting_url = page.url

    # The agenda, added through HTMX without leaving the page.
    add = page.locator("form.add-agenda-item")
    for item, minutes in [("Welcome", "10"), ("CAST (ES)", "30"), ("Science and Business", "30")]:
        add.get_by_label("Agenda item").fill(item)
        add.get_by_label("Length (minutes)").fill(minutes)
        add.get_by_role("button", name="Add to the agenda").click()
        expect(page.locator(".agenda-item").last).to_contain_text(item)
    expect(page.locator("#agenda-total")).to_have_text("70 of 60 minutes planned")
    expect(page.get_by_role("alert")).to_contain_text("runs 10 minutes over")

    # Re-order by keyboard: focus the button and press Enter; focus stays on it.
    up = page.get_by_role("button", name="Move “Science and Business” up")
    up.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".agenda-item").nth(1)).to_contain_text("Science and Business")
    assert agenda_titles(page) == ["Welcome", "Science and Business", "CAST (ES)"]
    expect(page.get_by_role("button", name="Move “Science and Business” up")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".agenda-item").first).to_contain_text("Science and Business")
    assert page.url == meeting_url  # no page load

    # Invite the two participating partners' people.
    page.locator("#participants summary", has_text="Invite").click()
    page.get_by_label("Person").select_option(label="Editor (CEEI-Burgos)")
    page.get_by_role("button", name="Invite", exact=True).click()
    expect(page.locator(".participant-list li")).to_have_count(1)
    page.locator("#participants summary", has_text="Invite").click()
    page.get_by_label("Person").select_option(label="Other (Pannon EGTC)")
    page.get_by_role("button", name="Invite", exact=True).click()
    expect(page.locator(".participant-list li")).to_have_count(2)

    # Publish, start, record attendance and a decision, close.
    page.get_by_role("button", name="Publish the agenda").click()
    expect(messages(page)).to_contain_text("The agenda is published.")
    page.get_by_role("button", name="Start the meeting").click()
    expect(page.locator("h1 .badge")).to_have_text("In progress")
    page.locator("#participants .attendance").first.get_by_role("button", name="Present").click()
    expect(page.locator("#participants")).to_contain_text("2 invited · 1 present")

    cast = page.locator(".agenda-item", has_text="CAST (ES)")
    cast.locator("summary", has_text="Add an outcome").click()
    cast.get_by_label("Type").select_option(label="Decision")
    cast.get_by_label("What").fill("CAST joins the portfolio")
    cast.get_by_role("button", name="Add the outcome").click()
    expect(page.locator(".agenda-item", has_text="CAST (ES)")).to_contain_text(
        "CAST joins the portfolio"
    )

    page.get_by_role("button", name="Close the meeting").click()
    expect(messages(page)).to_contain_text("The meeting is closed.")
    expect(page.locator("#approvals")).to_contain_text("0 of 2 partners approved.")
    expect(page.get_by_role("button", name="Add to the agenda")).to_have_count(0)

    # CEEI-Burgos approves.
    page.get_by_label("Your word").select_option(label="Approved")
    page.get_by_role("button", name="Send our answer").click()
    expect(page.locator("#approvals")).to_contain_text("1 of 2 partners approved.")

    # Pannon EGTC's member, in another browser, sees who has not approved yet, and approves.
    sign_in(second_page, "other@example.org")
    second_page.goto(meeting_url)
    approvals = second_page.locator("#approvals")
    expect(approvals.locator("li", has_text="Pannon EGTC")).to_contain_text("Not yet")
    expect(approvals.locator("li", has_text="CEEI-Burgos")).to_contain_text("Approved")
    second_page.get_by_label("Your word").select_option(label="Approved")
    second_page.get_by_role("button", name="Send our answer").click()
    expect(approvals).to_contain_text("2 of 2 partners approved.")
    expect(messages(second_page)).to_contain_text("Pannon EGTC has approved the minutes.")

    # The editor's page shows it after a reload; the PDF is there.
    page.reload()
    expect(page.locator("#approvals")).to_contain_text("2 of 2 partners approved.")
    pdf = page.request.get(meeting_url + "/minutes.pdf")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"


def plan_meeting(page: Page, title: str) -> str:
    """Plan a Burgos meeting through the form; returns the meeting page's address."""
    page.goto("/r/burgos/minutes/new")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Date").fill("2030-05-20")
    page.get_by_label("Starts").fill("10:00")
    page.get_by_label("Ends").fill("11:00")
    page.get_by_label("Time zone").fill("Europe/Madrid")
    page.get_by_role("button", name="Plan the meeting").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    return page.url


def test_the_approval_box_follows_the_invitations_without_a_reload(page: Page) -> None:
    sign_in(page, "editor@example.org")
    meeting_url = plan_meeting(page, "Stakeholder group, May (browser)")
    approvals = page.locator("#approvals")
    expect(approvals).to_contain_text("Invite the partners to collect their approval.")

    page.locator("#participants summary", has_text="Invite").click()
    page.get_by_label("Person").select_option(label="Other (Pannon EGTC)")
    page.get_by_role("button", name="Invite", exact=True).click()
    expect(page.locator(".participant-list li")).to_have_count(1)
    expect(approvals).to_contain_text("0 of 1 partner approved.")
    expect(approvals.locator("li", has_text="Pannon EGTC")).to_contain_text("Not yet")

    page.locator("#participants summary", has_text="Invite").click()
    page.get_by_label("Person").select_option(label="Editor (CEEI-Burgos)")
    page.get_by_role("button", name="Invite", exact=True).click()
    expect(approvals).to_contain_text("0 of 2 partners approved.")

    page.get_by_role("button", name="Remove Other").click()
    expect(page.locator(".participant-list li")).to_have_count(1)
    expect(approvals).to_contain_text("0 of 1 partner approved.")
    expect(approvals.locator("li", has_text="Pannon EGTC")).to_have_count(0)
    assert page.url == meeting_url  # all of it without a page load

    # Pannon's external stakeholder cannot open Burgos' meetings, so is not offered.
    options = page.locator("#participants select[name=user_id] option").all_text_contents()
    assert "Other (Pannon EGTC)" in options
    assert not any(o.startswith("Outsider") for o in options)


def test_a_meeting_is_cancelled_and_a_coordinator_restores_it(
    page: Page, second_page: Page
) -> None:
    title = "Webinar on vouchers (browser)"
    sign_in(page, "editor@example.org")
    meeting_url = plan_meeting(page, title)
    page.on("dialog", lambda dialog: dialog.accept())
    page.locator("summary", has_text="Cancel the meeting").click()
    page.get_by_label("Reason (optional)").fill("The speaker is ill")
    page.get_by_role("button", name="Cancel the meeting").click()
    expect(messages(page)).to_contain_text("is cancelled")
    expect(page.locator("h1 .badge")).to_have_text("Cancelled")
    expect(page.locator(".cancelled-note")).to_contain_text("The speaker is ill")
    expect(page.get_by_role("button", name="Add to the agenda")).to_have_count(0)
    page.goto("/r/burgos/minutes/")
    expect(page.locator("tr", has_text=title)).to_contain_text("Cancelled")

    coordinator = sign_in(second_page, "coord@example.org")
    coordinator.on("dialog", lambda dialog: dialog.accept())
    coordinator.goto(meeting_url)
    coordinator.get_by_role("button", name="Restore the meeting").click()
    expect(messages(coordinator)).to_contain_text("no longer cancelled")
    expect(coordinator.locator("h1 .badge")).to_have_text("Draft")
    expect(coordinator.get_by_role("button", name="Add to the agenda")).to_be_visible()
