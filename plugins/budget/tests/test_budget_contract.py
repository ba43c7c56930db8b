"""The contracted budget: the baseline an admin fixes, the modifications recorded
against it, the flexibility a coordinator confirms beyond, and totals only admins change."""

from __future__ import annotations

import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from plugins.budget.contract import moved
from plugins.budget.ledger import default_settings
from plugins.budget.models import (
    BudgetSettings,
    Category,
    Contract,
    Modification,
    PartnerPlan,
    PlanLine,
)
from workspace.api import Event, Partner, User, db
from workspace.testing import DEMO_PASSWORD, form_inputs, load_demo, switch_on

from .test_budget_views import figure

ITALIAN = {"Accept-Language": "it-IT,it;q=0.9"}


def english_words_italian_numbers(app, user_id: int) -> None:
    """An Italian finance officer who reads the English interface and writes 4.500,00."""
    with app.app_context():
        user = db.session.get(User, user_id)
        user.language, user.number_format = "en", "it"
        db.session.commit()


@pytest.fixture
def ceei(app, world):
    """Budget on in Burgos and Pannon; CEEI-Burgos (public) plans EUR 1,000 of staff in
    each of the five periods and EUR 4,250 of travel in P2: EUR 10,000 with office
    and administration. Flexibility 20 %: EUR 2,000 may move."""
    app.config["BUDGET_TODAY"] = "2020-09-15"
    for slug in ("burgos", "pannon"):
        switch_on(app, slug, "budget")
    with app.app_context():
        partner = db.session.scalar(select(Partner).where(Partner.short_name == "CEEI-Burgos"))
        db.session.add(default_settings())
        plan = PartnerPlan(partner_id=partner.id, version=1)
        plan.lines = [
            PlanLine(category="staff", period=n, amount=Decimal("1000.00")) for n in range(1, 6)
        ] + [PlanLine(category="travel", period=2, amount=Decimal("4250.00"))]
        db.session.add(plan)
        db.session.commit()
        return SimpleNamespace(
            id=partner.id,
            page=f"/p/budget/partners/{partner.id}",
            plan=f"/p/budget/partners/{partner.id}/plan",
            contract=f"/p/budget/partners/{partner.id}/contract",
        )


def contract_it(client, auth, world, ceei, note="Subsidy contract of 1 Aug 2019"):
    auth.login(world.admin.email)
    response = client.post(ceei.contract, data={"version": "1", "note": note})
    assert response.status_code == 303, response.text
    auth.logout()


def grid(client, ceei, headers=None, **cells) -> dict[str, str]:
    """The plan form as the page shows it, with ``cells`` ("travel_2") typed over it."""
    data = form_inputs(client.get(ceei.plan, headers=headers or {}).text)
    data.update({key.replace("_", "-"): value for key, value in cells.items()})
    return data


def plan_amounts(app, partner_id) -> dict[tuple[str, int], Decimal]:
    with app.app_context():
        lines = db.session.scalars(select(PlanLine).where(PlanLine.partner_id == partner_id))
        return {(line.category, line.period): line.amount for line in lines if line.amount}


def modifications(app) -> list[Modification]:
    with app.app_context():
        found = db.session.scalars(select(Modification).order_by(Modification.id)).all()
        for m in found:
            _ = m.cells  # loaded before the session closes
        db.session.expunge_all()
        return found


def events(app, verb) -> list[Event]:
    with app.app_context():
        return db.session.scalars(select(Event).where(Event.verb == verb)).all()


# ---------------------------------------------------------------- "moved"


def G(**cells) -> dict:  # noqa: N802 - a grid literal
    return {(Category(k.split("_")[0]), int(k.split("_")[1])): Decimal(v) for k, v in cells.items()}


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        # EUR 500 from travel to external: counted once, not twice.
        (G(travel_2="4250"), G(travel_2="3750", external_2="500"), "500"),
        # Only added: nothing is moved.
        (G(travel_2="4250"), G(travel_2="4750"), "0"),
        # 500 moved and 650 added: staff +1000 (office +150), travel -500.
        (
            G(staff_1="1000", office_1="150", travel_1="1000"),
            G(staff_1="2000", office_1="300", travel_1="500"),
            "500",
        ),
        # Between periods of one category.
        (G(staff_1="1000", staff_2="0"), G(staff_1="0", staff_2="1000"), "1000"),
    ],
)
def test_moved_is_what_leaves_some_cells_for_others(old, new, expected):
    assert moved(old, new) == Decimal(expected)


# ---------------------------------------------------------------- contracting


