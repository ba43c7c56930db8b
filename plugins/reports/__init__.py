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
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
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
from .models import PartnerReport, ProgressReport, ProgressState, State
from .views import pages, readable_partners, region_pages

PLUGIN = PluginInfo(
    name="reports",
    label=_l("Reports"),
    description=_l(
        "Partner reports per period: activities and expenditure from the records, "
        "control and certification, deadlines; the programme's indicators with their evidence, "
        "the media log and the lead partner's progress reports."
    ),
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
        return [MenuLink(_("Partner reports"), url_for("reports.region_index", region=region.slug))]
    if can(user, Action.READ, None) or controlled_partner_ids(user):
        return [MenuLink(_("Partner reports"), url_for("reports_project.index"))]
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
            _("Partner reports: %(period)s", period=due.label),
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
        return _narrative_frozen(report)
    if not may_write(user, report.partner):
        return _(
            "Only the staff of %(partner)s write its report.", partner=report.partner.short_name
        )
    return None


def _narrative_frozen(report: PartnerReport) -> str:
    """Why a submitted report's narrative is locked, one whole sentence per state."""
    if report.status is State.CERTIFIED:
        text = _(
            "This narrative is part of the report for P%(period)s, which is certified: "
            "it changes only if the controller returns it.",
            period=report.period,
        )
    elif report.status is State.IN_CONTROL:
        text = _(
            "This narrative is part of the report for P%(period)s, which is in control: "
            "it changes only if the controller returns it.",
            period=report.period,
        )
    else:
        text = _(
            "This narrative is part of the report for P%(period)s, which is submitted: "
            "it changes only if the controller returns it.",
            period=report.period,
        )
    return text


def _progress_text_locked(report: ProgressReport) -> str:
    """Why a progress report's text is locked, one whole sentence per state."""
    if report.status is ProgressState.APPROVED:
        text = _(
            "This text is part of the progress report for P%(period)s, which is approved: "
            "it changes only while the report is a draft.",
            period=report.period,
        )
    elif report.status is ProgressState.SUBMITTED:
        text = _(
            "This text is part of the progress report for P%(period)s, which is submitted: "
            "it changes only while the report is a draft.",
            period=report.period,
        )
    else:
        text = _(
            "This text is part of the progress report for P%(period)s, which is ready: "
            "it changes only while the report is a draft.",
            period=report.period,
        )
    return text


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
        return _progress_text_locked(report)
    if not progress.may_compile(user):
        return _("The lead partner writes the progress report.")
    return None


@hookimpl
def indicator_values(scope, period, user):
    return media_views.indicator_values(period, user)
