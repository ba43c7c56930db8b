"""Writing to the append-only event log that feeds activity streams and the audit trail."""

from __future__ import annotations

from typing import Any

from flask import has_request_context
from flask_login import current_user

from .extensions import db
from .models import Event, Region, User


def record(
    verb: str,
    *,
    region: Region | None = None,
    target: str = "",
    actor: User | None = None,
    **detail: Any,
) -> Event:
    """Add an event to the current transaction; the caller's commit stores it.

    The actor defaults to the logged-in user of the current request.
    """
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user._get_current_object()
    event = Event(verb=verb, region=region, target=target, actor=actor, detail=detail)
    db.session.add(event)
    return event
