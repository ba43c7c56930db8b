"""Controllers: the people who check a partner's expenditure (first-level control).

A controller is assigned to one or more partners by an admin (Admin → Controllers,
``controller_views``). The assignment is the whole of their rights: they read those
partners' reports, expenditure and evidence and record control results, and nothing
else of the workspace unless they hold another role too. A partner's own staff never
control it: the rule is here, so no page or plugin can forget it.
"""

from __future__ import annotations

from datetime import datetime

from flask import g, has_request_context
from flask_babel import gettext as _
from sqlalchemy import ForeignKey, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db
from .models import Partner, User, UTCDateTime, utcnow


class ControllerAssignment(db.Model):
    """``user`` controls ``partner``'s expenditure."""

    __tablename__ = "controller_assignment"
    __table_args__ = (UniqueConstraint("user_id", "partner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partner.id", ondelete="CASCADE"), index=True
    )
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    assigned_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    partner: Mapped[Partner] = relationship()


class AssignmentError(ValueError):
    """The assignment cannot be made; the message says why, for the admin."""


def controlled_partner_ids(user: User | None) -> frozenset[int]:
    """The partners ``user`` controls (none for an inactive account). Asked by the menu
    of every page: a request asks the database once per person."""
    user = getattr(user, "_get_current_object", lambda: user)()
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    if not has_request_context():
        return _controlled(user)
    known = g.setdefault("controlled_partner_ids", {})
    key = (user.id, user.partner_id)
    if key not in known:
        known[key] = _controlled(user)
    return known[key]


def _controlled(user: User) -> frozenset[int]:
    # Staff who moved to a partner they were controlling stop controlling it.
    return frozenset(
        db.session.scalars(
            select(ControllerAssignment.partner_id).where(
                ControllerAssignment.user_id == user.id,
                ControllerAssignment.partner_id != user.partner_id,
            )
        )
    )


def controls(user: User | None, partner: Partner | int) -> bool:
    """Whether ``user`` is a controller of ``partner``."""
    partner_id = partner if isinstance(partner, int) else partner.id
    return partner_id in controlled_partner_ids(user)


def controllers_of(partner: Partner) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(ControllerAssignment, ControllerAssignment.user_id == User.id)
            .where(ControllerAssignment.partner_id == partner.id)
            .order_by(User.name)
        )
    )


def assign(user: User, partner: Partner, by: User | None) -> ControllerAssignment:
    """Make ``user`` a controller of ``partner`` (the caller commits). Refused for the
    partner's own staff and for an inactive account; a second assignment is a no-op."""
    if user.partner_id == partner.id:
        raise AssignmentError(
            _(
                "%(name)s works for %(partner)s: its expenditure is controlled "
                "by someone independent of it.",
                name=user.name,
                partner=partner.short_name,
            )
        )
    if not user.active:
        raise AssignmentError(_("%(name)s's account is deactivated.", name=user.name))
    existing = db.session.scalar(
        select(ControllerAssignment).where(
            ControllerAssignment.user_id == user.id,
            ControllerAssignment.partner_id == partner.id,
        )
    )
    if existing is not None:
        return existing
    assignment = ControllerAssignment(user=user, partner=partner, assigned_by_id=by and by.id)
    db.session.add(assignment)
    if has_request_context():
        g.pop("controlled_partner_ids", None)
    return assignment
