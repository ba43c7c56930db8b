"""Partner reports: each partner's report per reporting period, assembled from the
records the consortium keeps (the ``report_items`` hook), written and submitted by the
partner, checked and certified by its controller; the certified amounts go back to
the modules (the ``report_certified`` hook), the budget's certified figures among them.

Built on ``workspace.api`` alone. The project's calendar (periods and deadlines) and
the controllers are the core's.
"""

from __future__ import annotations

from pathlib import Path

from flask import url_for
from sqlalchemy import select

from workspace.api import (
    Action,
    MenuLink,
    Panel,
    PluginInfo,
    can,
    controlled_partner_ids,
    db,
    hookimpl,
)

# The report pages register on ``pages`` when their modules are imported.
from . import (  # noqa: F401
    control_views,
    demo,
    export_views,
    indicator_views,
    media_views,
    notices,
    overview,
    progress,
    progress_demo,
    progress_views,
    report_views,
)
from .access import may_write
from .models import PartnerReport, ProgressReport, ProgressState
from .views import pages, readable_partners, region_pages

PLUGIN = PluginInfo(
    name="reports",
    label="Reports",
    description="Partner reports per period: activities and expenditure from the records, "
    "control and certification, deadlines; the programme's indicators with their evidence, "
    "the media log and the lead partner's progress reports.",
    blueprints=(region_pages,),
    control_blueprints=(pages,),
    migrations=Path(__file__).with_name("migrations"),
    translations=Path(__file__).with_name("translations"),
    after=("budget", "minutes", "portfolio", "action_plans"),
)


@hookimpl
def menu_links(region, user):
    if region is not None:
        if not can(user, Action.READ, None):
            return []
        return [MenuLink("Partner reports", url_for("reports.region_index", region=region.slug))]
    if can(user, Action.READ, None) or controlled_partner_ids(user):
        return [MenuLink("Partner reports", url_for("reports_project.index"))]
    return []


@hookimpl
def dashboard_panels(region, user):
    """The reports due now: their state, deadline and lateness."""
    if region is None:
        partners = readable_partners()
    elif can(user, Action.READ, None):
        partners = overview.ordered(list(region.partners))
    else:
        partners = []
    if not partners:
        return []
    all_periods, cells = overview.grid(partners)
    due = overview.due_now(all_periods, overview.today())
    if due is None:
        return []
    return [
        Panel.rendered(
            f"Partner reports: {due.label}",
            "reports/_panel.html",
            period=due,
            rows=[cells[p.id][due.number - 1] for p in partners],
        )
    ]


@hookimpl
def notification_kinds():
    return notices.KINDS


@hookimpl
def document_lock(document, user):
    """A report's narrative is written by the partner's own staff (and admins) while
    the partner has the report; once submitted it is frozen with it."""
    report = db.session.scalar(
        select(PartnerReport).where(PartnerReport.narrative_document_id == document.id)
    )
    if report is None:
        return _progress_lock(document, user)
    if not report.status.with_partner:
        return (
            f"This narrative is part of the report for P{report.period}, which is "
            f"{report.status.label.lower()}: it changes only if the controller returns it."
        )
    if not may_write(user, report.partner):
        return f"Only the staff of {report.partner.short_name} write its report."
    return None


@hookimpl
def load_demo():
    demo.load()
    progress_demo.load()


def _progress_lock(document, user):
    """A progress report's texts are written by the lead partner while it is a draft."""
    report = db.session.scalar(
        select(ProgressReport).where(
            (ProgressReport.summary_document_id == document.id)
            | (ProgressReport.problems_document_id == document.id)
            | (ProgressReport.next_document_id == document.id)
        )
    )
    if report is None:
        return None
    if report.status is not ProgressState.DRAFT:
        return (
            f"This text is part of the progress report for P{report.period}, which is "
            f"{report.status.label.lower()}: it changes only while the report is a draft."
        )
    if not progress.may_compile(user):
        return "The lead partner writes the progress report."
    return None


@hookimpl
def indicator_values(scope, period, user):
    return media_views.indicator_values(period, user)
