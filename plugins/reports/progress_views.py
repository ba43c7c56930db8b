"""The progress reports' pages (``/p/reports/progress/``): read by the consortium,
compiled by the lead partner (``progress.may_compile``), and their files: DOCX and PDF
in DOMAIN.md's section order, the indicators as XLSX."""

from __future__ import annotations

import io

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from workspace.api import (
    Action,
    DateError,
    Partner,
    Period,
    date_example,
    db,
    error_response,
    format_day,
    format_number,
    html_to_pdf,
    in_language,
    now,
    parse_date,
    periods,
    record,
    render,
    render_markup,
    require,
)

from . import figures, progress
from .export_views import _file
from .indicator_views import shown, spreadsheet
from .models import ProgressState
from .report_views import posted_version
from .views import pages
from .workflow import Refused

PROGRESS = "/progress/P<int:number>"
REMARKS_MAX = 5000


def _period(number: int) -> Period:
    all_periods = periods()
    if not 1 <= number <= len(all_periods):
        abort(404)
    return all_periods[number - 1]


def _compiler() -> None:
    require(Action.READ)
    if not progress.may_compile(current_user):
        record("permission_refused", target="reports:progress")
        db.session.commit()
        abort(403)


@pages.get("/progress/")
def progress_index() -> Response:
    require(Action.READ)
    reports = {r.period: r for r in db.session.scalars(select(progress.ProgressReport))}
    return render(
        "reports/progress_index.html",
        periods=periods(),
        reports=reports,
        today=progress.overview.today(),
    )


def show(period: Period, status: int = 200, typed: dict | None = None) -> Response:
    report = progress.find(period.number)
    gathered = progress.gather(period, report, current_user)
    return render(
        "reports/progress.html",
        status=status,
        g_=gathered,
        period=period,
        report=report,
        texts=_texts(report),
        can_compile=progress.may_compile(current_user),
        waiting=[line.partner for line in gathered.partners if not line.settled],
        shown=shown,
        example=date_example(),
        typed=typed or {},
        ended=period.end < progress.overview.today(),
        ProgressState=ProgressState,
    )


def _texts(report) -> list[tuple[str, object]]:
    """The three texts' headings (in the language of the moment) and documents."""
    if report is None:
        return []
    return [
        (str(title), document)
        for title, document in zip(
            progress.TEXTS.values(),
            (report.summary_document, report.problems_document, report.next_document),
            strict=True,
        )
    ]


@pages.get(PROGRESS)
def progress_report(number: int) -> Response:
    require(Action.READ)
    return show(_period(number))


def _refused(period: Period, refusal: Refused, typed: dict | None = None) -> Response:
    db.session.rollback()
    flash(refusal.message, "error")
    return show(period, refusal.status, typed)


def _done(period: Period, message: str) -> Response:
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("reports_project.progress_report", number=period.number), 303)


def _found(period: Period):
    report = progress.find(period.number)
    if report is None:
        abort(404)
    return report


def _compiled(number: int):
    """The period and its begun progress report, for the lead partner."""
    _compiler()
    period = _period(number)
    return period, _found(period)


def _written(field: str, what: str) -> str:
    """A text typed in the form: stripped, at most ``REMARKS_MAX`` characters, no
    control characters but line breaks and tabs."""
    text = request.form.get(field, "").strip()
    if len(text) > REMARKS_MAX:
        raise Refused(
            ngettext(
                "%(what)s: at most %(num)d character.",
                "%(what)s: at most %(num)d characters.",
                REMARKS_MAX,
                what=what,
            )
        )
    if any(ord(c) < 32 and c not in "\n\r\t" for c in text):
        raise Refused(_("%(what)s holds characters that are not text.", what=what))
    return text


@pages.post(f"{PROGRESS}/begin")
def progress_begin(number: int) -> Response:
    _compiler()
    period = _period(number)
    progress.start(period, current_user)
    return _done(
        period,
        _("The progress report for %(period)s is begun: write its texts.", period=period.label),
    )


@pages.post(f"{PROGRESS}/ready")
def progress_ready(number: int) -> Response:
    period, report = _compiled(number)
    try:
        progress.mark_ready(report, period, posted_version(), current_user)
    except Refused as refusal:
        return _refused(period, refusal)
    return _done(
        period, _("The progress report for %(period)s is ready to submit.", period=period.label)
    )


