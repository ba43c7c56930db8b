"""A partner report's page and the partner's steps: begin it, submit it.

The page shows, while the partner writes it, what the records say now (the
``report_items`` hook, asked as the reader); once submitted, the frozen submission
with the controller's results. A controller sees submitted reports only.
"""

from __future__ import annotations

from decimal import Decimal

from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from workspace.api import (
    Action,
    Attachment,
    Partner,
    Period,
    can,
    db,
    error_response,
    format_day,
    render,
    render_markup,
    report_items,
    send_attachment,
)

from . import notices, overview, snapshot, workflow
from .access import may_control, may_submit, may_write, require_read, require_that
from .models import PartnerReport, State
from .views import get_partner_period, pages

REPORT = "/<int:partner_id>/P<int:number>"


def report_url(partner: Partner | int, number: int, endpoint: str = "report") -> str:
    partner_id = partner if isinstance(partner, int) else partner.id
    return url_for(f"reports_project.{endpoint}", partner_id=partner_id, number=number)


def posted_version() -> int:
    """The report version the form was made from; a damaged one is refused."""
    text = request.form.get("version", "")
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        abort(error_response(422, _("This form is damaged or out of date: reload the page.")))
    return int(text)


def eligible_total(items, controls) -> Decimal:
    """What the controller finds eligible: recorded results, the rest in full."""
    return sum(
        (
            controls[i.key].eligible_eur if i.key in controls else i.expense.amount_eur
            for i in snapshot.expenses(items)
        ),
        Decimal("0.00"),
    )


def context(partner: Partner, period: Period, report: PartnerReport | None) -> dict:
    cell = overview.Cell(partner, period, report, overview.today())
    submission = report.submission if report is not None else None
    staff = can(current_user, Action.READ, None)  # a controller reads submissions only
    frozen = not cell.state.with_partner
    if frozen:
        items = snapshot.readable(snapshot.loads(submission.items))
    else:
        items = report_items(partner, period, current_user) if staff else []
    controls = {c.key: c for c in submission.controls} if submission is not None else {}
    returned = [s for s in report.steps if s.status is State.RETURNED] if report else []
    file_ids = {a for item in items for a in item.attachments}
    files = (
        {a.id: a for a in db.session.scalars(select(Attachment).where(Attachment.id.in_(file_ids)))}
        if file_ids
        else {}
    )
    return {
        "partner": partner,
        "period": period,
        "report": report,
        "cell": cell,
        "submission": submission,
        "sections": snapshot.sections(items),
        "frozen": frozen,
        "staff": staff,
        "controls": controls,
        "files": files,
        "declared": snapshot.declared(items),
        "eligible": eligible_total(items, controls),
        "remarks": returned[-1] if returned else None,
        "narrative_html": render_markup(submission.narrative) if frozen else None,
        "version": report.version if report is not None else 0,
        "can_write": may_write(current_user, partner),
        "can_submit": may_submit(current_user, partner),
        "can_control": may_control(current_user, partner),
    }


def show(partner: Partner, period: Period, status: int = 200) -> Response:
    report = workflow.find(partner, period.number)
    return render("reports/report.html", status=status, **context(partner, period, report))


@pages.get(REPORT)
def report(partner_id: int, number: int) -> Response:
    partner, period = get_partner_period(partner_id, number)
    require_read(partner)
    return show(partner, period)


def refused(partner: Partner, period: Period, refusal: workflow.Refused) -> Response:
    db.session.rollback()
    flash(refusal.message, "error")
    return show(partner, period, refusal.status)


def done(partner: Partner, period: Period, message: str) -> Response:
    db.session.commit()
    flash(message, "success")
    return redirect(report_url(partner, period.number), code=303)


@pages.post(f"{REPORT}/begin")
def begin(partner_id: int, number: int) -> Response:
    partner, period = get_partner_period(partner_id, number)
    require_that(may_write(current_user, partner), partner)
    workflow.start(partner, period, current_user)
    return done(
        partner,
        period,
        _("The report for %(period)s is begun: write its narrative.", period=period.label),
    )


@pages.post(f"{REPORT}/submit")
def submit(partner_id: int, number: int) -> Response:
    partner, period = get_partner_period(partner_id, number)
    require_that(may_submit(current_user, partner), partner)
    version = posted_version()
    if period.end >= overview.today():
        return error_response(
            422,
            _(
                "%(period)s ends on %(day)s: submit its report after that.",
                period=period.label,
                day=format_day(period.end),
            ),
        )
    report = workflow.start(partner, period, current_user)
    if version == 0 and report.version == 1:  # the page was made before it was begun
        version = 1
    try:
        workflow.submit(report, period, version, current_user)
    except workflow.Refused as refusal:
        return refused(partner, period, refusal)
    notices.submitted(report, period, report_url(partner, period.number))
    return done(
        partner,
        period,
        _("The report for %(period)s is submitted to the controller.", period=period.label),
    )


@pages.get(f"{REPORT}/evidence/<int:attachment_id>")
def evidence(partner_id: int, number: int, attachment_id: int) -> Response:
    """A file of the submitted evidence, for those who read the report (its controller
    included): only the files a submission of the report lists."""
    partner, period = get_partner_period(partner_id, number)
    require_read(partner)
    report = workflow.find(partner, period.number)
    listed = {
        attachment
        for submission in (report.submissions if report is not None else [])
        for item in snapshot.loads(submission.items)
        for attachment in item.attachments
    }
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment_id not in listed:
        abort(404)
    return send_attachment(attachment)
