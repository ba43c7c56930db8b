"""Regional action plans: the Interreg Europe template (Parts I-III) written together,
reviewed, endorsed and monitored in Phase 2.

Hooks only; the pages are in views.py (the region blueprint and a region's plans),
action_views.py (a plan's actions and their sources), review_views.py (review,
endorsement and Phase 2 monitoring), trash.py (the region's trash) and
project_views.py (every region's plans, their progress and their actions as they
stood in a period). The Phase 2 history per reporting period is monitoring.py's; what
the plans count towards the programme's indicators, indicators.py's; their part of the
reports, reporting.py's.
"""

from __future__ import annotations

from pathlib import Path

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workspace.api import (
    ExportFile,
    LinkTarget,
    MenuLink,
    Panel,
    PluginInfo,
    SearchResult,
    admits,
    db,
    folded_contains,
    hookimpl,
)

# action_views, follow_views, review_views, trash: their pages join the region blueprint (views.bp),
# which is registered only once they are imported.
from . import action_views, follow_views, models, reporting, review_views, trash  # noqa: F401
from .models import Plan, PlanAction, Status
from .project_views import bp as project_bp
from .views import bp as region_bp

PLUGIN = PluginInfo(
    name="action_plans",
    label=_l("Action plans"),
    description=_l(
        "The region's action plan after the programme's template: written "
        "together, reviewed, endorsed and monitored in Phase 2."
    ),
    blueprints=(region_bp,),
    project_blueprints=(project_bp,),
    migrations=Path(__file__).with_name("migrations"),
    translations=Path(__file__).with_name("translations"),
    after=("minutes", "portfolio"),
)
ACTION_PREFIX = "action_plans:action:"
PLAN_PREFIX = "action_plans:plan:"


@hookimpl
def menu_links(region, user):
    if region is None:
        return [MenuLink(_("Action plans"), url_for("action_plans_project.index"))]
    return [MenuLink(_("Action plan"), url_for("action_plans.index", region=region.slug))]


@hookimpl
def dashboard_panels(region, user):
    plans = db.session.scalars(
        select(Plan)
        .options(selectinload(Plan.region), selectinload(Plan.actions))
        .where(Plan.not_trashed(), *([Plan.region_id == region.id] if region is not None else []))
        .order_by(Plan.created_at)
    ).all()
    return [
        Panel.rendered(
            _("Action plans"),
            "action_plans/_panel.html",
            region=region,
            # A panel is HTML, which the core cannot screen: it asks the core's rule.
            plans=[p for p in plans if _admits(p.region, user)],
        )
    ]


def _admits(region, user) -> bool:
    return admits(PLUGIN.name, region, user)


def _plan_url(plan: Plan) -> str:
    return url_for("action_plans.view", region=plan.region.slug, plan_id=plan.id)


def _action_target(action: PlanAction) -> LinkTarget:
    return LinkTarget(
        action.ref,
        _(
            "Action %(position)s: %(title)s (%(region)s)",
            position=action.position,
            title=action.title,
            region=action.plan.region.name,
        ),
        _plan_url(action.plan) + f"#action-{action.id}",
        _("Action plan action"),
        action.plan.region,
    )


def _folded_ids(query: str, *columns) -> list[int]:
    """Ids of the rows where one of the short text ``columns`` contains ``query``,
    folded as core search folds ("lodz" finds "Łódź"): matched in Python, since no
    SQL of both engines folds that way; these tables hold tens of rows, not thousands.
    """
    id_column = columns[0].class_.id
    rows = db.session.execute(select(id_column, *columns))
    return [id_ for id_, *texts in rows if folded_contains(query, *texts)]


def _matching_actions(query: str, limit: int):
    """Actions, of plans not in the trash, whose title or funding sources contain
    ``query``; each action's plan and region come from the session when already read."""
    ids = _folded_ids(query, PlanAction.title, PlanAction.funding_sources)
    return db.session.scalars(
        select(PlanAction)
        .join(PlanAction.plan)
        .where(PlanAction.id.in_(ids), Plan.not_trashed())
        .order_by(PlanAction.title)
        .limit(limit)
    ).all()


