"""The budget plugin's pages: figures, recording, import, exports, permissions, hooks."""

from __future__ import annotations

import base64
import csv
import html
import io
import re
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from plugins.budget.entries import FIELDS
from plugins.budget.models import BudgetSettings, Expenditure, PartnerPlan, PlanLine
from workspace.api import (
    DEMO_REGION_SLUGS,
    Event,
    Partner,
    Region,
    db,
    parse_number,
    project_calendar,
)
from workspace.testing import (
    DEMO_PASSWORD,
    HTMX,
    form_inputs,
    load_demo,
    switch_on,
    with_panels,
)


def count(app, model=Expenditure) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


LINE = {
    "category": "travel",
    "description": "Thematic visit to Klaipėda",
    "invoice_number": "T-77",
    "invoice_date": "2020-09-01",
    "payment_date": "2020-09-10",
    "amount": "1234.56",
    "vat": "0",
    "currency": "EUR",
    "rate": "1",
}


def figure(page: str, name: str) -> Decimal:
    match = re.search(rf'data-figure="{name}">(?:EUR )?([-\d,.]+)', page)
    assert match, f"no {name} figure on the page"
    return shown_amount(match.group(1))


def remaining(page: str, key: str) -> Decimal:
    match = re.search(rf'data-remaining="{key}">([-\d,.]+)<', page)
    assert match, f"no remaining {key} on the page"
    return shown_amount(match.group(1))


def shown_amount(text: str) -> Decimal:
    """An amount as the page shows it to the tests' people (English format), read by
    the core's own parser; it may be negative (an overspent remainder)."""
    return parse_number(text, minimum=-(10**12), fmt="en")


# ---------------------------------------------------------------- the demo


@pytest.fixture
def demo(app, client, auth):
    app.config["BUDGET_TODAY"] = "2020-09-15"
    load_demo(app)
    auth.login("admin@pannon.example", DEMO_PASSWORD)
    with app.app_context():
        return {p.short_name: p.id for p in db.session.scalars(select(Partner))}


def test_demo_project_view_shows_the_interventures_budget(client, demo):
    page = client.get("/p/budget/").text
    assert "EUR 1,376,708.00" in page
    assert "EUR 1,151,955.30" in page
    assert "83.67 %" in page
    assert figure(page, "total") == Decimal("1376708.00")
    assert figure(page, "erdf") == Decimal("1151955.30")


def test_demo_partner_views_add_up_to_the_project_view_to_the_cent(client, demo):
    project = client.get("/p/budget/").text
    pages = [client.get(f"/p/budget/partners/{pid}").text for pid in demo.values()]
    assert len(pages) == 8
    for name in ("total", "erdf", "spent", "remaining"):
        assert sum(figure(p, name) for p in pages) == figure(project, name), name
    for key in ("staff", "office", "travel", "external", "equipment", "preparation", "total"):
        assert sum(remaining(p, key) for p in pages) == remaining(project, key), key
    assert figure(project, "spent") > 0


def test_demo_legal_statuses_give_the_derived_split(app, client, demo):
    public = private = Decimal(0)
    for pid in demo.values():
        page = client.get(f"/p/budget/partners/{pid}").text
        if "Public body" in page:
            public += figure(page, "total")
        else:
            private += figure(page, "total")
    assert public == Decimal("1194243.00")
    assert private == Decimal("182465.00")


def test_demo_loads_once(app, demo):
    before = (count(app), count(app, PlanLine), count(app, BudgetSettings))
    load_demo(app)
    assert (count(app), count(app, PlanLine), count(app, BudgetSettings)) == before


def test_the_advisory_partner_without_a_region_has_its_page(client, demo):
    page = client.get(f"/p/budget/partners/{demo['AEBR']}")
    assert page.status_code == 200
    assert "Association of European Border Regions" in page.text
    assert "No region" in page.text
    assert figure(page.text, "total") == Decimal("78000.00")


def test_demo_xlsx_reads_back_as_the_figures_on_screen(client, demo):
    project = client.get("/p/budget/").text
    response = client.get("/p/budget/export.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Summary", "Budget", "Expenditure"]
    summary = list(book["Summary"].iter_rows(values_only=True))
    header, total = summary[0], summary[-1]
    row = dict(zip(header, total, strict=True))
    assert row["Partner"] == "Total"
    as_cents = lambda v: Decimal(str(v)).quantize(Decimal("0.01"))  # noqa: E731
    assert as_cents(row["Total EUR"]) == figure(project, "total")
    assert as_cents(row["ERDF EUR"]) == figure(project, "erdf")
    assert as_cents(row["ERDF %"]) == Decimal("83.67")
    assert as_cents(row["Spent EUR"]) == figure(project, "spent")
    assert as_cents(row["Remaining EUR"]) == figure(project, "remaining")
    partner_rows = summary[1:-1]
    assert sum(as_cents(r[2]) for r in partner_rows) == figure(project, "total")
    budget = list(book["Budget"].iter_rows(values_only=True))[1:]
    assert sum(as_cents(r[5]) for r in budget) == figure(project, "total")
    assert sum(as_cents(r[6]) for r in budget) == figure(project, "spent")
    lines = list(book["Expenditure"].iter_rows(values_only=True))[1:]
    assert sum(as_cents(r[11]) for r in lines) <= figure(project, "spent")  # office is a flat rate
    # Each partner's row is its page's figures.
    for name, _status, total, erdf, _share, _public, _private, spent, left in partner_rows:
        page = client.get(f"/p/budget/partners/{demo[name]}").text
        assert as_cents(total) == figure(page, "total"), name
        assert as_cents(erdf) == figure(page, "erdf"), name
        assert as_cents(spent) == figure(page, "spent"), name
        assert as_cents(left) == figure(page, "remaining"), name


