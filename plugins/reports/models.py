"""Tables of the reports plugin: a partner report per partner and period, each of its
submissions (the frozen copy the controller checks), the control result of each
expenditure line, and the report's steps (who moved it where, when, and why)."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workspace.api import Document, Partner, User, UTCDateTime, db, utcnow

MONEY = Numeric(14, 2)


class State(enum.StrEnum):
    """Draft -> Submitted -> In control -> Certified; Returned (with remarks) goes back
    to the partner, who submits again."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_CONTROL = "in_control"
    CERTIFIED = "certified"
    RETURNED = "returned"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]

    @property
    def with_partner(self) -> bool:
        """The partner is writing it (nothing is frozen)."""
        return self in (State.DRAFT, State.RETURNED)


STATE_LABELS = {
    State.DRAFT: "Draft",
    State.SUBMITTED: "Submitted",
    State.IN_CONTROL: "In control",
    State.CERTIFIED: "Certified",
    State.RETURNED: "Returned",
}


class PartnerReport(db.Model):
    """A partner's report for one reporting period. ``version`` makes every step a
    compare-and-swap: two people acting on the same report at once, one is told."""

    __tablename__ = "reports_partner_report"
    __table_args__ = (UniqueConstraint("partner_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    period: Mapped[int]
    state: Mapped[str] = mapped_column(String(20), default=State.DRAFT.value)
    # The narrative: a core document the partner's staff write together.
    narrative_document_id: Mapped[int | None] = mapped_column(
        ForeignKey("document.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When it was first submitted: what its lateness is counted to.
    first_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    certified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The eligible expenditure certified (EUR, the sum of the control lines).
    certified_eur: Mapped[Decimal | None] = mapped_column(MONEY)
    certified_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    version: Mapped[int] = mapped_column(default=1)

    partner: Mapped[Partner] = relationship()
    narrative_document: Mapped[Document | None] = relationship()
    certified_by: Mapped[User | None] = relationship()
    submissions: Mapped[list[Submission]] = relationship(
        back_populates="report", order_by="Submission.number", cascade="all, delete-orphan"
    )
    steps: Mapped[list[Step]] = relationship(
        back_populates="report", order_by="Step.id", cascade="all, delete-orphan"
    )

    @property
    def status(self) -> State:
        return State(self.state)

    @property
    def submission(self) -> Submission | None:
        """The newest submission: what the controller checks."""
        return self.submissions[-1] if self.submissions else None


class Submission(db.Model):
    """One submission of a report, frozen: the items and the narrative as they were."""

    __tablename__ = "reports_submission"
    __table_args__ = (UniqueConstraint("report_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("reports_partner_report.id", ondelete="CASCADE")
    )
    number: Mapped[int]
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # JSON: the report items (snapshot.py), and the narrative's Markdown and revision.
    items: Mapped[str] = mapped_column(Text)
    narrative: Mapped[str] = mapped_column(Text, default="")
    narrative_revision: Mapped[int | None]
    declared_eur: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))

    report: Mapped[PartnerReport] = relationship(back_populates="submissions")
    submitted_by: Mapped[User | None] = relationship()
    controls: Mapped[list[ControlLine]] = relationship(
        back_populates="submission", cascade="all, delete-orphan"
    )


class ControlLine(db.Model):
    """The controller's result for one expenditure line of a submission."""

    __tablename__ = "reports_control_line"
    __table_args__ = (UniqueConstraint("submission_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("reports_submission.id", ondelete="CASCADE")
    )
    key: Mapped[str] = mapped_column(String(120))
    declared_eur: Mapped[Decimal] = mapped_column(MONEY)
    eligible_eur: Mapped[Decimal] = mapped_column(MONEY)
    reason: Mapped[str] = mapped_column(String(500), default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    submission: Mapped[Submission] = relationship(back_populates="controls")

    @property
    def deduction(self) -> Decimal:
        return self.declared_eur - self.eligible_eur


class Step(db.Model):
    """A step of the workflow: who moved the report to ``state``, when, with what note
    (the remarks of a return)."""

    __tablename__ = "reports_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("reports_partner_report.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")

    report: Mapped[PartnerReport] = relationship(back_populates="steps")
    by: Mapped[User | None] = relationship()

    @property
    def status(self) -> State:
        return State(self.state)
