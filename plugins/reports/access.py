"""Who may do what with partner reports: every rule of the plugin, in one place.

- Partner staff (the consortium) read every partner's reports; a controller reads the
  reports of the partners they control, and nothing else.
- A partner's own editors and coordinators begin the report and write its narrative;
  its coordinators submit it (for a partner without a region, those of its staff who
  coordinate a region). Admins (the lead partner) do both for every partner.
- Only a partner's controllers control its reports: start the control, record the
  eligible amounts, return or certify. Admins are no controllers unless assigned,
  and a partner's staff never control it (the core's rule, ``controls``).
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from workspace.api import Action, MembershipRole, Partner, User, can, controls, db, record


def may_read(user: User, partner: Partner) -> bool:
    return can(user, Action.READ, None) or controls(user, partner)


def may_write(user: User, partner: Partner) -> bool:
    if can(user, Action.ADMIN):
        return True
    return user.partner_id == partner.id and can(user, Action.EDIT, partner.region)


def may_submit(user: User, partner: Partner) -> bool:
    if can(user, Action.ADMIN):
        return True
    if user.partner_id != partner.id:
        return False
    if partner.region is not None:
        return can(user, Action.MANAGE, partner.region)
    return any(m.role is MembershipRole.COORDINATOR for m in user.memberships)


def may_control(user: User, partner: Partner) -> bool:
    return controls(user, partner)


def require_that(allowed: bool, partner: Partner) -> None:
    """403 (recorded in the audit trail) unless ``allowed``; admins included, since a
    controller's step is not theirs."""
    if not allowed:
        record("permission_refused", region=partner.region, target=f"partner:{partner.id}")
        db.session.commit()
        abort(403)


def require_read(partner: Partner) -> None:
    require_that(may_read(current_user, partner), partner)
