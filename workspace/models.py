"""Database models of the core: organisations, regions, people and their rights.

Times are stored in UTC; ``UTCDateTime`` hands back aware datetimes on every
database, so comparisons never mix naive and aware values.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from markupsafe import Markup
from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, UniqueConstraint, types
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(types.TypeDecorator):
    """A timestamp stored as UTC and always read back timezone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use an aware UTC time")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# The labels of the enums below, in the reader's language: ``label`` is a plain string
# (translated when read), safe in a spreadsheet, a CSV file or JSON.
_LEGAL_STATUS_LABELS = {"public": _l("Public body"), "private_nonprofit": _l("Private non-profit")}
_PARTNER_ROLE_LABELS = {
    "lead": _l("Lead partner"),
    "partner": _l("Partner"),
    "advisory": _l("Advisory partner"),
}
_MEMBERSHIP_ROLE_LABELS = {
    "stakeholder": _l("Stakeholder"),
    "editor": _l("Editor"),
    "coordinator": _l("Coordinator"),
}


class LegalStatus(enum.StrEnum):
    PUBLIC = "public"
    PRIVATE_NONPROFIT = "private_nonprofit"

    @property
    def label(self) -> str:
        return str(_LEGAL_STATUS_LABELS[self.value])


class PartnerRole(enum.StrEnum):
    LEAD = "lead"
    PARTNER = "partner"
    ADVISORY = "advisory"

    @property
    def label(self) -> str:
        return str(_PARTNER_ROLE_LABELS[self.value])


class MembershipRole(enum.StrEnum):
    """A user's role in one region; later members include the rights of earlier ones."""

    STAKEHOLDER = "stakeholder"
    EDITOR = "editor"
    COORDINATOR = "coordinator"

    @property
    def rank(self) -> int:
        return list(MembershipRole).index(self)

    @property
    def label(self) -> str:
        return str(_MEMBERSHIP_ROLE_LABELS[self.value])


def _enum_column(enum_cls: type[enum.StrEnum], name: str) -> types.Enum:
    return types.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        validate_strings=True,
        length=20,
        values_callable=lambda members: [m.value for m in members],
    )


class Region(db.Model):
    __tablename__ = "region"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    country: Mapped[str] = mapped_column(String(2))
    nuts2: Mapped[str] = mapped_column(String(4))

    partners: Mapped[list[Partner]] = relationship(back_populates="region", order_by="Partner.name")
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="region", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Region {self.slug}>"


class Partner(db.Model):
    __tablename__ = "partner"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    short_name: Mapped[str] = mapped_column(String(40), unique=True)
    country: Mapped[str] = mapped_column(String(2))
    legal_status: Mapped[LegalStatus] = mapped_column(_enum_column(LegalStatus, "legal_status"))
    role: Mapped[PartnerRole] = mapped_column(_enum_column(PartnerRole, "partner_role"))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id", ondelete="SET NULL"))

    region: Mapped[Region | None] = relationship(back_populates="partners")
    users: Mapped[list[User]] = relationship(back_populates="partner", order_by="User.name")

    def __repr__(self) -> str:
        return f"<Partner {self.short_name}>"


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id", ondelete="SET NULL"))
    # Empty until the user sets a password through a set-password link.
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    is_admin: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    # Part of the session cookie's user id: bumping it signs out every open session.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The interface's language (a key of workspace.i18n.LANGUAGES); None: the sign-in
    # page's choice, else the best match of the browser's languages.
    language: Mapped[str | None] = mapped_column(String(5))
    # How numbers and dates are read and shown (a key of workspace.locales.FORMATS);
    # None: as the language writes them.
    number_format: Mapped[str | None] = mapped_column(String(5))
    # The IANA time zone times are shown in; None: the project's TIME_ZONE.
    time_zone: Mapped[str | None] = mapped_column(String(60))

    partner: Mapped[Partner | None] = relationship(back_populates="users")
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:  # read by Flask-Login
        return self.active

    @property
    def is_consortium_member(self) -> bool:
        """Staff of a partner organisation, as opposed to an external stakeholder."""
        return self.partner_id is not None

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def role_in(self, region: Region) -> MembershipRole | None:
        for membership in self.memberships:
            if membership.region_id == region.id:
                return membership.role
        return None

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class Membership(db.Model):
    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "region_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id", ondelete="CASCADE"))
    role: Mapped[MembershipRole] = mapped_column(_enum_column(MembershipRole, "membership_role"))

    user: Mapped[User] = relationship(back_populates="memberships")
    region: Mapped[Region] = relationship(back_populates="memberships")


