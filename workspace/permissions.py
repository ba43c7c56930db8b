"""Every permission decision of the workspace, in one place.

Views and plugins ask ``can(user, action, region)`` or call ``require(action,
region)``; nothing else looks at roles. Rules:

- Admins (the lead partner's coordinators) may do everything.
- Consortium members (staff of a partner) read every region; external
  stakeholders read only the regions they are members of.
- In a region, a stakeholder comments, an editor changes content, and a
  coordinator also manages the region's members and plugins.
- Project-wide content: consortium members read and comment; those who are an
  editor or coordinator in some region also edit it.
"""

from __future__ import annotations

import enum

from flask import abort
from flask_login import current_user

from .activity import record
from .extensions import db
from .models import MembershipRole, Region, User


class Action(enum.StrEnum):
    READ = "region.read"
    COMMENT = "region.comment"
    EDIT = "region.edit"
    MANAGE = "region.manage"
    ADMIN = "admin"


# The smallest region role that allows each region action.
_REGION_ROLE_NEEDED = {
    Action.COMMENT: MembershipRole.STAKEHOLDER,
    Action.EDIT: MembershipRole.EDITOR,
    Action.MANAGE: MembershipRole.COORDINATOR,
}


def can(user: User | None, action: Action | str, region: Region | None = None) -> bool:
    """Whether ``user`` may do ``action`` (in ``region``, for region actions)."""
    action = Action(action)
    # ``current_user`` is a proxy that looks the user up again at every attribute.
    user = getattr(user, "_get_current_object", lambda: user)()
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_admin:
        return True
    if action is Action.ADMIN:
        return False
    if region is None:
        # Project-wide content: the consortium reads and comments; those who edit in
        # some region edit it too; only admins manage it.
        if not user.is_consortium_member:
            return False
        if action in (Action.READ, Action.COMMENT):
            return True
        return action is Action.EDIT and any(
            m.role.rank >= MembershipRole.EDITOR.rank for m in user.memberships
        )
    role = user.role_in(region)
    if action is Action.READ:
        return user.is_consortium_member or role is not None
    return role is not None and role.rank >= _REGION_ROLE_NEEDED[action].rank


def require(action: Action | str, region: Region | None = None) -> None:
    """Abort with 403 (recorded in the audit log) unless the current user may act."""
    if can(current_user, action, region):
        return
    record("permission_refused", region=region, target=str(Action(action)))
    db.session.commit()
    abort(403)


def readable_regions(user: User, regions: list[Region]) -> list[Region]:
    return [region for region in regions if can(user, Action.READ, region)]
