"""Tables of the reports plugin: a partner report per partner and period, each of its
submissions (the frozen copy the controller checks), the control result of each
expenditure line, and the report's steps (who moved it where, when, and why)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
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
        """The state's name in the reader's language (lazy: ``str()`` it before storing)."""
        return STATE_LABELS[self]

    @property
    def with_partner(self) -> bool:
        """The partner is writing it (nothing is frozen)."""
        return self in (State.DRAFT, State.RETURNED)


STATE_LABELS = {
    State.DRAFT: _l("Draft"),
    State.SUBMITTED: _l("Submitted"),
    State.IN_CONTROL: _l("In control"),
    State.CERTIFIED: _l("Certified"),
    State.RETURNED: _l("Returned"),
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


# ---------------------------------------------------------------------- indicators


class IndicatorSetting(db.Model):
    """The project's name for an indicator (the programme's by default: a 2021-2027
    programme renames some) and its target for the whole project."""

    __tablename__ = "reports_indicator_setting"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    target: Mapped[Decimal | None] = mapped_column(MONEY)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    version: Mapped[int] = mapped_column(default=1)


class Correction(db.Model):
    """A partner's figure for an indicator in a period, set by hand, with why: the
    figure shown is ``value`` (what was counted then is kept beside it)."""

    __tablename__ = "reports_indicator_correction"
    __table_args__ = (UniqueConstraint("indicator", "partner_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator: Mapped[str] = mapped_column(String(40))
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    period: Mapped[int]
    counted: Mapped[Decimal] = mapped_column(MONEY)
    value: Mapped[Decimal] = mapped_column(MONEY)
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=1)

    partner: Mapped[Partner] = relationship()
    by: Mapped[User | None] = relationship()


class Confirmation(db.Model):
    """A partner confirmed a suggested value (a participant whose capacity grew)."""

    __tablename__ = "reports_indicator_confirmation"
    __table_args__ = (UniqueConstraint("indicator", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator: Mapped[str] = mapped_column(String(40))
    ref: Mapped[str] = mapped_column(String(200))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    by: Mapped[User | None] = relationship()


class MediaKind(enum.StrEnum):
    PRINT = "print"
    ONLINE = "online"
    RADIO = "radio"
    TV = "tv"
    SOCIAL = "social"
    OTHER = "other"

    @property
    def label(self) -> str:
        return MEDIA_KIND_LABELS[self.value]


MEDIA_KIND_LABELS = {
    "print": _l("Print"),
    "online": _l("Online news"),
    "radio": _l("Radio"),
    "tv": _l("Television"),
    "social": _l("Social media"),
    "other": _l("Other"),
}


class MediaAppearance(db.Model):
    """The media log: a partner's appearance in the media (indicator "media")."""

    __tablename__ = "reports_media"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partner.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[date]
    outlet: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    link: Mapped[str] = mapped_column(String(500), default="")
    kind: Mapped[str] = mapped_column(String(20), default=MediaKind.ONLINE.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    partner: Mapped[Partner] = relationship()

    @property
    def kind_label(self) -> str:
        return MediaKind(self.kind).label


# ---------------------------------------------------------------------- progress reports


class ProgressState(enum.StrEnum):
    """Draft -> Ready (every partner report certified or left out with a reason) ->
    Submitted to the programme (its day) -> Approved by the programme (day, remarks)."""

    DRAFT = "draft"
    READY = "ready"
    SUBMITTED = "submitted"
    APPROVED = "approved"

    @property
    def label(self) -> str:
        return PROGRESS_STATE_LABELS[self.value]


PROGRESS_STATE_LABELS = {
    "draft": _l("Draft"),
    "ready": _l("Ready"),
    "submitted": _l("Submitted"),
    "approved": _l("Approved"),
}


class ProgressReport(db.Model):
    """The lead partner's progress report for one period: three texts written as core
    documents (summary, problems and deviations, plan for the next period), the rest
    gathered from the workspace when shown."""

    __tablename__ = "reports_progress_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[int] = mapped_column(unique=True)
    state: Mapped[str] = mapped_column(String(20), default=ProgressState.DRAFT.value)
    summary_document_id: Mapped[int | None] = mapped_column(
        ForeignKey("document.id", ondelete="SET NULL")
    )
    problems_document_id: Mapped[int | None] = mapped_column(
        ForeignKey("document.id", ondelete="SET NULL")
    )
    next_document_id: Mapped[int | None] = mapped_column(
        ForeignKey("document.id", ondelete="SET NULL")
    )
    submitted_on: Mapped[date | None]
    approved_on: Mapped[date | None]
    remarks: Mapped[str] = mapped_column(Text, default="")
    # JSON: what it gathered when it was submitted (``progress_snapshot``).
    frozen: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    summary_document: Mapped[Document | None] = relationship(foreign_keys=[summary_document_id])
    problems_document: Mapped[Document | None] = relationship(foreign_keys=[problems_document_id])
    next_document: Mapped[Document | None] = relationship(foreign_keys=[next_document_id])
    left_out: Mapped[list[LeftOut]] = relationship(
        back_populates="report", order_by="LeftOut.id", cascade="all, delete-orphan"
    )
    steps: Mapped[list[ProgressStep]] = relationship(
        back_populates="report", order_by="ProgressStep.id", cascade="all, delete-orphan"
    )

    @property
    def status(self) -> ProgressState:
        return ProgressState(self.state)

    @property
    def documents(self) -> list[Document]:
        return [
            d
            for d in (self.summary_document, self.problems_document, self.next_document)
            if d is not None
        ]


class LeftOut(db.Model):
    """A partner report the progress report goes without, and why."""

    __tablename__ = "reports_progress_left_out"
    __table_args__ = (UniqueConstraint("report_id", "partner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("reports_progress_report.id", ondelete="CASCADE")
    )
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    report: Mapped[ProgressReport] = relationship(back_populates="left_out")
    partner: Mapped[Partner] = relationship()
    by: Mapped[User | None] = relationship()


class ProgressStep(db.Model):
    """A step of a progress report: who moved it to ``state``, when, with what note."""

    __tablename__ = "reports_progress_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("reports_progress_report.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")

    report: Mapped[ProgressReport] = relationship(back_populates="steps")
    by: Mapped[User | None] = relationship()

    @property
    def status(self) -> ProgressState:
        return ProgressState(self.state)