def csv_records(client, path: str) -> list[dict]:
    """The records of a CSV download, which starts with a BOM so Excel reads UTF-8."""
    data = client.get(path).data
    assert data.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_demo_csv_exports_add_up_to_the_project_view(client, demo):
    project = client.get("/p/budget/").text
    rows = list(
        csv.DictReader(
            io.StringIO(client.get("/p/budget/export-budget.csv").data.decode("utf-8-sig"))
        )
    )
    assert sum(Decimal(r["Planned EUR"]) for r in rows) == figure(project, "total")
    assert sum(Decimal(r["Spent EUR"]) for r in rows) == figure(project, "spent")
    assert sum(Decimal(r["Remaining EUR"]) for r in rows) == figure(project, "remaining")
    summary = list(
        csv.DictReader(
            io.StringIO(client.get("/p/budget/export-summary.csv").data.decode("utf-8-sig"))
        )
    )
    assert summary[-1]["ERDF EUR"] == "1151955.30"
    assert summary[-1]["ERDF %"] == "83.67"
    assert sum(Decimal(r["ERDF EUR"]) for r in summary[:-1]) == Decimal("1151955.30")


# ---------------------------------------------------------------- permissions

READ_ROUTES = [
    "/p/budget/",
    "/p/budget/partners/{ceei}",
    "/p/budget/export.xlsx",
    "/p/budget/export-summary.csv",
    "/p/budget/export-budget.csv",
    "/p/budget/export-expenditure.csv",
    "/p/budget/partners/{ceei}/export.xlsx",
    "/p/budget/partners/{ceei}/export-budget.csv",
    "/p/budget/partners/{ceei}/export-expenditure.csv",
    "/r/burgos/budget/",
]
READERS = {"admin", "coordinator", "editor", "other"}
EDITORS = {"admin", "coordinator", "editor"}
ROLES = ["admin", "coordinator", "editor", "other", "stakeholder", "outsider"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", READ_ROUTES)
def test_the_consortium_reads_every_budget(client, auth, world, budget, role, route):
    auth.login(getattr(world, role).email)
    response = client.get(route.format(ceei=budget.ceei))
    assert response.status_code == (200 if role in READERS else 403)


def test_anonymous_visitors_go_to_the_login_page(client, budget):
    for route in READ_ROUTES:
        response = client.get(route.format(ceei=budget.ceei))
        assert response.status_code in (302, 303)
        assert "/login" in response.headers["Location"]


def _edit_requests(ids, line_id):
    ceei = ids.ceei
    return [
        ("get", f"/p/budget/partners/{ceei}/plan", {}, {}),
        ("post", f"/p/budget/partners/{ceei}/plan", {"version": "1", "staff-1": "5"}, {}),
        ("post", f"/p/budget/partners/{ceei}/expenditure", LINE, {}),
        # The same invoice again: recorded once the person says it is another line of it.
        ("post", f"/p/budget/partners/{ceei}/expenditure", {**LINE, "same_invoice": "y"}, HTMX),
        ("post", f"/p/budget/partners/{ceei}/expenditure/{line_id}/delete", {}, HTMX),
        (
            "post",
            f"/p/budget/partners/{ceei}/import",
            {"file": (io.BytesIO(CSV_GOOD.encode()), "lines.csv")},
            {},
        ),
        (
            "post",
            f"/p/budget/partners/{ceei}/import/confirm",
            {"raw": base64.b64encode(CSV_GOOD.encode()).decode(), "token": "t" * 24},
            {},
        ),
        ("post", f"/p/budget/partners/{ceei}/evidence", {}, {}),
    ]


def _a_line(app, partner_id) -> int:
    with app.app_context():
        line = Expenditure(
            partner_id=partner_id,
            period=3,
            category="staff",
            description="Salary",
            invoice_date=date(2020, 9, 1),
            payment_date=date(2020, 9, 2),
            amount=Decimal("10.00"),
            vat=Decimal("0.00"),
            currency="EUR",
            rate=Decimal(1),
            amount_eur=Decimal("10.00"),
        )
        db.session.add(line)
        db.session.commit()
        return line.id


@pytest.mark.parametrize("role", ROLES)
def test_only_the_partners_own_editors_and_admins_change_its_budget(
    app, client, auth, world, budget, role
):
    auth.login(getattr(world, role).email)
    line_id = _a_line(app, budget.ceei)
    for method, url, data, headers in _edit_requests(budget, line_id):
        if isinstance(data.get("file"), tuple):
            data = {"file": (io.BytesIO(CSV_GOOD.encode()), "lines.csv")}
        response = getattr(client, method)(url, data=data, headers=headers)
        if role in EDITORS:
            assert response.status_code in (200, 303), (url, response.status_code)
        else:
            assert response.status_code == 403, (url, response.status_code)
    if role not in EDITORS:
        assert count(app) == 1  # the line made above, nothing else


def test_another_partners_editor_edits_its_own_budget_only(app, client, auth, world, budget):
    auth.login(world.other.email)  # staff of Pannon EGTC, editor in Pannon
    assert client.get(f"/p/budget/partners/{budget.lead}/plan").status_code == 200
    assert client.get(f"/p/budget/partners/{budget.ceei}/plan").status_code == 403
    page = client.get(f"/p/budget/partners/{budget.ceei}").text
    assert "Record expenditure" not in page
    assert "Edit the plan" not in page


def test_a_refusal_is_recorded_in_the_audit_trail(app, client, auth, world, budget):
    auth.login(world.other.email)
    client.post(f"/p/budget/partners/{budget.ceei}/expenditure", data=LINE)
    with app.app_context():
        assert db.session.scalar(
            select(func.count()).select_from(Event).where(Event.verb == "permission_refused")
        )


@pytest.mark.parametrize("role", ROLES)
def test_settings_are_for_admins(client, auth, world, budget, role):
    auth.login(getattr(world, role).email)
    expected = 200 if role == "admin" else 403
    assert client.get("/p/budget/settings").status_code == expected


def _switch_off(app, slug):
    switch_on(app, slug, "budget", False)


def test_a_region_switch_hides_the_region_pages_never_the_project_record(
    app, client, auth, world, budget
):
    auth.login(world.admin.email)
    before = client.get("/p/budget/").text
    _switch_off(app, "burgos")
    assert client.get("/r/burgos/budget/").status_code == 404
    project = client.get("/p/budget/").text
    assert f'data-partner="{budget.ceei}"' in project
    assert figure(project, "total") == figure(before, "total") == Decimal("10000.00")
    assert "Budget is switched off in Castilla y León" in project
    # The partner's page stays, for the admin and for the partner's own staff, who
    # still keep its record.
    for who in (world.admin, world.editor):
        auth.logout()
        auth.login(who.email)
        page = client.get(f"/p/budget/partners/{budget.ceei}")
        assert page.status_code == 200
        assert figure(page.text, "total") == Decimal("10000.00")
        assert "Budget is switched off in Castilla y León" in page.text
        assert "Record expenditure" in page.text
    response = client.post(f"/p/budget/partners/{budget.ceei}/expenditure", data=LINE)
    assert response.status_code == 303
    assert client.get(f"/p/budget/partners/{budget.ceei}/plan").status_code == 200
    # The region's menu and panel are gone; the region's search hits too.
    dashboard = with_panels(client, "/r/burgos/")
    assert "/r/burgos/budget/" not in dashboard
    assert "Budget: spent against plan" not in dashboard
    assert "Thematic visit" not in client.get("/search", query_string={"q": "T-77"}).text


DEMO_REGIONS = list(DEMO_REGION_SLUGS)


@pytest.mark.parametrize("slug", DEMO_REGIONS)
def test_the_project_budget_is_the_same_with_budget_off_in_any_region(app, client, demo, slug):
    """Seen: Budget off in Castilla y León made the project EUR 1,120,243.00 at
    84.30 % ERDF. The project's record is every partner's, whatever a region shows."""
    before = client.get("/p/budget/").text
    csv_before = client.get("/p/budget/export-summary.csv").text
    _switch_off(app, slug)
    assert client.get(f"/r/{slug}/budget/").status_code == 404
    after = client.get("/p/budget/").text
    for page in (before, after):
        assert figure(page, "total") == Decimal("1376708.00")
        assert figure(page, "erdf") == Decimal("1151955.30")
        assert 'data-figure="erdf-share">83.67 %' in page
    assert all(f'data-partner="{pid}"' in after for pid in demo.values())
    assert client.get("/p/budget/export-summary.csv").text == csv_before
    panel = with_panels(client, "/")
    assert "spent of EUR 1,376,708.00 (8 partners)" in panel
    assert "83.67 %" in panel
    with app.app_context():
        region = db.session.scalar(select(Region).where(Region.slug == slug))
        partners = [p.id for p in region.partners]
    assert partners
    for pid in partners:
        assert client.get(f"/p/budget/partners/{pid}").status_code == 200


def test_partner_pages_stay_open_to_the_consortium_where_budget_is_off(app, client, auth, demo):
    _switch_off(app, "burgos")
    page = f"/p/budget/partners/{demo['CEEI-Burgos']}"
    # The partner's own editor keeps its record...
    auth.logout()
    auth.login("editor@ceei.example", DEMO_PASSWORD)
    own = client.get(page)
    assert own.status_code == 200
    assert "Record expenditure" in own.text
    assert client.get(f"{page}/plan").status_code == 200
    # ...another partner's staff reads it, as the project page's row it details...
    auth.logout()
    auth.login("editor@rarr.example", DEMO_PASSWORD)
    other = client.get(page)
    assert other.status_code == 200
    assert "Record expenditure" not in other.text
    # ...and the region's external stakeholders never read budgets.
    auth.logout()
    auth.login("stakeholder@burgos.example", DEMO_PASSWORD)
    assert client.get(page).status_code == 403
    # Search keeps the switched-off region's expenditure out of its hits.
    auth.logout()
    auth.login("admin@pannon.example", DEMO_PASSWORD)
    hits = client.get("/search", query_string={"q": "ES-2019-001"}).text
    assert "Preparation lump sum" not in hits
    assert "Preparation lump sum" in client.get("/search", query_string={"q": "PL-2019-001"}).text


# ---------------------------------------------------------------- recording


def test_recording_with_htmx_updates_remaining_and_chart_in_place(app, client, auth, world, budget):
    auth.login(world.editor.email)
    before = client.get(f"/p/budget/partners/{budget.ceei}").text
    assert remaining(before, "travel") == Decimal("4250.00")
    response = client.post(f"/p/budget/partners/{budget.ceei}/expenditure", data=LINE, headers=HTMX)
    assert response.status_code == 200
    body = response.text
    assert '<article id="record-form"' in body
    assert (
        'id="budget-summary" aria-label="Planned, spent and remaining" hx-swap-oob="true"' in body
    )
    assert 'id="budget-lines" hx-swap-oob="true"' in body
    assert remaining(body, "travel") == Decimal("3015.44")
    assert 'data-series="spent"' in body
    assert "Recorded EUR 1,234.56" in body
    assert "<html" not in body
    with app.app_context():
        line = db.session.scalar(select(Expenditure))
        assert (line.period, line.amount_eur, line.created_by_id) == (
            3,
            Decimal("1234.56"),
            world.editor.id,
        )
        assert db.session.scalar(select(Event.verb).where(Event.verb == "budget_expenditure_added"))


def test_recording_without_htmx_redirects_to_the_partner_page(client, auth, world, budget):
    auth.login(world.editor.email)
    response = client.post(f"/p/budget/partners/{budget.ceei}/expenditure", data=LINE)
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).text
    assert "Thematic visit to Klaipėda" in page
    assert remaining(page, "travel") == Decimal("3015.44")


