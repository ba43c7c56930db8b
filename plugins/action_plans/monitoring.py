"""Phase 2 monitoring by reporting period: the dated history of each action's state.

Each action has a ``PeriodState`` row per period it was monitored for: its state of
implementation, the reason when it was not implemented, the evidence, how the policy
instrument changed, who recorded it and when. A save writes (or updates) the row of the
period it is recorded for, and the action's own fields repeat its latest row, so the
pages that show the current state stay as they were. The Phase 2 reports read the
state "as it stood" in a period: the latest row at or before it.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from workspace.api import Period, User, db, format_day, now, periods, utcnow

from .models import PeriodState, PlanAction, Progress


def today() -> date:
    return now().date()


def offered_periods(all_periods: list[Period] | None = None) -> list[Period]:
    """The periods a Phase 2 state may be recorded for: every Phase 2 period that has
    begun, and the current period when it is one of Phase 1 (a plan endorsed early is
    monitored from then on). Before the project starts, its first period."""
    all_periods = all_periods if all_periods is not None else periods()
    day = today()
    offered = [p for p in all_periods if p.phase == 2 and p.start <= day]
    current = next((p for p in all_periods if p.contains(day)), None)
    if current is not None and current.phase == 1:
        offered.insert(0, current)
    return offered or all_periods[:1]


def default_period(offered: list[Period]) -> Period:
    """The period containing today, or the latest one offered (after the project's end,
    its last period)."""
    day = today()
    return next((p for p in offered if p.contains(day)), offered[-1])


def record_state(
    action: PlanAction,
    period: Period,
    user: User,
    progress: str,
    reason: str,
    evidence: str,
    instrument_change: str,
) -> PeriodState:
    """Write the action's state for ``period`` (its row, new or updated) and bring the
    action's current fields in line with its latest row. The caller bumps the action's
    version and commits."""
    row = next((r for r in action.history if r.period == period.number), None)
    if row is None:
        row = PeriodState(action=action, period=period.number, day=period.end)
        db.session.add(row)
    row.day = period.end
    row.progress = progress
    row.reason = reason if progress == Progress.NOT_IMPLEMENTED.value else ""
    row.evidence = evidence
    row.instrument_change = instrument_change
    row.recorded_by_id = user.id
    row.recorded_at = utcnow()
    sync_current(action)
    return row


def sync_current(action: PlanAction) -> None:
    """The action's ``progress``, ``reason``, ``evidence`` and ``monitored_at`` are its
    latest period's row."""
    if not action.history:
        return
    latest = max(action.history, key=lambda r: r.period)
    action.progress = latest.progress
    action.reason = latest.reason
    action.evidence = latest.evidence
    action.monitored_at = latest.recorded_at


def state_at(action: PlanAction, number: int) -> PeriodState | None:
    """Where the action stood in period ``number``: its latest row at or before it."""
    rows = [r for r in action.history if r.period <= number]
    return max(rows, key=lambda r: r.period) if rows else None


def first_implemented(action: PlanAction) -> PeriodState | None:
    """The row of the first period in which the action is recorded as implemented."""
    return next(
        (r for r in action.history if r.progress == Progress.IMPLEMENTED.value),
        None,
    )


def day_in_period(row: PeriodState, all_periods: list[Period]) -> date:
    """The day a row counts on, inside its period: the day it was recorded, or the
    period's last day when it was recorded afterwards (its first day when before)."""
    period = next((p for p in all_periods if p.number == row.period), None)
    if period is None:
        return row.day
    return min(max(row.recorded_at.date(), period.start), period.end)


def refile(new_periods: list[Period]) -> str | None:
    """File every row again under a new calendar, by the day it stands as of; a
    message, and nothing moved, when a row would fall outside the project or two rows of
    one action would fall into one period (one of the two states would be lost)."""
    start, end = new_periods[0].start, new_periods[-1].end
    rows = db.session.scalars(select(PeriodState).order_by(PeriodState.id)).all()
    moves: dict[int, int] = {}
    taken: dict[tuple[int, int], PeriodState] = {}
    for row in rows:
        period = next((p for p in new_periods if p.contains(row.day)), None)
        if period is None:
            label = f"P{row.period}"
            return _(
                "the Phase 2 state of action “%(title)s” for %(period)s (as of %(day)s) "
                "would fall outside the project (%(start)s – %(end)s).",
                title=row.action.title,
                period=label,
                day=format_day(row.day),
                start=format_day(start),
                end=format_day(end),
            )
        other = taken.get((row.action_id, period.number))
        if other is not None:
            first, second, into = f"P{other.period}", f"P{row.period}", f"P{period.number}"
            return _(
                "the Phase 2 states of action “%(title)s” for %(first)s and %(second)s "
                "would both fall into %(period)s, and one would be lost.",
                title=row.action.title,
                first=first,
                second=second,
                period=into,
            )
        taken[(row.action_id, period.number)] = row
        moves[row.id] = period.number
    if any(row.period != moves[row.id] for row in rows):
        # Two steps, so that swapping numbers never meets the (action, period) rule.
        for row in rows:
            row.period = -row.id
        db.session.flush()
        for row in rows:
            row.period = moves[row.id]
        db.session.flush()
    return None


def chosen_period(asked: int | None) -> tuple[Period, list[Period]] | None:
    """The period a "Phase 2 by period" page shows (``asked``, or the current one: the
    last after the project's end) and the periods it offers (those begun); None for a
    period that is not offered."""
    all_periods = periods()
    day = today()
    begun = [p for p in all_periods if p.start <= day] or all_periods[:1]
    if asked is None:
        return begun[-1], begun
    chosen = next((p for p in begun if p.number == asked), None)
    return (chosen, begun) if chosen is not None else None
