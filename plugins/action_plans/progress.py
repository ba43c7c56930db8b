"""Phase 2 progress: how many actions of each region's endorsed plans are where."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workspace.api import db

from .models import Plan, PlanAction, Progress, Status


@dataclass
class Row:
    region: object
    plans: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def region_rows(regions) -> list[Row]:
    """A row per region, in the order given: its plans, and where the actions of its
    endorsed plans are. The plans of every region in one query (and their actions in
    one more), not two queries a region."""
    by_region: dict[int, list[Plan]] = {region.id: [] for region in regions}
    plans = db.session.scalars(
        select(Plan)
        .options(selectinload(Plan.actions))
        .where(Plan.region_id.in_(list(by_region)), Plan.not_trashed())
        .order_by(Plan.created_at, Plan.id)
    )
    for plan in plans:
        by_region[plan.region_id].append(plan)
    rows = []
    for region in regions:
        counts = {p: 0 for p in Progress}
        for plan in by_region[region.id]:
            if plan.state is Status.ENDORSED:
                for action in plan.actions:
                    counts[action.state] += 1
        rows.append(Row(region, by_region[region.id], counts))
    return rows


@dataclass
class Standing:
    """One action as it stood in a period: its latest row at or before it, if any."""

    action: object
    row: object | None

    @property
    def state(self) -> Progress | None:
        return self.row.state if self.row is not None else None


def as_of(regions, number: int) -> list[tuple[object, list[tuple[Plan, list[Standing]]]]]:
    """Per region (in the order given), its plans under Phase 2 monitoring (endorsed, or
    with a recorded state) and their actions as they stood in period ``number``."""
    from .monitoring import state_at

    by_region: dict[int, list[tuple[Plan, list[Standing]]]] = {region.id: [] for region in regions}
    plans = db.session.scalars(
        select(Plan)
        .options(selectinload(Plan.actions).selectinload(PlanAction.history))
        .where(Plan.region_id.in_(list(by_region)), Plan.not_trashed())
        .order_by(Plan.created_at, Plan.id)
    )
    for plan in plans:
        monitored = plan.state is Status.ENDORSED or any(a.history for a in plan.actions)
        if monitored:
            standings = [Standing(a, state_at(a, number)) for a in plan.actions]
            by_region[plan.region_id].append((plan, standings))
    return [(region, by_region[region.id]) for region in regions if by_region[region.id]]


def state_counts(found) -> dict:
    """How many of the actions listed by ``as_of`` stood in each state (None: nothing
    recorded yet)."""
    counts: dict = {state: 0 for state in Progress} | {None: 0}
    for _, plans in found:
        for _, standings in plans:
            for standing in standings:
                counts[standing.state] += 1
    return counts