def test_foreign_currency_is_converted_once_and_rounded_half_up(app, client, auth, world, budget):
    auth.login(world.editor.email)
    data = {**LINE, "amount": "1000.00", "vat": "230.00", "currency": "PLN", "rate": "4.2985"}
    client.post(f"/p/budget/partners/{budget.ceei}/expenditure", data=data, headers=HTMX)
    with app.app_context():
        assert db.session.scalar(select(Expenditure.amount_eur)) == Decimal("286.15")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"amount": "-50"}, "The amount cannot be negative."),
        ({"amount": "fifty"}, "The amount must be a number"),
        ({"category": "catering"}, "Unknown category"),
        ({"category": "office"}, "flat rate of staff costs"),
        ({"payment_date": "2024-01-10"}, "is outside the project"),
        ({"payment_date": "2019-12-01", "invoice_date": "2019-12-01"}, "is closed"),
        ({"description": "=cmd|' /C calc'!A0"}, "read it as a formula"),
        ({"description": ""}, "The description is missing."),
    ],
)
@pytest.mark.parametrize("headers", [HTMX, {}], ids=["htmx", "plain"])
def test_bad_input_is_refused_with_422_and_saves_nothing(
    app, client, auth, world, budget, change, message, headers
):
    auth.login(world.editor.email)
    response = client.post(
        f"/p/budget/partners/{budget.ceei}/expenditure", data={**LINE, **change}, headers=headers
    )
    assert response.status_code == 422
    assert message in response.text
    assert "Nothing was saved" in response.text
    assert ('aria-invalid="true"' in response.text) is True
    assert count(app) == 0
    if headers:
        assert "<html" not in response.text


