"""The action plans' part of a partner report (the ``report_items`` hook): the plans the
partner worked on in the period and the Phase 2 monitoring of their actions."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workspace.api import Action, Partner, Period, ReportItem, User, can, db, format_day

from .models import Plan, Progress, Status


def items(partner: Partner, period: Period, user: User) -> list[ReportItem]:
    start, end = period.moments
    plans = db.session.scalars(
        select(Plan)
        .where(Plan.partner_id == partner.id, Plan.not_trashed())
        .options(selectinload(Plan.actions))
        .order_by(Plan.created_at)
    ).all()
    found: list[ReportItem] = []
    progress: list[ReportItem] = []
    for plan in plans:
        if not can(user, Action.READ, plan.region):
            continue
        url = url_for("action_plans.view", region=plan.region.slug, plan_id=plan.id)
        endorsed = plan.endorsed_at is not None and start <= plan.endorsed_at < end
        if endorsed or start <= plan.updated_at < end or start <= plan.created_at < end:
            state = Status(plan.status).label
            if endorsed:
                state = f"endorsed {format_day(plan.endorsed_at)}"
            found.append(
                ReportItem(
                    "Action plans",
                    f"action_plans:plan:{plan.id}",
                    plan.instrument_name,
                    url=url,
                    day=(plan.endorsed_at if endorsed else plan.updated_at).date(),
                    detail=f"{state} · {len(plan.actions)} actions",
                )
            )
        progress += [
            ReportItem(
                "Action-plan progress",
                f"action_plans:action:{action.id}",
                f"Action {action.position}: {action.title}",
                url=f"{url}#action-{action.id}",
                day=action.monitored_at.date(),
                detail=Progress(action.progress).label,
            )
            for action in plan.actions
            if action.monitored_at is not None and start <= action.monitored_at < end
        ]
    return found + progress
