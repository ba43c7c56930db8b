"""Expenditure lines coming in (form and CSV import) and going out (CSV and XLSX).

One check, ``check_line``, serves the form and every imported row, so a line is refused
for the same reasons, with the same words, wherever it comes from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
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
    in_language,
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


def _category_names(category: Category) -> set[str]:
    """What names ``category`` in a form or a file (any case): its key, its English
    label, and its label in the reader's language (an export read back)."""
    with in_language("en"):
        english = str(category.label)
    return {category.value, english.lower(), str(category.label).lower()}


def _category(text: str) -> Category | str:
    """The category named by its key or label (any case), or an error message."""
    wanted = text.strip().lower()
    for category in Category:
        if wanted in _category_names(category):
            if category.is_flat_rate:
                return _(
                    "Office and administration is a flat rate of staff costs; "
                    "record the staff costs instead."
                )
            return category
    names = ", ".join(str(CATEGORY_LABELS[c]) for c in ENTERED)
    if not wanted:
        return _("Choose a category: %(names)s.", names=names)
    return _(
        "Unknown category “%(category)s”: use one of %(names)s.",
        category=text.strip()[:40],
        names=names,
    )


def _description_problem(text: str, limit: int) -> str | None:
    """The error for the description cell (required), or None."""
    if not text:
        return _("The description is missing.")
    if len(text) > limit:
        return _("The description is longer than %(limit)d characters.", limit=limit)
    if text.startswith(FORMULA_START):
        return _(
            "The description cannot start with “%(character)s”: a spreadsheet would read "
            "it as a formula.",
            character=text[0],
        )
    if any(ord(c) < 32 for c in text):
        return _("The description contains invisible control characters.")
    return None