def test_contracting_fixes_the_baseline(app, client, auth, world, ceei):
    auth.login(world.editor.email)
    page = client.get(ceei.page).text
    assert "Not contracted yet" in page
    assert "Mark the plan as contracted" not in page  # for admins only
    assert client.post(ceei.contract, data={"version": "1"}).status_code == 403
    auth.logout()
    auth.login(world.coordinator.email)
    assert client.post(ceei.contract, data={"version": "1"}).status_code == 403
    auth.logout()
    auth.login(world.admin.email)
    assert "Mark the plan as contracted" in client.get(ceei.page).text
    # Based on an older page: refused, nothing fixed.
    assert client.post(ceei.contract, data={"version": "7"}).status_code == 409
    response = client.post(ceei.contract, data={"version": "1", "note": "Subsidy contract"})
    assert response.status_code == 303
    with app.app_context():
        contract = db.session.scalars(select(Contract)).one()
        assert (contract.partner_id, contract.total, contract.contracted_by_id) == (
            ceei.id,
            Decimal("10000.00"),
            world.admin.id,
        )
        lines = {(line.category, line.period): line.amount for line in contract.lines}
        assert lines[("office", 3)] == Decimal("150.00")  # as computed when contracted
        assert lines[("travel", 2)] == Decimal("4250.00")
    assert len(events(app, "budget_plan_contracted")) == 1
    page = client.get(ceei.page).text
    assert "Fixed on" in page and "Subsidy contract" in page
    assert re.search(r"data-contracted-total>10,000.00<", page)
    assert "No modification since the contract." in page
    # The same plan again is no new baseline.
    again = client.post(ceei.contract, data={"version": "1"})
    assert again.status_code == 422
    assert "The contracted budget is already this plan." in again.text


def test_the_baseline_stays_while_the_plan_changes_until_an_admin_fixes_a_new_one(
    app, client, auth, world, ceei
):
    contract_it(client, auth, world, ceei)
    auth.login(world.admin.email)
    data = grid(client, ceei, travel_2="5250.00", reason="Formal modification no. 1")
    assert client.post(ceei.plan, data=data).status_code == 303
    page = client.get(ceei.page).text
    assert re.search(r"data-contracted-total>10,000.00<", page)
    assert figure(page, "total") == Decimal("11000.00")
    # After the programme approves: the current plan becomes the baseline.
    response = client.post(ceei.contract, data={"version": "2", "note": "Modification no. 1"})
    assert response.status_code == 303
    page = client.get(ceei.page).text
    assert re.search(r"data-contracted-total>11,000.00<", page)
    assert "replaces 1 earlier baseline" in page
    assert 'data-figure="moved">EUR 0.00<' in page


# ---------------------------------------------------------------- modifications


def test_a_small_change_records_a_modification_against_the_baseline(app, client, auth, world, ceei):
    contract_it(client, auth, world, ceei)
    auth.login(world.editor.email)
    english_words_italian_numbers(app, world.editor.id)
    # An Italian finance officer moves EUR 500 of P2 travel to external services.
    data = grid(
        client,
        ceei,
        ITALIAN,
        travel_2="3.750,00",
        external_2="500,00",
        reason="Riunione online: piattaforma invece del viaggio.",
    )
    assert data["staff-1"] == "1.000,00"
    response = client.post(ceei.plan, data=data, headers=ITALIAN)
    assert response.status_code == 303, response.text
    assert plan_amounts(app, ceei.id)[("travel", 2)] == Decimal("3750.00")
    assert plan_amounts(app, ceei.id)[("external", 2)] == Decimal("500.00")
    [modification] = modifications(app)
    assert modification.reason == "Riunione online: piattaforma invece del viaggio."
    assert modification.created_by_id == world.editor.id
    assert (modification.total_before, modification.total_after) == (
        Decimal("10000.00"),
        Decimal("10000.00"),
    )
    assert (modification.moved, modification.moved_from_contract) == (
        Decimal("500.00"),
        Decimal("500.00"),
    )
    assert modification.confirmed_by_id is None
    assert sorted((c.category, c.period, c.before, c.after) for c in modification.cells) == [
        ("external", 2, Decimal("0.00"), Decimal("500.00")),
        ("travel", 2, Decimal("4250.00"), Decimal("3750.00")),
    ]
    [event] = events(app, "budget_plan_modified")
    assert event.actor_id == world.editor.id
    assert event.detail["reason"] == modification.reason
    assert event.detail["moved"] == "500.00"
    # The partner page shows it against the baseline, in the reader's format.
    page = client.get(ceei.page, headers=ITALIAN).text
    travel = re.search(r'data-baseline="travel">(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r'class="num[^"]*">([^<]+)<', travel) == ["4.250,00", "3.750,00", "-500,00"]
    assert "Riunione online: piattaforma invece del viaggio." in page
    assert "this change moves EUR 500,00" in page
    assert 'data-figure="moved">EUR 500,00<' in page
    # And in the project's activity, linked to the partner's budget.
    activity = client.get("/activity").text
    assert "recorded a modification of" in activity
    assert f'href="{ceei.page}">the budget of CEEI-Burgos</a>' in activity


