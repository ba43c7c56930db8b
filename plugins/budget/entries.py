"""Expenditure lines coming in (form and CSV import) and going out (CSV and XLSX).

One check, ``check_line``, serves the form and every imported row, so a line is refused
for the same reasons, with the same words, wherever it comes from.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from openpyxl import Workbook
from sqlalchemy import or_, select

from workspace.extensions import db
from workspace.models import Partner

from .ledger import (
    AmountError,
    Figures,
    Period,
    eligible_eur,
    parse_amount,
    period_of,
)
from .models import CATEGORY_LABELS, ENTERED, Category, Expenditure

FIELDS = [
    "category",
    "description",
    "invoice_number",
    "invoice_date",
    "payment_date",
    "amount",
    "vat",
    "currency",
    "rate",
]
# A cell starting with one of these is a formula to a spreadsheet (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
MAX_IMPORT_ROWS = 2000


class LineErrors(dict):
    """Field name -> message; empty when the line is fine."""


def _category(text: str) -> Category | str:
    """The category named by its key or label (any case), or an error message."""
    wanted = text.strip().lower()
    for category in Category:
        if wanted in (category.value, category.label.lower()):
            if category.is_flat_rate:
                return (
                    "Office and administration is a flat rate of staff costs; "
                    "record the staff costs instead."
                )
            return category
    names = ", ".join(CATEGORY_LABELS[c] for c in ENTERED)
    if not wanted:
        return f"Choose a category: {names}."
    return f"Unknown category “{text.strip()[:40]}”: use one of {names}."


def _date(text: str, what: str) -> date | str:
    raw = (text or "").strip()
    if not raw:
        return f"{what} is missing."
    match = re.fullmatch(r"(\d{1,2})[./](\d{1,2})[./](\d{4})", raw)
    try:
        if match:
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
        return date.fromisoformat(raw)
    except ValueError:
        return f"{what} is not a date; write it as 2020-03-31."


def _text(text: str, what: str, limit: int, required: bool) -> str | None:
    """The error for a text cell, or None."""
    if required and not text:
        return f"{what} is missing."
    if len(text) > limit:
        return f"{what} is longer than {limit} characters."
    if text.startswith(FORMULA_START):
        return f"{what} cannot start with “{text[0]}”: a spreadsheet would read it as a formula."
    if any(ord(c) < 32 for c in text):
        return f"{what} contains invisible control characters."
    return None


@dataclass
class CheckedLine:
    values: dict = field(default_factory=dict)
    errors: LineErrors = field(default_factory=LineErrors)

    @property
    def ok(self) -> bool:
        return not self.errors


def check_line(data: Mapping[str, str | None], all_periods: list[Period]) -> CheckedLine:
    """Validate one expenditure line given as text; values are ready for ``Expenditure``."""
    result = CheckedLine()
    values, errors = result.values, result.errors
    get = {name: (data.get(name) or "").strip() for name in FIELDS}

    category = _category(get["category"])
    if isinstance(category, Category):
        values["category"] = category.value
    else:
        errors["category"] = category

    for name, what, limit, required in (
        ("description", "The description", 200, True),
        ("invoice_number", "The invoice number", 60, False),
    ):
        problem = _text(get[name], what, limit, required)
        if problem:
            errors[name] = problem
        else:
            values[name] = get[name]

    for name, what, allow_zero in (("amount", "The amount", False), ("vat", "The VAT", True)):
        text = get[name] or ("0" if name == "vat" else "")
        try:
            values[name] = parse_amount(text, what, allow_zero=allow_zero)
        except AmountError as error:
            errors[name] = str(error)

    currency = get["currency"].upper() or "EUR"
    if not re.fullmatch(r"[A-Z]{3}", currency):
        errors["currency"] = "The currency is a three-letter code, like EUR or PLN."
    else:
        values["currency"] = currency
    rate_text = get["rate"] or ("1" if currency == "EUR" else "")
    try:
        rate = Decimal(rate_text.replace(",", "."))
        if not rate.is_finite() or rate <= 0:
            raise InvalidOperation
        if rate != rate.quantize(Decimal("0.000001")) or rate >= Decimal("1e8"):
            errors["rate"] = "The conversion rate has at most six decimals."
        elif currency == "EUR" and rate != 1:
            errors["rate"] = "An amount in EUR has the conversion rate 1."
        else:
            values["rate"] = rate
    except InvalidOperation:
        errors["rate"] = (
            f"Give the conversion rate: how many {currency} make one euro, like 4.2568."
            if currency != "EUR" or not rate_text
            else "The conversion rate must be a positive number."
        )

    start, end = all_periods[0].start, all_periods[-1].end
    payment = _date(get["payment_date"], "The payment date")
    if isinstance(payment, str):
        errors["payment_date"] = payment
    else:
        period = period_of(all_periods, payment)
        if period is None:
            errors["payment_date"] = (
                f"The payment date {payment:%d %b %Y} is outside the project "
                f"({start:%d %b %Y} – {end:%d %b %Y})."
            )
        elif period.closed:
            errors["payment_date"] = (
                f"{period.label} ({period.span}) is closed: its report is submitted, "
                "so no expenditure can be added to it."
            )
        else:
            values["payment_date"] = payment
            values["period"] = period.number
    invoice = _date(get["invoice_date"], "The invoice date")
    if isinstance(invoice, str):
        errors["invoice_date"] = invoice
    elif invoice > end or (invoice < start and values.get("category") != Category.PREPARATION):
        errors["invoice_date"] = (
            f"The invoice date {invoice:%d %b %Y} is outside the project "
            f"({start:%d %b %Y} – {end:%d %b %Y})."
        )
    else:
        values["invoice_date"] = invoice

    if not errors:
        values["amount_eur"] = eligible_eur(values["amount"], values["vat"], values["rate"])
    return result


# ---------------------------------------------------------------- CSV import


@dataclass
class ImportRow:
    number: int  # the line in the file, header = 1
    cells: dict[str, str]
    checked: CheckedLine


class ImportFileError(ValueError):
    """The file as a whole cannot be read; the message is shown to the user."""


HEADER_ALIASES = {
    "invoice number": "invoice_number",
    "invoice no": "invoice_number",
    "invoice date": "invoice_date",
    "payment date": "payment_date",
    "conversion rate": "rate",
    "rate to eur": "rate",
}


def read_csv(text: str, all_periods: list[Period]) -> list[ImportRow]:
    """Every data row of an expenditure CSV, each checked; nothing is saved here."""
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ImportFileError("The file is empty.")
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = [
            HEADER_ALIASES.get(h.strip().lower(), h.strip().lower().replace(" ", "_"))
            for h in next(reader)
        ]
        missing = [
            name
            for name in FIELDS
            if name not in header and name not in ("vat", "rate", "currency", "invoice_number")
        ]
        if missing:
            raise ImportFileError(
                "The first line must name the columns; missing: " + ", ".join(missing) + "."
            )
        rows = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= MAX_IMPORT_ROWS:
                raise ImportFileError(f"Import up to {MAX_IMPORT_ROWS} lines at a time.")
            data = dict(zip(header, cells, strict=False))
            checked = check_line(data, all_periods)
            if len(cells) != len(header):
                checked.errors["row"] = (
                    f"The row has {len(cells)} cells; the header names {len(header)}."
                )
            rows.append(ImportRow(reader.line_num, data, checked))
    except csv.Error as error:
        raise ImportFileError(f"The file is not valid CSV: {error}.") from None
    if not rows:
        raise ImportFileError("The file has a header but no lines.")
    return rows


def decode_upload(raw: bytes) -> str:
    """UTF-8 (what spreadsheets offer as "CSV UTF-8"), else Windows-1252 (their older
    "CSV"); a NUL byte means a binary file, such as an .xlsx saved under a .csv name."""
    if b"\x00" in raw:
        raise ImportFileError("The file is not text; save it as CSV (UTF-8).")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError("The file is not text; save it as CSV (UTF-8).")


# ---------------------------------------------------------------- search


def find_lines(query: str, partner_ids: list[int], limit: int = 10) -> list[Expenditure]:
    """Lines of these partners whose description or invoice number holds ``query``."""
    words = query.strip()
    if len(words) < 2 or not partner_ids:
        return []
    pattern = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return list(
        db.session.scalars(
            select(Expenditure)
            .where(
                Expenditure.partner_id.in_(partner_ids),
                or_(
                    Expenditure.description.ilike(pattern, escape="\\"),
                    Expenditure.invoice_number.ilike(pattern, escape="\\"),
                ),
            )
            .order_by(Expenditure.payment_date.desc(), Expenditure.id.desc())
            .limit(limit)
        )
    )


# ---------------------------------------------------------------- exports


def safe_cell(value):
    """Text that a spreadsheet would take for a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


