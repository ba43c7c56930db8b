"""Action plans in the trash (``workspace.trash``): moving one there, bringing it back,
and the trash page of a region (``/r/<region>/action_plans/trash``).

Who may: a draft plan by its region's editors, who write it; a plan in review or
endorsed only by the region's coordinators and the admins, who endorse and re-open
plans. The region's editors see the trash page.

While in the trash a plan is 404 by id, with every page of its actions; it is out of
the region's list, the project's plans and Phase 2 progress, the panels, search,
link targets (its actions too) and the region export. Its texts (policy context,
summary, each action's texts and evidence) are hidden through ``document_visible``.
"""

from __future__ import annotations

from flask import Response, g, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select, union_all
from sqlalchemy.orm import selectinload

from workspace.api import (
    N_,
    Action,
    TrashRow,
    User,
    bring_back,
    can,
    db,
    documents_in_trash,
    error_response,
    require,
    say_restored,
    say_trashed,
    send_to_trash,
    trash_page,
)

from . import plans as rules
from .models import Plan, PlanAction, Status
from .views import _committed, bp, get_plan


def may_trash(user: User, plan: Plan) -> bool:
    """Whether ``user`` may move ``plan`` to the trash, and bring it back."""
    if plan.state is Status.DRAFT:
        return can(user, Action.EDIT, plan.region)
    return can(user, Action.MANAGE, plan.region)


@bp.app_template_global("action_plans_may_trash")
def may_trash_here(plan: Plan) -> bool:
    return may_trash(current_user, plan)


def _require_trash_right(plan: Plan) -> None:
    if not may_trash(current_user, plan):
        require(Action.MANAGE, plan.region)  # a 403, in the audit trail


# Built once: ``document_visible`` asks for it on every plan text a page lists.
_TRASHED_PLANS = select(Plan.id).where(Plan.trashed())
_TRASHED_DOCUMENTS = union_all(
    select(Plan.context_document_id).where(Plan.trashed()),
    select(Plan.summary_document_id).where(Plan.trashed()),
    select(PlanAction.document_id).where(PlanAction.plan_id.in_(_TRASHED_PLANS)),
    select(PlanAction.evidence_document_id).where(PlanAction.plan_id.in_(_TRASHED_PLANS)),
)


def trashed_documents() -> frozenset[int]:
    """The texts of the plans in the trash and of their actions (once per request, in
    one query: a dashboard asks on every view)."""
    return documents_in_trash("action_plans", _TRASHED_DOCUMENTS)


CHANGED = _l(
    "Someone else changed this plan in the meantime; nothing was changed. Reload the page."
)


@bp.post("/<id:plan_id>/trash")
def trash(plan_id: int) -> Response:
    plan = get_plan(plan_id)
    _require_trash_right(plan)
    title = plan.instrument_name
    send_to_trash(
        plan, kind="action_plan", what=N_("an action plan"), title=title, region=plan.region
    )
    rules.touch(plan)  # open forms of it are stale now
    if not _committed():
        return error_response(409, str(CHANGED))
    say_trashed(title)
    return redirect(url_for("action_plans.index"), code=303)


@bp.post("/<id:plan_id>/untrash")
def untrash(plan_id: int) -> Response:
    plan = get_plan(plan_id, trashed=True)
    _require_trash_right(plan)
    title = plan.instrument_name
    bring_back(plan, kind="action_plan", what=N_("an action plan"), title=title, region=plan.region)
    rules.touch(plan)
    if not _committed():
        return error_response(409, str(CHANGED))
    say_restored(title)
    return redirect(url_for("action_plans.view", plan_id=plan.id), code=303)


@bp.get("/trash")
def trash_list() -> Response:
    require(Action.EDIT, g.region)
    plans = db.session.scalars(
        select(Plan)
        .where(Plan.region_id == g.region.id, Plan.trashed())
        .options(selectinload(Plan.deleted_by), selectinload(Plan.actions))
    ).all()
    user = current_user._get_current_object()
    rows = []
    for plan in plans:
        count = len(plan.actions)
        rows.append(
            TrashRow.of(
                plan,
                plan.instrument_name,
                url_for("action_plans.untrash", plan_id=plan.id) if may_trash(user, plan) else None,
                ngettext(
                    "%(state)s · %(num)d action",
                    "%(state)s · %(num)d actions",
                    count,
                    state=plan.state.label,
                ),
            )
        )
    return trash_page(
        rows,
        back_url=url_for("action_plans.index"),
        back_label=_("the action plans"),
        eyebrow=_("%(region)s · Action plans", region=g.region.name),
        intro=_(
            "Action plans moved to the trash: gone from the lists, progress, search "
            "and exports until they are restored, with their actions and texts."
        ),
        empty=_("No action plan is in the trash."),
        cannot=_("A coordinator can restore it."),
    )
