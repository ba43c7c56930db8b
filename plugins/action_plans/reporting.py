"""The action plans in the reports: a partner's part of its partner report (the
``report_items`` hook: the plans it worked on in the period and the Phase 2 state of
their actions recorded for the period) and the project's activities of a period (the
``project_activities`` hook: every plan created, worked on or endorsed in it)."""

from __future__ import annotations

from collections.abc import Iterable

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workspace.api import Action, Partner, Period, ReportItem, User, can, db, format_day

from .models import Plan, PlanAction, Status
from .monitoring import day_in_period

SECTION = _l("Action plans")


def _plan_url(plan: Plan) -> str:
    return url_for("action_plans.view", region=plan.region.slug, plan_id=plan.id)


def _readable_plans(user: User, *where) -> list[Plan]:
    plans = db.session.scalars(
        select(Plan)
        .where(Plan.not_trashed(), *where)
        .options(
            selectinload(Plan.region),
            selectinload(Plan.actions).selectinload(PlanAction.history),
        )
        .order_by(Plan.created_at, Plan.id)
    ).all()
    return [plan for plan in plans if can(user, Action.READ, plan.region)]


def plan_items(plans: Iterable[Plan], period: Period) -> list[ReportItem]:
    """The plans created, worked on or endorsed in ``period``: one item each, on the
    day of its endorsement when that is in the period, else of its last change."""
    start, end = period.moments
    found = []
    for plan in plans:
        endorsed = plan.endorsed_at is not None and start <= plan.endorsed_at < end
        if endorsed or start <= plan.updated_at < end or start <= plan.created_at < end:
            state = Status(plan.status).label
            if endorsed:
                state = _("endorsed %(day)s", day=format_day(plan.endorsed_at))
                day = plan.endorsed_at
            elif start <= plan.updated_at < end:
                day = plan.updated_at
            else:
                day = plan.created_at
            if not endorsed and start <= plan.created_at < end:
                state = _(
                    "started %(day)s · %(state)s",
                    day=format_day(plan.created_at),
                    state=state.lower(),
                )
            found.append(
                ReportItem(
                    str(SECTION),
                    plan.ref,
                    plan.instrument_name,
                    url=_plan_url(plan),
                    day=day.date(),
                    detail=ngettext(
                        "%(state)s · %(num)d action",
                        "%(state)s · %(num)d actions",
                        len(plan.actions),
                        state=state,
                    ),
                    region=plan.region_id,
                )
            )
    return found


def items(partner: Partner, period: Period, user: User) -> list[ReportItem]:
    plans = _readable_plans(user, Plan.partner_id == partner.id)
    progress: list[ReportItem] = []
    for plan in plans:
        for action in plan.actions:
            row = next((r for r in action.history if r.period == period.number), None)
            if row is None:
                continue
            detail = row.state.label
            if row.reason:
                detail = _("%(state)s: %(reason)s", state=detail, reason=row.reason)
            progress.append(
                ReportItem(
                    _("Action-plan progress"),
                    action.ref,
                    _(
                        "Action %(position)s: %(title)s",
                        position=action.position,
                        title=action.title,
                    ),
                    url=f"{_plan_url(plan)}#action-{action.id}",
                    day=day_in_period(row, [period]),
                    detail=detail,
                    region=plan.region_id,
                )
            )
    return plan_items(plans, period) + progress


def activities(period: Period, user: User) -> list[ReportItem]:
    return plan_items(_readable_plans(user), period)