def test_removing_a_line_of_an_open_period(app, client, auth, world, budget):
    auth.login(world.coordinator.email)
    line_id = _a_line(app, budget.ceei)
    response = client.post(
        f"/p/budget/partners/{budget.ceei}/expenditure/{line_id}/delete", headers=HTMX
    )
    assert response.status_code == 200
    # The list that asked is replaced; the figures follow out of band.
    assert response.text.lstrip().startswith('<article id="budget-lines">')
    assert "No expenditure recorded yet." in response.text
    assert (
        'id="budget-summary" aria-label="Planned, spent and remaining" hx-swap-oob' in response.text
    )
    assert "record-form" not in response.text
    assert count(app) == 0


def test_a_line_of_a_closed_period_cannot_be_removed(app, client, auth, world, budget):
    auth.login(world.admin.email)
    line_id = _a_line(app, budget.ceei)
    with app.app_context():
        db.session.get(Expenditure, line_id).period = 1
        db.session.commit()
    response = client.post(
        f"/p/budget/partners/{budget.ceei}/expenditure/{line_id}/delete", headers=HTMX
    )
    assert response.status_code == 422
    assert "closed" in response.text
    assert count(app) == 1


def test_an_unknown_partner_or_line_is_404(app, client, auth, world, budget):
    auth.login(world.admin.email)
    assert client.get("/p/budget/partners/999").status_code == 404
    line_id = _a_line(app, budget.lead)
    url = f"/p/budget/partners/{budget.ceei}/expenditure/{line_id}/delete"
    assert client.post(url).status_code == 404


def test_invoices_go_to_an_evidence_folder_of_core_attachments(app, client, auth, world, budget):
    auth.login(world.editor.email)
    page = client.get(f"/p/budget/partners/{budget.ceei}").text
    assert "Open an evidence folder" in page
    first = client.post(f"/p/budget/partners/{budget.ceei}/evidence")
    assert first.status_code == 303
    assert re.fullmatch(r"/docs/\d+", first.headers["Location"])
    again = client.post(f"/p/budget/partners/{budget.ceei}/evidence")
    assert again.headers["Location"] == first.headers["Location"]
    document = client.get(first.headers["Location"]).text
    assert "Expenditure evidence: CEEI-Burgos" in document
    upload = client.post(
        f"{first.headers['Location']}/attachments",
        data={"file": (io.BytesIO(b"%PDF-1.4 invoice"), "T-77 hotel.pdf")},
        content_type="multipart/form-data",
    )
    assert upload.status_code in (200, 303)
    page = client.get(f"/p/budget/partners/{budget.ceei}").text
    assert 'Expenditure evidence: CEEI-Burgos</a> <small class="muted">(1 file)' in page
    # Other partners see the folder; they open their own.
    auth.logout()
    auth.login(world.other.email)
    assert (
        "Expenditure evidence: CEEI-Burgos" in client.get(f"/p/budget/partners/{budget.ceei}").text
    )
    assert client.post(f"/p/budget/partners/{budget.lead}/evidence").status_code == 303


# ---------------------------------------------------------------- figures


def test_partner_figures_flat_rate_erdf_and_warnings(client, auth, world, budget):
    auth.login(world.editor.email)
    client.post(
        f"/p/budget/partners/{budget.ceei}/expenditure",
        data={**LINE, "amount": "5000.00"},
        headers=HTMX,
    )
    page = client.get(f"/p/budget/partners/{budget.ceei}").text
    # 5 x 1000 staff + 15 % office + 4250 travel.
    assert figure(page, "total") == Decimal("10000.00")
    assert figure(page, "erdf") == Decimal("8500.00")
    assert remaining(page, "office") == Decimal("750.00")
    assert "Travel and accommodation is over budget by EUR 750.00" in page
    # "Today" is 15 Sep 2020: periods 1 and 2 are over, with nothing spent.
    assert "P1 (1 Aug 2019 – 31 Jan 2020) is over and spending is below plan" in page
    assert "P2 (1 Feb 2020 – 31 Jul 2020) is over" in page
    assert "P3 (" not in page.split("warning")[1].split("</ul>")[0]
    project = client.get("/p/budget/").text
    assert "CEEI-Burgos: Travel and accommodation is over budget by EUR 750.00" in project


def test_region_page_and_project_page_agree(client, auth, world, budget):
    auth.login(world.coordinator.email)
    region = client.get("/r/burgos/budget/").text
    project = client.get("/p/budget/").text
    assert figure(region, "total") == Decimal("10000.00")
    assert figure(project, "total") == Decimal("10000.00")  # the lead partner plans nothing yet
    assert "<svg" in region and "<svg" in project


# ---------------------------------------------------------------- planning


def plan_form(version=1, **amounts):
    data = {"version": str(version)}
    data.update({key.replace("_", "-"): value for key, value in amounts.items()})
    return data


def test_saving_the_plan(app, client, auth, world, budget):
    auth.login(world.editor.email)
    page = client.get(f"/p/budget/partners/{budget.ceei}/plan")
    assert 'name="staff-1" value="1,000.00"' in page.text
    assert '<td class="num">150.00</td>' in page.text  # office and administration, computed
    response = client.post(
        f"/p/budget/partners/{budget.ceei}/plan",
        data=plan_form(staff_1="2000", staff_2="1000.00", travel_2="4250", external_5="99.99"),
    )
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).text
    # Staff 2000 + 1000 (+15 %) + travel 4250 + external 99.99; P3-P5 staff emptied.
    assert figure(page, "total") == Decimal("7799.99")
    with app.app_context():
        assert db.session.get(PartnerPlan, budget.ceei).version == 2


