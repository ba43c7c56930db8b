"""The one way numbers and money are read from people and shown to them.

A number is read in the reader's format (``workspace.locales``) with Babel's strict
``parse_decimal``: ``4.500,00`` is 4500.00 for an Italian, Spanish, Hungarian, Polish or
Lithuanian reader, ``4,500.00`` for an English one. Input that does not fit the
reader's format is refused with a message naming the expected form, never guessed at:
a guess is how 4.500,00 once became 4.50. Where the format groups thousands with a
space, a typed dot or space groups them too; the decimal mark is never ambiguous.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from babel.numbers import (
    NumberFormatError,
    NumberPattern,
    format_currency,
    format_decimal,
    get_decimal_symbol,
    get_group_symbol,
    is_currency,
    parse_decimal,
    parse_pattern,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from .locales import babel_locale, current_format

CENT = Decimal("0.01")
MONEY_LIMIT = Decimal("1e12")  # Numeric(14, 2) holds less than this
SPACES = (" ", "\u00a0", "\u202f")
ALLOWED = frozenset("0123456789.,") | frozenset(SPACES)


class NumberError(ValueError):
    """A typed number that cannot be read; the message is shown to the person (in
    their language: ``what``, the field's name in the message, is given translated,
    e.g. ``gettext("The amount")``)."""


@lru_cache(maxsize=64)
def _pattern(decimals: int, most: int | None = None) -> NumberPattern:
    """Babel's pattern for at least ``decimals`` and at most ``most`` decimals, parsed
    once per process (Babel parses a pattern given as text on every call)."""
    optional = "#" * max((most or decimals) - decimals, 0)
    fraction = "0" * decimals + optional
    return parse_pattern("#,##0" + ("." + fraction if fraction else ""))


def example(fmt: str | None = None, value: str = "4500.00") -> str:
    """How a number is written in the format: "4,500.00", "4.500,00", "4 500,00"."""
    number = Decimal(value)
    places = max(-number.as_tuple().exponent, 0)
    text = format_decimal(number, _pattern(places), locale=babel_locale(fmt or current_format()))
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def _expected(what: str, fmt: str, decimals: int) -> str:
    sample = "4500.00" if decimals >= 2 else "4500" if decimals == 0 else "4500.5"
    written = example(fmt, sample)
    if babel_locale(fmt).number_symbols["latn"]["group"] in SPACES:
        return _(
            "%(what)s must be a number written like %(example)s or %(other)s.",
            what=what,
            example=written,
            other=written.replace(" ", "."),
        )
    return _("%(what)s must be a number written like %(example)s.", what=what, example=written)


def _normalise(raw: str, fmt: str) -> str:
    """Thousands written with spaces (or, in space-grouping formats, dots) become the
    format's own group symbol, which is what Babel's strict parser checks."""
    locale = babel_locale(fmt)
    group, decimal = get_group_symbol(locale), get_decimal_symbol(locale)
    for space in SPACES:
        raw = raw.replace(space, group)
    if decimal == "," and group != ".":
        raw = raw.replace(".", group)
    return raw


def parse_number(
    text: str | None,
    what: str = _l("The number"),
    *,
    decimals: int = 2,
    minimum: Decimal | int | None = 0,
    maximum: Decimal | int = MONEY_LIMIT,
    allow_zero: bool = True,
    fmt: str | None = None,
) -> Decimal:
    """Read ``text`` in the reader's format; at most ``decimals`` decimals, at least
    ``minimum`` (None: no lower limit), below ``maximum``. Raises ``NumberError``."""
    fmt = fmt or current_format()
    raw = (text or "").strip()
    if not raw:
        raise NumberError(_("%(what)s is missing.", what=what))
    negative = raw.startswith("-") and minimum is not None and minimum < 0
    body = raw[1:].lstrip() if negative else raw
    if not body or not set(body) <= ALLOWED:
        if any(c.isdigit() and not c.isascii() for c in raw):
            raise NumberError(_("%(what)s must be written with the digits 0 to 9.", what=what))
        if raw.startswith("-"):
            raise NumberError(_("%(what)s cannot be negative.", what=what))
        raise NumberError(_expected(what, fmt, decimals))
    try:
        value = parse_decimal(_normalise(body, fmt), locale=babel_locale(fmt), strict=True)
    except NumberFormatError:
        raise NumberError(_expected(what, fmt, decimals)) from None
    if negative:
        value = -value
    if not value.is_finite():  # cannot come through the character check; kept as a guard
        raise NumberError(_expected(what, fmt, decimals))
    if value.as_tuple().exponent < -decimals:
        raise NumberError(
            _("%(what)s has no decimals.", what=what)
            if decimals == 0
            else ngettext(
                "%(what)s has at most %(num)d decimal.",
                "%(what)s has at most %(num)d decimals.",
                decimals,
                what=what,
            )
        )
    if minimum is not None and value < minimum:
        raise NumberError(
            _("%(what)s cannot be negative.", what=what)
            if minimum == 0
            else _(
                "%(what)s is at least %(minimum)s.",
                what=what,
                minimum=format_number(minimum, decimals, fmt=fmt),
            )
        )
    if not allow_zero and value == 0:
        raise NumberError(_("%(what)s must be more than zero.", what=what))
    if value >= maximum:
        raise NumberError(_("%(what)s is too large.", what=what))
    return value.quantize(Decimal(1).scaleb(-decimals))


def parse_money(
    text: str | None,
    what: str = _l("The amount"),
    *,
    allow_zero: bool = True,
    fmt: str | None = None,
) -> Decimal:
    """An amount of money: whole cents, not negative, fits a ``Numeric(14, 2)`` column."""
    return parse_number(text, what, decimals=2, allow_zero=allow_zero, fmt=fmt)


def check_currency(code: str | None, what: str = _l("The currency")) -> str:
    """An ISO 4217 code (any case in, upper case out); raises ``NumberError``."""
    wanted = (code or "").strip().upper()
    if not wanted:
        raise NumberError(_("%(what)s is missing; write a code like EUR or PLN.", what=what))
    if len(wanted) != 3 or not wanted.isascii() or not is_currency(wanted):
        raise NumberError(
            _(
                "%(what)s “%(code)s” is not an ISO 4217 code like EUR, HUF or PLN.",
                what=what,
                code=wanted[:12],
            )
        )
    return wanted


def format_number(
    value: Decimal | int | None, decimals: int = 2, most: int | None = None, fmt: str | None = None
) -> str:
    """A number in the reader's format with ``decimals`` decimals (up to ``most`` when
    they are not zero: a rate 4.2985 or 4.256789); "–" for None."""
    if value is None:
        return "–"
    return _formatted(value if value else 0, decimals, most, fmt or current_format())


@lru_cache(maxsize=8192)
def _formatted(value: Decimal | int, decimals: int, most: int | None, fmt: str) -> str:
    # Babel takes about 30 µs a number, and a budget page shows over a hundred, most of
    # them the same few (0.00, the totals): the answer depends only on the arguments.
    # Equal numbers (1, 1.0, 1.00) are written the same; zero comes in as 0, not -0.
    return format_decimal(value, _pattern(decimals, most), locale=babel_locale(fmt))


def format_money(
    value: Decimal | int | None, currency: str | None = None, fmt: str | None = None
) -> str:
    """Money in the reader's format: "1,376,708.00", or with a currency,
    "€1,376,708.00" / "1.376.708,00 €" as the reader's language writes it."""
    if value is None:
        return "–"
    if currency is None:
        return format_number(value, 2, fmt=fmt)
    return _formatted_money(value if value else 0, currency, fmt or current_format())


@lru_cache(maxsize=8192)
def _formatted_money(value: Decimal | int, currency: str, fmt: str) -> str:
    return format_currency(value, currency, locale=babel_locale(fmt), currency_digits=False)


def format_percent(value: Decimal | None, decimals: int = 2, fmt: str | None = None) -> str:
    """A percentage given as a number of percent: 83.67 -> "83.67 %" / "83,67 %"."""
    if value is None:
        return "–"
    return f"{format_number(value, decimals, fmt=fmt)} %"


def input_value(value: Decimal | None, decimals: int = 2, fmt: str | None = None) -> str:
    """The text put back into a form field: what ``parse_number`` reads back unchanged."""
    return "" if value is None else format_number(value, decimals, fmt=fmt)
