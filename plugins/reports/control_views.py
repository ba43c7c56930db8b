"""The controller's steps on a partner report: start the control, record the eligible
amount of each expenditure line (and why, when it is lower), return the report with
remarks, or certify it."""

from __future__ import annotations

from flask import Response, flash, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from workspace.api import NumberError, db, format_number, parse_money, render

from . import notices, snapshot, workflow
from .access import may_control, require_that
from .models import PartnerReport, State
from .report_views import REPORT, context, done, posted_version, refused, report_url
from .views import get_partner_period, pages

REASON_MAX = 500


def _controlled(partner_id: int, number: int):
    partner, period = get_partner_period(partner_id, number)
    require_that(may_control(current_user, partner), partner)
    report = workflow.find(partner, period.number)
    if report is None or report.submission is None:
        return partner, period, None
    return partner, period, report


@pages.post(f"{REPORT}/control")
def start_control(partner_id: int, number: int) -> Response:
    partner, period, report = _controlled(partner_id, number)
    if report is None:
        return refused(
            partner, period, workflow.Refused(_("This report is not submitted yet."), 409)
        )
    try:
        workflow.start_control(report, posted_version(), current_user)
    except workflow.Refused as refusal:
        return refused(partner, period, refusal)
    return done(
        partner,
        period,
        _(
            "The control of %(partner)s's %(period)s has begun.",
            partner=partner.short_name,
            period=period.label,
        ),
    )


def checked_results(report: PartnerReport):
    """The eligible amounts posted for the submission's lines: (errors by line, what was
    typed by line, the lines' results)."""
    errors: dict[str, str] = {}
    typed: dict[str, tuple[str, str]] = {}
    checked = []
    for item in snapshot.expenses(snapshot.loads(report.submission.items)):
        declared = item.expense.amount_eur
        amount_text = request.form.get(f"eligible:{item.key}")
        if amount_text is None:  # not on the form: the saved result stands
            continue
        reason = request.form.get(f"reason:{item.key}", "").strip()
        typed[item.key] = (amount_text, reason)
        try:
            eligible = parse_money(amount_text, _("The eligible amount"))
        except NumberError as error:
            errors[item.key] = str(error)
            continue
        if eligible > declared:
            errors[item.key] = _(
                "The eligible amount cannot exceed the declared EUR %(amount)s.",
                amount=format_number(declared),
            )
        elif eligible < declared and not reason:
            errors[item.key] = _("Say why the amount is lower: the partner reads the reason.")
        elif len(reason) > REASON_MAX:
            errors[item.key] = ngettext(
                "Keep the reason under %(num)d character.",
                "Keep the reason under %(num)d characters.",
                REASON_MAX,
            )
        else:
            checked.append((item.key, declared, eligible, reason))
    return errors, typed, checked


def save_results(partner, period, report: PartnerReport) -> Response | None:
    """Keep the posted results; the page again with every message (422) when a line is
    wrong, and then nothing is saved."""
    if report.status is not State.IN_CONTROL:
        message = _("Start the control before recording results.")
        if report.status is not State.SUBMITTED:
            message = _(
                "This report is %(state)s: its results stand.",
                state=report.status.label.lower(),
            )
        return refused(partner, period, workflow.Refused(message, 409))
    errors, typed, checked = checked_results(report)
    if errors:
        page = context(partner, period, report)
        return render("reports/report.html", status=422, errors=errors, typed=typed, **page)
    for key, declared, eligible, reason in checked:
        workflow.record_result(report.submission, key, declared, eligible, reason, current_user)
    return None


@pages.post(f"{REPORT}/results")
def results(partner_id: int, number: int) -> Response:
    """Save the eligible amounts of all lines at once; with any line wrong, nothing is
    saved and the page shows every message beside its line, with what was typed."""
    partner, period, report = _controlled(partner_id, number)
    if report is None:
        return refused(
            partner, period, workflow.Refused(_("This report is not submitted yet."), 409)
        )
    version = posted_version()
    answer = save_results(partner, period, report)
    if answer is not None:
        return answer
    try:
        workflow.claim(report, version)
    except workflow.Refused as refusal:
        return kept(partner, period, report, refusal)
    return done(partner, period, _("The control results are saved."))


def kept(partner, period, report: PartnerReport, refusal: workflow.Refused) -> Response:
    """The page again with the refusal and what the controller typed, nothing saved."""
    db.session.rollback()
    flash(refusal.message, "error")
    report = workflow.find(partner, period.number)
    errors, typed, __ = checked_results(report) if report.submission else ({}, {}, [])
    page = context(partner, period, report)
    return render("reports/report.html", status=refusal.status, errors=errors, typed=typed, **page)


@pages.post(f"{REPORT}/return")
def give_back(partner_id: int, number: int) -> Response:
    partner, period, report = _controlled(partner_id, number)
    if report is None:
        return refused(
            partner, period, workflow.Refused(_("This report is not submitted yet."), 409)
        )
    remarks = request.form.get("remarks", "")
    try:
        workflow.give_back(report, posted_version(), current_user, remarks)
    except workflow.Refused as refusal:
        return refused(partner, period, refusal)
    notices.returned(report, period, report_url(partner, period.number), remarks.strip())
    return done(
        partner,
        period,
        _("The report is returned to %(partner)s with your remarks.", partner=partner.short_name),
    )


@pages.post(f"{REPORT}/certify")
def certify(partner_id: int, number: int) -> Response:
    partner, period, report = _controlled(partner_id, number)
    if report is None:
        return refused(
            partner, period, workflow.Refused(_("This report is not submitted yet."), 409)
        )
    version = posted_version()
    if version == report.version and report.status is State.IN_CONTROL:
        answer = save_results(partner, period, report)  # what the form holds, first
        if answer is not None:
            return answer
    try:
        workflow.certify(report, period, version, current_user)
    except workflow.Refused as refusal:
        return kept(partner, period, report, refusal)
    notices.certified(report, period, report_url(partner, period.number))
    return done(
        partner,
        period,
        _(
            "%(partner)s's report for %(period)s is certified.",
            partner=partner.short_name,
            period=period.label,
        ),
    )
