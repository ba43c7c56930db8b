"""E-mail, sent outside the request: the outbox table, ``queue_mail`` and composition.

Code that wants to tell someone something calls ``queue_mail`` while it makes its
change: the message becomes a row of ``outbox_message`` in the same database
transaction, so it exists exactly when the change does (a rolled-back request sends
nothing). ``flask --app workspace worker`` (``workspace.worker``) sends what is due,
through the SMTP server of the ``MAIL_*`` settings or, with no server set, into
``instance/outbox/`` as ``.eml`` files (``workspace.mail_sending``).

Messages are composed with the standard library's ``email`` package: multipart text
and HTML, attachments, and ``List-Unsubscribe`` with one-click unsubscribing (RFC 8058)
when the caller gives an unsubscribe link. The Message-ID is fixed when the message is
queued, so a message sent twice after a crash (see ``workspace.mail_sending``) is
recognisably one message.
"""

from __future__ import annotations

import base64
import enum
from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from typing import Any

from flask import current_app
from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from . import clock
from .extensions import db
from .models import UTCDateTime

SUBJECT_MAX = 300
# Attachments are kept inline in the outbox row (base64 in JSON): they are small by
# nature (a calendar invitation, a one-page PDF); a larger total is refused.
ATTACHMENTS_MAX_BYTES = 5 * 1024 * 1024


class MailStatus(enum.StrEnum):
    QUEUED = "queued"  # waiting for its (next) attempt
    SENDING = "sending"  # claimed by a worker; due again if that worker died
    SENT = "sent"
    FAILED = "failed"  # refused for good (a bad address) or out of attempts


class OutboxMessage(db.Model):
    """One message waiting to be sent, or the record of one that was."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(60), default="")  # e.g. "invitation"
    recipients: Mapped[list[str]] = mapped_column(JSON)
    subject: Mapped[str] = mapped_column(String(SUBJECT_MAX))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    unsubscribe_url: Mapped[str | None] = mapped_column(String(2000))
    # [{"filename": ..., "mimetype": ..., "content": base64}, ...]
    attachments: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    message_id: Mapped[str] = mapped_column(String(250))
    status: Mapped[str] = mapped_column(String(10), default=MailStatus.QUEUED.value)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


def queue_mail(
    to: str | Sequence[str],
    subject: str,
    text: str,
    html: str | None = None,
    *,
    kind: str = "",
    unsubscribe_url: str | None = None,
    attachments: Sequence[tuple[str, bytes, str]] = (),  # (filename, content, mimetype)
) -> OutboxMessage:
    """Add a message to the outbox in the current database session: it is sent by the
    worker after the caller's commit, and never if the caller rolls back.

    ``to`` is one address or several (one message, every recipient in ``To``).
    ``kind`` names the reason ("invitation", "password_reset", "notification") for the
    admin's outbox page. Raises ``ValueError`` for no recipient, an address with a line
    break, or attachments over ``ATTACHMENTS_MAX_BYTES``.
    """
    recipients = _recipients(to)
    if unsubscribe_url is not None and _has_line_break(unsubscribe_url):
        raise ValueError("the unsubscribe link contains a line break")
    stored = [
        {
            "filename": filename,
            "mimetype": mimetype,
            "content": base64.b64encode(content).decode("ascii"),
        }
        for filename, content, mimetype in attachments
    ]
    if sum(len(content) for _, content, _ in attachments) > ATTACHMENTS_MAX_BYTES:
        raise ValueError("attachments of an e-mail are limited to 5 MB in total")
    moment = clock.now()
    message = OutboxMessage(
        created_at=moment,
        kind=kind,
        recipients=recipients,
        # A subject is one header line: user text in it (a document's title) may not
        # add lines, which would add headers.
        subject=" ".join(subject.split())[:SUBJECT_MAX],
        text_body=text,
        html_body=html,
        unsubscribe_url=unsubscribe_url,
        attachments=stored,
        message_id=make_msgid(domain=_domain(sender(current_app.config))),
        status=MailStatus.QUEUED.value,
        attempts=0,
        next_attempt_at=moment,
        last_error="",
    )
    db.session.add(message)
    return message


def sender(config: Any) -> str:
    """The From address: ``MAIL_FROM``, or one named after the project."""
    return config.get("MAIL_FROM") or formataddr(
        (f"{config['PROJECT_NAME']} Workspace", "workspace@localhost")
    )


def compose(message: OutboxMessage, from_address: str, moment: datetime) -> EmailMessage:
    """The MIME message for ``message``, dated ``moment``."""
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = from_address
    email["To"] = ", ".join(message.recipients)
    email["Date"] = format_datetime(moment)
    email["Message-ID"] = message.message_id
    if message.unsubscribe_url:
        email["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email.set_content(message.text_body)
    if message.html_body:
        email.add_alternative(message.html_body, subtype="html")
    for attachment in message.attachments:
        maintype, _, subtype = attachment["mimetype"].partition("/")
        email.add_attachment(
            base64.b64decode(attachment["content"]),
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=attachment["filename"],
        )
    return email


def _recipients(to: str | Sequence[str]) -> list[str]:
    addresses = [to] if isinstance(to, str) else list(to)
    cleaned = list(dict.fromkeys(address.strip() for address in addresses if address.strip()))
    if not cleaned:
        raise ValueError("an e-mail needs at least one recipient")
    if any(_has_line_break(address) for address in cleaned):
        raise ValueError("an e-mail address contains a line break")
    return cleaned


def _has_line_break(value: str) -> bool:
    return "\r" in value or "\n" in value


def _domain(address: str) -> str:
    return parseaddr(address)[1].rpartition("@")[2] or "localhost"