@pages.post(f"{PROGRESS}/draft")
def progress_draft(number: int) -> Response:
    _compiler()
    period = _period(number)
    try:
        progress.back_to_draft(_found(period), posted_version(), current_user)
    except Refused as refusal:
        return _refused(period, refusal)
    return _done(period, _("The progress report is a draft again: its texts can be changed."))


def _day(field: str, what: str):
    text = request.form.get(field, "").strip()
    if not text:
        raise Refused(
            _(
                "%(what)s is missing: type the day, for example %(example)s.",
                what=what,
                example=date_example(),
            )
        )
    try:
        return parse_date(text, what)
    except DateError as error:
        raise Refused(str(error)) from None


@pages.post(f"{PROGRESS}/submit")
def progress_submit(number: int) -> Response:
    period, report = _compiled(number)
    typed = {"submitted_on": request.form.get("submitted_on", "")}
    try:
        day = _day("submitted_on", _("The day it was submitted"))
        progress.submit(report, period, posted_version(), day, current_user)
    except Refused as refusal:
        return _refused(period, refusal, typed)
    return _done(period, _("Recorded: submitted to the programme on %(day)s.", day=format_day(day)))


@pages.post(f"{PROGRESS}/approve")
def progress_approve(number: int) -> Response:
    period, report = _compiled(number)
    typed = {"approved_on": request.form.get("approved_on", ""), "remarks": ""}
    try:
        typed["remarks"] = remarks = _written("remarks", _("The programme's remarks"))
        day = _day("approved_on", _("The day it was approved"))
        progress.approve(report, posted_version(), day, remarks, current_user)
    except Refused as refusal:
        return _refused(period, refusal, typed)
    return _done(period, _("Recorded: approved by the programme on %(day)s.", day=format_day(day)))


def _partner() -> Partner:
    text = request.form.get("partner_id", "")
    if not (text.isascii() and text.isdigit() and len(text) < 9):
        abort(error_response(422, _("Choose the partner whose report this is about.")))
    partner = db.session.get(Partner, int(text))
    if partner is None:
        abort(404)
    return partner


@pages.post(f"{PROGRESS}/leave-out")
def progress_leave_out(number: int) -> Response:
    period, report = _compiled(number)
    partner = _partner()
    typed = {f"reason-{partner.id}": request.form.get("reason", "")}
    try:
        reason = _written("reason", _("The reason"))
        if not reason:
            raise Refused(
                _("Say why %(partner)s's report is left out.", partner=partner.short_name)
            )
        progress.leave_out(report, partner, reason, current_user)
    except Refused as refusal:
        return _refused(period, refusal, typed)
    return _done(
        period,
        _(
            "%(partner)s's report is left out of %(period)s: %(reason)s",
            partner=partner.short_name,
            period=period.label,
            reason=reason,
        ),
    )


@pages.post(f"{PROGRESS}/take-back")
def progress_take_back(number: int) -> Response:
    period, report = _compiled(number)
    partner = _partner()
    try:
        progress.take_back(report, partner, current_user)
    except Refused as refusal:
        return _refused(period, refusal)
    return _done(period, _("%(partner)s's report is expected again.", partner=partner.short_name))


# ---------------------------------------------------------------------- files


def _page(number: int):
    require(Action.READ)
    period = _period(number)
    report = progress.find(period.number)
    return period, report, progress.gather(period, report, current_user)


def _name(period: Period, extension: str) -> str:
    return f"progress-report-{period.label}.{extension}"


@pages.get(f"{PROGRESS}/progress-report.pdf")
def progress_pdf(number: int) -> Response:
    """The progress report as PDF: it goes to the programme, so in English whoever
    asks (its headings are translatable all the same)."""
    period, report, gathered = _page(number)
    with in_language("en"):
        html = render_template(
            "reports/progress_pdf.html",
            g_=gathered,
            period=period,
            report=report,
            texts=[(t, render_markup(d.body) if d else None) for t, d in _texts(report)],
            shown=shown,
            generated=now(),
        )
    return _file(html_to_pdf(html), "application/pdf", _name(period, "pdf"), True)


@pages.get(f"{PROGRESS}/progress-report.docx")
def progress_docx(number: int) -> Response:
    """The progress report as DOCX, in English as the PDF."""
    period, report, gathered = _page(number)
    with in_language("en"):
        content = docx_of(gathered, report)
    return _file(
        content,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _name(period, "docx"),
    )


