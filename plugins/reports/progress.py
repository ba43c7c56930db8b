"""The lead partner's progress report per period: its steps and what it gathers.

Draft -> Ready (every partner's report for the period certified, or left out with a
reason) -> Submitted to the programme (the day) -> Approved by the programme (the day,
its remarks). Ready goes back to Draft while the report is not submitted. Every step is
a compare-and-swap on the report's version; who may take it is ``may_compile``. The
three texts (summary, problems and deviations, plan for the next period) are core
documents, written while the report is a draft and locked after.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from workspace.api import (
    Action,
    Partner,
    PartnerRole,
    Period,
    ReportItem,
    User,
    can,
    create_document,
    db,
    format_day,
    now,
    periods,
    project_activities,
    record,
)

from . import figures, overview, progress_snapshot
from .models import LeftOut, MediaAppearance, ProgressReport, ProgressState, ProgressStep, State
from .phrases import PHRASES
from .workflow import Refused

STALE = _l("Someone else changed this progress report a moment ago: here it is as it stands now.")

# The three texts, by name: their headings.
TEXTS = {
    "summary": _l("Summary"),
    "problems": _l("Problems and deviations"),
    "next": _l("Plan for the next period"),
}


def hint(name: str, period: str) -> str:
    """What to write in a text (its first words, in the language of the person who
    begins the report)."""
    if name == "summary":
        return _(
            "What the project achieved in %(period)s, in a few paragraphs for the programme.\n",
            period=period,
        )
    if name == "problems":
        return _(
            "What did not go as planned in %(period)s: delays, changes of activities or "
            "budget, and what the partnership did about them.\n",
            period=period,
        )
    return _("What the partnership will do next: meetings, visits, webinars, action plans.\n")


def may_compile(user: User) -> bool:
    """Admins and the lead partner's staff compile the progress report."""
    if can(user, Action.ADMIN):
        return True
    partner = user.partner
    return partner is not None and partner.role is PartnerRole.LEAD and can(user, Action.READ, None)


def find(number: int) -> ProgressReport | None:
    return db.session.scalar(select(ProgressReport).where(ProgressReport.period == number))


def start(period: Period, user: User, written: dict[str, str] | None = None) -> ProgressReport:
    """The progress report of ``period``, begun with its three texts (each a hint of
    what to write, or the text ``written`` gives for it: the demo's)."""
    report = find(period.number)
    if report is not None:
        return report
    documents = {
        name: create_document(
            _("Progress report %(period)s: %(title)s", period=period.label, title=title),
            (written or {}).get(name) or hint(name, f"{period.label} ({period.span})"),
            None,
            user,
            plugin="reports",
        )
        for name, title in TEXTS.items()
    }
    report = ProgressReport(
        period=period.number,
        summary_document=documents["summary"],
        problems_document=documents["problems"],
        next_document=documents["next"],
    )
    db.session.add(report)
    db.session.flush()
    record(
        "progress_report_started",
        phrase=PHRASES["progress_report_started"],
        target=ref(report),
        actor=user,
        period=period.label,
    )
    return report


def ref(report: ProgressReport) -> str:
    return f"reports:progress:{report.period}"


@dataclass(frozen=True)
class PartnerLine:
    """A partner's report as the progress report sees it."""

    partner: Partner
    state: State | None
    certified_eur: Decimal | None
    left_out: LeftOut | None

    @property
    def settled(self) -> bool:
        return self.state is State.CERTIFIED or self.left_out is not None


def partner_lines(period: Period, report: ProgressReport | None) -> list[PartnerLine]:
    everyone = overview.ordered(db.session.scalars(select(Partner)).all())
    _, cells = overview.grid(everyone)
    left = {x.partner_id: x for x in report.left_out} if report is not None else {}
    lines = []
    for partner in everyone:
        cell = cells[partner.id][period.number - 1]
        partner_report = cell.report
        lines.append(
            PartnerLine(
                partner,
                partner_report.status if partner_report is not None else None,
                partner_report.certified_eur if partner_report is not None else None,
                left.get(partner.id),
            )
        )
    return lines


def unsettled(period: Period, report: ProgressReport | None) -> list[Partner]:
    return [line.partner for line in partner_lines(period, report) if not line.settled]


