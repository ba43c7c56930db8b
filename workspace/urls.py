"""URL building with a memory: the application class of the workspace.

A page builds forty or more URLs (menus, links, forms), and werkzeug builds each one
from its rule every time. A URL is a pure function of the endpoint, its values (after
the ``url_defaults`` functions added theirs) and the script root, so the plain,
relative ones are remembered per process. Anything else goes the usual way:
external URLs, anchors, methods, relative endpoints, and values other than numbers
and short strings.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.globals import _cv_request

# Enough for the menus and a few thousand object links; past it the memory restarts.
CACHE_SIZE = 20_000
# Ids, slugs and short names are remembered; long text (a "next" address someone
# typed, a search) is built each time, so no visitor can fill the memory with it.
LONGEST_VALUE = 64


def _memorable(value: Any) -> bool:
    if isinstance(value, str):
        return len(value) <= LONGEST_VALUE
    return value is None or isinstance(value, int)


class Workspace(Flask):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._built_urls: dict[tuple, str] = {}

    def url_for(
        self,
        /,
        endpoint: str,
        *,
        _anchor: str | None = None,
        _method: str | None = None,
        _scheme: str | None = None,
        _external: bool | None = None,
        **values: Any,
    ) -> str:
        request_context = _cv_request.get(None)
        if (
            request_context is None
            or endpoint[:1] == "."
            or _anchor is not None
            or _method is not None
            or _scheme is not None
            or _external
        ):
            return super().url_for(
                endpoint,
                _anchor=_anchor,
                _method=_method,
                _scheme=_scheme,
                _external=_external,
                **values,
            )
        self.inject_url_defaults(endpoint, values)
        if not all(_memorable(value) for value in values.values()):
            return super().url_for(endpoint, **values)
        key = (
            request_context.request.script_root,
            endpoint,
            frozenset((name, type(value), value) for name, value in values.items()),
        )
        url = self._built_urls.get(key)
        if url is None:
            url = super().url_for(endpoint, **values)
            if len(self._built_urls) >= CACHE_SIZE:
                self._built_urls.clear()
            self._built_urls[key] = url
        return url