def test_a_stale_plan_is_409_and_keeps_the_typed_figures(app, client, auth, world, budget):
    auth.login(world.editor.email)
    url = f"/p/budget/partners/{budget.ceei}/plan"
    assert client.post(url, data=plan_form(1, staff_1="1")).status_code == 303
    response = client.post(url, data=plan_form(1, staff_1="777"))
    assert response.status_code == 409
    assert 'value="777"' in response.text
    assert "Someone saved this budget" in response.text
    with app.app_context():
        amounts = db.session.scalars(select(PlanLine.amount).where(PlanLine.period == 1))
        assert Decimal("777.00") not in list(amounts)


def test_a_bad_plan_amount_is_422_and_saves_nothing(app, client, auth, world, budget):
    auth.login(world.editor.email)
    url = f"/p/budget/partners/{budget.ceei}/plan"
    response = client.post(url, data=plan_form(1, staff_1="-3", travel_2="lots", staff_2="5"))
    assert response.status_code == 422
    assert "Staff in P1 cannot be negative." in response.text
    assert "Travel and accommodation in P2 must be a number" in response.text
    with app.app_context():
        assert db.session.get(PartnerPlan, budget.ceei).version == 1


# ---------------------------------------------------------------- CSV import

CSV_GOOD = (
    "category,description,invoice_number,invoice_date,payment_date,amount,vat,currency,rate\n"
    "staff,Salaries August 2020,S-8,2020-08-31,2020-09-03,2100.00,0,EUR,1\n"
    "travel,Hotel in Rzeszów,H-2,2020-09-01,2020-09-05,860.50,0,PLN,4.4\n"
)
CSV_ONE_BAD = CSV_GOOD + "equipment,=cmd|' /C calc'!A0,E-1,2020-09-01,2020-09-05,100,0,EUR,1\n"


def upload(client, partner_id, text: str | bytes, name="lines.csv"):
    content = text if isinstance(text, bytes) else text.encode()
    return client.post(
        f"/p/budget/partners/{partner_id}/import",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def hidden_fields(page: str, action: str) -> dict[str, str]:
    """The hidden inputs of the form on ``page`` that posts to ``action``, as sent."""
    form = page[page.index(f'action="{action}"') :]
    form = form[: form.index("</form>")]
    return {
        html.unescape(name): html.unescape(value)
        for name, value in re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form)
    }


def confirm(client, partner_id, preview):
    """Press "Import" on a preview page."""
    url = f"/p/budget/partners/{partner_id}/import/confirm"
    return client.post(url, data=hidden_fields(preview.text, url))


def test_import_preview_saves_nothing_until_confirmed(app, client, auth, world, budget):
    auth.login(world.editor.email)
    preview = upload(client, budget.ceei, CSV_GOOD)
    assert preview.status_code == 200
    assert "All 2 lines can be imported: EUR 2,295.57 in total." in preview.text
    assert count(app) == 0
    response = confirm(client, budget.ceei, preview)
    assert response.status_code == 303
    assert count(app) == 2
    page = client.get(response.headers["Location"]).text
    assert "Imported 2 lines, EUR 2,295.57 in total." in page


def test_import_lists_every_rejected_row_and_why(app, client, auth, world, budget):
    auth.login(world.editor.email)
    text = CSV_ONE_BAD + "catering,Lunch,,2020-09-01,2020-09-05,-4,0,EUR,1\n"
    preview = upload(client, budget.ceei, text)
    assert preview.status_code == 422
    assert "2 of 4 lines rejected" in preview.text
    assert 'data-line="4" class="rejected"' in preview.text
    assert "The description cannot start with “=”" in preview.text
    assert 'data-line="5" class="rejected"' in preview.text
    assert "Unknown category “catering”" in preview.text
    assert "The amount cannot be negative." in preview.text
    assert "Import 4 lines" not in preview.text
    # A confirmation sent anyway is checked again and saves nothing.
    response = client.post(
        f"/p/budget/partners/{budget.ceei}/import/confirm",
        data={"raw": base64.b64encode(text.encode()).decode(), "token": "x" * 24},
    )
    assert response.status_code == 422
    assert count(app) == 0


def test_confirming_one_preview_twice_imports_once(app, client, auth, world, budget):
    auth.login(world.editor.email)
    preview = upload(client, budget.ceei, CSV_GOOD)
    assert confirm(client, budget.ceei, preview).status_code == 303
    again = confirm(client, budget.ceei, preview)  # a double click, or Back and Import
    assert again.status_code == 303
    assert count(app) == 2
    assert "These 2 lines were already imported." in client.get(again.headers["Location"]).text


# Each partner's habit: (Accept-Language, encoding, separator, amount as typed, stored).
HABITS = [
    ("en-GB,en;q=0.9", "utf-8", ",", '"4,500.00"', "4,500.00"),
    ("hu-HU,hu;q=0.9", "cp1250", ";", "4.500,00", "4\N{NO-BREAK SPACE}500,00"),
    ("it-IT,it;q=0.9", "cp1252", ";", "4.500,00", "4.500,00"),
    ("pl-PL,pl;q=0.9", "cp1250", ";", "4 500,00", "4\N{NO-BREAK SPACE}500,00"),
    ("es-ES,es;q=0.9", "cp1252", ";", "4.500,00", "4.500,00"),
    ("lt-LT,lt;q=0.9", "cp1257", ";", "4500,00", "4\N{NO-BREAK SPACE}500,00"),
]


