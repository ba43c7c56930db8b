"""Tables of the minutes plugin: meetings, their agenda, participants, outcomes, the
partners' approvals of the minutes, and each region's stakeholder group register.
Every table is named ``minutes_*``.

Times are stored in UTC (``UTCDateTime``); a meeting also keeps the time zone it is
held in, so pages and calendars show the local time the participants agreed on.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, String, UniqueConstraint, types
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workspace.api import Document, Partner, Region, Trashable, User, UTCDateTime, db, utcnow

# What people read for each stored value, translated when it is shown (``label``); the
# forms' choices, made once at import, take these lazy ones.
MEETING_KIND_LABELS = {
    "interregional": _l("Interregional meeting"),
    "thematic_visit": _l("Thematic visit"),
    "webinar": _l("Webinar"),
    "stakeholder_group": _l("Stakeholder group meeting"),
    "partner": _l("Partner meeting"),
}
MEETING_STATUS_LABELS = {
    "draft": _l("Draft"),
    "open": _l("Open"),
    "in_progress": _l("In progress"),
    "closed": _l("Closed"),
}
STAKEHOLDER_KIND_LABELS = {
    "managing_authority": _l("Managing authority"),
    "public_authority": _l("Regional or local authority"),
    "business_support": _l("Business support organisation"),
    "sme": _l("SME"),
    "chamber": _l("Chamber"),
    "university": _l("University or research"),
    "other": _l("Other"),
}
OUTCOME_KIND_LABELS = {
    "information": _l("Information"),
    "decision": _l("Decision"),
    "action": _l("Action item"),
}
APPROVAL_STATE_LABELS = {"approved": _l("Approved"), "commented": _l("Commented")}


class MeetingKind(enum.StrEnum):
    INTERREGIONAL = "interregional"
    THEMATIC_VISIT = "thematic_visit"
    WEBINAR = "webinar"
    STAKEHOLDER_GROUP = "stakeholder_group"
    PARTNER = "partner"

    @property
    def label(self) -> str:
        return str(MEETING_KIND_LABELS[self.value])


class MeetingStatus(enum.StrEnum):
    """draft -> open -> in progress -> closed; a closed meeting is read-only until a
    coordinator re-opens it. Cancelling is not a state of its own: a cancelled meeting
    keeps the state it had (``Meeting.cancelled_at`` is set) and gets it back when a
    coordinator restores it."""

    DRAFT = "draft"
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return str(MEETING_STATUS_LABELS[self.value])


class StakeholderKind(enum.StrEnum):
    """The kinds of organisation a regional stakeholder group brings together."""

    MANAGING_AUTHORITY = "managing_authority"
    PUBLIC_AUTHORITY = "public_authority"
    BUSINESS_SUPPORT = "business_support"
    SME = "sme"
    CHAMBER = "chamber"
    UNIVERSITY = "university"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(STAKEHOLDER_KIND_LABELS[self.value])


class OutcomeKind(enum.StrEnum):
    INFORMATION = "information"
    DECISION = "decision"
    ACTION = "action"

    @property
    def label(self) -> str:
        return str(OUTCOME_KIND_LABELS[self.value])


class ApprovalState(enum.StrEnum):
    APPROVED = "approved"
    COMMENTED = "commented"

    @property
    def label(self) -> str:
        return str(APPROVAL_STATE_LABELS[self.value])


def _enum(enum_cls: type[enum.StrEnum], name: str) -> types.Enum:
    return types.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        validate_strings=True,
        length=20,
        values_callable=lambda members: [m.value for m in members],
    )


class Meeting(Trashable, db.Model):
    """A meeting hosted by a region, or project-wide when ``region`` is None.

    A meeting can also be moved to the trash (``Trashable``): then it is gone from
    every list, calendar and search, and 404 by id, until it is brought back.

    ``version`` is bumped by every save of the meeting's details or status; a form
    based on an older version is refused (409) instead of overwriting someone else.
    """

    __tablename__ = "minutes_meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int | None] = mapped_column(
        ForeignKey("region.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[MeetingKind] = mapped_column(_enum(MeetingKind, "minutes_meeting_kind"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    timezone: Mapped[str] = mapped_column(String(64))
    place: Mapped[str] = mapped_column(String(200), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[MeetingStatus] = mapped_column(
        _enum(MeetingStatus, "minutes_meeting_status"), default=MeetingStatus.DRAFT
    )
    minutes_document_id: Mapped[int | None] = mapped_column(
        ForeignKey("document.id", ondelete="SET NULL")
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)
    # Set while the meeting is cancelled: it stays listed, marked, and takes no changes.
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    cancel_reason: Mapped[str] = mapped_column(String(500), default="", server_default="")
    # A webinar's facts, for the webinars register and the progress report: who spoke,
    # how many attended (the named participants are often a few of them) and where the
    # recording is.
    speakers: Mapped[str] = mapped_column(String(500), default="", server_default="")
    attendee_count: Mapped[int | None] = mapped_column()
    recording_url: Mapped[str] = mapped_column(String(500), default="", server_default="")

    region: Mapped[Region | None] = relationship()
    minutes_document: Mapped[Document | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    cancelled_by: Mapped[User | None] = relationship(foreign_keys=[cancelled_by_id])
    agenda: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="AgendaItem.position"
    )
    participants: Mapped[list[Participant]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="Participant.id"
    )
    outcomes: Mapped[list[Outcome]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="Outcome.id"
    )
    approvals: Mapped[list[Approval]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan"
    )

    # A concurrent flush on an older version fails instead of overwriting.
    __mapper_args__ = {"version_id_col": version}

    @property
    def ref(self) -> str:
        return f"minutes:meeting:{self.id}"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(self.zone)

    @property
    def local_end(self) -> datetime:
        return self.ends_at.astimezone(self.zone)

    @property
    def length_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def agenda_minutes(self) -> int:
        return sum(item.duration_minutes for item in self.agenda)

    @property
    def is_closed(self) -> bool:
        return self.status is MeetingStatus.CLOSED

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def is_locked(self) -> bool:
        """Closed or cancelled: its details, agenda, participants and outcomes stay as
        they are until a coordinator re-opens (or restores) it."""
        return self.is_closed or self.is_cancelled

    @property
    def lock_message(self) -> str | None:
        """Why the minutes text of the meeting is read-only now, if it is (for the
        ``document_lock`` hook)."""
        if self.is_cancelled:
            return _(
                "The meeting is cancelled, so its minutes are read-only. A coordinator "
                "of the region can restore the meeting."
            )
        if self.is_closed:
            return _(
                "The meeting is closed, so its minutes are read-only. A coordinator of the "
                "region can re-open the meeting."
            )
        return None

    @property
    def where(self) -> str:
        return self.place or (_("Online") if self.online_url else "")

    @property
    def is_webinar(self) -> bool:
        return self.kind is MeetingKind.WEBINAR

    @property
    def is_held(self) -> bool:
        """Closed and not cancelled: the meeting took place (the indicators count it)."""
        return self.is_closed and not self.is_cancelled

    @property
    def present_count(self) -> int:
        return sum(1 for p in self.participants if p.attended)

    def participating_partners(self) -> list[Partner]:
        """The organisations that approve the minutes: invited partners and the
        partners of invited people."""
        partners = {}
        for p in self.participants:
            partner = p.partner or (p.user.partner if p.user else None)
            if partner is not None:
                partners[partner.id] = partner
        return sorted(partners.values(), key=lambda partner: partner.short_name)


class AgendaItem(db.Model):
    __tablename__ = "minutes_agenda_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("minutes_meeting.id", ondelete="CASCADE"), index=True
    )
    section: Mapped[str] = mapped_column(String(120), default="")
    title: Mapped[str] = mapped_column(String(200))
    duration_minutes: Mapped[int] = mapped_column(default=0)
    presenter: Mapped[str] = mapped_column(String(120), default="")
    position: Mapped[int] = mapped_column(default=0)
    notes: Mapped[str] = mapped_column(types.Text, default="")
    # Bumped by every save of the notes: a save based on an older one is merged with
    # what was saved meanwhile, or answered 409 with the text kept (never overwrites).
    notes_version: Mapped[int] = mapped_column(default=1, server_default="1")

    meeting: Mapped[Meeting] = relationship(back_populates="agenda")
    outcomes: Mapped[list[Outcome]] = relationship(
        back_populates="agenda_item", order_by="Outcome.id"
    )


class Participant(db.Model):
    """An invited person (a user), organisation (a partner) or external guest.
    ``attended`` stays None until attendance is marked."""

    __tablename__ = "minutes_participant"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("minutes_meeting.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    guest_name: Mapped[str] = mapped_column(String(120), default="")
    guest_organisation: Mapped[str] = mapped_column(String(200), default="")
    # A member of the region's stakeholder group register, invited as such: a guest
    # whose name and organisation are the register's.
    stakeholder_id: Mapped[int | None] = mapped_column(
        ForeignKey("minutes_stakeholder.id", ondelete="SET NULL"), index=True
    )
    attended: Mapped[bool | None] = mapped_column(default=None)

    meeting: Mapped[Meeting] = relationship(back_populates="participants")
    user: Mapped[User | None] = relationship()
    partner: Mapped[Partner | None] = relationship()
    stakeholder: Mapped[Stakeholder | None] = relationship(back_populates="participations")

    @property
    def name(self) -> str:
        if self.user is not None:
            return self.user.name
        if self.partner is not None:
            return self.partner.name
        if self.stakeholder is not None:
            return self.stakeholder.person
        return self.guest_name

    @property
    def organisation(self) -> str:
        if self.stakeholder is not None:
            return self.stakeholder.organisation
        if self.user is not None:
            return self.user.partner.short_name if self.user.partner else _("External stakeholder")
        if self.partner is not None:
            return _("Partner organisation")
        return self.guest_organisation or _("Guest")


class Outcome(db.Model):
    """What came out of an agenda item: information, a decision or an action item
    (with owner, due date and open/done status)."""

    __tablename__ = "minutes_outcome"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("minutes_meeting.id", ondelete="CASCADE"), index=True
    )
    agenda_item_id: Mapped[int] = mapped_column(
        ForeignKey("minutes_agenda_item.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[OutcomeKind] = mapped_column(_enum(OutcomeKind, "minutes_outcome_kind"))
    text: Mapped[str] = mapped_column(types.Text)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    due_date: Mapped[date | None] = mapped_column(Date())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # Bumped by every edit of the text, kind, owner or due date (not by marking it
    # done): an edit based on an older version is answered 409 with the input kept.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    # The due date the owner was reminded of as near, and as passed (the
    # ``minutes.reminders`` job): each is told once, and again for a new due date.
    reminded_due: Mapped[date | None] = mapped_column(Date())
    reminded_overdue: Mapped[date | None] = mapped_column(Date())

    meeting: Mapped[Meeting] = relationship(back_populates="outcomes")
    agenda_item: Mapped[AgendaItem] = relationship(back_populates="outcomes")
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    done_by: Mapped[User | None] = relationship(foreign_keys=[done_by_id])

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    def is_overdue(self, today: date) -> bool:
        return (
            self.kind is OutcomeKind.ACTION
            and not self.is_done
            and self.due_date is not None
            and self.due_date < today
        )


class Approval(db.Model):
    """One participating partner's word on the closed minutes."""

    __tablename__ = "minutes_approval"
    __table_args__ = (UniqueConstraint("meeting_id", "partner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("minutes_meeting.id", ondelete="CASCADE"))
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    state: Mapped[ApprovalState] = mapped_column(_enum(ApprovalState, "minutes_approval_state"))
    comment: Mapped[str] = mapped_column(types.Text, default="")
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="approvals")
    partner: Mapped[Partner] = relationship()
    by: Mapped[User | None] = relationship()


class Stakeholder(db.Model):
    """A member of a region's stakeholder group: a person of a regional organisation
    (the managing authority, an SME, an agency) who stays in the group across its
    meetings, from ``joined_on`` until ``left_on``. Nobody is deleted from the register:
    a member who leaves stays listed among the former members, with their attendance.

    ``version`` is bumped by every save; a form based on an older one is refused (409).
    """

    __tablename__ = "minutes_stakeholder"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id", ondelete="CASCADE"), index=True)
    organisation: Mapped[str] = mapped_column(String(200))
    person: Mapped[str] = mapped_column(String(120))
    kind: Mapped[StakeholderKind] = mapped_column(
        _enum(StakeholderKind, "minutes_stakeholder_kind")
    )
    position: Mapped[str] = mapped_column(String(120), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    joined_on: Mapped[date] = mapped_column(Date())
    left_on: Mapped[date | None] = mapped_column(Date())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    region: Mapped[Region] = relationship()
    participations: Mapped[list[Participant]] = relationship(back_populates="stakeholder")

    __mapper_args__ = {"version_id_col": version}

    @property
    def ref(self) -> str:
        return f"minutes:stakeholder:{self.id}"

    @property
    def is_current(self) -> bool:
        return self.left_on is None