def _step(report: ProgressReport, version: int, state: ProgressState, user: User, **values) -> None:
    changed = db.session.execute(
        update(ProgressReport)
        .where(ProgressReport.id == report.id, ProgressReport.version == version)
        .values(state=state.value, version=version + 1, **values)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:
        raise Refused(STALE, 409)
    note = values.get("remarks", "")
    db.session.add(ProgressStep(report_id=report.id, state=state.value, by_id=user.id, note=note))
    record(
        f"progress_report_{state.value}",
        phrase=PHRASES[f"progress_report_{state.value}"],
        target=ref(report),
        actor=user,
        period=f"P{report.period}",
    )
    db.session.flush()
    db.session.refresh(report)


def _expect(report: ProgressReport, version: int, *states: ProgressState) -> None:
    if report.version != version:
        raise Refused(STALE, 409)
    if report.status not in states:
        raise Refused(
            _(
                "This progress report is %(state)s: not possible now.",
                state=report.status.label.lower(),
            )
        )


def mark_ready(report: ProgressReport, period: Period, version: int, user: User) -> None:
    _expect(report, version, ProgressState.DRAFT)
    if period.end >= overview.today():
        raise Refused(
            _(
                "%(period)s ends on %(day)s: report on it after that.",
                period=period.label,
                day=format_day(period.end),
            )
        )
    waiting = unsettled(period, report)
    if waiting:
        names = ", ".join(p.short_name for p in waiting)
        raise Refused(
            _(
                "Not ready: the reports of %(names)s are not certified. Wait for them, or "
                "leave them out of this progress report with a reason.",
                names=names,
            )
        )
    _step(report, version, ProgressState.READY, user)


def back_to_draft(report: ProgressReport, version: int, user: User) -> None:
    _expect(report, version, ProgressState.READY)
    _step(report, version, ProgressState.DRAFT, user)


def submit(report: ProgressReport, period: Period, version: int, day: date, user: User) -> None:
    _expect(report, version, ProgressState.READY)
    if day <= period.end:
        raise Refused(
            _(
                "It is submitted after %(period)s ends (%(day)s).",
                period=period.label,
                day=format_day(period.end),
            )
        )
    if day > overview.today():
        raise Refused(_("The day it was submitted cannot be in the future."))
    frozen = progress_snapshot.freeze(gather(period, report, user))
    _step(report, version, ProgressState.SUBMITTED, user, submitted_on=day, frozen=frozen)


def approve(report: ProgressReport, version: int, day: date, remarks: str, user: User) -> None:
    _expect(report, version, ProgressState.SUBMITTED)
    if report.submitted_on is not None and day < report.submitted_on:
        raise Refused(
            _(
                "It was submitted on %(day)s: it is approved on that day or later.",
                day=format_day(report.submitted_on),
            )
        )
    if day > overview.today():
        raise Refused(_("The day it was approved cannot be in the future."))
    _step(report, version, ProgressState.APPROVED, user, approved_on=day, remarks=remarks)


def leave_out(report: ProgressReport, partner: Partner, reason: str, user: User) -> None:
    if report.status is not ProgressState.DRAFT:
        raise Refused(_("Partner reports are left out while the progress report is a draft."))
    existing = next((x for x in report.left_out if x.partner_id == partner.id), None)
    if existing is not None:
        existing.reason, existing.by_id, existing.at = reason, user.id, now()
    else:
        report.left_out.append(LeftOut(partner_id=partner.id, reason=reason, by_id=user.id))
    record(
        "progress_partner_left_out",
        phrase=PHRASES["progress_partner_left_out"],
        region=partner.region,
        target=ref(report),
        actor=user,
        partner=partner.short_name,
        reason=reason,
    )


def take_back(report: ProgressReport, partner: Partner, user: User) -> None:
    if report.status is not ProgressState.DRAFT:
        raise Refused(_("Partner reports are taken back while the progress report is a draft."))
    report.left_out = [x for x in report.left_out if x.partner_id != partner.id]
    record(
        "progress_partner_taken_back",
        phrase=PHRASES["progress_partner_taken_back"],
        target=ref(report),
        actor=user,
        partner=partner.short_name,
    )


@dataclass
class Gathered:
    """Everything a progress report shows, in DOMAIN.md's section order."""

    period: Period
    report: ProgressReport | None
    partners: list[PartnerLine]
    certified_total: Decimal
    activities: list[tuple[str, list[ReportItem]]]
    indicators: list[figures.Row]
    media: list[MediaAppearance]
    frozen: bool = False


def gather(period: Period, report: ProgressReport | None, user: User) -> Gathered:
    """What the report shows: as frozen when it was submitted, or gathered now."""
    if report is not None and report.frozen:
        return progress_snapshot.thaw(report.frozen, period, report)
    lines = partner_lines(period, report)
    sections: dict[str, list[ReportItem]] = {}
    for item in project_activities(period, user):
        sections.setdefault(item.section, []).append(item)
    media = db.session.scalars(
        select(MediaAppearance)
        .where(MediaAppearance.day.between(period.start, period.end))
        .order_by(MediaAppearance.day, MediaAppearance.id)
    ).all()
    return Gathered(
        period=period,
        report=report,
        partners=lines,
        certified_total=sum(
            (line.certified_eur for line in lines if line.certified_eur is not None),
            Decimal("0.00"),
        ),
        activities=list(sections.items()),
        indicators=figures.Tally(None, user).rows(period),
        media=list(media),
    )


def all_periods() -> list[Period]:
    return periods()
