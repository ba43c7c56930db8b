"""Whose number, date and time format a page is read and written in.

Numbers and dates follow the person's interface language (``workspace.i18n``) unless
they chose another "number and date format" on their account page (a Hungarian reading
the English interface may still write 4 500,00). Times are shown in the account's time
zone, else the project's (``TIME_ZONE``, Europe/Brussels by default).
"""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel import Locale
from flask import current_app, g, has_request_context
from flask_login import current_user

from .i18n import current_language

# The consortium's languages; the English format writes dates day first (en_GB).
FORMATS: dict[str, str] = {
    "en": "English: 4,500.00 · 15/03/2022",
    "hu": "Magyar: 4 500,00 · 2022. 03. 15.",
    "it": "Italiano: 4.500,00 · 15/03/2022",
    "pl": "Polski: 4 500,00 · 15.03.2022",
    "es": "Español: 4.500,00 · 15/03/2022",
    "lt": "Lietuvių: 4 500,00 · 2022-03-15",
}
DEFAULT_FORMAT = "en"
BABEL_LOCALE = {"en": "en_GB"}


@lru_cache(maxsize=32)
def babel_locale(code: str) -> Locale:
    """Babel's locale for a format code, parsed once per process: parsing builds a new
    ``Locale`` and looks its data up on disk, which every formatted number would pay
    for. A ``Locale`` is read-only once built, so workers' threads share it."""
    return Locale.parse(BABEL_LOCALE.get(code, code))


def current_format() -> str:
    """The format code ("en", "hu", ...) of the person this request is for."""
    if not has_request_context():
        return DEFAULT_FORMAT
    cached = g.get("_number_format")
    if cached is not None:
        return cached
    chosen = getattr(current_user, "number_format", None) if current_user else None
    if chosen not in FORMATS:
        chosen = current_language()
    g._number_format = chosen
    return chosen


@lru_cache(maxsize=1)
def zone_names() -> tuple[str, ...]:
    """Time zones offered on the account page: the IANA areas people live in. Read
    once per process: listing them walks the time zone files (7 to 25 ms)."""
    return tuple(
        sorted(
            name
            for name in available_timezones()
            if name.split("/")[0]
            in ("Europe", "Africa", "America", "Asia", "Atlantic", "Australia")
        )
    )


def project_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIME_ZONE"])


def current_zone() -> ZoneInfo:
    """The time zone timestamps are shown in: the account's, else the project's."""
    if not has_request_context():
        return project_zone()
    cached = g.get("_time_zone")
    if cached is not None:
        return cached
    name = getattr(current_user, "time_zone", None) if current_user else None
    try:
        zone = ZoneInfo(name) if name else project_zone()
    except (ZoneInfoNotFoundError, ValueError):
        zone = project_zone()
    g._time_zone = zone
    return zone
