"""InterVentures' partner reports (issue 17's demo): P1–P4 certified, with a few
deductions and their reasons; P5 submitted, in control or returned; P6 not begun.

Every report goes through the same steps as on the pages (``workflow``), as the
partner's coordinator and its controller; the moments are then set to when they would
have happened (before or, for a few, after the deadline). Loading twice changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from workspace.api import (
    MembershipRole,
    Partner,
    User,
    controllers_of,
    db,
    periods,
    switch_on_once,
)

from . import snapshot, workflow
from .models import PartnerReport

# Deductions of the demo, all in P4: (partner, period, a word of the line's cost
# category, share found eligible, the controller's reason). P1–P3 are certified in
# full, as the budget's demo records their ERDF as received and forwarded.
DEDUCTIONS = [
    (
        "CEEI-Burgos",
        4,
        "external",
        Decimal("0.85"),
        "One of the three quotes required by the procurement rules is missing.",
    ),
    (
        "Unioncamere Lombardia",
        4,
        "travel",
        Decimal("0.90"),
        "Taxi fares without receipts are not eligible.",
    ),
    (
        "Klaipėda ID",
        4,
        "staff",
        Decimal("0.95"),
        "No timesheet for March 2021: those hours are not supported.",
    ),
    (
        "RARR",
        4,
        "staff",
        Decimal("0.97"),
        "Holiday allowance paid outside the period is not eligible.",
    ),
    (
        "SODEBUR",
        4,
        "travel",
        Decimal("0.80"),
        "Business-class flight: only the economy fare is eligible.",
    ),
]
# Days after the deadline some partners submitted: (partner, period) -> days.
LATE = {("RARR", 3): 6, ("Klaipėda City", 2): 3, ("SODEBUR", 4): 11}
# P5: where each partner's report stands.
P5 = {
    "Pannon EGTC": "certified",
    "Unioncamere Lombardia": "in_control",
    "RARR": "returned",
    "CEEI-Burgos": "submitted",
    "SODEBUR": "in_control",
    "Klaipėda ID": "submitted",
    "Klaipėda City": "draft",
    "AEBR": "submitted",
}
RETURN_REMARKS = (
    "Please add the attendance list of the stakeholder group meeting of 12 May 2021 "
    "and the payslips for the staff costs of April."
)


def _moment(day, hours: int = 10) -> datetime:
    return datetime.combine(day, time(hours), UTC)


def _coordinator(partner: Partner) -> User | None:
    staff = [u for u in partner.users if u.active]
    for user in staff:
        if any(m.role is MembershipRole.COORDINATOR for m in user.memberships):
            return user
    return staff[0] if staff else None


def load() -> None:
    for region in {p.region for p in db.session.scalars(select(Partner)) if p.region}:
        switch_on_once(region, "reports")
    all_periods = periods()
    for partner in db.session.scalars(select(Partner).order_by(Partner.id)):
        writer = _coordinator(partner)
        controllers = controllers_of(partner)
        if writer is None or not controllers:
            continue
        for period in all_periods:
            if period.number > 5 or workflow.find(partner, period.number) is not None:
                continue
            goal = "certified" if period.number <= 4 else P5.get(partner.short_name, "draft")
            _walk(partner, period, writer, controllers[0], goal)
    db.session.flush()


def _walk(partner, period, writer, controller, goal: str) -> None:
    report = workflow.start(partner, period, writer)
    submitted_on = (
        period.report_due
        - timedelta(days=2)
        + timedelta(days=LATE.get((partner.short_name, period.number), 0))
    )
    moments = [_moment(submitted_on - timedelta(days=12))]  # begun
    if goal == "draft":
        _date(report, moments)
        return
    workflow.submit(report, period, report.version, writer)
    moments.append(_moment(submitted_on))
    if goal in ("in_control", "certified", "returned"):
        workflow.start_control(report, report.version, controller)
        moments.append(_moment(submitted_on + timedelta(days=9)))
    if goal == "returned":
        workflow.give_back(report, report.version, controller, RETURN_REMARKS)
        moments.append(_moment(submitted_on + timedelta(days=16)))
    if goal == "certified":
        _deduct(report, partner, period, controller)
        workflow.certify(report, period, report.version, controller)
        moments.append(_moment(submitted_on + timedelta(days=35)))
    _date(report, moments)


def _deduct(report: PartnerReport, partner, period, controller) -> None:
    items = snapshot.expenses(snapshot.loads(report.submission.items))
    for name, number, words, share, reason in DEDUCTIONS:
        if name != partner.short_name or number != period.number:
            continue
        item = next((i for i in items if words in i.expense.category.lower()), None)
        if item is None:
            continue
        declared = item.expense.amount_eur
        eligible = (declared * share).quantize(Decimal("0.01"))
        workflow.record_result(report.submission, item.key, declared, eligible, reason, controller)


def _date(report: PartnerReport, moments: list[datetime]) -> None:
    """Give the report's steps the moments they would have happened at."""
    report.created_at = moments[0]
    if report.submissions:
        report.submitted_at = report.submissions[-1].submitted_at = moments[1]
        report.first_submitted_at = moments[1]
    for step, at in zip(report.steps, moments[1:], strict=False):
        step.at = at
    if report.certified_at is not None:
        report.certified_at = moments[-1]
