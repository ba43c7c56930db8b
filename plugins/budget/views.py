"""Pages of the budget plugin.

The project-wide blueprint (``/p/budget/``) holds the whole-project view and one page per
partner, so the advisory partner, which has no region, is reachable like every other.
The region blueprint (``/r/<region>/budget/``) shows the region's partners and links
to their pages. Budgets are read by the consortium (partner staff and admins); a
partner's own editors and coordinators, and admins, change them.

A region's switch changes what the region shows, never the project's record: the
project pages, totals, exports and the project panel always cover every partner, and
every partner's page stays open, whatever the regions have switched (README.md, "When
a region switches Budget off").

This module holds both blueprints, who may read and change a budget, which partners
the pages cover, and the region's page. The project pages register on ``project_pages``
from their own modules, which ``__init__.py`` imports before the plugin is registered:
``partner_views`` (a partner's page, expenditure lines, evidence folder),
``plan_views`` (the plan grid and the contracted budget), ``import_views`` (CSV
import), ``project_views`` (the whole project and the exports) and ``settings_views``
(the budget settings).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, g
from flask_login import current_user
from sqlalchemy import select

from workspace.api import (
    Action,
    Partner,
    PartnerRole,
    Region,
    User,
    can,
    db,
    regions_on,
    render,
    require,
)

from . import chart
from .ledger import all_partner_figures, combined, get_settings, today

NAME = "budget"

region_pages = Blueprint(NAME, __name__, template_folder="templates")
project_pages = Blueprint(f"{NAME}_project", __name__, template_folder="templates")


# ---------------------------------------------------------------- who may do what


def can_read(user: User) -> bool:
    """Finance data is for the consortium: partner staff read every partner's budget."""
    return can(user, Action.READ, None)


def can_edit(user: User, partner: Partner) -> bool:
    """A partner's own editors and coordinators (in its region; for the advisory
    partner, project-wide) change its budget; admins change every budget."""
    if can(user, Action.ADMIN):
        return True
    return user.partner_id == partner.id and can(user, Action.EDIT, partner.region)


def require_edit(partner: Partner) -> None:
    if not can_edit(current_user, partner):
        require(Action.ADMIN, partner.region)  # records the refusal and answers 403


def project_partners() -> list[Partner]:
    """Every partner of the project, whatever its region has switched: the project's
    budget is the sum of all of them. The lead partner first, the advisory partner
    last, as in the application form."""
    partners = db.session.scalars(select(Partner).order_by(Partner.name)).all()
    order = {PartnerRole.LEAD: 0, PartnerRole.PARTNER: 1, PartnerRole.ADVISORY: 2}
    return sorted(partners, key=lambda p: order[p.role])


def switched_on_for(partner: Partner) -> bool:
    """Whether the partner's region shows the budget (the advisory partner, which has
    no region, always counts as shown). Asks by id: the switches are kept per worker,
    and the partner's region need not be loaded."""
    return partner.region_id is None or partner.region_id in regions_on(NAME)


def region_shown_partners() -> list[Partner]:
    """Partners whose region shows the budget, and those without a region: what
    region-facing lists (search hits) may point at."""
    return [p for p in project_partners() if switched_on_for(p)]


def switched_off_regions(partners: list[Partner]) -> list[Region]:
    """Regions of ``partners`` where the budget is switched off, by name, for the
    project page's note; one query, none while every region shows the budget."""
    off = {p.region_id for p in partners if not switched_on_for(p)}
    if not off:
        return []
    return db.session.scalars(select(Region).where(Region.id.in_(off)).order_by(Region.name)).all()


def get_partner(partner_id: int) -> Partner:
    """A partner's budget is part of the project's record: its page stays open when
    its region switches the budget off (only the region's own pages are gated)."""
    partner = db.session.get(Partner, partner_id)
    if partner is None:
        abort(404)
    return partner


@region_pages.before_request
def consortium_only() -> None:
    require(Action.READ)


# ---------------------------------------------------------------- a region


@region_pages.get("/")
def index() -> Response:
    region: Region = g.region
    settings = get_settings()
    partners = list(region.partners)
    figures = all_partner_figures(partners, settings)
    total = combined(figures.values(), settings)
    on = today()
    return render(
        "budget/region.html",
        region=region,
        partners=partners,
        figures=figures,
        total=total,
        chart=chart.build(total, on),
        on=on,
        editable={p.id for p in partners if can_edit(current_user, p)},
    )
