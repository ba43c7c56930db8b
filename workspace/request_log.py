"""One JSON line per request, for log collectors (``LOG_FORMAT = "json"``).

With the default ``"text"`` the app logs nothing per request: gunicorn's access log
does that job. With ``"json"`` each request ends with one line on the logger
``workspace.requests`` (stderr unless the operator configures it otherwise):

    {"time": "2026-12-03T09:15:02.113Z", "request_id": "9f0c...", "user_id": 7,
     "method": "GET", "route": "/docs/<id:document_id>", "path": "/docs/12",
     "status": 200, "duration_ms": 12.4, "remote_addr": "203.0.113.9"}

``route`` is the URL rule, so dashboards can group by page without one series per
document; ``path`` is there to find the one request. Query strings are never logged
(a set-password link's token, a search someone typed), and neither are cookies,
forms or headers; a path argument that names a secret (``/set-password/<token>``) is
written as ``<redacted>``. The request id comes from the proxy's ``X-Request-Id`` when
it looks like one (nginx's ``$request_id``), else it is made here; either way the
response carries it back, so a person reporting an error can quote it.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, g, request

LOGGER = logging.getLogger("workspace.requests")
HEADER = "X-Request-Id"
REDACTED = "<redacted>"
# What a proxy's request id looks like: short, and nothing that could forge a log line.
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")
# Path arguments whose values are secrets (the set-password link's token).
_SECRET_ARGUMENT = re.compile(r"token|secret|password|code", re.IGNORECASE)


class _CurrentStderr(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (a test runner swaps it)."""

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def init_app(app: Flask) -> None:
    """Log every request as a JSON line when ``LOG_FORMAT`` is ``"json"``.

    Called first in ``create_app``, so the clock starts before any other hook runs.
    """
    log_format = str(app.config["LOG_FORMAT"]).lower()
    if log_format not in {"text", "json"}:
        raise RuntimeError(f"LOG_FORMAT {app.config['LOG_FORMAT']!r} is not 'text' or 'json'")
    if log_format != "json":
        return
    if not LOGGER.handlers:
        handler = _CurrentStderr()
        handler.setFormatter(logging.Formatter("%(message)s"))
        LOGGER.addHandler(handler)
        LOGGER.setLevel(logging.INFO)
        # The app's own logger ("workspace") prefixes lines; these must stay pure JSON.
        LOGGER.propagate = False
    app.before_request(_start)
    app.after_request(_log)


def _start() -> None:
    g.request_started = time.perf_counter()
    offered = request.headers.get(HEADER, "")
    g.request_id = offered if _SANE_ID.fullmatch(offered) else uuid.uuid4().hex


def _log(response: Response) -> Response:
    started = g.get("request_started")
    duration = (time.perf_counter() - started) * 1000 if started is not None else None
    request_id = g.get("request_id") or uuid.uuid4().hex
    response.headers[HEADER] = request_id
    # Flask-Login's user of this request, if a view or hook has loaded one; loading it
    # here would cost a static file or /healthz a session lookup.
    user = g.get("_login_user")
    rule = request.url_rule
    line = {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "request_id": request_id,
        "user_id": user.id if user is not None and user.is_authenticated else None,
        "method": request.method,
        "route": rule.rule if rule is not None else None,
        "path": _loggable_path(),
        "status": response.status_code,
        "duration_ms": round(duration, 1) if duration is not None else None,
        "remote_addr": request.remote_addr,
    }
    LOGGER.info(json.dumps(line, ensure_ascii=False))
    return response


def _loggable_path() -> str:
    """The path, with the values of secret path arguments replaced."""
    path = request.path
    for name, value in (request.view_args or {}).items():
        if _SECRET_ARGUMENT.search(name) and isinstance(value, str) and value:
            path = path.replace(value, REDACTED)
    return path
