"""The project's calendar: its start, its two phases, their reporting periods P1..Pn
and each period's report deadline (the period's end plus a number of days).

Periods are the core's: the budget files expenditure under them, and the reports of a
period are due by its deadline. An admin keeps the calendar under Admin → Calendar
(``project_calendar_views``).

Interreg Europe 2014-2020: Phase 1 (exchange of experience) reported every six months,
Phase 2 (monitoring) once a year; a partner reports within two weeks of a period's end.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Date, select
from sqlalchemy.orm import Mapped, mapped_column

from .dates import format_day
from .extensions import db

# Until an admin saves one: InterVentures' own (DOMAIN.md).
DEFAULT = {
    "start_date": date(2019, 8, 1),
    "phase1_months": 24,
    "phase1_period_months": 6,
    "phase2_months": 12,
    "phase2_period_months": 12,
    "report_days": 14,
}


class ProjectCalendar(db.Model):
    """One row: the project's calendar."""

    __tablename__ = "project_calendar"

    id: Mapped[int] = mapped_column(primary_key=True)
    start_date: Mapped[date] = mapped_column(Date())
    phase1_months: Mapped[int]
    phase1_period_months: Mapped[int]
    phase2_months: Mapped[int]
    phase2_period_months: Mapped[int]
    # A period's reports are due this many days after its last day.
    report_days: Mapped[int]
    version: Mapped[int] = mapped_column(default=1)


@dataclass(frozen=True)
class Period:
    number: int
    phase: int
    start: date
    end: date  # inclusive
    report_due: date

    @property
    def label(self) -> str:
        return f"P{self.number}"

    @property
    def span(self) -> str:
        return f"{format_day(self.start)} – {format_day(self.end)}"

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def moments(self) -> tuple[datetime, datetime]:
        """The period as UTC moments, for records stamped with a time: from its first
        day's start up to (not including) the day after its end."""
        first = datetime.combine(self.start, time(), UTC)
        return first, datetime.combine(self.end + timedelta(days=1), time(), UTC)


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def project_calendar() -> ProjectCalendar:
    """The saved calendar, or an unsaved one with the defaults while nobody saved any."""
    saved = db.session.scalar(select(ProjectCalendar).order_by(ProjectCalendar.id).limit(1))
    return saved if saved is not None else ProjectCalendar(**DEFAULT, version=0)


def periods(calendar_: ProjectCalendar | None = None) -> list[Period]:
    """Reporting periods from the start: Phase 1 in steps of its period length, then
    Phase 2 in steps of its own; a last short step ends with its phase."""
    calendar_ = calendar_ or project_calendar()
    result: list[Period] = []
    start = calendar_.start_date
    for phase, months, step in (
        (1, calendar_.phase1_months, calendar_.phase1_period_months),
        (2, calendar_.phase2_months, calendar_.phase2_period_months),
    ):
        phase_end = add_months(start, months)
        while start < phase_end:
            end = min(add_months(start, step), phase_end) - timedelta(days=1)
            due = end + timedelta(days=calendar_.report_days)
            result.append(Period(len(result) + 1, phase, start, end, due))
            start = end + timedelta(days=1)
    return result


def period_of(day: date, all_periods: list[Period] | None = None) -> Period | None:
    """The period ``day`` falls in; None before the start or after the end."""
    return next((p for p in all_periods or periods() if p.contains(day)), None)


def project_end(calendar_: ProjectCalendar | None = None) -> date:
    return periods(calendar_)[-1].end
