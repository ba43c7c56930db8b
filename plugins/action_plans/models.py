"""The action plans' tables: a region's plan for one policy instrument, its actions, and
the Phase 2 state of each action in each reporting period."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from functools import cache

from babel import Locale, UnknownLocaleError
from babel.languages import get_official_languages
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workspace.api import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    Document,
    Partner,
    Region,
    Trashable,
    User,
    UTCDateTime,
    db,
    utcnow,
)

# The three kinds of policy instrument of the Interreg Europe template (Part II).
INSTRUMENT_KINDS = {
    "igj": _l("Investment for Growth and Jobs programme"),
    "etc": _l("European Territorial Cooperation programme"),
    "other": _l("Other regional development policy instrument"),
}
# The kinds whose money is Structural Funds (the programme's "Structural Funds
# influenced"); what the other instruments move counts as other funds.
STRUCTURAL_FUNDS_KINDS = frozenset({"igj", "etc"})


class Status(enum.StrEnum):
    DRAFT = "draft"
    REVIEW = "review"
    ENDORSED = "endorsed"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self.value])


class Progress(enum.StrEnum):
    """Phase 2 monitoring of one action."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    IMPLEMENTED = "implemented"
    NOT_IMPLEMENTED = "not_implemented"

    @property
    def label(self) -> str:
        return str(PROGRESS_LABELS[self.value])


# The names of the states, in the reader's language (``label`` gives them as text; the
# forms' choices keep them lazy, since they are made once).
STATUS_LABELS = {
    "draft": _l("Draft"),
    "review": _l("In review"),
    "endorsed": _l("Endorsed"),
}
PROGRESS_LABELS = {
    "not_started": _l("Not started"),
    "in_progress": _l("In progress"),
    "implemented": _l("Implemented"),
    "not_implemented": _l("Not implemented"),
}


@cache
def _language_names() -> dict[str, str]:
    """Every way of naming one of the workspace's languages that a plan's language may
    be written as, casefolded: its code, its own name, and its name in each of the
    consortium's languages ("Italian", "Italiano", "olasz", "włoski"...)."""
    names: dict[str, str] = {}
    for code in LANGUAGES:
        names[code] = code
        names[LANGUAGES[code].casefold()] = code
        for other in LANGUAGES:
            name = Locale.parse(other).languages.get(code)
            if name:
                names.setdefault(name.casefold(), code)
    return names


def language_code(name: str | None) -> str | None:
    """The workspace language (a key of ``workspace.i18n.LANGUAGES``) that a plan's
    language, as written on its form, names: the whole text, else its first word that
    names one ("Spanish, English summary" is "es"); None when none does."""
    text = (name or "").strip().casefold()
    names = _language_names()
    if text in names:
        return names[text]
    words = "".join(c if c.isalpha() else " " for c in text).split()
    return next((names[word] for word in words if word in names), None)


def country_language(country: str | None) -> str | None:
    """The workspace language official in ``country`` (a two-letter code), if any."""
    try:
        official = get_official_languages((country or "").upper(), de_facto=True)
    except (UnknownLocaleError, ValueError):
        return None
    return next((code for code in official if code in LANGUAGES), None)