@pytest.mark.parametrize(("language", "encoding", "sep", "typed", "shown"), HABITS)
def test_excel_files_from_each_partner_are_read_in_their_format(
    app, client, auth, world, budget, language, encoding, sep, typed, shown
):
    """An Excel "CSV" as each partner's Windows writes it: its code page, its
    separator, its amounts. 4.500,00 is four thousand five hundred, not 4.50."""
    auth.login(world.editor.email)
    town = {"cp1250": "Kőszeg Łódź", "cp1257": "Šiauliai Klaipėda"}.get(encoding, "Rzeszów")
    text = (
        sep.join(FIELDS)
        + "\r\n"
        + sep.join(
            ["staff", f"Salaries {town}", "S-9", "31.08.2020", "03/09/2020", typed, "0", "EUR", "1"]
        )
        + "\r\n"
    )
    preview = client.post(
        f"/p/budget/partners/{budget.ceei}/import",
        data={"file": (io.BytesIO(text.encode(encoding)), "lines.csv")},
        content_type="multipart/form-data",
        headers={"Accept-Language": language},
    )
    assert preview.status_code == 200, preview.text
    assert f"Salaries {town}" in preview.text
    assert f"{shown}" in preview.text
    url = f"/p/budget/partners/{budget.ceei}/import/confirm"
    client.post(url, data=hidden_fields(preview.text, url), headers={"Accept-Language": language})
    with app.app_context():
        line = db.session.scalars(select(Expenditure)).one()
        assert line.amount == Decimal("4500.00")
        assert line.description == f"Salaries {town}"
        assert line.invoice_date == date(2020, 8, 31)


def test_an_amount_in_another_format_is_refused_not_misread(app, client, auth, world, budget):
    auth.login(world.editor.email)
    text = ",".join(FIELDS) + "\n" + 'staff,Salaries,S-9,2020-08-31,2020-09-03,"4.500,00",0,EUR,1\n'
    preview = upload(client, budget.ceei, text)  # an English reader
    assert preview.status_code == 422
    assert "The amount must be a number written like 4,500.00." in preview.text
    assert count(app) == 0


def test_a_wrongly_guessed_encoding_can_be_chosen_by_hand(app, client, auth, world, budget):
    """cp1257 bytes read as cp1250 are not an error, only wrong letters: the person
    sees the names and reads the file again as Baltic."""
    auth.login(world.editor.email)
    text = ";".join(FIELDS) + "\n" + "staff;Šiauliai ėčų;S-1;2020-08-31;2020-09-03;100;0;EUR;1\n"
    url = f"/p/budget/partners/{budget.ceei}/import"
    first = upload(client, budget.ceei, text.encode("cp1257"))
    assert first.status_code == 200
    again = client.post(url, data={**hidden_fields(first.text, url), "encoding": "cp1257"})
    assert "Šiauliai ėčų" in again.text
    assert '<option value="cp1257" selected>' in again.text


def test_quoted_cells_keep_their_separators_and_doubled_quotes(app, client, auth, world, budget):
    auth.login(world.editor.email)
    text = (
        ",".join(FIELDS) + "\r\n"
        'travel,"Hotel ""Rex"", Rzeszów",H-9,2020-09-01,2020-09-05,"1,860.50",0,PLN,4.4\r\n'
    )
    preview = upload(client, budget.ceei, text)
    assert preview.status_code == 200, preview.text
    confirm(client, budget.ceei, preview)
    with app.app_context():
        line = db.session.scalars(select(Expenditure)).one()
        assert line.description == 'Hotel "Rex", Rzeszów'
        assert line.amount == Decimal("1860.50")