def test_a_modification_needs_a_reason_and_an_unchanged_plan_records_none(
    app, client, auth, world, ceei
):
    contract_it(client, auth, world, ceei)
    auth.login(world.editor.email)
    response = client.post(ceei.plan, data=grid(client, ceei, travel_2="3750", external_2="500"))
    assert response.status_code == 422
    assert "Give the reason for this modification" in response.text
    assert 'value="3750"' in response.text
    assert plan_amounts(app, ceei.id)[("travel", 2)] == Decimal("4250.00")
    response = client.post(ceei.plan, data=grid(client, ceei, reason="Nothing, really"))
    assert response.status_code == 303
    assert "Nothing changed" in client.get(response.headers["Location"]).text
    assert modifications(app) == []
    with app.app_context():
        assert db.session.get(PartnerPlan, ceei.id).version == 1


def test_a_stale_modification_is_409_and_keeps_the_typed_figures(app, client, auth, world, ceei):
    contract_it(client, auth, world, ceei)
    auth.login(world.editor.email)
    data = grid(client, ceei, travel_2="3750", external_2="500", reason="Online meeting")
    assert client.post(ceei.plan, data=data).status_code == 303
    response = client.post(ceei.plan, data={**data, "travel-2": "3000", "external-2": "1250"})
    assert response.status_code == 409
    assert 'value="3000"' in response.text
    assert "Online meeting" in response.text
    assert len(modifications(app)) == 1


def test_a_change_beyond_the_flexibility_needs_a_coordinators_confirmation(
    app, client, auth, world, ceei
):
    contract_it(client, auth, world, ceei)
    # EUR 2,500 of EUR 10,000 is 25 %: more than the 20 % (EUR 2,000) of flexibility.
    change = {"travel_2": "1750.00", "external_3": "2500.00", "reason": "Studies instead"}
    auth.login(world.editor.email)
    data = grid(client, ceei, **change)
    for sent in (data, {**data, "confirm": "y"}):  # an editor's tick counts for nothing
        response = client.post(ceei.plan, data=sent)
        assert response.status_code == 422
        assert "EUR 2,500.00 (25.00 %) of the contracted EUR 10,000.00" in response.text
        assert "more than the 20.00 % (EUR 2,000.00) allowed" in response.text
        assert "Only a coordinator of Castilla y León or an admin can confirm" in response.text
        assert 'name="confirm"' not in response.text
        assert 'value="2500.00"' in response.text and "Studies instead" in response.text
    assert modifications(app) == []
    auth.logout()

    auth.login(world.coordinator.email)
    data = grid(client, ceei, **change)
    response = client.post(ceei.plan, data=data)
    assert response.status_code == 422
    assert "Tick the box below to confirm it." in response.text
    assert 'name="confirm"' in response.text
    assert plan_amounts(app, ceei.id)[("travel", 2)] == Decimal("4250.00")
    response = client.post(ceei.plan, data={**data, "confirm": "y"})
    assert response.status_code == 303
    [modification] = modifications(app)
    assert modification.confirmed_by_id == world.coordinator.id
    assert modification.moved_from_contract == Decimal("2500.00")
    page = client.get(ceei.page).text
    assert "Beyond the flexibility, confirmed by Coord" in page
    assert "this needs a formal modification" in page
    auth.logout()

    # Moving part of it back needs no confirmation: it comes closer to the contract.
    auth.login(world.editor.email)
    data = grid(client, ceei, travel_2="2250.00", external_3="2000.00", reason="Half back")
    assert client.post(ceei.plan, data=data).status_code == 303
    assert modifications(app)[-1].confirmed_by_id is None