BUDGET_HEADER = [
    "Partner",
    "Period",
    "Period start",
    "Period end",
    "Category",
    "Planned EUR",
    "Spent EUR",
    "Remaining EUR",
]
EXPENDITURE_HEADER = [
    "Partner",
    "Period",
    "Category",
    "Description",
    "Invoice number",
    "Invoice date",
    "Payment date",
    "Amount",
    "VAT",
    "Currency",
    "Rate to EUR",
    "Eligible EUR",
]
SUMMARY_HEADER = [
    "Partner",
    "Legal status",
    "Total EUR",
    "ERDF EUR",
    "ERDF %",
    "Public contribution EUR",
    "Private contribution EUR",
    "Spent EUR",
    "Remaining EUR",
]


def budget_rows(partners: list[Partner], figures: dict[int, Figures]) -> list[list]:
    rows = []
    for partner in partners:
        f = figures[partner.id]
        for p in f.periods:
            for category in Category:
                planned = f.planned_in(category, p.number)
                spent = f.spent_in(category, p.number)
                rows.append(
                    [
                        partner.short_name,
                        p.label,
                        p.start,
                        p.end,
                        category.label,
                        planned,
                        spent,
                        planned - spent,
                    ]
                )
    return rows


def summary_rows(
    partners: list[Partner], figures: dict[int, Figures], total: Figures
) -> list[list]:
    rows = []
    for partner in partners:
        f = figures[partner.id]
        rows.append(
            [
                partner.short_name,
                partner.legal_status.label,
                f.total,
                f.erdf_planned,
                f.erdf_share,
                f.public_contribution,
                f.private_contribution,
                f.total_spent,
                f.total - f.total_spent,
            ]
        )
    rows.append(
        [
            "Total",
            "",
            total.total,
            total.erdf_planned,
            total.erdf_share,
            total.public_contribution,
            total.private_contribution,
            total.total_spent,
            total.total - total.total_spent,
        ]
    )
    return rows


def expenditure_rows(lines: list[Expenditure]) -> list[list]:
    return [
        [
            line.partner.short_name,
            f"P{line.period}",
            CATEGORY_LABELS[Category(line.category)],
            line.description,
            line.invoice_number,
            line.invoice_date,
            line.payment_date,
            line.amount,
            line.vat,
            line.currency,
            line.rate,
            line.amount_eur,
        ]
        for line in lines
    ]


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(safe_cell(value))


def to_csv(header: list[str], rows: list[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_value(v) for v in row])
    return buffer.getvalue()


def to_xlsx(sheets: list[tuple[str, list[str], list[list]]]) -> bytes:
    """A workbook with one sheet per (title, header, rows); amounts stay numbers with
    two decimals, text never becomes a formula."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title)
        sheet.append(header)
        for row in rows:
            sheet.append([safe_cell(v) for v in row])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, Decimal):
                    cell.number_format = "#,##0.00"
                elif isinstance(cell.value, date):
                    cell.number_format = "yyyy-mm-dd"
        for column in sheet.columns:
            width = max(len(str(c.value)) if c.value is not None else 0 for c in column)
            sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 10), 48)
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