class RegionPlugin(db.Model):
    """Whether a plugin is switched on for a region. Switching off keeps all its data."""

    __tablename__ = "region_plugin"
    __table_args__ = (UniqueConstraint("region_id", "plugin"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id", ondelete="CASCADE"))
    plugin: Mapped[str] = mapped_column(String(60))
    enabled: Mapped[bool] = mapped_column(default=False)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class LoginThrottle(db.Model):
    """Failed sign-ins counted under one key, shared by every worker through the
    database (workspace.login_throttle): ``email:<address typed>``, ``ip:<client>``,
    ``device:<id>`` or ``all:<minute>``."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class SetPasswordToken(db.Model):
    """A one-time, expiring link an admin hands to a user. Only its hash is stored."""

    __tablename__ = "set_password_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class Event(db.Model):
    """Append-only record of who did what, where and when (activity and audit)."""

    __tablename__ = "event"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    region_id: Mapped[int | None] = mapped_column(
        ForeignKey("region.id", ondelete="SET NULL"), index=True
    )
    verb: Mapped[str] = mapped_column(String(40))
    # What the event is about, as a reference string such as "user:12" or "plugin:minutes".
    target: Mapped[str] = mapped_column(String(120), default="", index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()
    region: Mapped[Region | None] = relationship()


class Document(db.Model):
    """A shared Markdown document, project-wide (no region) or in one region.

    ``head`` is the number of the newest revision; a save is a compare-and-swap on
    it. ``body`` and ``html`` mirror the head revision for fast reading.
    """

    __tablename__ = "document"
    # A region's newest documents (dashboard, filtered lists) without sorting them all.
    __table_args__ = (Index("ix_document_region_updated", "region_id", "updated_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id", ondelete="SET NULL"))
    # The plugin that owns the document (its long texts), or None for a plain document.
    plugin: Mapped[str | None] = mapped_column(String(60))
    head: Mapped[int] = mapped_column(default=0)
    body: Mapped[str] = mapped_column(types.Text, default="")
    html: Mapped[str] = mapped_column(types.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    region: Mapped[Region | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])

    @property
    def ref(self) -> str:
        return f"doc:{self.id}"

    @property
    def rendered(self) -> Markup:
        """The body as HTML. ``html`` is only ever written from ``markdown.to_html``,
        which sanitises it with nh3, so it is trusted here and nowhere else."""
        return Markup(self.html)  # noqa: S704


class Revision(db.Model):
    """One immutable version of a document; numbers run 1..n per document, no gaps."""

    __tablename__ = "revision"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(types.Text)
    # "create", "edit", "merge" (saved on a stale base, merged cleanly) or "restore".
    kind: Mapped[str] = mapped_column(String(10))
    # The revision the author's form started from.
    base_number: Mapped[int] = mapped_column(default=0)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # A random value carried by each edit form: the same form submitted twice saves once.
    save_token: Mapped[str | None] = mapped_column(String(64), unique=True)

    author: Mapped[User | None] = relationship()


class Comment(db.Model):
    """A remark on a document, in Markdown; resolved when dealt with, re-opened if not."""

    __tablename__ = "comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    body: Mapped[str] = mapped_column(types.Text)
    html: Mapped[str] = mapped_column(types.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])

    @property
    def rendered(self) -> Markup:
        """Sanitised by ``markdown.to_html`` when written, like ``Document.rendered``."""
        return Markup(self.html)  # noqa: S704


class Attachment(db.Model):
    """A file attached to a document. Stored under a generated name in
    instance/uploads/; the name people gave it is only ever used for display and as
    the download's file name."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    uploaded_by: Mapped[User | None] = relationship()


class SearchEntry(db.Model):
    """One searchable text (a document, or a comment on one), kept up to date by the
    code that changes it. The full-text index over it is database-specific: an FTS5
    table on SQLite, a GIN expression index on PostgreSQL (see ``workspace.search``)."""

    __tablename__ = "search_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(60), unique=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), index=True
    )
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(types.Text)
    # Title and body in lower case without accents: what PostgreSQL indexes.
    folded: Mapped[str] = mapped_column(types.Text, default="")


class Link(db.Model):
    """A link between two objects of any plugin, by reference ("doc:12",
    "portfolio:practice:3"). The core shows both ends, so back-links need no plugin
    code; a link to something switched off or gone shows as unavailable."""

    __tablename__ = "link"
    __table_args__ = (UniqueConstraint("source", "target", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(120), index=True)
    target: Mapped[str] = mapped_column(String(120), index=True)
    kind: Mapped[str] = mapped_column(String(40), default="related")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
