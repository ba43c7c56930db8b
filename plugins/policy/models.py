"""Tables of the policy papers: a region's situation report and its recommendations for
regional policy, and the project's recommendations for the next programming period;
each paper's steps (who moved it where, when, with what remarks)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workspace.api import Document, Region, User, UTCDateTime, db, utcnow


class Kind(enum.StrEnum):
    """What a paper is: two per region, one for the project."""

    SITUATION = "situation"
    RECOMMENDATIONS = "recommendations"
    NEXT_PERIOD = "next_period"

    @property
    def label(self) -> str:
        """The kind as the reader reads it (the value is the stored code)."""
        return str(
            {
                "situation": _l("Situation report"),
                "recommendations": _l("Recommendations for regional policy"),
                "next_period": _l("Recommendations for the next programming period"),
            }[self.value]
        )

    @property
    def regional(self) -> bool:
        return self is not Kind.NEXT_PERIOD


REGION_KINDS = (Kind.SITUATION, Kind.RECOMMENDATIONS)


class State(enum.StrEnum):
    """Draft -> In review (with the advisory partner) -> Reviewed -> Endorsed (by the
    region's stakeholder group); back to Draft, with remarks, from any later state."""

    DRAFT = "draft"
    REVIEW = "review"
    REVIEWED = "reviewed"
    ENDORSED = "endorsed"

    @property
    def label(self) -> str:
        """The state as the reader reads it (the value is the stored code)."""
        return str(
            {
                "draft": _l("Draft"),
                "review": _l("In review"),
                "reviewed": _l("Reviewed by the advisory partner"),
                "endorsed": _l("Endorsed"),
            }[self.value]
        )

    @property
    def short(self) -> str:
        return str(
            {
                "draft": _l("Draft"),
                "review": _l("In review"),
                "reviewed": _l("Reviewed"),
                "endorsed": _l("Endorsed"),
            }[self.value]
        )


class Paper(db.Model):
    """A policy paper: its text is a core Document (revisions, merge, comments, files),
    its state moves by compare-and-swap on ``version``."""

    __tablename__ = "policy_paper"
    # One paper of each kind per region (the project's one is checked in code: NULLs
    # differ in SQL).
    __table_args__ = (UniqueConstraint("region_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int | None] = mapped_column(
        ForeignKey("region.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(20), default=State.DRAFT.value)
    # The stakeholder group's endorsement, in words, and its day (as typed).
    endorsed_by: Mapped[str] = mapped_column(String(300), default="")
    endorsed_on: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    region: Mapped[Region | None] = relationship()
    document: Mapped[Document | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    steps: Mapped[list[PaperStep]] = relationship(
        back_populates="paper", order_by="PaperStep.id", cascade="all, delete-orphan"
    )

    @property
    def ref(self) -> str:
        return f"policy:paper:{self.id}"

    @property
    def status(self) -> State:
        return State(self.state)

    @property
    def type(self) -> Kind:
        return Kind(self.kind)


class PaperStep(db.Model):
    """A step of a paper's workflow: who moved it to ``state``, when, with what remarks;
    an endorsement keeps who endorsed it, in words, and the day."""

    __tablename__ = "policy_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(
        ForeignKey("policy_paper.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")
    endorsed_by: Mapped[str] = mapped_column(String(300), default="")
    endorsed_on: Mapped[date | None]

    paper: Mapped[Paper] = relationship(back_populates="steps")
    by: Mapped[User | None] = relationship()

    @property
    def status(self) -> State:
        return State(self.state)

    @property
    def day(self) -> date:
        """The day the step counts for: an endorsement's own day, else when it was taken."""
        return self.endorsed_on or self.at.date()
