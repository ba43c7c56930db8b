"""Good-practice portfolio: practices, their validation, and analysis across regions.

Hooks only; the pages are in views.py (a region's practices) and project_views.py
(every practice, the transfer matrix and the analyses).
"""

from __future__ import annotations

from pathlib import Path

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from workspace.api import (
    Action,
    ExportFile,
    LinkTarget,
    MenuLink,
    Panel,
    PluginInfo,
    SearchResult,
    admits,
    can,
    db,
    folded_contains,
    hookimpl,
)

from . import (  # trash: its pages join both blueprints
    matrix_views,  # noqa: F401  (its pages join project_bp)
    models,
    reporting,
    trash,
)
from .models import Practice, Status
from .project_views import bp as project_bp
from .views import bp as region_bp

PLUGIN = PluginInfo(
    name="portfolio",
    label=_l("Good-practice portfolio"),
    description=_l(
        "Good practices of each region, their validation, and which region "
        "could transfer which practice."
    ),
    blueprints=(region_bp,),
    project_blueprints=(project_bp,),
    migrations=Path(__file__).with_name("migrations"),
    translations=Path(__file__).with_name("translations"),
    after=("minutes",),
)
REF_PREFIX = "portfolio:practice:"


@hookimpl
def menu_links(region, user):
    if region is None:
        return [MenuLink(_("Portfolio"), url_for("portfolio_project.index"))]
    return [MenuLink(_("Good practices"), url_for("portfolio.index", region=region.slug))]


@hookimpl
def dashboard_panels(region, user):
    from .practices import approved_counts

    counts = approved_counts()
    # With their regions, in the same query: each link and the check of it needs one.
    waiting = db.session.scalars(
        select(Practice)
        .options(joinedload(Practice.region))
        .where(
            Practice.status == Status.SUBMITTED.value,
            Practice.not_trashed(),
            *([Practice.region_id == region.id] if region is not None else []),
        )
    ).all()
    return [
        Panel.rendered(
            _("Good practices"),
            "portfolio/_panel.html",
            region=region,
            # "Good practices identified" is the project's record: the project's figure
            # counts every region's approved practices, whatever the switches.
            approved=counts.get(region.id, 0) if region is not None else sum(counts.values()),
            # A panel is HTML, which the core cannot screen: the listed practices are
            # links, so only those the core's rule admits (on there, readable).
            waiting=[p for p in _not_drafts(user, waiting) if admits(PLUGIN.name, p.region, user)],
        )
    ]


def _not_drafts(user, practices):
    """The portfolio's own rule: a draft is its region's editors' work in progress.
    (Switches and read permission are the core's: it screens every result.)"""
    return [p for p in practices if p.state is not Status.DRAFT or can(user, Action.EDIT, p.region)]


def _target(practice: Practice) -> LinkTarget:
    return LinkTarget(
        practice.ref,
        practice.title,
        url_for("portfolio.view", region=practice.region.slug, practice_id=practice.id),
        _("Good practice"),
        practice.region,
    )


def _matching(query: str, limit: int):
    """Practices whose title, keywords or summary contain ``query``, folded as core
    search folds ("lodz" finds "Łódź"): matched in Python, since no SQL of both
    engines folds that way; a portfolio holds tens of practices, not thousands.
    Those in the trash are left out."""
    rows = db.session.execute(
        select(Practice.id, Practice.title, Practice.keywords, Practice.summary).where(
            Practice.not_trashed()
        )
    )
    ids = [id_ for id_, *texts in rows if folded_contains(query, *texts)]
    # Each practice's region comes from the session when already read (search reads
    # every region first).
    return db.session.scalars(
        select(Practice).where(Practice.id.in_(ids)).order_by(Practice.title).limit(limit)
    ).all()


@hookimpl
def search(query, user):
    query = query.strip()
    if len(query) < 2:
        return []
    found = _not_drafts(user, _matching(query, 40))
    return [
        SearchResult(
            p.title,
            _target(p).url,
            (p.summary or "")[:200],
            _("Good practice"),
            f"{p.region.name} · {p.state.label}",
            p.region,
        )
        for p in found[:20]
    ]


