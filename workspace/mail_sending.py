"""Delivering the outbox: claim the due messages, send them, record what happened.

A worker claims a batch in one short transaction: the due rows get status
``sending``, one more attempt and a lease (``next_attempt_at`` a while ahead). The
claim is one ``UPDATE ... WHERE id IN (due rows)``; on PostgreSQL the due rows are
picked ``FOR UPDATE SKIP LOCKED``, on SQLite the statement holds the database's write
lock, so two workers never claim one message. Each message is then sent and marked
in its own commit.

- With no ``MAIL_SERVER`` each message is written to ``instance/outbox/`` as an
  ``.eml`` file and marked sent.
- The server unreachable, the connection lost, a 4xx answer: the message waits
  ``MAIL_RETRY_FIRST_MINUTES``, doubling with each attempt up to
  ``MAIL_RETRY_MAX_MINUTES``, and is ``failed`` after ``MAIL_MAX_ATTEMPTS``. Nothing is
  dropped unseen: the admin's outbox page lists it with its error.
- A 5xx answer for the recipients or the message (a bad address): ``failed`` at once,
  the server's answer kept in ``last_error``. Recipients refused beside accepted ones
  are noted there on the sent message.

Delivery is at least once: a worker that dies after the server accepted a message and
before its commit leaves it ``sending``; when the lease runs out it is sent again (with
the same Message-ID). In normal operation, stopped workers included, nothing is sent
twice.
"""

from __future__ import annotations

import smtplib
import ssl
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import Update, select, update

from . import clock
from .extensions import db
from .mail import MailStatus, OutboxMessage, compose, sender

BATCH = 20
# How long a claimed message is left to its worker; after that, another may take it.
# Longer than a batch takes even when every message waits for the SMTP timeout once.
LEASE = timedelta(minutes=15)
SMTP_TIMEOUT_SECONDS = 30
DEFAULT_PORTS = {"ssl": 465, "tls": 587, "plain": 25}


class ConnectionLost(Exception):
    """The SMTP connection is gone: this message and the rest of the batch wait."""


def deliver_due() -> Counter[str]:
    """Send every message that is due, batch by batch; counts of "sent", "retry" and
    "failed". Needs an app context."""
    outcomes: Counter[str] = Counter()
    with _transport() as transport:
        while ids := claim(BATCH):
            sent, lost = _deliver(ids, transport)
            outcomes += sent
            # With the server away, the other due messages wait for the next round
            # untouched, rather than each batch waiting for a connection again.
            if lost or len(ids) < BATCH:
                break
    return outcomes


def claim(limit: int) -> list[int]:
    """Claim up to ``limit`` due messages for this worker and commit; their ids."""
    db.session.commit()  # start the claim in a fresh transaction
    ids = db.session.scalars(claim_due(limit, clock.now())).all()
    db.session.commit()
    return sorted(ids)


def claim_due(limit: int, moment: datetime) -> Update:
    """The statement that claims up to ``limit`` messages due at ``moment`` (a lease,
    one more attempt) and returns their ids. Rows another transaction is claiming are
    skipped on PostgreSQL, not waited for."""
    due = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status.in_([MailStatus.QUEUED.value, MailStatus.SENDING.value]),
            OutboxMessage.next_attempt_at <= moment,
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    return (
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(due.scalar_subquery()))
        .values(
            status=MailStatus.SENDING.value,
            attempts=OutboxMessage.attempts + 1,
            next_attempt_at=moment + LEASE,
        )
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    )


class _Transport:
    """Where messages go: the SMTP server (connected when first needed) or files."""

    def __init__(self, config: Any) -> None:
        self.config = config
        self.smtp: smtplib.SMTP | None = None

    def send(self, message: OutboxMessage) -> dict[str, tuple[int, bytes]]:
        """Hand ``message`` over; the recipients refused beside accepted ones."""
        from_address = sender(self.config)
        email = compose(message, from_address, clock.now())
        if not self.config.get("MAIL_SERVER"):
            try:
                self._write_file(message, bytes(email))
            except OSError as exc:  # a full disk: this and the rest wait for later
                raise ConnectionLost(_describe(exc)) from exc
            return {}
        if self.smtp is None:
            try:
                self.smtp = _connect(self.config)
            except OSError as exc:  # smtplib's errors are OSErrors too: refused log-in
                raise ConnectionLost(_describe(exc)) from exc
        try:
            return self.smtp.send_message(
                email, from_addr=parseaddr(from_address)[1], to_addrs=message.recipients
            )
        except smtplib.SMTPServerDisconnected as exc:
            self.close()
            raise ConnectionLost(_describe(exc)) from exc
        except smtplib.SMTPException:
            raise  # an answer about this message; the connection is still good
        except OSError as exc:
            self.close()
            raise ConnectionLost(_describe(exc)) from exc

    def _write_file(self, message: OutboxMessage, content: bytes) -> None:
        folder = Path(current_app.instance_path) / "outbox"
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{message.created_at:%Y%m%dT%H%M%SZ}-{message.id}.eml"
        partial = folder / f".{name}.part"  # never a half-written .eml for a reader
        partial.write_bytes(content)
        partial.replace(folder / name)

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None


