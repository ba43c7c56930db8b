"""Project pages of the action plans (/p/action_plans/): every region's plans and the
Phase 2 progress across the project."""

from __future__ import annotations

from flask import Blueprint, Response
from flask_login import current_user
from sqlalchemy import select

from workspace.api import (
    Region,
    db,
    enabled_in,
    readable_regions,
    render,
)

from .progress import region_rows

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
