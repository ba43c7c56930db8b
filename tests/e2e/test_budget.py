"""The budget in a real browser: recording a line updates figures and chart in place; an
import with a bad row shows that row's error before anything is saved; a contracted plan
keeps its total against an editor's change, and records a modification."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
from babel.support import Translations
from playwright.sync_api import Page, expect
from sqlalchemy import delete, select, update

from plugins.budget import PLUGIN as BUDGET
from plugins.budget.ledger import default_settings
from plugins.budget.models import (
    BudgetSettings,
    Contract,
    Expenditure,
    Modification,
    PartnerPlan,
    PlanLine,
)
from tests.conftest import PASSWORD
from workspace.extensions import db
from workspace.i18n import CORE_CATALOGS
from workspace.models import Partner

from .conftest import LiveServer, set_plugin

pytestmark = pytest.mark.e2e

Login = Callable[..., Page]


@pytest.fixture(scope="module")
def ceei(live_server: LiveServer) -> Iterator[int]:
    """Budget on in Burgos; CEEI-Burgos plans EUR 4,250 of travel in period 3. All of
    it is removed again afterwards, so the other browser tests see the server as before."""
    app = live_server.app
    app.config["BUDGET_TODAY"] = "2020-09-15"
    set_plugin(app, "burgos", "budget", True)
    with app.app_context():
        partner_id = db.session.scalar(
            select(Partner.id).where(Partner.short_name == "CEEI-Burgos")
        )
        db.session.add(default_settings())
        plan = PartnerPlan(partner_id=partner_id, version=1)
        plan.lines = [PlanLine(category="travel", period=3, amount=Decimal("4250.00"))]
        db.session.add(plan)
        db.session.commit()
        db.session.remove()
    yield partner_id
    with app.app_context():
        for model in (Modification, Contract, Expenditure, PlanLine, PartnerPlan, BudgetSettings):
            db.session.execute(delete(model))
        db.session.commit()
        db.session.remove()
    set_plugin(app, "burgos", "budget", False)
    app.config.pop("BUDGET_TODAY")


def test_recording_a_line_updates_remaining_and_chart_without_reload(
    page: Page, login: Login, ceei: int
) -> None:
    login("editor@example.org")
    page.goto(f"/p/budget/partners/{ceei}")
    travel_left = page.locator('[data-remaining="travel"]')
    expect(travel_left).to_have_text("4,250.00")
    spent_line = page.locator('polyline[data-series="spent"]')
    flat = spent_line.get_attribute("points")
    # Nothing spent yet: the spending line runs along the zero axis.
    assert len({point.split(",")[1] for point in flat.split()}) == 1
    page.evaluate("window.__marker = 1")

    form = page.locator("#record-form")
    form.get_by_label("Category").select_option(label="Travel and accommodation")
    form.get_by_label("Description").fill("Thematic visit to Klaipėda")
    form.get_by_label("Invoice number").fill("T-77")
    form.get_by_label("Invoice date").fill("2020-09-01")
    form.get_by_label("Payment date").fill("2020-09-10")
    form.get_by_label("Amount (net)").fill("1234.56")
    form.get_by_role("button", name="Save the line").click()

    expect(page.locator("#messages")).to_contain_text("Recorded EUR 1,234.56")
    expect(travel_left).to_have_text("3,015.44")
    expect(page.locator('[data-figure="spent"]')).to_have_text("EUR 1,234.56")
    expect(spent_line).not_to_have_attribute("points", flat)
    expect(page.locator("#budget-lines")).to_contain_text("Thematic visit to Klaipėda")
    # The form is fresh for the next line.
    expect(form.get_by_label("Description")).to_have_value("")
    assert page.evaluate("window.__marker") == 1, "the page was reloaded, not swapped by htmx"

    # A mistake is shown in the form, and nothing else changes.
    form.get_by_label("Category").select_option(label="Staff")
    form.get_by_label("Description").fill("Salary")
    form.get_by_label("Invoice date").fill("2020-09-01")
    form.get_by_label("Payment date").fill("2020-09-10")
    form.get_by_label("Amount (net)").fill("-5")
    form.get_by_role("button", name="Save the line").click()
    expect(form.get_by_text("The amount cannot be negative.")).to_be_visible()
    expect(travel_left).to_have_text("3,015.44")
    expect(page.locator("#budget-lines")).not_to_contain_text("Salary")
    assert page.evaluate("window.__marker") == 1

    # Removing the line (after confirming) gives the travel budget back.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Remove – Thematic visit to Klaipėda").click()
    expect(page.locator("#budget-lines")).to_contain_text("No expenditure recorded yet.")
    expect(travel_left).to_have_text("4,250.00")
    expect(spent_line).to_have_attribute("points", flat)
    assert page.evaluate("window.__marker") == 1


CSV_ONE_BAD_ROW = (
    "category,description,invoice_number,invoice_date,payment_date,amount,vat,currency,rate\n"
    "staff,Salaries August 2020,S-8,2020-08-31,2020-09-03,2100.00,0,EUR,1\n"
    "travel,=cmd|' /C calc'!A0,H-2,2020-09-01,2020-09-05,86.50,0,EUR,1\n"
    "staff,Salaries September 2020,S-9,2020-09-30,2020-10-02,2100.00,0,EUR,1\n"
)


def test_an_import_with_one_bad_row_shows_that_rows_error(
    page: Page, login: Login, ceei: int, live_server: LiveServer
) -> None:
    login("editor@example.org")
    page.goto(f"/p/budget/partners/{ceei}")
    page.locator("#budget-import").get_by_label("CSV file").set_input_files(
        files=[{"name": "lines.csv", "mimeType": "text/csv", "buffer": CSV_ONE_BAD_ROW.encode()}]
    )
    page.get_by_role("button", name="Check the file").click()

    expect(page.get_by_role("heading", name="Import expenditure: check")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("1 of 3 lines rejected")
    bad = page.locator('tr[data-line="3"]')
    expect(bad).to_contain_text("The description cannot start with “=”")
    expect(page.locator('tr[data-line="2"]')).to_contain_text("OK")
    expect(page.get_by_role("button", name="Import 3 lines")).to_have_count(0)
    with live_server.app.app_context():
        lines = db.session.scalars(select(Expenditure.description)).all()
        db.session.remove()
    assert "Salaries August 2020" not in lines


def test_an_italian_excel_file_is_read_as_written_and_imported_once(
    browser, base_url: str, ceei: int, live_server: LiveServer
) -> None:
    """An Italian browser, an Excel "CSV" in cp1250 with semicolons and 4.500,00: the
    preview (in Italian) shows the names and the amount as stored, and a double click
    imports once."""
    italian = Translations.load(str(CORE_CATALOGS), ["it"])
    italian.merge(Translations.load(str(BUDGET.translations), ["it"]))
    context = browser.new_context(base_url=base_url, locale="it-IT")
    page = context.new_page()
    page.goto("/login")
    page.locator("#email").fill("editor@example.org")
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name=italian.gettext("Sign in")).click()
    page.goto(f"/p/budget/partners/{ceei}")
    text = (
        "category;description;invoice_number;invoice_date;payment_date;amount;vat;currency;rate\r\n"
        "staff;Stipendi Kőszeg Łódź;S-8;31.08.2020;03.09.2020;4.500,00;0;EUR;1\r\n"
    )
    page.locator("#budget-import").get_by_label(italian.gettext("CSV file")).set_input_files(
        files=[{"name": "spese.csv", "mimeType": "text/csv", "buffer": text.encode("cp1250")}]
    )
    page.get_by_role("button", name=italian.gettext("Check the file")).click()
    row = page.locator('tr[data-line="2"]')
    expect(row).to_contain_text("Stipendi Kőszeg Łódź")
    expect(row.locator("[data-stored]")).to_contain_text("4.500,00")
    expect(page.locator("#import-encoding")).to_have_value("cp1250")
    one_line = italian.ngettext("Import %(num)d line", "Import %(num)d lines", 1) % {"num": 1}
    page.get_by_role("button", name=one_line).dblclick()
    expect(page.locator("#budget-lines")).to_contain_text("Stipendi Kőszeg Łódź")
    expect(page.locator("#budget-lines")).to_contain_text("4.500,00")
    with live_server.app.app_context():
        amounts = db.session.scalars(select(Expenditure.amount)).all()
        db.session.execute(delete(Expenditure))
        db.session.commit()
        db.session.remove()
    context.close()
    assert amounts == [Decimal("4500.00")]


def test_a_contracted_plan_keeps_its_total_and_records_a_modification(
    page: Page, login: Login, ceei: int, live_server: LiveServer
) -> None:
    login("admin@example.org")
    page.goto(f"/p/budget/partners/{ceei}")
    contract = page.locator("#budget-contract")
    expect(contract).to_contain_text("Not contracted yet")
    contract.get_by_label("Note").fill("Subsidy contract")
    contract.get_by_role("button", name="Mark the plan as contracted").click()
    expect(page.locator("#messages")).to_contain_text("contracted budget now: EUR 4,250.00")
    page.context.clear_cookies()

    login("editor@example.org")
    page.goto(f"/p/budget/partners/{ceei}/plan")
    travel = page.get_by_label("Travel and accommodation, P3")
    travel.fill("4,750.00")
    page.get_by_label("Reason for this modification").fill("One more trip")
    page.get_by_role("button", name="Save the modification").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "The total of CEEI-Burgos would change from EUR 4,250.00 to EUR 4,750.00"
    )
    expect(travel).to_have_value("4,750.00")

    travel.fill("4,000.00")
    page.get_by_label("External expertise and services, P3").fill("250.00")
    page.get_by_role("button", name="Save the modification").click()
    modification = page.locator("[data-list=modifications] li")
    expect(modification).to_contain_text("One more trip")
    expect(modification).to_contain_text("this change moves EUR 250.00")
    expect(page.locator('[data-baseline="travel"]')).to_contain_text("4,000.00")
    with live_server.app.app_context():
        db.session.execute(delete(Modification))
        db.session.execute(delete(Contract))
        db.session.execute(
            update(PlanLine)
            .where(PlanLine.partner_id == ceei, PlanLine.category == "travel")
            .values(amount=Decimal("4250.00"))
        )
        db.session.execute(delete(PlanLine).where(PlanLine.category == "external"))
        db.session.commit()
        db.session.remove()
