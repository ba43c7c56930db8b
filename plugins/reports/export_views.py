"""A partner report's files: the report as PDF, its expenditure list as XLSX (the
columns a programme's monitoring system asks for), and the control certificate (PDF)
once certified. Whoever reads the report gets its files."""

from __future__ import annotations

from decimal import Decimal

from flask import Response, abort, render_template
from flask_babel import gettext as _

from workspace.api import html_to_pdf, now, to_xlsx

from . import snapshot, workflow
from .access import require_read
from .models import State
from .report_views import REPORT, context
from .views import get_partner_period, pages

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def columns() -> list[str]:
    """The expenditure list's headings, in the reader's language."""
    return [
        _("Cost category"),
        _("Description"),
        _("Invoice number"),
        _("Invoice date"),
        _("Payment date"),
        _("Amount in currency"),
        _("Currency"),
        _("Rate to EUR"),
        _("EUR"),
        _("Declared (EUR)"),
        _("Eligible (EUR)"),
        _("Deduction (EUR)"),
        _("Reason for the deduction"),
    ]


def _file(content: bytes, mimetype: str, filename: str, inline: bool = False) -> Response:
    response = Response(content, mimetype=mimetype)
    disposition = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def _name(partner, period, what: str, extension: str) -> str:
    short = "".join(c if c.isalnum() else "-" for c in partner.short_name)
    return f"{what}-{short}-{period.label}.{extension}"


def _opened(partner_id: int, number: int):
    partner, period = get_partner_period(partner_id, number)
    require_read(partner)
    report = workflow.find(partner, period.number)
    return partner, period, report


def expenditure_rows(items, controls) -> list[list]:
    rows = []
    for item in snapshot.expenses(items):
        e = item.expense
        result = controls.get(item.key)
        eligible = result.eligible_eur if result is not None else None
        rows.append(
            [
                e.category,
                item.title,
                e.invoice_number,
                e.invoice_date,
                e.payment_date,
                e.amount,
                e.currency,
                e.rate,
                e.amount_eur,
                e.amount_eur,
                eligible,
                (e.amount_eur - eligible) if eligible is not None else None,
                result.reason if result is not None else "",
            ]
        )
    return rows


@pages.get(f"{REPORT}/expenditure.xlsx")
def expenditure_xlsx(partner_id: int, number: int) -> Response:
    partner, period, report = _opened(partner_id, number)
    page = context(partner, period, report)
    items = [item for __, section in page["sections"] for item in section]
    rows = expenditure_rows(items, page["controls"])
    total = sum((row[8] for row in rows), Decimal("0.00"))
    eligible = [row[10] for row in rows if row[10] is not None]
    rows.append(
        [
            _("Total"),
            "",
            "",
            None,
            None,
            None,
            "",
            None,
            total,
            total,
            sum(eligible, Decimal("0.00")) if eligible else None,
            None,
            "",
        ]
    )
    workbook = to_xlsx(
        [(f"{partner.short_name} {period.label}"[:31], columns(), rows)],
        {_("Rate to EUR"): "#,##0.000000"},
    )
    return _file(workbook, XLSX, _name(partner, period, "expenditure", "xlsx"))


@pages.get(f"{REPORT}/report.pdf")
def report_pdf(partner_id: int, number: int) -> Response:
    partner, period, report = _opened(partner_id, number)
    page = context(partner, period, report)
    if not page["frozen"] and not page["staff"]:
        abort(404)
    html = render_template("reports/report_pdf.html", generated=now(), **page)
    return _file(
        html_to_pdf(html), "application/pdf", _name(partner, period, "report", "pdf"), True
    )


@pages.get(f"{REPORT}/certificate.pdf")
def certificate_pdf(partner_id: int, number: int) -> Response:
    partner, period, report = _opened(partner_id, number)
    if report is None or report.status is not State.CERTIFIED:
        abort(404)
    page = context(partner, period, report)
    html = render_template("reports/certificate_pdf.html", generated=now(), **page)
    return _file(
        html_to_pdf(html), "application/pdf", _name(partner, period, "certificate", "pdf"), True
    )
