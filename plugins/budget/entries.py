"""Expenditure lines coming in (form and CSV import) and going out (CSV and XLSX).

One check, ``check_line``, serves the form and every imported row, so a line is refused
for the same reasons, with the same words, wherever it comes from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import or_, select

from workspace.api import (
    FORMULA_START,
    DateError,
    NumberError,
    Partner,
    TextFileError,
    check_currency,
    db,
    format_day,
    format_number,
    parse_date,
    parse_money,
    parse_number,
    read_rows,
)

from .ledger import Figures, Period, eligible_eur, period_of
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
MAX_IMPORT_ROWS = 2000
RATE_LIMIT = Decimal("1e8")  # Numeric(14, 6)


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
    # Things a person should look at before saving, which do not stop it.
    warnings: list[str] = field(default_factory=list)

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
            values[name] = parse_money(text, what, allow_zero=allow_zero)
        except NumberError as error:
            errors[name] = str(error)

    try:
        currency = check_currency(get["currency"] or "EUR")
        values["currency"] = currency
    except NumberError as error:
        errors["currency"] = str(error)
        currency = None
    rate_text = get["rate"] or ("1" if currency == "EUR" else "")
    if currency is not None:
        try:
            rate = parse_number(
                rate_text,
                f"The rate (units of {currency} per euro)",
                decimals=6,
                allow_zero=False,
                maximum=RATE_LIMIT,
            )
            if currency == "EUR" and rate != 1:
                errors["rate"] = "An amount in EUR has the conversion rate 1."
            else:
                values["rate"] = rate
        except NumberError as error:
            errors["rate"] = str(error)

    start, end = all_periods[0].start, all_periods[-1].end
    try:
        payment = parse_date(get["payment_date"], "The payment date")
    except DateError as error:
        errors["payment_date"] = str(error)
    else:
        period = period_of(all_periods, payment)
        if period is None:
            errors["payment_date"] = (
                f"The payment date {format_day(payment)} is outside the project "
                f"({format_day(start)} – {format_day(end)})."
            )
        elif period.closed:
            errors["payment_date"] = (
                f"{period.label} ({period.span}) is closed: its report is submitted, "
                "so no expenditure can be added to it."
            )
        else:
            values["payment_date"] = payment
            values["period"] = period.number
    try:
        invoice = parse_date(get["invoice_date"], "The invoice date")
    except DateError as error:
        errors["invoice_date"] = str(error)
    else:
        if invoice > end or (invoice < start and values.get("category") != Category.PREPARATION):
            errors["invoice_date"] = (
                f"The invoice date {format_day(invoice)} is outside the project "
                f"({format_day(start)} – {format_day(end)})."
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


HEADER_ALIASES = {
    "invoice number": "invoice_number",
    "invoice no": "invoice_number",
    "invoice date": "invoice_date",
    "payment date": "payment_date",
    "conversion rate": "rate",
    "rate to eur": "rate",
}
OPTIONAL_COLUMNS = ("vat", "rate", "currency", "invoice_number")


def read_csv(text: str, all_periods: list[Period]) -> list[ImportRow]:
    """Every data row of an expenditure CSV, each checked in the reader's number and
    date format; nothing is saved here. Raises ``TextFileError`` for the whole file."""
    rows = [(line, cells) for line, cells in read_rows(text) if any(c.strip() for c in cells)]
    if not rows:
        raise TextFileError("The file is empty.")
    (_, header_cells), data_rows = rows[0], rows[1:]
    header = [
        HEADER_ALIASES.get(h.strip().lower(), h.strip().lower().replace(" ", "_"))
        for h in header_cells
    ]
    missing = [name for name in FIELDS if name not in header and name not in OPTIONAL_COLUMNS]
    if missing:
        raise TextFileError(
            "The first line must name the columns; missing: " + ", ".join(missing) + "."
        )
    if not data_rows:
        raise TextFileError("The file has a header but no lines.")
    if len(data_rows) > MAX_IMPORT_ROWS:
        raise TextFileError(f"Import up to {MAX_IMPORT_ROWS} lines at a time.")
    result = []
    for line, cells in data_rows:
        data = dict(zip(header, cells, strict=False))
        checked = check_line(data, all_periods)
        if len(cells) != len(header):
            checked.errors["row"] = (
                f"The row has {len(cells)} cells; the header names {len(header)}."
            )
        result.append(ImportRow(line, data, checked))
    return result


def _invoice_key(number: str) -> str:
    return " ".join(number.split()).casefold()


def flag_duplicate_invoices(partner_id: int, lines: list[CheckedLine]) -> None:
    """Warn on each line whose invoice number the partner has already recorded, or
    that an earlier line of the same batch carries: often one invoice typed twice."""
    numbers = [c.values.get("invoice_number") for c in lines]
    if not any(numbers):
        return
    recorded: dict[str, Expenditure] = {}
    for line in db.session.scalars(
        select(Expenditure)
        .where(Expenditure.partner_id == partner_id, Expenditure.invoice_number != "")
        .order_by(Expenditure.payment_date)
    ):
        recorded.setdefault(_invoice_key(line.invoice_number), line)
    seen: set[str] = set()
    for checked, number in zip(lines, numbers, strict=True):
        if not number:
            continue
        key = _invoice_key(number)
        if key in recorded:
            earlier = recorded[key]
            checked.warnings.append(
                f"Invoice {number} is already recorded: “{earlier.description}”, paid "
                f"{format_day(earlier.payment_date)}, EUR {format_number(earlier.amount_eur)}."
            )
        elif key in seen:
            checked.warnings.append(f"Invoice {number} appears more than once in this file.")
        seen.add(key)


# ---------------------------------------------------------------- search


def find_lines(query: str, partner_ids: list[int], limit: int = 10) -> list[Expenditure]:
    """Lines of these partners whose description or invoice number holds ``query``."""
    words = query.strip()
    if len(words) < 2 or not partner_ids:
        return []
    pattern = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    # SQLite's LIKE already ignores the case of ASCII letters, and its lower() folds no
    # others, so ILIKE (lower() on both sides) finds the same lines at twice the cost.
    sqlite = db.session.get_bind().dialect.name == "sqlite"

    def holds(column):
        if sqlite:
            return column.like(pattern, escape="\\")
        return column.ilike(pattern, escape="\\")

    return list(
        db.session.scalars(
            select(Expenditure)
            .where(
                Expenditure.partner_id.in_(partner_ids),
                or_(holds(Expenditure.description), holds(Expenditure.invoice_number)),
            )
            .order_by(Expenditure.payment_date.desc(), Expenditure.id.desc())
            .limit(limit)
        )
    )


# ---------------------------------------------------------------- exports


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
