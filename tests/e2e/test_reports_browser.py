"""A partner report in a real browser, from draft to certified: the partner's
coordinator submits it; its controller starts the control, is told beside the line that
a lower amount needs a reason (what was typed stays), gives one and certifies; the
partner then reads the certified amount, the deduction and its reason."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from workspace.extensions import db
from workspace.models import Partner

from .conftest import DemoServer, demo_person

pytestmark = pytest.mark.e2e

PARTNER = "Klaipėda City"  # its P5 report is a draft in the demo
COORDINATOR = "coordinator@klaipedacity.example"
CONTROLLER = "controller@lt-control.example"
REASON = "The catering invoice includes alcohol, which is not eligible."


def test_a_report_goes_from_draft_to_certified(browser: Browser, demo_server: DemoServer):
    with demo_server.app.app_context():
        partner_id = db.session.scalar(select(Partner.id).where(Partner.short_name == PARTNER))
        db.session.remove()
    report = f"/p/reports/{partner_id}/P5"

    partner = demo_person(browser, demo_server, COORDINATOR)
    partner.goto(report)
    expect(partner.locator(".page-head")).to_contain_text("Draft")
    partner.get_by_role("button", name="Submit to the controller").click()
    expect(partner.locator("#messages")).to_contain_text("submitted to the controller")
    expect(partner.locator(".page-head")).to_contain_text("Submitted")

    controller = demo_person(browser, demo_server, CONTROLLER)
    controller.goto("/p/reports/")
    expect(controller.locator("article").first).to_contain_text("You control")
    controller.goto(report)
    controller.get_by_role("button", name="Start the control").click()
    expect(controller.locator(".page-head")).to_contain_text("In control")
    first = controller.locator(".control-table tbody tr").first
    declared = first.locator("td.num").inner_text()
    amount = first.get_by_label("Eligible amount for", exact=False)
    amount.fill("100.00")
    controller.get_by_role("button", name="Save the results").click()
    expect(controller.locator(".control-table .error").first).to_contain_text(
        "Say why the amount is lower"
    )
    first = controller.locator(".control-table tbody tr").first
    expect(first.get_by_label("Eligible amount for", exact=False)).to_have_value("100.00")
    first.get_by_label("Reason for", exact=False).fill(REASON)
    controller.get_by_role("button", name="Save and certify").click()
    expect(controller.locator("#messages")).to_contain_text("is certified")
    expect(controller.get_by_role("button", name="Control certificate (PDF)")).to_be_visible()

    partner.reload()
    expect(partner.locator(".page-head")).to_contain_text("Certified")
    expect(partner.get_by_text(REASON)).to_be_visible()
    assert declared != "100.00"
