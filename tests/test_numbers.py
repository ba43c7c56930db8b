"""Numbers, money and dates as the consortium's people write them (workspace.numbers,
workspace.dates), and the account setting that says whose habit a page follows."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from workspace.dates import DateError, format_day, format_moment, parse_date
from workspace.numbers import (
    NumberError,
    check_currency,
    format_money,
    format_number,
    parse_money,
    parse_number,
)
from workspace.testing import new_document

COMMA_DECIMAL = ["hu", "it", "pl", "es", "lt"]
NBSP = "\N{NO-BREAK SPACE}"


@pytest.mark.parametrize("fmt", COMMA_DECIMAL)
@pytest.mark.parametrize("typed", ["4.500,00", "4500,00", "4 500,00", f"4{NBSP}500,00", "4.500"])
def test_a_decimal_comma_reader_means_four_thousand_five_hundred(fmt, typed):
    assert parse_money(typed, fmt=fmt) == Decimal("4500.00")


@pytest.mark.parametrize("typed", ["4,500.00", "4500.00", "4500", "4 500.00"])
def test_an_english_reader_means_four_thousand_five_hundred(typed):
    assert parse_money(typed, fmt="en") == Decimal("4500.00")


@pytest.mark.parametrize(
    ("fmt", "typed", "expected"),
    [
        ("en", "4.500,00", "written like 4,500.00"),
        ("en", "4,5,0", "written like 4,500.00"),
        ("en", "12,50", "written like 4,500.00"),
        ("it", "4,500.00", "written like 4.500,00"),
        ("it", "12.5", "written like 4.500,00"),
        ("hu", "4500.00", "written like 4 500,00 or 4.500,00"),
        ("pl", "1.5", "written like 4 500,00 or 4.500,00"),
        ("en", "1e3", "written like"),
        ("en", "NaN", "written like"),
        ("en", "Infinity", "written like"),
        ("en", "١٢٣", "digits 0 to 9"),
        ("en", "１２３", "digits 0 to 9"),
        ("en", "10.005", "at most 2 decimals"),
        ("es", "10,005", "at most 2 decimals"),
        ("en", "-5", "cannot be negative"),
        ("en", "", "is missing"),
        ("en", "1000000000000", "too large"),
    ],
)
def test_what_does_not_fit_the_readers_format_is_refused_not_guessed(fmt, typed, expected):
    with pytest.raises(NumberError, match=expected):
        parse_money(typed, fmt=fmt)


def test_rates_keep_six_decimals_and_negative_numbers_only_when_asked():
    assert parse_number("4,298512", decimals=6, fmt="pl") == Decimal("4.298512")
    assert parse_number("-3,5", minimum=-10, fmt="it") == Decimal("-3.50")
    with pytest.raises(NumberError, match="at least"):
        parse_number("-30", minimum=-10, fmt="en")


def test_currencies_are_iso_4217_codes():
    assert check_currency(" pln ") == "PLN"
    assert check_currency("huf") == "HUF"
    for bad in ("XYZ", "EURO", "€", "ABC", ""):
        with pytest.raises(NumberError):
            check_currency(bad)


@pytest.mark.parametrize(
    ("fmt", "shown"),
    [
        ("en", "1,376,708.00"),
        ("hu", f"1{NBSP}376{NBSP}708,00"),
        ("it", "1.376.708,00"),
        ("pl", f"1{NBSP}376{NBSP}708,00"),
        ("es", "1.376.708,00"),
        ("lt", f"1{NBSP}376{NBSP}708,00"),
    ],
)
def test_money_is_shown_in_the_readers_format_and_reads_back(fmt, shown):
    assert format_number(Decimal("1376708"), fmt=fmt) == shown
    assert parse_money(shown, fmt=fmt) == Decimal("1376708.00")
    assert "1" in format_money(Decimal("1376708"), "EUR", fmt=fmt)


def test_a_rate_shows_the_decimals_it_has():
    assert format_number(Decimal("4.298500"), 4, 6, fmt="en") == "4.2985"
    assert format_number(Decimal("330.520000"), 4, 6, fmt="hu") == "330,5200"
    assert format_number(Decimal("4.256789"), 4, 6, fmt="it") == "4,256789"


@pytest.mark.parametrize(
    "typed", ["2022-03-15", "15.03.2022", "15/03/2022", "15.3.2022", "2022. 03. 15.", "15-03-2022"]
)
def test_dates_are_read_iso_or_day_first(typed):
    assert parse_date(typed) == date(2022, 3, 15)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("03/15/2022", "not a day of the calendar"),
        ("31.02.2022", "not a day of the calendar"),
        ("15.03.22", "write it as"),
        ("yesterday", "write it as"),
        ("١٥/٠٣/٢٠٢٢", "digits 0 to 9"),
        ("", "is missing"),
    ],
)
def test_dates_that_cannot_be_read_are_refused(typed, expected):
    with pytest.raises(DateError, match=expected):
        parse_date(typed)


def test_days_and_times_in_the_readers_language_and_zone(app):
    moment = datetime(2022, 3, 15, 13, 5, tzinfo=UTC)
    with app.test_request_context():
        assert format_moment(moment, fmt="en") == "15 Mar 2022, 14:05 CET"
        assert format_day(date(2022, 3, 15), fmt="hu") == "2022. márc. 15."
        assert format_day(date(2022, 3, 15), fmt="lt") == "2022-03-15"


def test_the_account_page_sets_the_format_and_zone(app, client, auth, world):
    auth.login(world.editor.email)
    page = client.get("/account", headers={"Accept-Language": "it-IT,it;q=0.9"})
    assert page.status_code == 200
    # Until chosen, the browser's language decides.
    assert "4.500,00" in page.text
    response = client.post("/account", data={"number_format": "pl", "time_zone": "Europe/Vilnius"})
    assert response.status_code == 303
    page = client.get("/account", headers={"Accept-Language": "it-IT,it;q=0.9"})
    assert "4 500,00" in page.text
    assert "EET" in page.text or "EEST" in page.text
    bad = client.post("/account", data={"number_format": "xx", "time_zone": "Mars/Olympus"})
    assert bad.status_code == 422
    assert "choose one of the listed options" in bad.text


def test_timestamps_on_pages_are_in_the_readers_zone_not_utc(app, client, auth, world):
    auth.login(world.admin.email)
    client.post("/account", data={"number_format": "en", "time_zone": "Europe/Vilnius"})
    new_document(client, "Kick-off notes", "Agenda.")  # something to show, with its time
    page = client.get("/activity")
    assert " UTC" not in page.text
    assert "EET" in page.text or "EEST" in page.text
