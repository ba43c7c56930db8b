"""CSV and XLSX files that are safe to open in a spreadsheet.

Why one module: a spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or
``@`` as a formula, and LibreOffice and Excel also do so after a leading TAB, CR or
LF. A title such as ``=HYPERLINK("http://evil", "Click")`` typed into the workspace
would then run on the machine of whoever opens the export. Every plugin wrote its own
escaping and the copies drifted apart (some forgot LF, a header row went out
unescaped). Every CSV and XLSX the workspace writes goes through here instead, so
each cell and each header is escaped the same way, and a fix lands everywhere at once.

Text that would start a formula gets a leading apostrophe, as OWASP recommends: it
is shown, and nothing runs. Numbers and dates are never touched: in an XLSX they
stay real numbers and dates that sum and sort, with a number format.

    to_csv(["Title", "Amount"], [["=1+1", Decimal("-5.00")]])
    # Title,Amount / '=1+1,-5.00  (CRLF line ends)
    to_xlsx([("Lines", ["Rate"], [[Decimal("1.0834")]])], {"Rate": "#,##0.0000"})
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")

DECIMAL_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"

Sheet = tuple[str, Sequence[str], Iterable[Sequence]]


def safe_cell(value):
    """``value`` as a spreadsheet should show it: text that would start a formula gets
    a leading apostrophe; anything that is not text (numbers, dates, None) is
    returned unchanged.

    >>> safe_cell("=SUM(A1:A9)"), safe_cell("Hotel"), safe_cell(Decimal("-5.00"))
    ("'=SUM(A1:A9)", 'Hotel', Decimal('-5.00'))
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _is_number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if _is_number(value):
        return str(value)
    # Anything else is written as its text, so that text is what gets escaped.
    return safe_cell(str(value))


# Opens a CSV file, so that spreadsheet programs read it as UTF-8.
BOM = "\ufeff"


def to_csv(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    """A CSV file (RFC 4180: CRLF line ends, quotes doubled) with ``header`` as its
    first line. Dates are written as ISO 8601, None as an empty cell, numbers as
    they are, and every other cell, header included, through ``safe_cell``.

    The text starts with a byte-order mark: without it, Excel in Central Europe
    opens a UTF-8 file as Windows-1250 and shows "Łódź" as "ĹĂłdĹş"."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_csv_value(name) for name in header])
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
    return buffer.getvalue()


def _xlsx_value(value):
    if isinstance(value, str):
        # Control characters other than TAB, CR and LF cannot be stored in XLSX.
        return safe_cell(ILLEGAL_CHARACTERS_RE.sub("", value))
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # XLSX has no time zones: the wall time stays
    if value is None or _is_number(value) or isinstance(value, date):
        return value
    return safe_cell(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def _default_format(value) -> str | None:
    if isinstance(value, Decimal):
        return DECIMAL_FORMAT
    if isinstance(value, datetime):
        return DATETIME_FORMAT
    if isinstance(value, date):
        return DATE_FORMAT
    return None


def to_xlsx(sheets: Sequence[Sheet], number_formats: Mapping[str, str] | None = None) -> bytes:
    """A workbook with one sheet per ``(title, header, rows)``.

    Numbers and dates stay real numbers and dates: Decimals are shown as
    ``#,##0.00``, dates as ``yyyy-mm-dd``, unless ``number_formats`` maps the column's
    header to another Excel number format (``{"Rate to EUR": "#,##0.0000"}``). Text
    cells and headers go through ``safe_cell``. The header row stays in view. Titles
    and headers may be lazy translations (``lazy_gettext``): they are written as text.
    """
    formats = {str(name): chosen for name, chosen in (number_formats or {}).items()}
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(str(title))
        sheet.append([_xlsx_value(name) for name in header])
        column_formats = [formats.get(str(name)) for name in header]
        for row in rows:
            sheet.append([_xlsx_value(value) for value in row])
            for cell, value in zip(sheet[sheet.max_row], row, strict=False):
                if value is None or isinstance(value, str):
                    continue
                column = cell.column - 1
                chosen = column_formats[column] if column < len(column_formats) else None
                number_format = chosen or _default_format(value)
                if number_format:
                    cell.number_format = number_format
        for column in sheet.columns:
            width = max(len(str(c.value)) if c.value is not None else 0 for c in column)
            sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 10), 48)
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
