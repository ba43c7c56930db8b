"""These tests use only the fixtures the workspace ships (``workspace.testing``), as
a plugin's tests outside the repository would, and load only the plugins named here."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from plugins.budget.ledger import default_settings
from plugins.budget.models import PartnerPlan, PlanLine
from workspace.api import Partner, db
from workspace.testing import switch_on


@pytest.fixture
def workspace_config() -> dict:
    return {"PLUGINS": ["budget"]}


def enable(app, *slugs):
    for slug in slugs:
        switch_on(app, slug, "budget")


@pytest.fixture
def budget(app, world):
    """Budget on in Burgos and Pannon; CEEI-Burgos (public here) plans EUR 10,000 of
    staff and travel; period 1 is closed; "today" is in period 3."""
    app.config["BUDGET_TODAY"] = "2020-09-15"
    enable(app, "burgos", "pannon")
    with app.app_context():
        ceei = db.session.scalar(select(Partner).where(Partner.short_name == "CEEI-Burgos"))
        lead = db.session.scalar(select(Partner).where(Partner.short_name == "Pannon EGTC"))
        settings = default_settings()
        settings.closed_through = 1
        db.session.add(settings)
        plan = PartnerPlan(partner_id=ceei.id, version=1)
        plan.lines = [
            PlanLine(category="staff", period=n, amount=Decimal("1000.00")) for n in range(1, 6)
        ] + [PlanLine(category="travel", period=2, amount=Decimal("4250.00"))]
        db.session.add(plan)
        db.session.commit()
        return SimpleNamespace(ceei=ceei.id, lead=lead.id)
