"""Situation reports and policy recommendations, as the project's application names
them: per region, a report on the analysis of its situation and needs and its
recommendations for regional policy; for the project, the recommendations for the next
EU programming period, gathered from the regions' own.

Each paper is a core document begun from a template, written together with the core's
revisions, merge, comments and files; it goes Draft -> In review (with the advisory
partner) -> Reviewed -> Endorsed by the region's stakeholder group, its text locked from
review on. Hooks here; rules in papers.py, pages in views.py.
"""

from __future__ import annotations

from pathlib import Path

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workspace.api import (
    Action,
    MenuLink,
    Panel,
    PluginInfo,
    ReportItem,
    admits,
    can,
    db,
    hookimpl,
)

from . import models, papers
from .models import Paper, PaperStep, State
from .views import LOCKS, paper_url, project_bp, region_bp

PLUGIN = PluginInfo(
    name="policy",
    label=_l("Situation & recommendations"),
    description=_l(
        "Each region's situation report and recommendations for regional policy, "
        "and the project's recommendations for the next programming period: written "
        "together, reviewed by the advisory partner, endorsed by the stakeholder group."
    ),
    blueprints=(region_bp,),
    project_blueprints=(project_bp,),
    migrations=Path(__file__).with_name("migrations"),
    translations=Path(__file__).with_name("translations"),
    after=("action_plans",),
)

ACTIVITY_SECTION = "Situation reports and recommendations"


@hookimpl
def menu_links(region, user):
    if region is None:
        if not can(user, Action.READ, None):
            return []
        return [MenuLink(_("Policy papers"), url_for("policy_project.project_index"))]
    return [MenuLink(_("Situation & recommendations"), url_for("policy.index", region=region.slug))]


@hookimpl
def dashboard_panels(region, user):
    """A region's papers and their states; on the project's overview, the papers
    awaiting review, for those who review them."""
    if region is not None:
        found = db.session.scalars(
            select(Paper).where(Paper.region_id == region.id).order_by(Paper.kind.desc())
        ).all()
        return [
            Panel.rendered(
                _("Situation & recommendations"),
                "policy/_panel.html",
                papers=found,
                awaiting=False,
                region=region,
                paper_url=paper_url,
            )
        ]
    if not papers.may_review(user):
        return []
    waiting = db.session.scalars(
        select(Paper)
        .options(selectinload(Paper.region))
        .where(Paper.state == State.REVIEW.value)
        .order_by(Paper.id)
    ).all()
    return [
        Panel.rendered(
            _("Policy papers awaiting review"),
            "policy/_panel.html",
            # A panel is HTML the core cannot screen: only papers the reader may open.
            papers=[p for p in waiting if p.region is None or admits(PLUGIN.name, p.region, user)],
            awaiting=True,
            region=None,
            paper_url=paper_url,
        )
    ]


@hookimpl
def document_lock(document):
    """A paper's text is what the advisory partner reviews and the stakeholder group
    endorses: from review on it changes only once returned to draft."""
    state = db.session.scalar(select(Paper.state).where(Paper.document_id == document.id))
    if state is None:
        return None
    lock = LOCKS.get(State(state))
    return str(lock) if lock is not None else None


@hookimpl
def project_activities(period, user):
    """The papers reviewed or endorsed in ``period``: each step on its day (the
    endorsement's own day, as recorded)."""
    steps = db.session.scalars(
        select(PaperStep)
        .options(selectinload(PaperStep.paper).selectinload(Paper.region))
        .where(PaperStep.state.in_([State.REVIEWED.value, State.ENDORSED.value]))
        .order_by(PaperStep.id)
    ).all()
    items = []
    for step in steps:
        if not period.contains(step.day):
            continue
        paper = step.paper
        where = paper.region.name if paper.region is not None else "the project"
        if step.status is State.ENDORSED:
            detail = f"{where} · endorsed by {step.endorsed_by}"
        else:
            who = step.by.name if step.by is not None else "the advisory partner"
            detail = f"{where} · reviewed by {who}"
        items.append(
            ReportItem(
                ACTIVITY_SECTION,
                f"{paper.ref}:{step.state}:{step.id}",
                paper.title,
                url=paper_url(paper),
                day=step.day,
                detail=detail,
                region=paper.region_id,
            )
        )
    return items


@hookimpl
def load_demo():
    from .demo import load

    load()


__all__ = ["PLUGIN", "models"]
