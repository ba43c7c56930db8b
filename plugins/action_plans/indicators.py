"""What the action plans count towards the programme's indicators (``indicator_values``).

- ``action_plans``: each endorsed plan, on the day it was endorsed, credited to the
  plan's partner in the plan's region.
- ``instruments_addressed``: each policy instrument a region's plans address (plans
  naming the same instrument, letter case and spacing aside, count once), on the day
  its first plan was started: an instrument is addressed from the moment the region
  writes a plan for it, endorsed or not. Credited to that first plan's partner.
- ``instruments_improved``: an instrument counts in the first period in which an action
  of a plan on it is recorded as implemented in the Phase 2 history, on the day it was
  recorded (the period's last day when recorded later).
- ``structural_funds`` / ``other_funds``: the costs (EUR) of each action in the period
  in which it is first recorded as implemented, as Structural Funds when its plan
  addresses an Investment for Growth and Jobs or a European Territorial Cooperation
  programme, as other funds otherwise.

Plans in the trash count for nothing; a region the reader may not read is left out
(the core screens switched-off regions too).
"""

from __future__ import annotations

from decimal import Decimal

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workspace.api import (
    Action,
    IndicatorValue,
    Partner,
    Period,
    Region,
    User,
    can,
    db,
    format_day,
    format_money,
    periods,
)

from .models import STRUCTURAL_FUNDS_KINDS, Plan, PlanAction
from .monitoring import day_in_period, first_implemented

INSTRUMENT_REF = "action_plans:instrument:"


def instrument_key(plan: Plan) -> tuple[int, str]:
    """Plans of a region naming the same instrument address one instrument."""
    return plan.region_id, " ".join(plan.instrument_name.split()).casefold()


def _plans(scope: Partner | Region | None, user: User) -> list[Plan]:
    query = (
        select(Plan)
        .options(
            selectinload(Plan.region),
            selectinload(Plan.partner),
            selectinload(Plan.actions).selectinload(PlanAction.history),
        )
        .where(Plan.not_trashed())
        .order_by(Plan.created_at, Plan.id)
    )
    region_id = scope.region_id if isinstance(scope, Partner) else getattr(scope, "id", None)
    if scope is not None:
        query = query.where(Plan.region_id == region_id)
    return [p for p in db.session.scalars(query) if can(user, Action.READ, p.region)]


def _plan_url(plan: Plan) -> str:
    return url_for("action_plans.view", region=plan.region.slug, plan_id=plan.id)


def _endorsed_detail(plan: Plan) -> str:
    """How an endorsed plan counts: when, by whom, its instrument's kind, its actions."""
    if plan.endorsed_by:
        return ngettext(
            "Endorsed on %(day)s by %(name)s · %(kind)s · %(num)d action",
            "Endorsed on %(day)s by %(name)s · %(kind)s · %(num)d actions",
            len(plan.actions),
            day=format_day(plan.endorsed_at),
            name=plan.endorsed_by.name,
            kind=plan.kind_label,
        )
    return ngettext(
        "Endorsed on %(day)s · %(kind)s · %(num)d action",
        "Endorsed on %(day)s · %(kind)s · %(num)d actions",
        len(plan.actions),
        day=format_day(plan.endorsed_at),
        kind=plan.kind_label,
    )


def values(scope: Partner | Region | None, period: Period | None, user: User):
    plans = _plans(scope, user)
    all_periods = periods()
    found: list[IndicatorValue] = []
    first_plan: dict[tuple[int, str], Plan] = {}
    for plan in plans:
        first_plan.setdefault(instrument_key(plan), plan)
        if plan.endorsed_at is not None:
            found.append(
                IndicatorValue(
                    "action_plans",
                    plan.ref,
                    plan.title,
                    plan.endorsed_at.date(),
                    url=_plan_url(plan),
                    detail=_endorsed_detail(plan),
                    region=plan.region_id,
                    partner=plan.partner_id,
                )
            )
    for plan in first_plan.values():
        found.append(
            IndicatorValue(
                "instruments_addressed",
                f"{INSTRUMENT_REF}{plan.id}",
                plan.instrument_name,
                plan.created_at.date(),
                url=_plan_url(plan),
                detail=_(
                    "%(kind)s · addressed by the action plan started on %(day)s (%(state)s)",
                    kind=plan.kind_label,
                    day=format_day(plan.created_at),
                    state=plan.state.label.lower(),
                ),
                region=plan.region_id,
                partner=plan.partner_id,
            )
        )
    # Instrument -> (period, day) of its first implemented action, and its value.
    improved: dict[tuple[int, str], tuple[tuple, IndicatorValue]] = {}
    for plan in plans:
        first = first_plan[instrument_key(plan)]
        for action in plan.actions:
            row = first_implemented(action)
            if row is None:
                continue
            day = day_in_period(row, all_periods)
            url = f"{_plan_url(plan)}#action-{action.id}"
            said = _(
                "Action %(position)s: %(title)s, implemented (%(period)s)",
                position=action.position,
                title=action.title,
                period=row.label,
            )
            change = (
                _(" · the instrument: %(change)s", change=row.instrument_change)
                if row.instrument_change
                else ""
            )
            key = instrument_key(plan)
            if key not in improved or (row.period, day) < improved[key][0]:
                improved[key] = (
                    (row.period, day),
                    IndicatorValue(
                        "instruments_improved",
                        f"{INSTRUMENT_REF}{first.id}",
                        plan.instrument_name,
                        day,
                        url=url,
                        detail=said + change,
                        region=plan.region_id,
                        partner=plan.partner_id,
                    ),
                )
            if action.costs:
                structural = plan.instrument_kind in STRUCTURAL_FUNDS_KINDS
                found.append(
                    IndicatorValue(
                        "structural_funds" if structural else "other_funds",
                        action.ref,
                        f"{action.title} ({plan.instrument_name})",
                        day,
                        amount=Decimal(action.costs),
                        url=url,
                        detail=_(
                            "%(action)s; its costs, EUR %(costs)s, through %(kind)s",
                            action=said,
                            costs=format_money(action.costs),
                            kind=plan.kind_label.lower(),
                        )
                        + change,
                        region=plan.region_id,
                        partner=plan.partner_id,
                    )
                )
    found += [value for _, value in improved.values()]
    if period is not None:
        found = [v for v in found if period.contains(v.day)]
    return found
