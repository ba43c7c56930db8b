"""The budget tracker: partner budgets by cost category and reporting period, expenditure
lines, what is left, what ERDF can be claimed, for each partner and the whole project.

The rules (ERDF rates by legal status, the office and administration flat rate, reporting
periods) are settings, since programmes differ; where amounts are rounded is written down
in ``ledger.py``.
"""

from __future__ import annotations

from pathlib import Path

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from workspace.api import (
    ExportFile,
    LinkTarget,
    MenuLink,
    Panel,
    PluginInfo,
    SearchResult,
    db,
    format_day,
    format_number,
    hookimpl,
    to_csv,
)

# The blueprints live in views.py; the project pages register on them from their own
# modules, imported here so that every route is in place before PLUGIN hands the
# blueprints over. They import views.py, never the other way round. Importing reminders
# registers its scheduled job.
from . import (  # noqa: F401
    demo,
    import_views,
    partner_views,
    payment_views,
    plan_views,
    reminders,
    reporting,
    settings_views,
)
from .entries import find_lines
from .ledger import all_partner_figures, combined, get_settings, today
from .models import PartnerPlan
from .project_views import export_tables
from .views import (
    can_edit,
    can_read,
    project_pages,
    project_partners,
    region_pages,
    region_shown_partners,
)

PLUGIN = PluginInfo(
    name="budget",
    label=_l("Budget"),
    description=_l("Partner budgets, co-financing, expenditure by period, and what is left."),
    blueprints=(region_pages,),
    project_blueprints=(project_pages,),
    migrations=Path(__file__).with_name("migrations"),
    translations=Path(__file__).with_name("translations"),
)


@hookimpl
def notification_kinds():
    return reminders.KINDS


@hookimpl
def document_lock(document, user):
    """A partner's evidence folder is a project-wide document, which every editor of
    the project may change; its invoices are only for the partner's own staff and the
    lead partner's admins to add or remove."""
    plan = db.session.scalar(
        select(PartnerPlan).where(PartnerPlan.evidence_document_id == document.id)
    )
    if plan is None or can_edit(user, plan.partner):
        return None
    return _(
        "This is the evidence folder of %(partner)s: only its own staff "
        "and the lead partner's admins change it.",
        partner=plan.partner.short_name,
    )


@hookimpl
def menu_links(region, user):

    if not can_read(user):
        return []
    if region is None:
        return [MenuLink(_("Budget"), url_for("budget_project.project"))]
    return [MenuLink(_("Budget"), url_for("budget.index", region=region.slug))]


@hookimpl
def dashboard_panels(region, user):

    if not can_read(user):
        return []
    settings = get_settings()
    # The project's panel is the project's record: every partner, whatever the regions
    # switched. A region's panel is only asked for where the budget is on.
    partners = project_partners() if region is None else list(region.partners)
    if not partners:
        return []
    figures = all_partner_figures(partners, settings)
    total = combined(figures.values(), settings)
    return [
        Panel.rendered(
            _("Budget: spent against plan"),
            "budget/_panel.html",
            region=region,
            partners=partners,
            figures=figures,
            total=total,
            elapsed=total.time_elapsed(today()),
        )
    ]


@hookimpl
def calendar_changed(periods):
    """The project's calendar changes: every expenditure line moves to its new period,
    or the change is refused (a line outside the project, a closed period gone)."""
    from .settings_views import refile_lines

    return refile_lines(periods)


@hookimpl
def search(query, user):
    """Expenditure lines by description or invoice number, for the consortium; lines of
    partners whose region switched the budget off stay out of the hits."""
    if not can_read(user):
        return []
    partners = {p.id: p for p in region_shown_partners()}
    return [
        SearchResult(
            line.description,
            url_for("budget_project.partner_page", partner_id=line.partner_id),
            _(
                "EUR %(amount)s · invoice %(invoice)s · paid %(day)s",
                amount=format_number(line.amount_eur),
                invoice=line.invoice_number or "–",
                day=format_day(line.payment_date),
            ),
            kind=_("Expenditure"),
            where=partners[line.partner_id].short_name,
            region=partners[line.partner_id].region,
        )
        for line in find_lines(query, list(partners))
    ]


PARTNER_REF = "budget:partner:"


@hookimpl
def describe_refs(refs, user):
    """A partner's budget ("budget:partner:3"), named in the activity of its plan."""
    if not can_read(user):
        return {}
    ids = {
        int(ref[len(PARTNER_REF) :])
        for ref in refs
        if ref.startswith(PARTNER_REF)
        and ref[len(PARTNER_REF) :].isascii()
        and ref[len(PARTNER_REF) :].isdigit()
    }
    partners = project_partners() if ids else []
    return {
        f"{PARTNER_REF}{p.id}": LinkTarget(
            f"{PARTNER_REF}{p.id}",
            _("the budget of %(partner)s", partner=p.short_name),
            url_for("budget_project.partner_page", partner_id=p.id),
            _("Budget"),
        )
        for p in partners
        if p.id in ids
    }


@hookimpl
def export_region(region):
    # Finance data is for partner staff, also inside a region's archive.
    if not can_read(current_user):
        return []

    tables = export_tables(list(region.partners))
    return [
        ExportFile(f"budget-{kind}.csv", to_csv(header, rows))
        for kind, (header, rows) in tables.items()
    ]


@hookimpl
def load_demo():
    demo.load()


@hookimpl
def report_items(partner, period, user):
    return reporting.items(partner, period, user)


@hookimpl
def report_certified(partner, period, lines):
    reporting.certified(partner, lines)
