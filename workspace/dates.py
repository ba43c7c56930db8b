"""The one way dates are read from people, and dates and times shown to them.

Typed dates are accepted as ISO (2022-03-15) and in the reader's own habit, day first
(15.03.2022, 15/03/2022) or, for Hungarian, year first (2022. 03. 15.). Month-first
American dates are never guessed at. Timestamps are stored in UTC and shown in the
reader's time zone (``workspace.locales``), with its abbreviation.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_date
from babel.dates import format_datetime as babel_datetime
from flask_babel import gettext as _

from .locales import babel_locale, current_format, current_zone

ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
DAY_FIRST = re.compile(r"(\d{1,2})\s*[./-]\s*(\d{1,2})\s*[./-]\s*(\d{4})\.?")
YEAR_FIRST = re.compile(r"(\d{4})\.\s*(\d{1,2})\.\s*(\d{1,2})\.?")
UTC_ZONES = (UTC, ZoneInfo("UTC"))
EXAMPLES = {"hu": "2022. 03. 15.", "lt": "2022-03-15", "pl": "15.03.2022"}


class DateError(ValueError):
    """A typed date that cannot be read; the message is shown to the person."""


def date_example(fmt: str | None = None) -> str:
    return EXAMPLES.get(fmt or current_format(), "15/03/2022")


def parse_date(text: str | None, what: str | None = None, fmt: str | None = None) -> date:
    """Read a typed date; raises ``DateError`` naming the forms that are understood.

    ``what`` names the date as the subject of a sentence ("The payment date"), already
    translated by the caller; by default "The date"."""
    what = what or _("The date")
    raw = (text or "").strip()
    if not raw:
        raise DateError(_("%(what)s is missing.", what=what))
    if not raw.isascii():
        raise DateError(_("%(what)s must be written with the digits 0 to 9.", what=what))
    for pattern, order in ((ISO, "ymd"), (YEAR_FIRST, "ymd"), (DAY_FIRST, "dmy")):
        match = pattern.fullmatch(raw)
        if match:
            parts = dict(zip(order, (int(n) for n in match.groups()), strict=True))
            try:
                return date(parts["y"], parts["m"], parts["d"])
            except ValueError:
                raise DateError(
                    _("%(what)s %(date)s is not a day of the calendar.", what=what, date=raw)
                ) from None
    raise DateError(
        _(
            "%(what)s is not a date we can read; write it as %(example)s or 2022-03-15.",
            what=what,
            example=date_example(fmt),
        )
    )


def _local(value: datetime) -> datetime:
    """A stored UTC time in the reader's zone; a time already given in a zone of its
    own (a meeting's, in the meeting's city) stays there."""
    if value.tzinfo is None or value.utcoffset() == timedelta(0) and value.tzinfo in UTC_ZONES:
        return value.replace(tzinfo=UTC).astimezone(current_zone())
    return value


def format_day(value: date | datetime | None, fmt: str | None = None) -> str:
    """A day as the reader's language writes it: "15 Mar 2022", "2022. márc. 15."."""
    if value is None:
        return "–"
    if isinstance(value, datetime):
        value = _local(value).date()
    return babel_date(value, "medium", locale=babel_locale(fmt or current_format()))


def format_moment(value: datetime | None, fmt: str | None = None, seconds: bool = False) -> str:
    """A stored UTC time in the reader's zone: "15 Mar 2022, 14:05 CET"."""
    if value is None:
        return "–"
    local = _local(value)
    locale = babel_locale(fmt or current_format())
    day = babel_date(local.date(), "medium", locale=locale)
    clock = babel_datetime(local, "HH:mm:ss" if seconds else "HH:mm", locale=locale)
    return f"{day}, {clock} {local.tzname()}"
