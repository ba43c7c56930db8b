"""The indicators in a real browser: a figure opens on the records it counts, and one of
them on its own page; a partner's hand correction without a reason is refused beside the
field, with what was typed kept, and once given the reason shows beside the figure."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from plugins.portfolio.models import Practice
from workspace.api import period_of
from workspace.extensions import db

from .conftest import DemoServer, demo_person

pytestmark = pytest.mark.e2e

COORDINATOR = "coordinator@ceei.example"


def test_an_indicator_leads_to_its_evidence(browser: Browser, demo_server: DemoServer):
    with demo_server.app.app_context():
        practice = db.session.scalar(
            select(Practice)
            .where(Practice.status == "approved", Practice.decided_at.is_not(None))
            .order_by(Practice.decided_at)
            .limit(1)
        )
        title, number = practice.title, period_of(practice.decided_at.date()).number
        db.session.remove()

    page = demo_person(browser, demo_server, COORDINATOR)
    page.goto("/p/reports/indicators")
    page.get_by_role("navigation", name="Periods").get_by_role("link", name=f"P{number}").click()
    figure = page.locator('[data-indicator="good_practices"]')
    expect(figure).not_to_have_text("0")
    page.get_by_role("link", name="Good practices identified").click()
    expect(page.locator("h1")).to_have_text("Good practices identified")
    page.get_by_role("link", name=title, exact=True).click()
    expect(page.locator("h1")).to_contain_text(title)

    # CEEI-Burgos's coordinator corrects its own figure: a reason is required.
    page.goto(f"/p/reports/indicators/media?period={number}")
    page.get_by_role("link", name="Correct by hand for CEEI-Burgos").click()
    page.locator("#value").fill("7")
    page.get_by_role("button", name="Save the correction").click()
    expect(page.locator("#reason-msg")).to_contain_text("only with a reason")
    expect(page.locator("#value")).to_have_value("7")
    page.locator("#reason").fill("Two radio interviews were not logged.")
    page.get_by_role("button", name="Save the correction").click()
    expect(page.locator("#messages")).to_contain_text("is now 7")
    expect(page.locator(".correction-note")).to_contain_text(
        "Two radio interviews were not logged."
    )