@contextmanager
def _transport() -> Iterator[_Transport]:
    transport = _Transport(current_app.config)
    try:
        yield transport
    finally:
        transport.close()


def _connect(config: Any) -> smtplib.SMTP:
    host = config["MAIL_SERVER"]
    security = "ssl" if config["MAIL_USE_SSL"] else "tls" if config["MAIL_USE_TLS"] else "plain"
    port = int(config["MAIL_PORT"] or DEFAULT_PORTS[security])
    context = ssl.create_default_context()
    if security == "ssl":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            host, port, timeout=SMTP_TIMEOUT_SECONDS, context=context
        )
    else:
        smtp = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT_SECONDS)
    try:
        if security == "tls":
            smtp.starttls(context=context)
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    except OSError:
        smtp.close()
        raise
    return smtp


def _deliver(ids: list[int], transport: _Transport) -> tuple[Counter[str], bool]:
    """Send the claimed messages; the outcomes, and whether the connection was lost."""
    outcomes: Counter[str] = Counter()
    lost: str | None = None
    messages = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.id)
    ).all()
    for message in messages:
        if lost is not None:
            outcomes[_retry(message, lost)] += 1
        else:
            outcome, lost = _send_one(message, transport)
            outcomes[outcome] += 1
        db.session.commit()
    return outcomes, lost is not None


def _send_one(message: OutboxMessage, transport: _Transport) -> tuple[str, str | None]:
    """Send one message and record the outcome on it; the outcome, and the error when
    the connection is gone."""
    try:
        refused = transport.send(message)
    except ConnectionLost as exc:
        return _retry(message, str(exc)), str(exc)
    except smtplib.SMTPRecipientsRefused as exc:
        error = _refusals(exc.recipients)
        if all(code >= 500 for code, _ in exc.recipients.values()):
            return _fail(message, error), None
        return _retry(message, error), None
    except smtplib.SMTPNotSupportedError as exc:
        # An address needs SMTPUTF8 and the server has not got it: no retry helps.
        return _fail(message, _describe(exc)), None
    except smtplib.SMTPDataError as exc:
        # The server refused this message (its content, its size): for good on a 5xx.
        if exc.smtp_code >= 500:
            return _fail(message, _describe(exc)), None
        return _retry(message, _describe(exc)), None
    except smtplib.SMTPException as exc:  # the sender refused, a 4xx, the protocol
        return _retry(message, _describe(exc)), None
    message.status = MailStatus.SENT.value
    message.sent_at = clock.now()
    message.last_error = _refusals(refused) if refused else ""
    return "sent", None


def _retry(message: OutboxMessage, error: str) -> str:
    config = current_app.config
    message.last_error = error
    if message.attempts >= int(config["MAIL_MAX_ATTEMPTS"]):
        message.status = MailStatus.FAILED.value
        return "failed"
    minutes = min(
        float(config["MAIL_RETRY_FIRST_MINUTES"]) * 2 ** (message.attempts - 1),
        float(config["MAIL_RETRY_MAX_MINUTES"]),
    )
    message.status = MailStatus.QUEUED.value
    message.next_attempt_at = clock.now() + timedelta(minutes=minutes)
    return "retry"


def _fail(message: OutboxMessage, error: str) -> str:
    message.status = MailStatus.FAILED.value
    message.last_error = error
    return "failed"


def _refusals(refused: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(
        f"{address}: {code} {_text(answer)}" for address, (code, answer) in refused.items()
    )


def _describe(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_text(exc.smtp_error)}"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _text(answer: bytes | str) -> str:
    return answer.decode(errors="replace") if isinstance(answer, bytes) else str(answer)
