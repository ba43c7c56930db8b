"""A region's members and their roles (/r/<region>/members): the list, adding a
member, changing a role, removing a member. Only the region's coordinators (and the
admins) manage them.

The routes join the ``regions`` blueprint (``regions.bp``).
"""

from __future__ import annotations

from flask import Response, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from .activity import record
from .extensions import db
from .forms import MembershipForm, RoleForm, options
from .models import Membership, MembershipRole, Region, User
from .permissions import Action, can
from .regions import bp, get_region
from .rendering import render, wants_fragment

_MEMBERS_OF = (
    select(Membership)
    .options(joinedload(Membership.user).joinedload(User.partner))
    .where(Membership.region_id == bindparam("region_id"))
)


def members_of(region: Region) -> list[Membership]:
    """The region's memberships with their people and organisations, in one query,
    coordinators first."""
    memberships = db.session.scalars(_MEMBERS_OF, {"region_id": region.id}).all()
    return sorted(memberships, key=lambda m: (-m.role.rank, m.user.name.casefold()))


def _candidates(region: Region) -> list[User]:
    member_ids = {m.user_id for m in region.memberships}
    users = db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.name)).all()
    return [user for user in users if user.id not in member_ids]


def _members_page(region: Region, form: MembershipForm | None = None, status: int = 200):
    form = form or MembershipForm(formdata=None)
    form.user_id.choices = options((u.id, f"{u.name} ({u.email})") for u in _candidates(region))
    members = members_of(region)
    return render(
        "regions/members.html",
        block="members",
        region=region,
        members=members,
        form=form,
        roles=list(MembershipRole),
        status=status,
    )


@bp.get("/r/<slug:region>/members")
def members(region: str) -> Response:
    return _members_page(get_region(region, Action.MANAGE))


@bp.post("/r/<slug:region>/members")
def add_member(region: str) -> Response:
    the_region = get_region(region, Action.MANAGE)
    form = MembershipForm()
    form.user_id.choices = options((u.id, u.name) for u in _candidates(the_region))
    if not form.validate_on_submit():
        return _members_page(the_region, form, status=422)
    user = db.session.get(User, form.user_id.data)
    role = MembershipRole(form.role.data)
    db.session.add(Membership(user=user, region=the_region, role=role))
    record("member_added", region=the_region, target=f"user:{user.id}", role=role.value)
    try:
        db.session.commit()
    except IntegrityError:
        # Added by someone else (or a double click) a moment ago: the list shows it.
        db.session.rollback()
        flash(
            _(
                "%(name)s is already a member of %(region)s.",
                name=user.name,
                region=the_region.name,
            ),
            "info",
        )
    else:
        flash(_now_in(user.name, role, the_region.name), "success")
    return _after_member_change(the_region)


def _membership(region: Region, membership_id: int) -> Membership:
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.region_id != region.id:
        abort(404)
    return membership


@bp.post("/r/<slug:region>/members/<id:membership_id>/role")
def change_role(region: str, membership_id: int) -> Response:
    the_region = get_region(region, Action.MANAGE)
    membership = _membership(the_region, membership_id)
    form = RoleForm()
    if not form.validate_on_submit():
        flash(_("Choose one of the listed roles."), "error")
        return _members_page(the_region, status=422)
    membership.role = MembershipRole(form.role.data)
    record(
        "member_role_changed",
        region=the_region,
        target=f"user:{membership.user_id}",
        role=membership.role.value,
    )
    db.session.commit()
    flash(_now(membership.user.name, membership.role), "success")
    return _after_member_change(the_region)


@bp.post("/r/<slug:region>/members/<id:membership_id>/remove")
def remove_member(region: str, membership_id: int) -> Response:
    the_region = get_region(region, Action.MANAGE)
    membership = _membership(the_region, membership_id)
    name = membership.user.name
    record("member_removed", region=the_region, target=f"user:{membership.user_id}")
    db.session.delete(membership)
    db.session.commit()
    flash(
        _("%(name)s is no longer a member of %(region)s.", name=name, region=the_region.name),
        "success",
    )
    return _after_member_change(the_region)


def _now_in(name: str, role: MembershipRole, region: str) -> str:
    """ "Ana is now editor in Lublin.": one sentence per role (word order and case
    differ between languages)."""
    if role is MembershipRole.COORDINATOR:
        return _("%(name)s is now coordinator in %(region)s.", name=name, region=region)
    if role is MembershipRole.EDITOR:
        return _("%(name)s is now editor in %(region)s.", name=name, region=region)
    return _("%(name)s is now stakeholder in %(region)s.", name=name, region=region)


def _now(name: str, role: MembershipRole) -> str:
    if role is MembershipRole.COORDINATOR:
        return _("%(name)s is now coordinator.", name=name)
    if role is MembershipRole.EDITOR:
        return _("%(name)s is now editor.", name=name)
    return _("%(name)s is now stakeholder.", name=name)


def _after_member_change(region: Region) -> Response:
    if not can(current_user, Action.MANAGE, region):
        # The coordinator changed their own role: this page is no longer theirs.
        target = url_for("regions.dashboard", region=region.slug)
        if wants_fragment():
            return Response(status=204, headers={"HX-Redirect": target})
        return redirect(target, code=303)
    if wants_fragment():
        db.session.refresh(region)
        return _members_page(region)
    return redirect(url_for("regions.members", region=region.slug), code=303)