@hookimpl
def search(query, user):
    query = query.strip()
    if len(query) < 2:
        return []
    # A project has a plan or two a region: all are read, and matched here, so that
    # the matching actions find their plans (and the regions) already read.
    plans = db.session.scalars(select(Plan).where(Plan.not_trashed()).order_by(Plan.id)).all()
    matching = [p for p in plans if folded_contains(query, p.instrument_name, p.other_partners)]
    # Each result says its region: the core drops those of regions where the plugin
    # is off and those the reader may not read.
    results = [
        SearchResult(
            p.title,
            _plan_url(p),
            p.kind_label,
            _("Action plan"),
            f"{p.region.name} · {p.state.label}",
            p.region,
        )
        for p in matching[:20]
    ]
    for action in _matching_actions(query, 20):
        target = _action_target(action)
        results.append(
            SearchResult(
                target.label,
                target.url,
                action.plan.instrument_name,
                _("Action plan action"),
                f"{action.plan.region.name} · {action.plan.state.label}",
                target.region,
            )
        )
    return results


@hookimpl
def link_targets(query, user):
    query = query.strip()
    if not query:
        return []
    return [_action_target(a) for a in _matching_actions(query, 20)]


@hookimpl
def describe_refs(refs, user):
    ids = [
        int(ref[len(ACTION_PREFIX) :])
        for ref in refs
        if ref.startswith(ACTION_PREFIX) and ref[len(ACTION_PREFIX) :].isdigit()
    ]
    found = {}
    if ids:
        actions = db.session.scalars(
            select(PlanAction)
            .join(PlanAction.plan)
            .options(selectinload(PlanAction.plan).selectinload(Plan.region))
            .where(PlanAction.id.in_(ids), Plan.not_trashed())
        ).all()
        found.update({a.ref: _action_target(a) for a in actions})
    plan_ids = [
        int(ref[len(PLAN_PREFIX) :])
        for ref in refs
        if ref.startswith(PLAN_PREFIX) and ref[len(PLAN_PREFIX) :].isdigit()
    ]
    if plan_ids:
        plans = db.session.scalars(
            select(Plan).where(Plan.id.in_(plan_ids), Plan.not_trashed())
        ).all()
        found.update(
            {
                p.ref: LinkTarget(p.ref, p.title, _plan_url(p), _("Action plan"), p.region)
                for p in plans
            }
        )
    return found


@hookimpl
def document_visible(document):
    """The texts of a plan in the trash (its policy context, summary, actions and
    their evidence) are gone with it, until it is back."""
    return False if document.id in trash.trashed_documents() else None


@hookimpl
def notification_kinds():
    from .notices import KINDS

    return KINDS


@hookimpl
def document_lock(document):
    from .plans import plan_of_document

    plan = plan_of_document(document)
    if plan is not None and plan.state is Status.ENDORSED:
        return _("The action plan is endorsed, so its texts are read-only until it is re-opened.")
    return None


@hookimpl
def document_followed_as(document):
    """Each text of a plan, its actions' evidence included, is the plan's to the
    people following the plan (follow_views)."""
    from .plans import plan_of_document

    plan = plan_of_document(document)
    if plan is None:
        action = db.session.scalar(
            select(PlanAction).where(PlanAction.evidence_document_id == document.id)
        )
        plan = action.plan if action is not None else None
    return [plan.ref] if plan is not None else []


@hookimpl
def load_demo():
    """Runs after the minutes' and the portfolio's demos (``PLUGIN.after``): the
    actions link to their meetings and practices."""
    from .demo import load

    load()


@hookimpl
def export_region(region):
    from .exports import plan_docx

    plans = db.session.scalars(
        select(Plan)
        .where(Plan.region_id == region.id, Plan.not_trashed())
        .order_by(Plan.created_at)
    ).all()
    return [ExportFile(f"action-plan-{plan.id}.docx", plan_docx(plan)) for plan in plans]


__all__ = ["PLUGIN", "models"]


@hookimpl
def report_items(partner, period, user):
    return reporting.items(partner, period, user)


@hookimpl
def project_activities(period, user):
    return reporting.activities(period, user)


@hookimpl
def indicator_values(scope, period, user):
    from .indicators import values

    return values(scope, period, user)


@hookimpl
def calendar_changed(periods):
    """The Phase 2 history follows a new calendar: each action's state is filed again
    under the period holding the day it stands as of, or the change is refused."""
    from .monitoring import refile

    return refile(periods)
