"""Tables of the budget plugin: project settings, planned amounts, the contracted
baseline with the modifications made since, and expenditure lines.

Money is ``Decimal`` in ``Numeric(14, 2)`` columns (whole cents); conversion rates keep six
decimals, as the Commission's monthly rates do. Which figures are stored and which are
computed, and where they are rounded, is written down in ``ledger.py``.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workspace.api import Document, Partner, User, UTCDateTime, db, utcnow

MONEY = Numeric(14, 2)
RATE = Numeric(14, 6)
PERCENT = Numeric(5, 2)


class Category(enum.StrEnum):
    """Cost categories of Interreg Europe budgets, in the programme's order."""

    STAFF = "staff"
    OFFICE = "office"
    TRAVEL = "travel"
    EXTERNAL = "external"
    EQUIPMENT = "equipment"
    PREPARATION = "preparation"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]

    @property
    def is_flat_rate(self) -> bool:
        """Office and administration is computed from staff costs, never entered."""
        return self is Category.OFFICE


# Lazy: each label is read in the reader's language (str() where it leaves a page).
CATEGORY_LABELS = {
    Category.STAFF: _l("Staff"),
    Category.OFFICE: _l("Office and administration"),
    Category.TRAVEL: _l("Travel and accommodation"),
    Category.EXTERNAL: _l("External expertise and services"),
    Category.EQUIPMENT: _l("Equipment"),
    Category.PREPARATION: _l("Preparation costs"),
}
# The categories a finance officer plans and records; office and administration follows.
ENTERED = [c for c in Category if not c.is_flat_rate]


class BudgetSettings(db.Model):
    """The project's rates and which periods the budget has closed. One row; the
    defaults are Interreg Europe 2014-2020's (ERDF 85 % public / 75 % private
    non-profit, 15 % flat rate). The periods are the core's calendar's (migration b006
    moved the calendar there)."""

    __tablename__ = "budget_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    erdf_rate_public: Mapped[Decimal] = mapped_column(PERCENT, default=Decimal("85.00"))
    erdf_rate_private: Mapped[Decimal] = mapped_column(PERCENT, default=Decimal("75.00"))
    office_rate: Mapped[Decimal] = mapped_column(PERCENT, default=Decimal("15.00"))
    # Periods 1..closed_through are reported: no expenditure is added to them any more.
    closed_through: Mapped[int] = mapped_column(default=0)
    # Share of a partner's contracted budget its plan may move between categories and
    # periods without a formal modification (contract.py says what "moved" is).
    flexibility_rate: Mapped[Decimal] = mapped_column(
        PERCENT, default=Decimal("20.00"), server_default="20.00"
    )
    version: Mapped[int] = mapped_column(default=1)


class PartnerPlan(db.Model):
    """A partner's budget as a whole: its version makes a plan save a compare-and-swap."""

    __tablename__ = "budget_partner_plan"

    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partner.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # A core document holding the partner's invoices and proofs of payment as attachments.
    evidence_document_id: Mapped[int | None] = mapped_column(
        ForeignKey("document.id", ondelete="SET NULL")
    )

    partner: Mapped[Partner] = relationship()
    evidence_document: Mapped[Document | None] = relationship()
    lines: Mapped[list[PlanLine]] = relationship(
        back_populates="plan", cascade="all, delete-orphan"
    )


