"""The current moment, in UTC, for code whose behaviour depends on "now".

Outside tests this is the system clock. A test fixes (and moves) it with the ``NOW``
setting, an aware ``datetime`` or an ISO 8601 string (``"2027-03-01T09:00:00+00:00"``;
a string without an offset is read as UTC), so retries, reminders and digests can be
checked without waiting.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app, has_app_context


def now() -> datetime:
    """The aware UTC moment; ``NOW`` in the app's config fixes it for tests."""
    fixed = current_app.config.get("NOW") if has_app_context() else None
    if not fixed:
        return datetime.now(UTC)
    moment = fixed if isinstance(fixed, datetime) else datetime.fromisoformat(str(fixed))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