def test_the_flexibility_counts_from_the_contract_not_from_the_last_save(
    app, client, auth, world, ceei
):
    """Two saves of 12 % each are 24 % moved: the second needs a confirmation."""
    contract_it(client, auth, world, ceei)
    auth.login(world.editor.email)
    first = grid(client, ceei, travel_2="3050.00", external_2="1200.00", reason="First")
    assert client.post(ceei.plan, data=first).status_code == 303
    second = grid(client, ceei, travel_2="1850.00", external_3="1200.00", reason="Second")
    response = client.post(ceei.plan, data=second)
    assert response.status_code == 422
    assert "EUR 2,400.00 (24.00 %) of the contracted EUR 10,000.00" in response.text


def test_the_flexibility_is_a_setting(app, client, auth, world, ceei):
    contract_it(client, auth, world, ceei)
    with app.app_context():
        db.session.scalars(select(BudgetSettings)).one().flexibility_rate = Decimal("30.00")
        db.session.commit()
    auth.login(world.editor.email)
    data = grid(client, ceei, travel_2="1750.00", external_3="2500.00", reason="Studies")
    assert client.post(ceei.plan, data=data).status_code == 303


def test_a_total_change_by_a_partner_editor_is_refused_and_the_text_kept(
    app, client, auth, world, ceei
):
    contract_it(client, auth, world, ceei)
    auth.login(world.editor.email)
    english_words_italian_numbers(app, world.editor.id)
    data = grid(client, ceei, ITALIAN, travel_2="4.750,00", reason="Un viaggio in più")
    response = client.post(ceei.plan, data=data, headers=ITALIAN)
    assert response.status_code == 422
    assert (
        "The total of CEEI-Burgos would change from EUR 10.000,00 to EUR 10.500,00 (+500,00)"
        in response.text
    )
    assert "Only an admin changes a contracted partner&#39;s total" in response.text
    assert 'value="4.750,00"' in response.text
    assert "Un viaggio in più" in response.text
    assert plan_amounts(app, ceei.id)[("travel", 2)] == Decimal("4250.00")
    assert modifications(app) == []
    # Staff up EUR 1,000 costs EUR 1,150 with the flat rate: the total stays when
    # EUR 1,150 leaves travel (typed by someone writing English numbers).
    with app.app_context():
        db.session.get(User, world.editor.id).number_format = "en"
        db.session.commit()
    data = grid(client, ceei, staff_3="2000.00", travel_2="3100.00", reason="Staff for P3")
    assert client.post(ceei.plan, data=data).status_code == 303
    assert modifications(app)[0].moved == Decimal("1150.00")


def test_an_admin_may_change_the_total(app, client, auth, world, ceei):
    contract_it(client, auth, world, ceei)
    auth.login(world.admin.email)
    assert "You are an admin: you may change the total." in client.get(ceei.plan).text
    data = grid(client, ceei, travel_2="4750.00", reason="Approved by the programme")
    response = client.post(ceei.plan, data=data)
    assert response.status_code == 303
    [modification] = modifications(app)
    assert (modification.total_before, modification.total_after, modification.moved) == (
        Decimal("10000.00"),
        Decimal("10500.00"),
        Decimal("0.00"),
    )
    page = client.get(ceei.page).text
    assert figure(page, "total") == Decimal("10500.00")
    assert "total EUR 10,000.00 → 10,500.00" in page


def test_before_contracting_the_plan_changes_freely(app, client, auth, world, ceei):
    auth.login(world.editor.email)
    data = grid(client, ceei, travel_2="9000.00")
    assert client.post(ceei.plan, data=data).status_code == 303
    assert modifications(app) == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Contract)) == 0


# ---------------------------------------------------------------- the demo


def test_the_demo_plans_are_contracted_with_one_modification(app, client, auth):
    app.config["BUDGET_TODAY"] = "2020-09-15"
    load_demo(app)
    with app.app_context():
        ids = {p.short_name: p.id for p in db.session.scalars(select(Partner))}
        totals = {c.partner_id: c.total for c in db.session.scalars(select(Contract))}
    assert len(totals) == 8
    assert sum(totals.values()) == Decimal("1376708.00")
    auth.login("editor@rarr.example", DEMO_PASSWORD)
    project = client.get("/p/budget/").text
    assert "Contracted: EUR 1,376,708.00" in project
    assert figure(project, "total") == Decimal("1376708.00")
    [modification] = modifications(app)
    assert modification.partner_id == ids["SODEBUR"]
    assert "held online" in modification.reason
    page = client.get(f"/p/budget/partners/{ids['SODEBUR']}").text
    assert "held online" in page
    assert 'data-figure="moved">EUR 2,500.00<' in page
    assert figure(page, "total") == totals[ids["SODEBUR"]]
    load_demo(app)  # twice: nothing new
    assert len(modifications(app)) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Contract)) == 8
