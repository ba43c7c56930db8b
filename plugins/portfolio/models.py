"""The portfolio's tables: good practices, their ratings by region, and analyses."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workspace.api import Document, Partner, Region, Trashable, User, UTCDateTime, db, utcnow

# The programme's four thematic objectives (Interreg Europe 2014-2020).
TOPICS = [
    "SME competitiveness",
    "Research and innovation",
    "Low-carbon economy",
    "Environment and resource efficiency",
]


class Status(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"
    DECLINED = "declined"

    @property
    def label(self) -> str:
        return {
            "draft": "Draft",
            "submitted": "Awaiting validation",
            "returned": "Returned for changes",
            "approved": "Approved",
            "declined": "Declined",
        }[self.value]

    @property
    def editable(self) -> bool:
        return self in (Status.DRAFT, Status.RETURNED)


# Practices that are in the portfolio: submitted ones are shown as awaiting validation.
IN_PORTFOLIO = (Status.SUBMITTED.value, Status.APPROVED.value)

# Interest of a region in transferring a practice, with what each score means.
SCORES = {
    0: "No interest",
    1: "Some interest",
    2: "Strong interest",
    3: "Transfer planned",
}


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
