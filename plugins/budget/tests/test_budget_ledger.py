"""The budget arithmetic: periods from the project calendar, rounding points, lines from text."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from flask import g

from plugins.budget.entries import check_line, read_csv
from plugins.budget.ledger import (
    cents,
    default_settings,
    eligible_eur,
    percent,
    periods,
)
from workspace.api import periods as calendar_periods
from workspace.api import safe_cell

INTERVENTURES = {
    "start_date": date(2019, 8, 1),
    "phase1_months": 24,
    "phase1_period_months": 6,
    "phase2_months": 12,
    "phase2_period_months": 12,
    "report_days": 14,
}


def budget_periods(settings, **calendar):
    """The budget's periods under InterVentures' calendar, or one changed by ``calendar``."""
    return periods(settings, calendar_periods(SimpleNamespace(**{**INTERVENTURES, **calendar})))


def test_interventures_periods_are_four_semesters_then_a_year():
    found = budget_periods(default_settings())
    assert [(p.label, p.phase, p.start, p.end) for p in found] == [
        ("P1", 1, date(2019, 8, 1), date(2020, 1, 31)),
        ("P2", 1, date(2020, 2, 1), date(2020, 7, 31)),
        ("P3", 1, date(2020, 8, 1), date(2021, 1, 31)),
        ("P4", 1, date(2021, 2, 1), date(2021, 7, 31)),
        ("P5", 2, date(2021, 8, 1), date(2022, 7, 31)),
    ]


def test_period_lengths_come_from_the_calendar_and_closing_from_the_budget():
    settings = default_settings()
    settings.closed_through = 2
    found = budget_periods(
        settings,
        phase1_months=10,
        phase1_period_months=4,
        phase2_months=6,
        phase2_period_months=6,
    )
    assert [(p.start, p.end, p.closed) for p in found] == [
        (date(2019, 8, 1), date(2019, 11, 30), True),
        (date(2019, 12, 1), date(2020, 3, 31), True),
        (date(2020, 4, 1), date(2020, 5, 31), False),
        (date(2020, 6, 1), date(2020, 11, 30), False),
    ]


def test_cents_round_half_up_not_to_even():
    assert cents(Decimal("0.125")) == Decimal("0.13")
    assert cents(Decimal("0.135")) == Decimal("0.14")
    assert cents(Decimal("2.5049")) == Decimal("2.50")
    assert percent(Decimal("1151955.30"), Decimal("1376708.00")) == Decimal("83.67")
    assert percent(Decimal(1), Decimal(0)) is None


def test_conversion_rounds_once_half_up():
    # 1000 PLN + 230 PLN VAT at 4.2985 PLN per euro = 286.146330... euro.
    assert eligible_eur(Decimal("1000.00"), Decimal("230.00"), Decimal("4.2985")) == Decimal(
        "286.15"
    )
    assert eligible_eur(Decimal("0.01"), Decimal("0"), Decimal("2")) == Decimal("0.01")


GOOD = {
    "category": "travel",
    "description": "Train to Rzeszów",
    "invoice_number": "F/2020/7",
    "invoice_date": "2020-03-02",
    "payment_date": "2020-03-10",
    "amount": "1000.00",
    "vat": "230.00",
    "currency": "pln",
    "rate": "4.2985",
}


def test_a_good_line_gets_its_period_and_euro_amount():
    checked = check_line(GOOD, budget_periods(default_settings()))
    assert checked.ok, checked.errors
    assert checked.values["period"] == 2
    assert checked.values["currency"] == "PLN"
    assert checked.values["amount_eur"] == Decimal("286.15")


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"amount": "-10"}, "amount", "cannot be negative"),
        ({"amount": "ten"}, "amount", "must be a number"),
        ({"category": "catering"}, "category", "Unknown category"),
        ({"category": "office"}, "category", "flat rate of staff costs"),
        ({"payment_date": "2023-01-05"}, "payment_date", "outside the project"),
        ({"payment_date": "2019-07-31"}, "payment_date", "outside the project"),
        ({"payment_date": "31/02/2020"}, "payment_date", "not a day of the calendar"),
        ({"payment_date": "02/31/2020"}, "payment_date", "not a day of the calendar"),
        ({"payment_date": "10.3.20"}, "payment_date", "write it as 15/03/2022 or 2022-03-15"),
        ({"amount": "1.000,00"}, "amount", "written like 4,500.00"),
        ({"amount": "1e3"}, "amount", "written like 4,500.00"),
        ({"amount": "10.005"}, "amount", "at most 2 decimals"),
        ({"currency": "XYZ"}, "currency", "not an ISO 4217 code"),
        ({"currency": "EURO"}, "currency", "not an ISO 4217 code"),
        ({"rate": "4,2985,1"}, "rate", "written like"),
        ({"description": '=HYPERLINK("http://x")'}, "description", "formula"),
        ({"invoice_number": "@SUM(A1)"}, "invoice_number", "formula"),
        ({"currency": "PLN", "rate": ""}, "rate", "units of PLN per euro) is missing"),
        ({"currency": "EUR", "rate": "1.1"}, "rate", "EUR has the conversion rate 1"),
    ],
)
def test_bad_lines_say_what_is_wrong(change, field, message):
    checked = check_line({**GOOD, **change}, budget_periods(default_settings()))
    assert not checked.ok
    assert message in checked.errors[field]


def test_a_closed_period_takes_no_more_expenditure():
    settings = default_settings()
    settings.closed_through = 2
    checked = check_line(GOOD, budget_periods(settings))
    assert "P2" in checked.errors["payment_date"]
    assert "closed" in checked.errors["payment_date"]


def test_csv_rows_are_checked_one_by_one(app):
    text = (
        "category;description;invoice_number;invoice_date;payment_date;amount;vat;currency;rate\n"
        "Staff;Salaries March;S-3;2020-03-31;2020-04-05;4 200,00;0;EUR;1\n"
        "staff;-2+3;S-4;2020-04-30;2020-05-05;100;0;EUR;1\n"
        "\n"
        "travel;Hotel;H-1;2020-04-30;2020-05-05;-12;0;EUR;1\n"
    )
    # A Polish reader's file: thousands grouped with a space, decimal comma (read by
    # someone with the English interface, whose messages this test reads).
    with app.test_request_context(headers={"Accept-Language": "pl-PL,pl;q=0.9"}):
        g._language = "en"
        g._number_format = "pl"
        rows = read_csv(text, budget_periods(default_settings()))
    assert [row.number for row in rows] == [2, 3, 5]
    assert rows[0].checked.ok and rows[0].checked.values["amount"] == Decimal("4200.00")
    assert "formula" in rows[1].checked.errors["description"]
    assert "negative" in rows[2].checked.errors["amount"]


def test_exported_text_never_starts_a_formula():
    assert safe_cell("=cmd|' /C calc'!A0") == "'=cmd|' /C calc'!A0"
    assert safe_cell("+1") == "'+1"
    assert safe_cell("-x") == "'-x"
    assert safe_cell("@x") == "'@x"
    assert safe_cell("Hotel") == "Hotel"
    assert safe_cell(Decimal("-5.00")) == Decimal("-5.00")