class PlanLine(db.Model):
    """The amount a partner plans for one cost category in one reporting period."""

    __tablename__ = "budget_plan_line"
    __table_args__ = (UniqueConstraint("partner_id", "period", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("budget_partner_plan.partner_id", ondelete="CASCADE"), index=True
    )
    period: Mapped[int]
    category: Mapped[str] = mapped_column(String(20))
    amount: Mapped[Decimal] = mapped_column(MONEY)

    plan: Mapped[PartnerPlan] = relationship(back_populates="lines")


class Expenditure(db.Model):
    """One paid invoice (or lump sum) a partner declares.

    ``amount`` and ``vat`` are in ``currency``; ``rate`` is units of that currency per
    euro; ``amount_eur`` is computed once on saving (ledger.eligible_eur) and stored.
    """

    __tablename__ = "budget_expenditure"
    # The spending sums (ledger.spent_by_cell) read only this index, never the lines;
    # it also finds a partner's lines.
    __table_args__ = (
        Index("ix_budget_expenditure_spending", "partner_id", "category", "period", "amount_eur"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    period: Mapped[int]
    category: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(String(200))
    invoice_number: Mapped[str] = mapped_column(String(60), default="")
    invoice_date: Mapped[date] = mapped_column(Date)
    payment_date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    vat: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    rate: Mapped[Decimal] = mapped_column(RATE, default=Decimal("1"))
    amount_eur: Mapped[Decimal] = mapped_column(MONEY)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    # The controller's result once the partner's report of the period is certified
    # (the report_certified hook): the eligible amount in EUR and, when lower, why.
    eligible_eur: Mapped[Decimal | None] = mapped_column(MONEY)
    deduction_reason: Mapped[str] = mapped_column(String(500), default="", server_default="")
    certified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    partner: Mapped[Partner] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def ref(self) -> str:
        return f"budget:expenditure:{self.id}"


class Payment(db.Model):
    """What happened to a partner's certified expenditure of one period after the
    control: the lead partner included it in a progress report, the programme paid
    the ERDF to the lead partner, and the lead partner forwarded it to the partner.
    Kept by the lead partner's admins; ``version`` makes a save a compare-and-swap."""

    __tablename__ = "budget_payment"
    __table_args__ = (UniqueConstraint("partner_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    period: Mapped[int]
    reported_on: Mapped[date | None] = mapped_column(Date)  # in a progress report
    received_eur: Mapped[Decimal | None] = mapped_column(MONEY)
    received_on: Mapped[date | None] = mapped_column(Date)
    forwarded_eur: Mapped[Decimal | None] = mapped_column(MONEY)
    forwarded_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )


class ImportBatch(db.Model):
    """One confirmed CSV import. Its token comes from the preview page, so confirming
    the same preview twice (a double click, a resent form) imports the lines once."""

    __tablename__ = "budget_import_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    lines: Mapped[int]
    amount_eur: Mapped[Decimal] = mapped_column(MONEY)
    encoding: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )


class Contract(db.Model):
    """A partner's contracted (approved) budget: the baseline its plan is measured
    against. Fixed by an admin from the plan as it stands; fixed again after a formal
    modification approved by the programme. The newest row is the baseline; older ones
    stay, with the modifications made against them."""

    __tablename__ = "budget_contract"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partner.id", ondelete="CASCADE"), index=True
    )
    # The sum of the lines, office and administration included, kept as contracted.
    total: Mapped[Decimal] = mapped_column(MONEY)
    # The plan version the contract was made from.
    plan_version: Mapped[int]
    note: Mapped[str] = mapped_column(String(200), default="")
    contracted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    contracted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    partner: Mapped[Partner] = relationship()
    contracted_by: Mapped[User | None] = relationship()
    lines: Mapped[list[ContractLine]] = relationship(
        back_populates="contract", cascade="all, delete-orphan"
    )


class ContractLine(db.Model):
    """The contracted amount of one cost category in one period; office and
    administration is stored as it was computed when the contract was fixed."""

    __tablename__ = "budget_contract_line"
    __table_args__ = (UniqueConstraint("contract_id", "period", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("budget_contract.id", ondelete="CASCADE"), index=True
    )
    period: Mapped[int]
    category: Mapped[str] = mapped_column(String(20))
    amount: Mapped[Decimal] = mapped_column(MONEY)

    contract: Mapped[Contract] = relationship(back_populates="lines")


class Modification(db.Model):
    """One save of a contracted partner's plan that changed it: who, when, why, each
    changed cell before and after, the total before and after, and what was moved."""

    __tablename__ = "budget_modification"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partner.id", ondelete="CASCADE"), index=True
    )
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("budget_contract.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(Text)
    total_before: Mapped[Decimal] = mapped_column(MONEY)
    total_after: Mapped[Decimal] = mapped_column(MONEY)
    # Moved by this save, and moved from the contracted plan once it was saved.
    moved: Mapped[Decimal] = mapped_column(MONEY)
    moved_from_contract: Mapped[Decimal] = mapped_column(MONEY)
    # Who confirmed a change beyond the flexibility; None when none was needed.
    confirmed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    plan_version: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    contract: Mapped[Contract] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])
    cells: Mapped[list[ModificationCell]] = relationship(
        back_populates="modification",
        cascade="all, delete-orphan",
        order_by="ModificationCell.id",
    )


class ModificationCell(db.Model):
    """One cell of the plan (an entered category in a period) a modification changed."""

    __tablename__ = "budget_modification_cell"

    id: Mapped[int] = mapped_column(primary_key=True)
    modification_id: Mapped[int] = mapped_column(
        ForeignKey("budget_modification.id", ondelete="CASCADE"), index=True
    )
    period: Mapped[int]
    category: Mapped[str] = mapped_column(String(20))
    before: Mapped[Decimal] = mapped_column(MONEY)
    after: Mapped[Decimal] = mapped_column(MONEY)

    modification: Mapped[Modification] = relationship(back_populates="cells")

    @property
    def difference(self) -> Decimal:
        return self.after - self.before


class PeriodNotice(db.Model):
    """That a region's coordinators were told a reporting period closes soon: the
    ``budget.period_closing`` job tells each region once per period, however often it
    runs. A period is known by its last day, so a change of the calendar that moves
    it makes a new period to announce."""

    __tablename__ = "budget_period_notice"
    __table_args__ = (UniqueConstraint("region_id", "period_end"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id", ondelete="CASCADE"))
    period_end: Mapped[date] = mapped_column(Date)
    period_number: Mapped[int]
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