def _invoice_number_problem(text: str, limit: int) -> str | None:
    """The error for the invoice number cell (optional), or None."""
    if len(text) > limit:
        return _("The invoice number is longer than %(limit)d characters.", limit=limit)
    if text.startswith(FORMULA_START):
        return _(
            "The invoice number cannot start with “%(character)s”: a spreadsheet would "
            "read it as a formula.",
            character=text[0],
        )
    if any(ord(c) < 32 for c in text):
        return _("The invoice number contains invisible control characters.")
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

    for name, check, limit in (
        ("description", _description_problem, 200),
        ("invoice_number", _invoice_number_problem, 60),
    ):
        problem = check(get[name], limit)
        if problem:
            errors[name] = problem
        else:
            values[name] = get[name]

    for name, what, allow_zero in (("amount", _("The amount"), False), ("vat", _("The VAT"), True)):
        text = get[name] or ("0" if name == "vat" else "")
        try:
            values[name] = parse_money(text, what, allow_zero=allow_zero)
        except NumberError as error:
            errors[name] = str(error)

    try:
        currency = check_currency(get["currency"] or "EUR", _("The currency"))
        values["currency"] = currency
    except NumberError as error:
        errors["currency"] = str(error)
        currency = None
    rate_text = get["rate"] or ("1" if currency == "EUR" else "")
    if currency is not None:
        try:
            rate = parse_number(
                rate_text,
                _("The rate (units of %(currency)s per euro)", currency=currency),
                decimals=6,
                allow_zero=False,
                maximum=RATE_LIMIT,
            )
            if currency == "EUR" and rate != 1:
                errors["rate"] = _("An amount in EUR has the conversion rate 1.")
            else:
                values["rate"] = rate
        except NumberError as error:
            errors["rate"] = str(error)

    start, end = all_periods[0].start, all_periods[-1].end
    try:
        payment = parse_date(get["payment_date"], _("The payment date"))
    except DateError as error:
        errors["payment_date"] = str(error)
    else:
        period = period_of(all_periods, payment)
        if period is None:
            errors["payment_date"] = _(
                "The payment date %(day)s is outside the project (%(start)s – %(end)s).",
                day=format_day(payment),
                start=format_day(start),
                end=format_day(end),
            )
        elif period.closed:
            errors["payment_date"] = _(
                "%(period)s (%(span)s) is closed: its report is submitted, "
                "so no expenditure can be added to it.",
                period=period.label,
                span=period.span,
            )
        else:
            values["payment_date"] = payment
            values["period"] = period.number
    try:
        invoice = parse_date(get["invoice_date"], _("The invoice date"))
    except DateError as error:
        errors["invoice_date"] = str(error)
    else:
        if invoice > end or (invoice < start and values.get("category") != Category.PREPARATION):
            errors["invoice_date"] = _(
                "The invoice date %(day)s is outside the project (%(start)s – %(end)s).",
                day=format_day(invoice),
                start=format_day(start),
                end=format_day(end),
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


def _header_names() -> dict[str, str]:
    """A column's heading (lower case) -> the field it holds: the English aliases, and
    the headings of the expenditure export in the reader's language, so that an export
    reads back whichever language it was written in by the same reader. English
    headings ("Invoice number", "Rate to EUR") are always understood."""
    names = dict(HEADER_ALIASES)
    for name, heading in EXPENDITURE_COLUMNS:
        if name is not None:
            names.setdefault(str(heading).strip().lower(), name)
    return names


def read_csv(text: str, all_periods: list[Period]) -> list[ImportRow]:
    """Every data row of an expenditure CSV, each checked in the reader's number and
    date format; nothing is saved here. Raises ``TextFileError`` for the whole file."""
    rows = [(line, cells) for line, cells in read_rows(text) if any(c.strip() for c in cells)]
    if not rows:
        raise TextFileError(_("The file is empty."))
    (_line, header_cells), data_rows = rows[0], rows[1:]
    aliases = _header_names()
    header = [
        aliases.get(h.strip().lower(), h.strip().lower().replace(" ", "_")) for h in header_cells
    ]
    missing = [name for name in FIELDS if name not in header and name not in OPTIONAL_COLUMNS]
    if missing:
        raise TextFileError(
            _(
                "The first line must name the columns; missing: %(columns)s.",
                columns=", ".join(missing),
            )
        )
    if not data_rows:
        raise TextFileError(_("The file has a header but no lines."))
    if len(data_rows) > MAX_IMPORT_ROWS:
        raise TextFileError(
            ngettext(
                "Import up to %(num)d line at a time.",
                "Import up to %(num)d lines at a time.",
                MAX_IMPORT_ROWS,
            )
        )
    result = []
    for line, cells in data_rows:
        data = dict(zip(header, cells, strict=False))
        checked = check_line(data, all_periods)
        if len(cells) != len(header):
            checked.errors["row"] = ngettext(
                "The row has %(num)d cell; the header names %(header)d.",
                "The row has %(num)d cells; the header names %(header)d.",
                len(cells),
                header=len(header),
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
                _(
                    "Invoice %(number)s is already recorded: “%(description)s”, paid "
                    "%(day)s, EUR %(amount)s.",
                    number=number,
                    description=earlier.description,
                    day=format_day(earlier.payment_date),
                    amount=format_number(earlier.amount_eur),
                )
            )
        elif key in seen:
            checked.warnings.append(
                _("Invoice %(number)s appears more than once in this file.", number=number)
            )
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


# The exports' headings, in the reader's language (``*_header()``); lazy, so each is
# read when an export is written. XLSX number formats name the columns by these too.
BUDGET_COLUMNS = [
    _l("Partner"),
    _l("Period"),
    _l("Period start"),
    _l("Period end"),
    _l("Category"),
    _l("Planned EUR"),
    _l("Spent EUR"),
    _l("Remaining EUR"),
]
# With the field of an expenditure line each column holds, for the import (which
# reads these headings back, see ``_header_names``); None: not read back.
RATE_HEADING = _l("Rate to EUR")
EXPENDITURE_COLUMNS = [
    (None, _l("Partner")),
    (None, _l("Period")),
    ("category", _l("Category")),
    ("description", _l("Description")),
    ("invoice_number", _l("Invoice number")),
    ("invoice_date", _l("Invoice date")),
    ("payment_date", _l("Payment date")),
    ("amount", _l("Amount")),
    ("vat", _l("VAT")),
    ("currency", _l("Currency")),
    ("rate", RATE_HEADING),
    (None, _l("Eligible EUR")),
]
ERDF_SHARE_HEADING = _l("ERDF %")
SUMMARY_COLUMNS = [
    _l("Partner"),
    _l("Legal status"),
    _l("Total EUR"),
    _l("ERDF EUR"),
    ERDF_SHARE_HEADING,
    _l("Public contribution EUR"),
    _l("Private contribution EUR"),
    _l("Spent EUR"),
    _l("Remaining EUR"),
]


def budget_header() -> list[str]:
    return [str(heading) for heading in BUDGET_COLUMNS]


def expenditure_header() -> list[str]:
    return [str(heading) for _name, heading in EXPENDITURE_COLUMNS]


def summary_header() -> list[str]:
    return [str(heading) for heading in SUMMARY_COLUMNS]


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
                        str(category.label),
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
                str(partner.legal_status.label),
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
            _("Total"),
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
            str(CATEGORY_LABELS[Category(line.category)]),
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