@hookimpl
def link_targets(query, user):
    found = _not_drafts(user, _matching(query.strip(), 20)) if query.strip() else []
    return [_target(p) for p in found]


@hookimpl
def describe_refs(refs, user):
    ids = [
        int(ref[len(REF_PREFIX) :])
        for ref in refs
        if ref.startswith(REF_PREFIX) and ref[len(REF_PREFIX) :].isdigit()
    ]
    described = _analyses(refs, user)
    if not ids:
        return described
    practices = db.session.scalars(
        select(Practice)
        .options(selectinload(Practice.region))
        .where(Practice.id.in_(ids), Practice.not_trashed())
    ).all()
    described.update({p.ref: _target(p) for p in _not_drafts(user, practices)})
    return described


ANALYSIS_PREFIX = "portfolio:analysis:"


def _analyses(refs, user) -> dict:
    """Analyses are project-wide: consortium staff read them."""
    ids = [
        int(ref[len(ANALYSIS_PREFIX) :])
        for ref in refs
        if ref.startswith(ANALYSIS_PREFIX) and ref[len(ANALYSIS_PREFIX) :].isdigit()
    ]
    if not ids or not can(user, Action.READ):
        return {}
    analyses = db.session.scalars(
        select(models.Analysis).where(models.Analysis.id.in_(ids), models.Analysis.not_trashed())
    )
    return {
        a.ref: LinkTarget(
            a.ref,
            a.title,
            url_for("portfolio_project.analysis", analysis_id=a.id),
            _("Portfolio analysis"),
            None,  # a project page, whichever region hosted the visit
        )
        for a in analyses
    }


# ---------------------------------------------------------------- its texts

LOCKS = {
    Status.SUBMITTED: _l("This good practice is awaiting validation, so its texts are read-only."),
    Status.APPROVED: _l(
        "This good practice is approved, so its texts are read-only. To change them, a "
        "coordinator of the lead partner returns it to draft on its page; it is then "
        "validated again."
    ),
    Status.DECLINED: _l(
        "This good practice is declined, so its texts are read-only. To change them, a "
        "coordinator of the lead partner returns it to draft on its page; it is then "
        "validated again."
    ),
}


@hookimpl
def document_lock(document):
    """A practice's texts change only while it is a draft or returned for changes:
    what was submitted is what gets validated, and what was approved stays so."""
    status = db.session.scalar(select(Practice.status).where(Practice.document_id == document.id))
    if status is None or Status(status).editable:
        return None
    return str(LOCKS[Status(status)])


@hookimpl
def document_visible(document, user):
    """A draft practice's texts are for those who see the draft: its region's editors
    and coordinators, and the lead partner's coordinators (as the practice page).
    The texts of a practice or an analysis in the trash are gone with it."""
    from .practices import draft_documents

    if document.id in trash.trashed_documents():
        return False
    if document.id not in draft_documents():
        return None
    return can(user, Action.EDIT, document.region)


@hookimpl
def notification_kinds():
    from .notices import KINDS

    return KINDS


@hookimpl  # after the minutes' demo (``PLUGIN.after``): practices link to its meeting
def load_demo():
    from .demo import load

    load()


@hookimpl
def export_region(region):
    """The region's practices as a table (``practices.csv``) and, one Markdown file
    each, their long texts (``practices/<id>.md``)."""
    from .exports import practice_markdown, practices_csv

    practices = db.session.scalars(
        select(Practice)
        .where(Practice.region_id == region.id, Practice.not_trashed())
        .options(selectinload(Practice.document))
        .order_by(Practice.title)
    ).all()
    return [ExportFile("practices.csv", practices_csv(practices))] + [
        ExportFile(f"practices/{practice.id}.md", practice_markdown(practice))
        for practice in practices
        if practice.document is not None and practice.document.deleted_at is None
    ]


__all__ = ["PLUGIN", "models"]


@hookimpl
def report_items(partner, period, user):
    return reporting.items(partner, period, user)


@hookimpl
def indicator_values(scope, period, user):
    return reporting.indicator_values(period, user)


@hookimpl
def project_activities(period, user):
    return reporting.activities(period, user)