def test_an_invoice_already_recorded_is_flagged(app, client, auth, world, budget):
    auth.login(world.editor.email)
    url = f"/p/budget/partners/{budget.ceei}/expenditure"
    assert client.post(url, data=LINE).status_code == 303
    again = client.post(url, data=LINE)
    assert again.status_code == 422
    assert "Invoice T-77 is already recorded" in again.text
    assert 'name="same_invoice"' in again.text
    assert count(app) == 1
    assert client.post(url, data={**LINE, "same_invoice": "y"}).status_code == 303
    assert count(app) == 2
    text = (
        ",".join(FIELDS)
        + "\n"
        + (
            "travel,Taxi,t-77,2020-09-01,2020-09-05,10,0,EUR,1\n"
            "travel,Taxi back,X-1,2020-09-01,2020-09-05,10,0,EUR,1\n"
            "travel,Taxi back again,x-1,2020-09-01,2020-09-05,10,0,EUR,1\n"
        )
    )
    preview = upload(client, budget.ceei, text)
    assert preview.status_code == 200
    assert "Invoice t-77 is already recorded" in preview.text
    assert "Invoice x-1 appears more than once in this file." in preview.text
    assert 'data-line="2" class="flagged"' in preview.text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"\x00\xff\xfe\x00binary", "The file is not text"),
        (b"foo,bar\n1,2\n", "missing: category"),
        (b"category,description,invoice_date,payment_date,amount\n", "no lines"),
    ],
)
def test_an_unreadable_file_is_refused_clearly(app, client, auth, world, budget, content, message):
    auth.login(world.editor.email)
    response = client.post(
        f"/p/budget/partners/{budget.ceei}/import",
        data={"file": (io.BytesIO(content), "x.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert message in response.text
    assert count(app) == 0


def test_import_without_a_file_is_422(client, auth, world, budget):
    auth.login(world.editor.email)
    response = client.post(f"/p/budget/partners/{budget.ceei}/import", data={})
    assert response.status_code == 422
    assert "Choose a CSV file" in response.text


# ---------------------------------------------------------------- exports


def test_csv_exports_are_complete_and_never_start_a_formula(app, client, auth, world, budget):
    auth.login(world.admin.email)
    with app.app_context():
        db.session.add(
            Expenditure(
                partner_id=budget.ceei,
                period=3,
                category="travel",
                description="-2+3 stored before the checks existed",
                invoice_number="@A1",
                invoice_date=date(2020, 9, 1),
                payment_date=date(2020, 9, 2),
                amount=Decimal("10.00"),
                vat=Decimal("0.00"),
                currency="EUR",
                rate=Decimal(1),
                amount_eur=Decimal("10.00"),
            )
        )
        db.session.commit()
    response = client.get(f"/p/budget/partners/{budget.ceei}/export-expenditure.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[1][3] == "'-2+3 stored before the checks existed"
    assert rows[1][4] == "'@A1"
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell
    budget_rows = list(
        csv.DictReader(
            io.StringIO(client.get("/p/budget/export-budget.csv").data.decode("utf-8-sig"))
        )
    )
    planned = sum(Decimal(r["Planned EUR"]) for r in budget_rows if r["Partner"] == "CEEI-Burgos")
    assert planned == Decimal("10000.00")
    summary = list(
        csv.DictReader(
            io.StringIO(client.get("/p/budget/export-summary.csv").data.decode("utf-8-sig"))
        )
    )
    assert summary[-1]["Partner"] == "Total"
    assert summary[-1]["Total EUR"] == "10000.00"
    assert client.get("/p/budget/export-secrets.csv").status_code == 404


def test_xlsx_cells_never_start_a_formula(app, client, auth, world, budget):
    auth.login(world.editor.email)
    with app.app_context():
        db.session.add(
            Expenditure(
                partner_id=budget.ceei,
                period=3,
                category="travel",
                description="=1+1",
                invoice_date=date(2020, 9, 1),
                payment_date=date(2020, 9, 2),
                amount=Decimal("10.00"),
                vat=Decimal("0.00"),
                currency="EUR",
                rate=Decimal(1),
                amount_eur=Decimal("10.00"),
            )
        )
        db.session.commit()
    book = load_workbook(
        io.BytesIO(client.get(f"/p/budget/partners/{budget.ceei}/export.xlsx").data)
    )
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.coordinate
    assert book["Expenditure"]["D2"].value == "'=1+1"


# ---------------------------------------------------------------- hooks


def test_menu_link_and_dashboard_panel(client, auth, world, budget):
    auth.login(world.coordinator.email)
    dashboard = with_panels(client, "/r/burgos/")
    assert 'href="/r/burgos/budget/"' in dashboard
    assert "Budget: spent against plan" in dashboard
    assert "EUR 0.00 of 10,000.00" in dashboard
    overview = client.get("/").text
    assert 'href="/p/budget/"' in overview


def test_stakeholders_get_no_budget_links_or_panel(client, auth, world, budget):
    auth.login(world.stakeholder.email)
    dashboard = with_panels(client, "/r/burgos/")
    assert "/budget/" not in dashboard
    assert "Budget: spent against plan" not in dashboard


def test_region_export_holds_the_budget_and_expenditure(app, client, auth, world, budget):
    auth.login(world.editor.email)
    _a_line(app, budget.ceei)
    response = client.get("/r/burgos/export.zip")
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        names = archive.namelist()
        assert "budget/budget-budget.csv" in names
        assert "budget/budget-summary.csv" in names
        expenditure = archive.read("budget/budget-expenditure.csv").decode("utf-8-sig")
    assert "Salary" in expenditure
    assert "Pannon EGTC" not in expenditure


def test_search_finds_lines_by_invoice_number_for_the_consortium(app, client, auth, world, budget):
    auth.login(world.editor.email)
    client.post(f"/p/budget/partners/{budget.ceei}/expenditure", data=LINE)
    page = client.get("/search", query_string={"q": "T-77"}).text
    assert "Thematic visit to Klaipėda" in page
    assert "EUR 1,234.56 · invoice T-77 · paid 10 Sept 2020" in page
    assert "Thematic" not in client.get("/search", query_string={"q": "100%_"}).text
    auth.logout()
    auth.login(world.stakeholder.email)
    assert "Thematic" not in client.get("/search", query_string={"q": "T-77"}).text


# ---------------------------------------------------------------- settings


def test_admin_changes_the_rates_and_the_figures_follow(client, auth, world, budget):
    auth.login(world.admin.email)
    data = {
        "erdf_rate_public": "80",
        "erdf_rate_private": "70",
        "office_rate": "15",
        "flexibility_rate": "20",
        "closed_through": "2",
    }
    response = client.post("/p/budget/settings", data=data)
    assert response.status_code == 303
    page = client.get(f"/p/budget/partners/{budget.ceei}").text
    assert figure(page, "erdf") == Decimal("8000.00")
    response = client.post(
        f"/p/budget/partners/{budget.ceei}/expenditure",
        data={**LINE, "payment_date": "2020-05-05", "invoice_date": "2020-05-01"},
    )
    assert response.status_code == 422
    assert "P2 (1 Feb 2020 – 31 Jul 2020) is closed" in response.text


SETTINGS = {
    "erdf_rate_public": "85",
    "erdf_rate_private": "75",
    "office_rate": "15",
    "flexibility_rate": "20",
    "closed_through": "0",
}


CALENDAR = {
    "start_date": "2019-08-01",
    "phase1_months": "24",
    "phase1_period_months": "6",
    "phase2_months": "12",
    "phase2_period_months": "12",
    "report_days": "14",
}


def test_a_new_calendar_moves_lines_to_their_new_periods(app, client, auth, world, budget):
    """The calendar is the core's (Admin → Calendar); the budget files its lines by
    its periods, and refuses a calendar that would leave a line outside the project."""
    auth.login(world.admin.email)
    line_id = _a_line(app, budget.ceei)  # paid 2 Sep 2020: P3 in semesters
    response = client.post("/admin/calendar", data={**CALENDAR, "phase1_period_months": "12"})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Expenditure, line_id).period == 2
    assert "P2" in client.get(f"/p/budget/partners/{budget.ceei}").text
    # A start after the line's payment would leave it outside the project.
    response = client.post("/admin/calendar", data={**CALENDAR, "start_date": "2020-10-01"})
    assert response.status_code == 422
    assert (
        "Nothing was changed: expenditure paid on 2 Sept 2020 would fall outside the project"
        in response.text
    )
    with app.app_context():
        assert db.session.get(Expenditure, line_id).period == 2
        assert project_calendar().phase1_period_months == 12
    # Nor may periods the budget has closed disappear.
    settings = {**SETTINGS, "closed_through": "4"}
    assert client.post("/p/budget/settings", data=settings).status_code == 422  # 3 periods
    assert (
        client.post("/p/budget/settings", data={**settings, "closed_through": "3"}).status_code
        == 303
    )
    response = client.post("/admin/calendar", data={**CALENDAR, "phase1_period_months": "24"})
    assert response.status_code == 422
    assert "closed the periods up to P3, and the new calendar has 2" in response.text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"erdf_rate_public": "120"}, "at most 100 %"),
        ({"closed_through": "9"}, "The project has 5 periods."),
    ],
)
def test_bad_settings_are_422_and_change_nothing(client, auth, world, budget, change, message):
    auth.login(world.admin.email)
    data = {
        "erdf_rate_public": "85",
        "erdf_rate_private": "75",
        "office_rate": "15",
        "flexibility_rate": "20",
        "closed_through": "1",
    }
    response = client.post("/p/budget/settings", data={**data, **change})
    assert response.status_code == 422
    assert message in response.text
    page = client.get(f"/p/budget/partners/{budget.ceei}").text
    assert figure(page, "erdf") == Decimal("8500.00")


