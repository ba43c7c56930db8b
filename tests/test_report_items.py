"""What each built-in module puts in a partner report (the ``report_items`` hook), on
the demo: the period's expenditure, meetings, closed action items, practices and
action-plan work; nothing of a module switched off in the partner's region."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from workspace.api import Partner, User, periods, report_items
from workspace.extensions import db
from workspace.testing import load_demo, switch_on


@pytest.fixture
def demo(app):
    load_demo(app)
    return app


def sections(app, short_name: str, number: int, email: str = "admin@pannon.example"):
    with app.test_request_context():
        partner = db.session.scalar(select(Partner).where(Partner.short_name == short_name))
        user = db.session.scalar(select(User).where(User.email == email))
        items = report_items(partner, periods()[number - 1], user)
        return {
            item.section: [i.title for i in items if i.section == item.section] for item in items
        }


def test_a_period_of_the_demo_comes_from_every_module(demo):
    found = sections(demo, "CEEI-Burgos", 2)
    assert found["Expenditure: Staff"] == [
        "Staff costs February – April 2020",
        "Staff costs May – July 2020",
    ]
    assert (
        "Good practice analysis: external expertise"
        in found["Expenditure: External expertise and services"]
    )
    assert "Thematic visit on good practices, Burgos" in found["Meetings hosted"]
    assert found["Action items closed"]
    assert found["Good practices approved"]
    everywhere = set()
    for number in range(1, len(periods_of(demo)) + 1):
        for name in ("Pannon EGTC", "CEEI-Burgos", "RARR", "Klaipėda ID"):
            everywhere |= set(sections(demo, name, number))
    assert {"Action plans", "Meetings attended", "Good practices identified"} <= everywhere


def periods_of(app):
    with app.app_context():
        return periods()


def test_a_module_switched_off_in_the_region_adds_nothing(demo):
    switch_on(demo, "burgos", "minutes", enabled=False)
    found = sections(demo, "CEEI-Burgos", 2)
    assert "Meetings hosted" not in found and "Action items closed" not in found
    assert "Expenditure: Staff" in found


def test_an_external_stakeholder_gets_no_expenditure(demo):
    found = sections(demo, "CEEI-Burgos", 2, "stakeholder@burgos.example")
    assert not [s for s in found if s.startswith("Expenditure")]
