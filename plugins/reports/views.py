"""The blueprints of the reports plugin and its lists.

``pages`` (``/p/reports/``) is a control blueprint: the core lets in partner staff and
controllers, and every view checks the partner (``access``). It holds the project's
list (for a controller: their partners only) and each report (``report_views``,
``control_views``, ``export_views`` register on it). ``region_pages``
(``/r/<region>/reports/``) lists the region's partners.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, g
from flask_login import current_user
from sqlalchemy import select

from workspace.api import (
    Action,
    Partner,
    Period,
    controlled_partner_ids,
    db,
    periods,
    render,
    require,
)

from . import overview
from .access import may_read
from .models import State

NAME = "reports"

pages = Blueprint(f"{NAME}_project", __name__, template_folder="templates")
region_pages = Blueprint(NAME, __name__, template_folder="templates")


def readable_partners() -> list[Partner]:
    partners = db.session.scalars(select(Partner)).all()
    return overview.ordered([p for p in partners if may_read(current_user, p)])


def get_partner_period(partner_id: int, number: int) -> tuple[Partner, Period]:
    partner = db.session.get(Partner, partner_id)
    period = next((p for p in periods() if p.number == number), None)
    if partner is None or period is None:
        abort(404)
    return partner, period


@pages.get("/")
def index() -> Response:
    partners = readable_partners()
    all_periods, cells = overview.grid(partners)
    controlled = controlled_partner_ids(current_user)
    waiting = [
        cell
        for p in partners
        if p.id in controlled
        for cell in cells[p.id]
        if cell.state in (State.SUBMITTED, State.IN_CONTROL)
    ]
    return render(
        "reports/index.html",
        partners=partners,
        periods=all_periods,
        cells=cells,
        controlled=[p for p in partners if p.id in controlled],
        waiting=waiting,
        certified={p.id: overview.certified(cells[p.id]) for p in partners},
        due=overview.due_now(all_periods, overview.today()),
        region=None,
    )


@region_pages.before_request
def consortium_only() -> None:
    """A region's list of reports is for partner staff, as the reports are."""
    require(Action.READ)


@region_pages.get("/")
def region_index() -> Response:
    partners = overview.ordered(list(g.region.partners))
    all_periods, cells = overview.grid(partners)
    return render(
        "reports/index.html",
        partners=partners,
        periods=all_periods,
        cells=cells,
        controlled=[],
        waiting=[],
        certified={p.id: overview.certified(cells[p.id]) for p in partners},
        due=overview.due_now(all_periods, overview.today()),
        region=g.region,
    )