class Plan(Trashable, db.Model):
    """A regional action plan (Interreg Europe template, Parts I-III).

    Part II's policy context and the English summary are core Documents; each action
    has its own Document, so people write different parts at once.
    """

    __tablename__ = "action_plans_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id", ondelete="CASCADE"), index=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id", ondelete="SET NULL"))
    # Further partner organisations of a joint plan, as written by the region.
    other_partners: Mapped[str] = mapped_column(String(300), default="")
    instrument_name: Mapped[str] = mapped_column(String(200))
    instrument_kind: Mapped[str] = mapped_column(String(10), default="igj")
    contact: Mapped[str] = mapped_column(String(300), default="")
    language: Mapped[str] = mapped_column(String(40), default="English")
    context_document_id: Mapped[int | None] = mapped_column(
        ForeignKey("document.id", ondelete="SET NULL")
    )
    summary_document_id: Mapped[int | None] = mapped_column(
        ForeignKey("document.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(String(20), default=Status.DRAFT.value)
    endorsed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    endorsed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    endorsed_partner_id: Mapped[int | None] = mapped_column(
        ForeignKey("partner.id", ondelete="SET NULL")
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Optimistic locking: a form carries the version it was made from, the views bump
    # it, and every UPDATE also checks it (WHERE version = the one read), so of two
    # saves arriving at once one fails with StaleDataError instead of overwriting.
    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    region: Mapped[Region] = relationship()
    partner: Mapped[Partner | None] = relationship(foreign_keys=[partner_id])
    endorsed_partner: Mapped[Partner | None] = relationship(foreign_keys=[endorsed_partner_id])
    endorsed_by: Mapped[User | None] = relationship(foreign_keys=[endorsed_by_id])
    context_document: Mapped[Document | None] = relationship(foreign_keys=[context_document_id])
    summary_document: Mapped[Document | None] = relationship(foreign_keys=[summary_document_id])
    actions: Mapped[list[PlanAction]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanAction.position"
    )

    @property
    def ref(self) -> str:
        return f"action_plans:plan:{self.id}"

    @property
    def state(self) -> Status:
        return Status(self.status)

    @property
    def kind_label(self) -> str:
        return str(INSTRUMENT_KINDS.get(self.instrument_kind, self.instrument_kind))

    @property
    def title(self) -> str:
        return _("Action plan: %(instrument)s", instrument=self.instrument_name)

    @property
    def language_code(self) -> str:
        """The workspace language the plan is written in, for its files' headings
        (``exports``): the one its ``language`` names, else the language of its
        region's country, else English."""
        return (
            language_code(self.language)
            or country_language(self.region.country if self.region else None)
            or DEFAULT_LANGUAGE
        )


class PlanAction(db.Model):
    """One action of Part III: the template's six fields and its Phase 2 monitoring."""

    __tablename__ = "action_plans_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("action_plans_plan.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=1)
    title: Mapped[str] = mapped_column(String(200))
    # Months as "YYYY-MM".
    start_month: Mapped[str] = mapped_column(String(7), default="")
    end_month: Mapped[str] = mapped_column(String(7), default="")
    costs: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    funding_sources: Mapped[str] = mapped_column(String(300), default="")
    # Background, the action, players involved: sections of one core Document.
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id", ondelete="SET NULL"))
    progress: Mapped[str] = mapped_column(String(20), default=Progress.NOT_STARTED.value)
    reason: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str] = mapped_column(Text, default="")
    monitored_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Phase 2 evidence: notes and attached files, open while the plan is endorsed.
    evidence_document_id: Mapped[int | None] = mapped_column(
        ForeignKey("document.id", ondelete="SET NULL")
    )
    version: Mapped[int] = mapped_column(default=1)  # checked like Plan.version
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    plan: Mapped[Plan] = relationship(back_populates="actions")
    document: Mapped[Document | None] = relationship(foreign_keys=[document_id])
    evidence_document: Mapped[Document | None] = relationship(foreign_keys=[evidence_document_id])
    # Removed with the action by the database (ON DELETE CASCADE), without loading it.
    history: Mapped[list[PeriodState]] = relationship(
        back_populates="action",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="PeriodState.period",
    )

    @property
    def ref(self) -> str:
        return f"action_plans:action:{self.id}"

    @property
    def state(self) -> Progress:
        return Progress(self.progress)


class PeriodState(db.Model):
    """Where one action stood in one reporting period of the project's calendar: the
    dated history of its Phase 2 monitoring, one row per action and period.

    ``period`` is the period's number under the current calendar; ``day`` is the day the
    state is as of (the period's last day when it was recorded), which files the row
    again when the calendar changes (``calendar_changed``). The action's own
    ``progress``, ``reason``, ``evidence`` and ``monitored_at`` repeat its latest row.
    """

    __tablename__ = "action_plans_period_state"
    __table_args__ = (UniqueConstraint("action_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(
        ForeignKey("action_plans_action.id", ondelete="CASCADE"), index=True
    )
    period: Mapped[int]
    day: Mapped[date] = mapped_column(Date())
    progress: Mapped[str] = mapped_column(String(20), default=Progress.NOT_STARTED.value)
    reason: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str] = mapped_column(Text, default="")
    # How the policy instrument changed thanks to the action (new calls, criteria, funds).
    instrument_change: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    action: Mapped[PlanAction] = relationship(back_populates="history")
    recorded_by: Mapped[User | None] = relationship()

    @property
    def state(self) -> Progress:
        return Progress(self.progress)

    @property
    def label(self) -> str:
        return f"P{self.period}"
