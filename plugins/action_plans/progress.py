"""Phase 2 progress: how many actions of each region's endorsed plans are where."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workspace.api import db

from .models import Plan, Progress, Status


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
