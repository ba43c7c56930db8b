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
    rows = []
    for region in regions:
        plans = db.session.scalars(
            select(Plan)
            .options(selectinload(Plan.actions))
            .where(Plan.region_id == region.id, Plan.not_trashed())
            .order_by(Plan.created_at)
        ).all()
        counts = {p: 0 for p in Progress}
        for plan in plans:
            if plan.state is Status.ENDORSED:
                for action in plan.actions:
                    counts[action.state] += 1
        rows.append(Row(region, list(plans), counts))
    return rows
