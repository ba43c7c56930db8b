"""The daily digest: once a day, at or after 07:00 in each person's time zone, one mail
with their unread notifications of the kinds they get daily, not yet e-mailed.

A scheduled job of the worker (``workspace.jobs``) looks every few minutes. The day of a
person's last digest is kept in ``notification_digest`` and claimed with a conditional
write before the mail is queued, so two workers (or a job run twice) send one digest a
day. A notification read in the inbox before the digest is left out of it, and so is
one that ``notify`` would not send now (its module switched off where it lives, its
text deleted, the person's access gone): it stays in the inbox, unmailed.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from . import clock
from .extensions import db
from .jobs import scheduled
from .locales import project_zone
from .models import User
from .notification_kinds import Delivery
from .notification_mail import send_digest
from .notification_models import Notification, NotificationDigest
from .notifications import kinds, still_for

DIGEST_TIME = time(7, 0)

_PENDING = (
    Notification.delivery == Delivery.DAILY.value,
    Notification.emailed_at.is_(None),
    Notification.read_at.is_(None),
)


def zone_of(user: User) -> ZoneInfo:
    try:
        return ZoneInfo(user.time_zone) if user.time_zone else project_zone()
    except (ZoneInfoNotFoundError, ValueError):
        return project_zone()


@scheduled("notifications.daily_digest", every=timedelta(minutes=5))
def send_digests() -> int:
    """Send the digests that are due now; returns how many were queued."""
    moment = clock.now()
    user_ids = db.session.scalars(select(Notification.user_id).where(*_PENDING).distinct()).all()
    labels = {name: kind.label for name, kind in kinds().items()}
    sent = 0
    for user_id in sorted(user_ids):
        user = db.session.get(User, user_id)
        if user is None or not user.active:
            continue
        local = moment.astimezone(zone_of(user))
        if local.time() < DIGEST_TIME or not _claim_day(user, local.date(), moment):
            continue
        items = [
            item
            for item in db.session.scalars(
                select(Notification)
                .where(
                    Notification.user_id == user.id, *_PENDING, Notification.created_at <= moment
                )
                .order_by(Notification.created_at, Notification.id)
            )
            if still_for(item, user)  # what is no longer theirs stays in the inbox only
        ]
        if not items:
            db.session.rollback()  # nothing to send: the day stays unclaimed
            continue
        send_digest(user, items, labels)
        for item in items:
            item.emailed_at = moment
        db.session.commit()
        sent += 1
    return sent


def _claim_day(user: User, day: date, moment: datetime) -> bool:
    """Write ``day`` as the person's digest day unless it is written already (by this
    worker or another), each in one statement; the caller commits with the mail."""
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    first = (
        dialect.insert(NotificationDigest.__table__)
        .values(user_id=user.id, sent_on=day, sent_at=moment)
        .on_conflict_do_nothing(index_elements=["user_id"])
        .returning(NotificationDigest.user_id)
    )
    if db.session.execute(first).first() is not None:
        return True
    later = (
        update(NotificationDigest)
        .where(NotificationDigest.user_id == user.id, NotificationDigest.sent_on < day)
        .values(sent_on=day, sent_at=moment)
    )
    return db.session.execute(later).rowcount == 1
