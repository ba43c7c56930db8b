"""Reports at a glance: each partner's report per period, its deadline and lateness,
for the project page, a region's page and the dashboards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import ngettext
from sqlalchemy import select

from workspace.api import Partner, PartnerRole, Period, db, now, periods

from .models import PartnerReport, State


def today() -> date:
    return now().date()


@dataclass(frozen=True)
class Cell:
    """A partner's report for a period, begun or not."""

    partner: Partner
    period: Period
    report: PartnerReport | None
    on: date

    @property
    def state(self) -> State:
        return self.report.status if self.report is not None else State.DRAFT

    @property
    def begun(self) -> bool:
        return self.report is not None

    @property
    def due(self) -> date:
        return self.period.report_due

    @property
    def open(self) -> bool:
        """The period has ended: its report can be written and submitted."""
        return self.period.end < self.on

    @property
    def days_late(self) -> int:
        """Days past the deadline: to its first submission once it was submitted (a
        returned report was on time if that was), else to today; 0 when on time."""
        first = self.report.first_submitted_at if self.report is not None else None
        until = first.date() if first is not None else self.on
        return max((until - self.due).days, 0)

    @property
    def lateness(self) -> str:
        days = self.days_late
        if not days:
            return ""
        submitted = self.report is not None and self.report.first_submitted_at is not None
        if submitted:
            return ngettext("submitted %(num)d day late", "submitted %(num)d days late", days)
        return ngettext("%(num)d day late", "%(num)d days late", days)


def ordered(partners: list[Partner]) -> list[Partner]:
    """The lead partner first, the advisory partner last, as in the application form."""
    order = {PartnerRole.LEAD: 0, PartnerRole.PARTNER: 1, PartnerRole.ADVISORY: 2}
    return sorted(partners, key=lambda p: (order[p.role], p.short_name))


def grid(partners: list[Partner]) -> tuple[list[Period], dict[int, list[Cell]]]:
    """The periods, and for each partner its cell per period (one query)."""
    all_periods = periods()
    on = today()
    reports = {
        (r.partner_id, r.period): r
        for r in db.session.scalars(
            select(PartnerReport).where(PartnerReport.partner_id.in_([p.id for p in partners]))
        )
    }
    return all_periods, {
        p.id: [Cell(p, period, reports.get((p.id, period.number)), on) for period in all_periods]
        for p in partners
    }


def certified(cells: list[Cell]) -> Decimal:
    """What a partner's certified reports add up to (EUR)."""
    return sum(
        (c.report.certified_eur for c in cells if c.report and c.report.certified_eur is not None),
        Decimal("0.00"),
    )


def due_now(all_periods: list[Period], on: date) -> Period | None:
    """The period whose reports are being written: the latest that has ended."""
    ended = [p for p in all_periods if p.end < on]
    return ended[-1] if ended else None
