"""The tables of notifications: each person's inbox (``Notification``), their e-mail
choice per kind (``NotificationPreference``) and the day of their last daily digest
(``NotificationDigest``). What writes and reads them is ``workspace.notifications``."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db
from .models import User, UTCDateTime

SUBJECT_MAX = 300


class Notification(db.Model):
    """One thing a person was told: in their inbox until read, and e-mailed (at once
    or in a digest) as they chose for its kind when it was made (``delivery``)."""

    __tablename__ = "notification"
    __table_args__ = (
        # The unread count on every page, and the inbox newest first.
        Index("ix_notification_user_read", "user_id", "read_at"),
        Index("ix_notification_user_created", "user_id", "created_at"),
        # What the daily digest still has to send.
        Index("ix_notification_pending", "delivery", "emailed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(SUBJECT_MAX))
    # A path of this workspace ("/docs/12#comment-3"); opening the notification goes there.
    url: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text, default="")
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id", ondelete="SET NULL"))
    # News of a partner's controlled work (its report): its controllers may read it too.
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    plugin: Mapped[str | None] = mapped_column(String(60))
    # What it is about, as a reference ("doc:12", "minutes:meeting:4").
    target: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivery: Mapped[str] = mapped_column(String(12))
    # When it went out by e-mail (at once, or in a digest); None: not (yet).
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class NotificationPreference(db.Model):
    """A person's choice for one kind; without a row, the kind's default holds."""

    __tablename__ = "notification_preference"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(60), primary_key=True)
    delivery: Mapped[str] = mapped_column(String(12))


class NotificationDigest(db.Model):
    """The day (in the person's time zone) their last daily digest went out: one a day."""

    __tablename__ = "notification_digest"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    sent_on: Mapped[date] = mapped_column(Date())
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
