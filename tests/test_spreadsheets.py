"""Every CSV and XLSX the workspace writes is safe to open in a spreadsheet: text that
would start a formula (= + - @ TAB CR LF) is shown, never run, in cells and headers;
numbers and dates stay numbers and dates. Checked on the shared helper and through
the real export routes of the minutes and the portfolio."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from plugins.minutes.models import AgendaItem, Meeting, Outcome, OutcomeKind
from plugins.minutes.tests.test_minutes_exports import meeting, minutes_on
from plugins.portfolio.models import Practice
from plugins.portfolio.tests.test_portfolio import approved, portfolio
from workspace.extensions import db
from workspace.models import Region
from workspace.spreadsheets import FORMULA_START, safe_cell, to_csv, to_xlsx

__all__ = ["meeting", "minutes_on", "portfolio"]  # fixtures shared with those tests

PREFIXES = ["=", "+", "-", "@", "\t", "\r", "\n"]
PAYLOAD = "cmd|' /C calc'!A0"


def read_csv(text: str) -> list[list[str]]:
    """The rows of a CSV file of ours, which starts with a byte-order mark."""
    assert text.startswith("\ufeff"), "Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def read_xlsx(data: bytes):
    return load_workbook(io.BytesIO(data))


def test_the_formula_characters_are_the_issue_list():
    assert set(FORMULA_START) == set(PREFIXES)


@pytest.mark.parametrize("prefix", PREFIXES, ids=repr)
def test_a_formula_start_is_escaped_in_csv_cells_and_headers(prefix):
    hostile = prefix + PAYLOAD
    text = to_csv([hostile, "Amount"], [[hostile, Decimal("-5.00")]])
    assert read_csv(text) == [["'" + hostile, "Amount"], ["'" + hostile, "-5.00"]]


@pytest.mark.parametrize("prefix", PREFIXES, ids=repr)
def test_a_formula_start_is_escaped_in_xlsx_cells_and_headers(prefix):
    hostile = prefix + PAYLOAD
    data = to_xlsx([("Lines", [hostile, "Amount"], [[hostile, Decimal("-5.00")]])])
    sheet = read_xlsx(data)["Lines"]
    header, row = sheet[1], sheet[2]
    assert header[0].value == "'" + hostile and header[0].data_type == "s"
    assert row[0].value == "'" + hostile and row[0].data_type == "s"
    # A negative amount is a number, not a formula: it stays a number.
    assert row[1].value == -5 and row[1].data_type == "n"


def test_safe_cell_leaves_plain_text_numbers_and_dates_alone():
    assert safe_cell("Hotel Łódź") == "Hotel Łódź"
    assert safe_cell("a=b") == "a=b"
    assert safe_cell(Decimal("-5.00")) == Decimal("-5.00")
    assert safe_cell(-3) == -3
    assert safe_cell(date(2030, 5, 15)) == date(2030, 5, 15)
    assert safe_cell(None) is None
    assert safe_cell("\n=1+1") == "'\n=1+1"


def test_a_doubled_quote_round_trips():
    quoted = 'The "Łódź" fair, 2 days'
    text = to_csv(["Note"], [[quoted], ['"=1+1"']])
    assert '"The ""Łódź"" fair, 2 days"' in text  # RFC 4180: quotes doubled
    assert read_csv(text) == [["Note"], [quoted], ['"=1+1"']]
    sheet = read_xlsx(to_xlsx([("Notes", ["Note"], [[quoted]])]))["Notes"]
    assert sheet["A2"].value == quoted


def test_csv_lines_dates_and_empty_cells():
    text = to_csv(
        ["Day", "Paid", "Amount", "Note"],
        [[date(2030, 5, 15), datetime(2030, 5, 16, 9, 30), Decimal("12.50"), None]],
    )
    assert text == "\ufeffDay,Paid,Amount,Note\r\n2030-05-15,2030-05-16T09:30:00,12.50,\r\n"
    # A cell with a line break is quoted, and the line stays one record.
    assert read_csv(to_csv(["A"], [["two\nlines"]])) == [["A"], ["two\nlines"]]


def test_xlsx_numbers_stay_numbers_with_their_formats():
    rows = [["Hotel", date(2030, 5, 15), Decimal("1234.5"), Decimal("1.08345"), 3]]
    data = to_xlsx(
        [("Lines", ["Description", "Paid", "Amount", "Rate to EUR", "Nights"], rows)],
        number_formats={"Rate to EUR": "#,##0.0000"},
    )
    sheet = read_xlsx(data)["Lines"]
    description, paid, amount, rate, nights = sheet[2]
    assert paid.value == datetime(2030, 5, 15) and paid.number_format == "yyyy-mm-dd"
    assert amount.value == 1234.5 and amount.number_format == "#,##0.00"
    assert rate.value == pytest.approx(1.08345) and rate.number_format == "#,##0.0000"
    assert nights.value == 3 and nights.data_type == "n"
    assert sheet.freeze_panes == "A2"


def test_xlsx_holds_several_sheets_and_drops_what_xlsx_cannot_store():
    data = to_xlsx(
        [
            ("Budget", ["Partner"], [["CEEI"]]),
            ("Lines", ["Description"], [["bell\x07 and\x01 nul-free", None]]),
        ]
    )
    workbook = read_xlsx(data)
    assert workbook.sheetnames == ["Budget", "Lines"]
    assert workbook["Lines"]["A2"].value == "bell and nul-free"
    assert workbook["Lines"]["B2"].value is None


# ---------------------------------------------------------------- through the routes

HOSTILE_TITLE = '\n=HYPERLINK("http://evil.example","Click")'


def test_minutes_action_items_csv_escapes_hostile_titles(app, client, meeting):
    with app.app_context():
        found = db.session.get(Meeting, meeting)
        found.title = HOSTILE_TITLE
        action = db.session.scalar(select(Outcome).where(Outcome.kind == OutcomeKind.ACTION))
        action.text = "@SUM(1+1)*cmd|' /C calc'!A0"
        db.session.get(AgendaItem, action.agenda_item_id).title = "\t=1+1"
        db.session.commit()
    archive = zipfile.ZipFile(io.BytesIO(client.get("/r/burgos/export.zip").data))
    rows = read_csv(archive.read("minutes/action-items.csv").decode("utf-8"))
    assert rows[0][:4] == ["meeting", "meeting date", "agenda item", "action"]
    assert rows[1][0] == "'" + HOSTILE_TITLE
    assert rows[1][2] == "'\t=1+1"
    assert rows[1][3] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert rows[1][5:7] == ["2030-05-15", "open"]
    assert len(rows) == 2  # the line break inside the title did not split the record


def matrix(client) -> list[list[str]]:
    response = client.get("/p/portfolio/matrix.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    return read_csv(response.text)


def test_the_matrix_csv_tells_own_practice_from_not_rated_and_carries_notes(
    app, client, auth, portfolio
):
    practice_id = approved(app, auth, client, portfolio)
    auth.login(portfolio.other.email)  # an editor of Pannon
    before = matrix(client)
    assert before[0] == [
        "Practice",
        "Region",
        "Topic",
        "Status",
        "Castilla y León",
        "Castilla y León note",
        "Dél-Dunántúl",
        "Dél-Dunántúl note",
        "Average interest",
    ]
    # Burgos's own practice; Pannon has not rated it yet.
    assert before[1][4:] == ["own practice", "", "not rated", "", ""]
    url = f"/p/portfolio/matrix/{practice_id}/pannon"
    client.post(url, data={"score": "0", "note": "=1+1, not for our SMEs"})
    after = matrix(client)
    # A score of 0 is a score, not an empty cell; the note comes along, escaped.
    assert after[1][4:] == ["own practice", "", "0", "'=1+1, not for our SMEs", "0.0"]
    client.post(url, data={"score": "3", "note": "Fits our programme"})
    assert matrix(client)[1][4:] == ["own practice", "", "3", "Fits our programme", "3.0"]


def test_the_matrix_csv_escapes_hostile_titles_and_region_names(app, client, auth, portfolio):
    practice_id = approved(app, auth, client, portfolio)
    with app.app_context():
        db.session.get(Practice, practice_id).title = HOSTILE_TITLE
        db.session.scalar(select(Region).where(Region.slug == "pannon")).name = "@Pannon"
        db.session.commit()
    auth.login(portfolio.admin.email)
    rows = matrix(client)
    assert "'@Pannon" in rows[0] and "'@Pannon note" in rows[0]
    assert rows[1][0] == "'" + HOSTILE_TITLE
    assert len(rows) == 2


def test_the_practices_csv_of_the_region_export_escapes_hostile_titles(
    app, client, auth, portfolio
):
    practice_id = approved(app, auth, client, portfolio)
    with app.app_context():
        practice = db.session.get(Practice, practice_id)
        practice.title, practice.keywords = HOSTILE_TITLE, "-export, coaching"
        db.session.commit()
    auth.login(portfolio.coordinator.email)
    archive = zipfile.ZipFile(io.BytesIO(client.get("/r/burgos/export.zip").data))
    name = next(n for n in archive.namelist() if n.endswith("practices.csv"))
    rows = read_csv(archive.read(name).decode("utf-8"))
    assert rows[1][0] == "'" + HOSTILE_TITLE and rows[1][1] == "Approved"
    assert "'-export, coaching" in rows[1]
    assert "2018-02-01" in rows[1]  # the start date, as ISO
