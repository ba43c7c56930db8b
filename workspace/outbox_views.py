"""Admin -> Outbox: the e-mail the workspace queued, sent or gave up on.

With no mail server set (a laptop, a trial) this is where the messages can be read:
each one's text as it was composed. With a server it shows what is waiting for a
retry and why a message failed, and "Send again" puts a failed or waiting message at
the front of the worker's queue (one more attempt, now: after a server's outage, or
once a full mailbox has room). Admins only (the pages join ``admin.bp``).
"""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from . import clock
from .activity import record
from .admin import bp
from .extensions import db
from .mail import MailStatus, OutboxMessage, compose, sender
from .rendering import render

SHOWN = 200


@bp.get("/outbox")
def outbox() -> Response:
    messages = db.session.scalars(
        select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(SHOWN)
    ).all()
    counts = dict(
        db.session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        ).all()
    )
    return render(
        "admin/outbox.html",
        outbox_messages=messages,
        counts=counts,
        server=current_app.config["MAIL_SERVER"],
        shown=SHOWN,
    )


@bp.get("/outbox/<id:message_id>")
def outbox_message(message_id: int) -> Response:
    message = db.session.get(OutboxMessage, message_id) or abort(404)
    email = compose(message, sender(current_app.config), message.sent_at or clock.now())
    headers = [(name, str(value)) for name, value in email.items()]
    return render("admin/outbox_message.html", message=message, headers=headers)


@bp.post("/outbox/<id:message_id>/retry")
def retry_message(message_id: int) -> Response:
    message = db.session.get(OutboxMessage, message_id) or abort(404)
    if message.status not in (MailStatus.FAILED, MailStatus.QUEUED):
        if message.status == MailStatus.SENT:
            flash(_("This message is sent: there is nothing to send again."), "error")
        else:
            flash(_("This message is sending: there is nothing to send again."), "error")
        return redirect(url_for("admin.outbox_message", message_id=message.id), 303)
    message.status = MailStatus.QUEUED.value
    message.next_attempt_at = clock.now()
    record("mail_retried", target=f"mail:{message.id}")
    db.session.commit()
    flash(_("The worker sends it again at its next look, within a minute."), "success")
    return redirect(url_for("admin.outbox_message", message_id=message.id), 303)