@pages.get(f"{PROGRESS}/indicators.xlsx")
def progress_xlsx(number: int) -> Response:
    require(Action.READ)
    return spreadsheet(_period(number))


def _text(doc, document) -> None:
    """A core document's Markdown as paragraphs, its own headings left out (the report
    gives each text its heading)."""
    blocks = [b.strip() for b in (document.body if document else "").split("\n\n") if b.strip()]
    blocks = [b for b in blocks if not b.startswith("#")]
    if not blocks:
        doc.add_paragraph(_("Not written yet."))
    for block in blocks:
        doc.add_paragraph(block.replace("\n", " ").lstrip("*- ").strip())


def _table(doc, header: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Light Grid Accent 1"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = str(text)
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = str(text)


def _partner_state(line) -> str:
    if line.left_out:
        return _("Left out: %(reason)s", reason=line.left_out.reason)
    return str(line.state.label) if line.state else _("Not begun")


def docx_of(gathered: progress.Gathered, report) -> bytes:
    """The progress report as DOCX, in the language of the moment (the view asks for
    English: the programme reads it)."""
    from docx import Document as Docx

    period = gathered.period
    doc = Docx()
    doc.add_heading(_("Progress report %(period)s", period=period.label), level=0)
    state = str(report.status.label) if report is not None else _("Not begun")
    doc.add_paragraph(
        _(
            "%(dates)s · Phase %(phase)s · %(state)s",
            dates=period.span,
            phase=period.phase,
            state=state,
        )
    )
    if report is not None and report.submitted_on:
        doc.add_paragraph(
            _(
                "Submitted to the programme on %(day)s.",
                day=format_day(report.submitted_on),
            )
        )
    if report is not None and report.approved_on:
        approved = _("Approved on %(day)s.", day=format_day(report.approved_on))
        doc.add_paragraph(f"{approved} {report.remarks}".strip())
    summary, problems, plan = [d for __, d in _texts(report)] or [None, None, None]
    doc.add_heading(f"1. {progress.TEXTS['summary']}", level=1)
    _text(doc, summary)
    doc.add_heading(f"2. {_('Partner reports')}", level=1)
    _table(
        doc,
        [_("Partner"), _("State"), _("Certified (EUR)")],
        [
            [
                line.partner.short_name,
                _partner_state(line),
                format_number(line.certified_eur) if line.certified_eur is not None else "–",
            ]
            for line in gathered.partners
        ]
        + [[_("Total"), "", format_number(gathered.certified_total)]],
    )
    doc.add_heading(f"3. {_('Activities of the period')}", level=1)
    if not gathered.activities:
        doc.add_paragraph(_("No activity recorded in the workspace for this period."))
    for section, items in gathered.activities:
        doc.add_heading(str(section), level=2)
        for item in items:
            day = f" ({format_day(item.day)})" if item.day else ""
            detail = f": {item.detail}" if item.detail else ""
            doc.add_paragraph(f"{item.title}{day}{detail}", style="List Bullet")
    doc.add_heading(f"4. {_('Indicators')}", level=1)
    _table(
        doc,
        [_("Indicator"), period.label, _("To date"), _("Target"), _("Corrections")],
        [
            [
                row.name,
                shown(row.figure, row.indicator),
                shown(row.to_date, row.indicator),
                shown(row.target, row.indicator) if row.target is not None else "–",
                "; ".join(f"{c.partner.short_name}: {c.reason}" for c in row.corrections),
            ]
            for row in gathered.indicators
        ],
    )
    doc.add_heading(f"5. {_('Communication')}", level=1)
    if not gathered.media:
        doc.add_paragraph(_("No appearance in the media logged for this period."))
    for entry in gathered.media:
        doc.add_paragraph(
            f"{format_day(entry.day)}, {entry.outlet} ({entry.kind_label}): {entry.title} "
            f"· {entry.partner.short_name}" + (f" · {entry.link}" if entry.link else ""),
            style="List Bullet",
        )
    doc.add_heading(f"6. {progress.TEXTS['problems']}", level=1)
    _text(doc, problems)
    doc.add_heading(f"7. {progress.TEXTS['next']}", level=1)
    _text(doc, plan)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


__all__ = ["figures"]