@pytest.mark.parametrize("language", ["en-GB", "hu-HU", "it-IT", "pl-PL", "es-ES", "lt-LT"])
def test_forms_read_back_what_they_show_in_every_format(app, client, auth, world, budget, language):
    """Opening the plan grid or the settings and saving them unchanged changes nothing,
    in each of the six formats: what a form shows is what it reads."""
    auth.login(world.admin.email)
    headers = {"Accept-Language": language}
    with app.app_context():
        before = sorted(
            (line.category, line.period, line.amount)
            for line in db.session.scalars(
                select(PlanLine).where(PlanLine.partner_id == budget.ceei)
            )
        )
    url = f"/p/budget/partners/{budget.ceei}/plan"
    shown = form_inputs(client.get(url, headers=headers).text)
    assert client.post(url, data=shown, headers=headers).status_code == 303
    settings = form_inputs(client.get("/p/budget/settings", headers=headers).text)
    assert client.post("/p/budget/settings", data=settings, headers=headers).status_code == 303
    with app.app_context():
        after = sorted(
            (line.category, line.period, line.amount)
            for line in db.session.scalars(
                select(PlanLine).where(PlanLine.partner_id == budget.ceei)
            )
        )
        assert db.session.scalars(select(BudgetSettings)).one().erdf_rate_public == Decimal("85")
    assert after == before and before


def test_the_plan_grid_reads_each_partners_format(app, client, auth, world, budget):
    auth.login(world.admin.email)
    url = f"/p/budget/partners/{budget.ceei}/plan"
    headers = {"Accept-Language": "es-ES,es;q=0.9"}
    shown = form_inputs(client.get(url, headers=headers).text)
    assert shown["staff-1"] == "1.000,00"
    response = client.post(url, data={**shown, "travel-1": "4.500,00"}, headers=headers)
    assert response.status_code == 303
    with app.app_context():
        line = db.session.scalars(
            select(PlanLine).where(
                PlanLine.partner_id == budget.ceei,
                PlanLine.category == "travel",
                PlanLine.period == 1,
            )
        ).one()
        assert line.amount == Decimal("4500.00")
    english = client.post(url, data={**form_inputs(client.get(url).text), "travel-1": "4.500,00"})
    assert english.status_code == 422
    assert "must be a number written like 4,500.00" in english.text
    assert 'value="4.500,00"' in english.text  # the typed text stays in the field


@pytest.mark.parametrize(
    ("language", "amount", "vat", "rate", "shown"),
    [
        ("en-GB", "4,500.00", "0.00", "4.2985", "EUR 1,046.88"),
        ("hu-HU", "4.500,00", "0", "4,2985", "EUR 1\N{NO-BREAK SPACE}046,88"),
        ("it-IT", "4.500,00", "0,00", "4,2985", "EUR 1.046,88"),
        ("pl-PL", "4 500,00", "0", "4,2985", "EUR 1\N{NO-BREAK SPACE}046,88"),
        ("es-ES", "4500,00", "0", "4,2985", "EUR 1.046,88"),
        ("lt-LT", "4500", "0", "4,2985", "EUR 1\N{NO-BREAK SPACE}046,88"),
    ],
)
def test_the_expenditure_form_reads_each_partners_format(
    app, client, auth, world, budget, language, amount, vat, rate, shown
):
    """4.500,00 PLN typed by a Polish officer is 4500 PLN, 1046.88 euro: not 4.50."""
    auth.login(world.editor.email)
    line = {**LINE, "amount": amount, "vat": vat, "currency": "pln", "rate": rate}
    url = f"/p/budget/partners/{budget.ceei}/expenditure"
    response = client.post(url, data=line, headers={"Accept-Language": language})
    assert response.status_code == 303
    page = client.get(response.headers["Location"], headers={"Accept-Language": language})
    # The page speaks the officer's language: the amount is in the message, in their format.
    assert shown.removeprefix("EUR ") in page.text
    with app.app_context():
        stored = db.session.scalars(select(Expenditure)).one()
        assert (stored.amount, stored.rate, stored.amount_eur) == (
            Decimal("4500.00"),
            Decimal("4.2985"),
            Decimal("1046.88"),
        )


def test_a_number_in_another_format_is_refused_and_kept_in_the_form(
    app, client, auth, world, budget
):
    auth.login(world.editor.email)
    url = f"/p/budget/partners/{budget.ceei}/expenditure"
    response = client.post(url, data={**LINE, "amount": "4.500,00"})  # an English reader
    assert response.status_code == 422
    assert "The amount must be a number written like 4,500.00." in response.text
    assert 'value="4.500,00"' in response.text
    assert count(app) == 0


def test_spending_adds_up_to_the_cent_however_many_lines(app, client, auth, world, budget):
    """Ten thousand lines of 0.10 € and 0.29 € (neither exact as a binary float, which
    is how SQLite keeps them), summed in the database, are exactly 1,950.00 €."""
    with app.app_context():
        common = {"partner_id": budget.ceei, "period": 2, "category": "travel",
                  "invoice_date": date(2020, 3, 1), "payment_date": date(2020, 3, 2),
                  "vat": Decimal("0.00"), "currency": "EUR", "rate": Decimal(1)}  # fmt: skip
        for n in range(5000):
            for amount in (Decimal("0.10"), Decimal("0.29")):
                db.session.add(
                    Expenditure(
                        description=f"Ticket {n}", amount=amount, amount_eur=amount, **common
                    )
                )
        db.session.commit()
    auth.login(world.admin.email)
    summary = list(
        csv.DictReader(
            io.StringIO(client.get("/p/budget/export-summary.csv").data.decode("utf-8-sig"))
        )
    )
    (ceei,) = [row for row in summary if row["Partner"] == "CEEI-Burgos"]
    assert ceei["Spent EUR"] == "1950.00"
