"""The payment chain: certified figures from the controller's results (with the flat
rate on certified staff costs), the ERDF due, what the lead partner records as received
and forwarded, and totals that add up from partner to project."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from plugins.budget.models import Expenditure, Payment
from plugins.budget.reporting import certified
from plugins.budget.tests.test_budget_views import _a_line, figure
from workspace.api import CertifiedLine, Partner, db, parse_number
from workspace.testing import DEMO_PASSWORD, load_demo

PAGE = "/p/budget/payments"


def certify(app, partner_id: int, eligible: dict[int, str], reason: str = "") -> None:
    """The controller's results, as the reports plugin hands them over."""
    with app.app_context():
        partner = db.session.get(Partner, partner_id)
        lines = [
            CertifiedLine(
                f"budget:expenditure:{line_id}",
                db.session.get(Expenditure, line_id).amount_eur,
                Decimal(amount),
                reason,
            )
            for line_id, amount in eligible.items()
        ]
        certified(partner, lines)
        db.session.commit()


def row(page: str, partner_id: int, period: str) -> list[str]:
    section = page.split(f'id="partner-{partner_id}"', 1)[1].split("</article>", 1)[0]
    cells = section.split(f'<th scope="row">{period}</th>', 1)[1].split("</tr>", 1)[0]
    texts = [re.sub(r"<[^>]+>", " ", c).split() for c in re.findall(r"<td[^>]*>(.*?)</td>", cells)]
    return [words[0] if words else "" for words in texts]


def test_certified_is_the_eligible_lines_and_the_flat_rate_on_them(
    app, client, auth, world, budget
):
    line = _a_line(app, budget.ceei)  # EUR 10.00 of staff in P3
    auth.login(world.editor.email)
    assert row(client.get(PAGE).text, budget.ceei, "P3")[2] == "–"  # not certified yet
    certify(app, budget.ceei, {line: "8.00"}, "Two hours without a timesheet.")
    cells = row(client.get(PAGE).text, budget.ceei, "P3")
    # Reported 10.00 + 15 % office = 11.50; certified 8.00 + 1.20 = 9.20; ERDF 85 % of it.
    assert cells[1:5] == ["11.50", "9.20", "2.30", "7.82"]


def test_the_lead_partner_records_what_was_received_and_forwarded(app, client, auth, world, budget):
    line = _a_line(app, budget.ceei)
    certify(app, budget.ceei, {line: "10.00"})
    url = f"{PAGE}/{budget.ceei}/P3"
    auth.login(world.coordinator.email)
    assert client.get(url).status_code == 403  # the lead partner's admins keep it
    auth.logout()
    auth.login(world.admin.email)
    form = {"version": "0", "reported_on": "15/03/2021", "received_eur": "10.00"}
    form |= {"received_on": "20/05/2021", "forwarded_eur": "9.78", "forwarded_on": "02/06/2021"}
    too_much = client.post(url, data=form)
    assert too_much.status_code == 422
    assert "More than the ERDF due on the certified expenditure (EUR 9.78)" in too_much.text
    assert 'value="10.00"' in too_much.text  # as typed
    assert (
        client.post(url, data=form | {"received_eur": "9.78", "forwarded_eur": "9.80"}).status_code
        == 422
    )
    undated = client.post(url, data=form | {"received_eur": "9.78", "received_on": ""})
    assert "Say on which day." in undated.text
    early = client.post(url, data=form | {"received_eur": "9.78", "forwarded_on": "01/05/2021"})
    assert "forwarded after it is received" in early.text
    with app.app_context():
        assert db.session.scalar(select(Payment)) is None  # nothing saved by any of them
    saved = client.post(url, data=form | {"received_eur": "9.78"})
    assert saved.status_code == 303
    page = client.get(PAGE).text
    assert row(page, budget.ceei, "P3")[6:8] == ["9.78", "9.78"]
    assert 'data-figure="to-come">EUR 0.00<' in page
    again = {"received_eur": "9.00", "forwarded_eur": "9.00"}
    stale = client.post(url, data=form | again)  # from version 0 again
    assert stale.status_code == 409 and "Someone else saved this payment" in stale.text


@pytest.fixture
def demo(app, client, auth):
    load_demo(app)
    auth.login("editor@rarr.example", DEMO_PASSWORD)
    with app.app_context():
        return {p.short_name: p.id for p in db.session.scalars(select(Partner))}


def totals(page: str, scope: str) -> dict[str, Decimal]:
    part = page.split(scope, 1)[1].split("</tfoot>", 1)[0]
    return {
        name: parse_number(value, fmt="en")  # the page is in the default (English) format
        for name, value in re.findall(r'data-total="([\w-]+)">([\d,.]+)<', part)
    }


def test_the_demo_partners_add_up_to_the_project_to_the_cent(client, demo):
    page = client.get(PAGE).text
    partners = [totals(page, f'id="partner-{pid}"') for pid in demo.values()]
    for name, key in (("received", "received"), ("erdf-due", "erdf-due")):
        assert sum(p[name] for p in partners) == figure(page, key), name
    certified_total = sum(p["certified"] for p in partners)
    assert certified_total == figure(page, "certified")
    # P1–P3 were paid in full for every partner; what is still to come is the rest.
    assert figure(page, "to-come") == figure(page, "erdf-due") - figure(page, "received")
    assert figure(page, "received") > 0
