"""The steps of a partner report, each a compare-and-swap on the report's version.

Draft -> Submitted (by the partner's coordinator: the items and the narrative are
frozen as a submission) -> In control (the controller starts) -> Certified (every
expenditure line has its eligible amount; the budget is told) or Returned (with the
controller's remarks) -> Submitted again, as a new submission.

Who may take a step is decided in ``access``; this module checks the state and the
version, and writes. The caller commits.
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from workspace.api import (
    CertifiedLine,
    Partner,
    Period,
    ReportItem,
    User,
    attachments_of,
    create_document,
    db,
    now,
    record,
    report_certified,
    report_items,
)

from . import snapshot
from .models import ControlLine, PartnerReport, State, Step, Submission
from .phrases import PHRASES


def narrative(period: str) -> str:
    """The narrative's first text, in the language of the person who begins the report
    (a document: its text is the partner's from then on)."""
    return _(
        "## Activities of the period\n"
        "\n"
        "What the partner did in %(period)s, and what came of it.\n"
        "\n"
        "## Problems and deviations\n"
        "\n"
        "What did not go as planned, and what was done about it.\n"
        "\n"
        "## Next period\n"
        "\n"
        "What the partner plans for the next period.\n",
        period=period,
    )


class Refused(Exception):
    """The step cannot be taken; ``message`` says why; ``status`` is 409 for a report
    someone else moved a moment ago, 422 for a step that does not fit its state."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.status = status


STALE = _l("Someone else changed this report a moment ago: here it is as it stands now.")


def find(partner: Partner, number: int) -> PartnerReport | None:
    return db.session.scalar(
        select(PartnerReport).where(
            PartnerReport.partner_id == partner.id, PartnerReport.period == number
        )
    )


def start(partner: Partner, period: Period, user: User) -> PartnerReport:
    """The partner's report for ``period``, begun with its narrative document."""
    report = find(partner, period.number)
    if report is not None:
        return report
    document = create_document(
        _(
            "Partner report %(period)s: %(partner)s",
            period=period.label,
            partner=partner.short_name,
        ),
        narrative(f"{period.label} ({period.span})"),
        None,  # project-wide: partner staff read it, a region's stakeholders do not
        user,
        plugin="reports",
    )
    report = PartnerReport(partner=partner, period=period.number, narrative_document=document)
    db.session.add(report)
    db.session.flush()
    record(
        "report_started",
        phrase=PHRASES["report_started"],
        region=partner.region,
        target=ref(report),
        actor=user,
        period=period.label,
    )
    return report


def ref(report: PartnerReport) -> str:
    return f"reports:report:{report.id}"


def _move(report: PartnerReport, version: int, allowed: tuple[State, ...], to: State) -> None:
    if report.status not in allowed:
        raise Refused(_cannot(report.status, to), 409)
    claim(report, version, to)


def _cannot(state: State, to: State) -> str:
    """Why a report in ``state`` cannot be moved ``to``: one sentence per step."""
    now_is = state.label.lower()
    if to is State.SUBMITTED:
        return _("This report is %(state)s: it cannot be submitted now.", state=now_is)
    if to is State.IN_CONTROL:
        return _("This report is %(state)s: it cannot be in control now.", state=now_is)
    if to is State.CERTIFIED:
        return _("This report is %(state)s: it cannot be certified now.", state=now_is)
    return _("This report is %(state)s: it cannot be returned now.", state=now_is)


def claim(report: PartnerReport, version: int, to: State | None = None) -> None:
    """Take the report from ``version`` to the next (and to state ``to``), in one
    UPDATE: of two requests made from the same page, the second is refused."""
    values = {"version": version + 1} | ({"state": to.value} if to is not None else {})
    moved = db.session.execute(
        update(PartnerReport)
        .where(PartnerReport.id == report.id, PartnerReport.version == version)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        raise Refused(STALE, 409)
    db.session.refresh(report)


def _step(report: PartnerReport, user: User, note: str = "") -> None:
    db.session.add(Step(report=report, state=report.state, by_id=user.id, note=note))
    record(
        f"report_{report.state}",
        phrase=PHRASES[f"report_{report.state}"],
        region=report.partner.region,
        target=ref(report),
        actor=user,
        partner=report.partner.short_name,
        period=f"P{report.period}",
    )


def submit(report: PartnerReport, period: Period, version: int, user: User) -> Submission:
    """Freeze what the records say now and the narrative as it stands."""
    _move(report, version, (State.DRAFT, State.RETURNED), State.SUBMITTED)
    items = report_items(report.partner, period, user)
    document = report.narrative_document
    files = attachments_of(document) if document is not None else []
    if files:
        # Frozen in English, as the other items are; ``snapshot.readable`` shows it in
        # the reader's language.
        items.append(
            ReportItem(
                "Attachments",
                f"{snapshot.NARRATIVE_FILES}{report.id}",
                "Files attached to the narrative",
                detail=f"{len(files)} file{'s' if len(files) != 1 else ''}",
                attachments=tuple(f.id for f in files),
            )
        )
    submission = Submission(
        report=report,
        number=len(report.submissions) + 1,
        submitted_by_id=user.id,
        items=snapshot.dumps(items),
        narrative=document.body if document is not None else "",
        narrative_revision=document.head if document is not None else None,
        declared_eur=snapshot.declared(items),
    )
    db.session.add(submission)
    report.submitted_at = submission.submitted_at = now()
    report.first_submitted_at = report.first_submitted_at or report.submitted_at
    _step(report, user)
    return submission


def start_control(report: PartnerReport, version: int, user: User) -> None:
    _move(report, version, (State.SUBMITTED,), State.IN_CONTROL)
    _step(report, user)


def give_back(report: PartnerReport, version: int, user: User, remarks: str) -> None:
    """Return the report to the partner with the controller's remarks."""
    if not remarks.strip():
        raise Refused(_("Say what the partner should change: the remarks are required."))
    _move(report, version, (State.SUBMITTED, State.IN_CONTROL), State.RETURNED)
    _step(report, user, remarks.strip())


def certify(report: PartnerReport, period: Period, version: int, user: User) -> None:
    """Certify the submission: every expenditure line keeps its eligible amount (in
    full where the controller recorded nothing), and the modules are told."""
    _move(report, version, (State.IN_CONTROL,), State.CERTIFIED)
    submission = report.submission
    results = {line.key: line for line in submission.controls}
    lines = []
    for item in snapshot.expenses(snapshot.loads(submission.items)):
        result = results.get(item.key)
        if result is None:
            result = ControlLine(
                key=item.key,
                declared_eur=item.expense.amount_eur,
                eligible_eur=item.expense.amount_eur,
                reason="",
                recorded_by_id=user.id,
            )
            submission.controls.append(result)
        lines.append(
            CertifiedLine(item.key, result.declared_eur, result.eligible_eur, result.reason)
        )
    report.certified_at = now()
    report.certified_by_id = user.id
    report.certified_eur = sum((line.eligible_eur for line in lines), Decimal("0.00"))
    _step(report, user)
    db.session.flush()
    report_certified(report.partner, period, lines)


def record_result(
    submission: Submission, key: str, declared: Decimal, eligible: Decimal, reason: str, user: User
) -> ControlLine:
    """Keep the controller's result for one line (replacing an earlier one)."""
    line = next((c for c in submission.controls if c.key == key), None)
    if line is None:
        line = ControlLine(key=key, declared_eur=declared)
        submission.controls.append(line)
    line.eligible_eur = eligible
    line.reason = reason if eligible < declared else ""
    line.recorded_by_id = user.id
    line.recorded_at = now()
    return line
