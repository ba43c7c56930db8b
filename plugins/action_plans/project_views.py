"""Project pages of the action plans (/p/action_plans/): every region's plans, the
Phase 2 progress across the project, and every plan's actions as they stood in a
chosen reporting period."""

from __future__ import annotations

from flask import Blueprint, Response, abort, request
from flask_login import current_user
from sqlalchemy import select

from workspace.api import (
    Region,
    db,
    db_int,
    enabled_in,
    readable_regions,
    render,
)

from .monitoring import chosen_period
from .progress import as_of, region_rows, state_counts

bp = Blueprint("action_plans_project", __name__, template_folder="templates")


def _regions():
    regions = db.session.scalars(select(Region).order_by(Region.name)).all()
    on = [r for r in regions if "action_plans" in enabled_in(r)]
    return readable_regions(current_user._get_current_object(), on)


@bp.get("/")
def index() -> Response:
    return render("action_plans/project.html", rows=region_rows(_regions()))


@bp.get("/progress")
def progress() -> Response:
    return render("action_plans/progress.html", rows=region_rows(_regions()), project=True)


@bp.get("/phase2")
def by_period() -> Response:
    return period_page(_regions(), project=True)


def period_page(regions, project: bool) -> Response:
    """The actions of the ``regions``' plans as they stood in the period asked
    (``?period=N``), for the Phase 2 reports: the region's page and the project's."""
    chosen = chosen_period(request.args.get("period", type=db_int))
    if chosen is None:
        abort(404)
    period, offered = chosen
    found = as_of(regions, period.number)
    return render(
        "action_plans/by_period.html",
        period=period,
        offered=offered,
        found=found,
        counts=state_counts(found),
        project=project,
    )
