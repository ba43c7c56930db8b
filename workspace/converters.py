"""Numbers and names from the request, bounded in one place.

URL converters: anything that cannot be a region slug or a row id is a 404 at routing,
before it reaches the database (PostgreSQL rejects NUL bytes and integers over 32 bits).
Plugins' ``<int:...>`` routes get the same bounds as the core's ``<id:...>`` ones.

``db_int`` does the same for numbers in query strings and forms:
``request.args.get("before", type=db_int)`` reads a number that is too big, negative
or written with other digits than 0-9 as missing (werkzeug treats the ValueError of
``type`` so), never as a 500 and never as another number.
"""

from __future__ import annotations

import builtins

from flask import Flask
from werkzeug.routing import BaseConverter, IntegerConverter

# The largest value of an INTEGER column on PostgreSQL (and of a row id here).
MAX_ID = 2**31 - 1
_MAX_DIGITS = len(str(MAX_ID))


def db_int(value: str | int) -> int:
    """``value`` as a whole number from 0 to ``MAX_ID``, or ValueError.

    Text must be ASCII digits only: no sign, spaces, underscores, exponent, or the
    digits of other scripts (``int()`` would read "١٢" as 12 and " 1_0 " as 10).
    """
    if isinstance(value, bool):
        raise ValueError("not a number")
    if isinstance(value, int):
        number = value
    elif (
        isinstance(value, str)
        and 0 < len(value) <= _MAX_DIGITS + 10  # leading zeros are fine, a novel is not
        and value.isascii()
        and value.isdigit()
    ):
        number = int(value)
    else:
        raise ValueError("not a whole number written with the digits 0-9")
    if not 0 <= number <= MAX_ID:
        raise ValueError(f"not between 0 and {MAX_ID}")
    return number


class SlugConverter(BaseConverter):
    regex = r"[a-z][a-z0-9-]{0,39}"


class BoundedIntConverter(IntegerConverter):
    """werkzeug's ``int``, ASCII digits only and never beyond what the database holds:
    ``/meetings/9223372036854775808`` is a 404, not an OverflowError."""

    regex = r"[0-9]+"

    def __init__(
        self,
        url_map,
        fixed_digits: int = 0,
        min: int | None = None,  # werkzeug's names: <int(min=1):n>
        max: int | None = None,
        signed: bool = False,
    ) -> None:
        low = -MAX_ID - 1 if signed else 0
        super().__init__(
            url_map,
            fixed_digits=fixed_digits,
            min=low if min is None else builtins.max(min, low),
            max=MAX_ID if max is None else builtins.min(max, MAX_ID),
            signed=signed,
        )


class IdConverter(BoundedIntConverter):
    def __init__(self, url_map, **kwargs) -> None:
        super().__init__(url_map, min=1, max=MAX_ID)


def init_app(app: Flask) -> None:
    app.url_map.converters["slug"] = SlugConverter
    app.url_map.converters["id"] = IdConverter
    app.url_map.converters["int"] = BoundedIntConverter
