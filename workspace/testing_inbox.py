"""What a notification test reads back, through the pages and the outbox a person
would see (``workspace.testing`` re-exports these):

- ``inbox(app, user)``: the (subject, link) of each notification the person's inbox
  page lists, newest first;
- ``queued_mails(app, user)``: the (subject, text) of each mail queued for the person,
  oldest first;
- ``run_worker(app, at=None)``: one look of the worker, as ``flask worker --once``
  does, at the moment ``at`` (a datetime or ISO text, UTC) when given.
"""

from __future__ import annotations

import html
import re
from datetime import datetime

from flask import Flask
from sqlalchemy import select

from .extensions import db
from .mail import OutboxMessage
from .models import User
from .testing_clients import PASSWORD, sign_in

_ITEM = re.compile(r'<a href="(/inbox/\d+)"[^>]*>([^<]*)</a>')


def _email(user: User | str) -> str:
    return user if isinstance(user, str) else user.email


def inbox(app: Flask, user: User | str, password: str | None = None) -> list[tuple[str, str]]:
    """(subject, link) of each notification on the person's inbox page, newest first;
    ``password`` for an account that does not have the test password (the demo's)."""
    page = sign_in(app, _email(user), password or PASSWORD).get("/inbox").text
    return [(html.unescape(subject), link) for link, subject in _ITEM.findall(page)]


def queued_mails(app: Flask, user: User | str) -> list[tuple[str, str]]:
    """(subject, text part) of each mail queued for the person, oldest first."""
    address = _email(user)
    with app.app_context():
        rows = db.session.execute(
            select(
                OutboxMessage.recipients, OutboxMessage.subject, OutboxMessage.text_body
            ).order_by(OutboxMessage.id)
        )
        return [(subject, text) for to, subject, text in rows if address in to]


def run_worker(app: Flask, at: datetime | str | None = None) -> None:
    """One look of the worker (``flask worker --once``), at ``at`` when given: the
    setting ``NOW`` stays at that moment afterwards, as the clock of the test."""
    if at is not None:
        app.config["NOW"] = at
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
