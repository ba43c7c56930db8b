"""The portfolio's tables: good practices, their ratings by region, and analyses."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workspace.api import Document, Partner, Region, Trashable, User, UTCDateTime, db, utcnow

# The programme's four thematic objectives (Interreg Europe 2014-2020). A practice
# stores the English name (a code); people read it in their language (``topic_label``).
TOPIC_LABELS = {
    "SME competitiveness": _l("SME competitiveness"),
    "Research and innovation": _l("Research and innovation"),
    "Low-carbon economy": _l("Low-carbon economy"),
    "Environment and resource efficiency": _l("Environment and resource efficiency"),
}
TOPICS = list(TOPIC_LABELS)


def topic_label(topic: str) -> str:
    """A stored topic as the reader reads it (one not listed stays as stored)."""
    label = TOPIC_LABELS.get(topic)
    return str(label) if label is not None else topic


def topic_choices() -> list[tuple[str, str]]:
    """The topics as (stored value, label in the reader's language)."""
    return [(topic, str(label)) for topic, label in TOPIC_LABELS.items()]


_STATUS_LABELS = {
    "draft": _l("Draft"),
    "submitted": _l("Awaiting validation"),
    "returned": _l("Returned for changes"),
    "approved": _l("Approved"),
    "declined": _l("Declined"),
}


class Status(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"
    DECLINED = "declined"

    @property
    def label(self) -> str:
        """The state as the reader reads it (the value is the stored code)."""
        return str(_STATUS_LABELS[self.value])

    @property
    def editable(self) -> bool:
        return self in (Status.DRAFT, Status.RETURNED)


# Practices that are in the portfolio: submitted ones are shown as awaiting validation.
IN_PORTFOLIO = (Status.SUBMITTED.value, Status.APPROVED.value)

# Interest of a region in transferring a practice, with what each score means.
SCORES = {
    0: _l("No interest"),
    1: _l("Some interest"),
    2: _l("Strong interest"),
    3: _l("Transfer planned"),
}


def score_labels() -> dict[int, str]:
    """The scores' meanings in the reader's language, as plain (escapable) text."""
    return {score: str(label) for score, label in SCORES.items()}


class Practice(Trashable, db.Model):
    """A good practice identified in a region (the programme's template fields).

    The long texts (description, resources, evidence, lessons, transfer potential)
    live in one core Document, one section each, so they get revisions, merge and
    comments like every other text.
    """

    __tablename__ = "portfolio_practice"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id", ondelete="CASCADE"), index=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(100))
    institution: Mapped[str] = mapped_column(String(200), default="")
    country: Mapped[str] = mapped_column(String(2), default="")
    nuts: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    linked_project: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    website: Mapped[str] = mapped_column(String(300), default="")
    contact: Mapped[str] = mapped_column(String(300), default="")
    topic: Mapped[str] = mapped_column(String(60), default="")
    keywords: Mapped[str] = mapped_column(String(300), default="")
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default=Status.DRAFT.value)
    # The validator's message when a practice is returned or declined.
    decision_note: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Optimistic locking: a form carries the version it was made from.
    version: Mapped[int] = mapped_column(default=1)

    region: Mapped[Region] = relationship()
    partner: Mapped[Partner | None] = relationship()
    document: Mapped[Document | None] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    ratings: Mapped[list[Rating]] = relationship(
        back_populates="practice", cascade="all, delete-orphan"
    )

    @property
    def ref(self) -> str:
        return f"portfolio:practice:{self.id}"

    @property
    def state(self) -> Status:
        return Status(self.status)

    @property
    def topic_label(self) -> str:
        return topic_label(self.topic)


class Rating(db.Model):
    """How interested one region is in transferring one practice (0-3), with a note."""

    __tablename__ = "portfolio_rating"
    __table_args__ = (UniqueConstraint("practice_id", "region_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(
        ForeignKey("portfolio_practice.id", ondelete="CASCADE"), index=True
    )
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id", ondelete="CASCADE"))
    score: Mapped[int]
    note: Mapped[str] = mapped_column(String(300), default="")
    rated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    practice: Mapped[Practice] = relationship(back_populates="ratings")
    region: Mapped[Region] = relationship()
    rated_by: Mapped[User | None] = relationship()


class Analysis(Trashable, db.Model):
    """A portfolio analysis, typically concluding a thematic visit: the practices
    seen, their ratings, and a conclusions Document."""

    __tablename__ = "portfolio_analysis"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id", ondelete="SET NULL"))
    visit_on: Mapped[date | None]
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    region: Mapped[Region | None] = relationship()
    document: Mapped[Document | None] = relationship()
    practices: Mapped[list[Practice]] = relationship(
        secondary="portfolio_analysis_practice", order_by="Practice.title"
    )

    @property
    def ref(self) -> str:
        return f"portfolio:analysis:{self.id}"


class AnalysisPractice(db.Model):
    __tablename__ = "portfolio_analysis_practice"

    analysis_id: Mapped[int] = mapped_column(
        ForeignKey("portfolio_analysis.id", ondelete="CASCADE"), primary_key=True
    )
    practice_id: Mapped[int] = mapped_column(
        ForeignKey("portfolio_practice.id", ondelete="CASCADE"), primary_key=True
    )
