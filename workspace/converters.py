"""URL converters: anything that cannot be a region slug or a row id is a 404 at routing,
before it reaches the database (PostgreSQL rejects NUL bytes and integers over 32 bits)."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import BaseConverter, IntegerConverter

MAX_ID = 2**31 - 1


class SlugConverter(BaseConverter):
    regex = r"[a-z][a-z0-9-]{0,39}"


class IdConverter(IntegerConverter):
    def __init__(self, url_map, **kwargs) -> None:
        super().__init__(url_map, min=1, max=MAX_ID)


def init_app(app: Flask) -> None:
    app.url_map.converters["slug"] = SlugConverter
    app.url_map.converters["id"] = IdConverter
