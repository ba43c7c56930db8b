"""Administration: people, partner organisations and regions. Admins only."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from . import two_factor
from .activity import record
from .extensions import db
from .forms import PartnerForm, RegionForm, UserForm, options
from .invitations import invite
from .models import LegalStatus, Partner, PartnerRole, Region, User
from .passwords import issue_set_password_token, revoke_set_password_tokens
from .permissions import Action, require
from .rendering import render, wants_fragment
from .sessions import end_all

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def admins_only() -> None:
    require(Action.ADMIN)


def _partner_choices() -> list[tuple[int, str]]:
    partners = db.session.scalars(select(Partner).order_by(Partner.name))
    return options(
        [(0, _("External stakeholder (no partner organisation)"))]
        + [(p.id, f"{p.name} ({p.short_name})") for p in partners]
    )


def _region_choices() -> list[tuple[int, str]]:
    regions = db.session.scalars(select(Region).order_by(Region.name))
    return options([(0, _("No region (advisory partner)"))] + [(r.id, r.name) for r in regions])


def _taken(model, column, value: str, current_id: int | None) -> bool:
    """Whether another row has this value, ignoring case in any script (SQL lower()
    only folds ASCII on some databases, so the comparison is done here)."""
    wanted = value.casefold()
    rows = db.session.execute(select(model.id, column).where(model.id != (current_id or 0)))
    return any(other.casefold() == wanted for _id, other in rows)


DUPLICATE = _l("Someone saved the same value a moment ago; check the list and try again.")


# ---------------------------------------------------------------- people


@bp.get("/users")
def users() -> Response:
    people = db.session.scalars(
        select(User)
        .options(selectinload(User.partner), selectinload(User.memberships))
        .order_by(User.active.desc(), User.name)
    ).all()
    with_two_factor = set(db.session.scalars(select(two_factor.TwoFactor.user_id)))
    return render("admin/users.html", users=people, two_factor_on=lambda u: u.id in with_two_factor)


def _user_row(user: User) -> Response:
    """One person's row again, after a change made from it."""
    return render("admin/users.html", block="user_row", u=user, two_factor_on=two_factor.is_enabled)


@bp.route("/users/new", methods=["GET", "POST"])
def create_user() -> Response:
    return _user_form(None)


@bp.route("/users/<id:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int) -> Response:
    user = db.session.get(User, user_id) or abort(404)
    return _user_form(user)


def _user_form(user: User | None) -> Response:
    is_new = user is None
    form = UserForm(obj=user)
    form.partner_id.choices = _partner_choices()
    if request.method == "GET" and user is not None:
        form.partner_id.data = user.partner_id or 0
    if form.validate_on_submit():
        email = form.email.data.lower()
        if _taken(User, User.email, email, None if is_new else user.id):
            form.email.errors.append(_("Another account already uses this e-mail."))
        elif not is_new and user.id == current_user.id and not form.is_admin.data:
            form.is_admin.errors.append(_("You cannot remove your own administrator right."))
        else:
            target = user or User(password_hash="")
            target.email = email
            target.name = form.name.data
            target.partner_id = form.partner_id.data or None
            target.is_admin = form.is_admin.data
            db.session.add(target)
            try:
                db.session.flush()
                record("user_created" if is_new else "user_changed", target=f"user:{target.id}")
                link = invite(target, _link, invited_by=current_user) if is_new else None
                db.session.commit()
            except IntegrityError:
                db.session.rollback()
                form.email.errors.append(str(DUPLICATE))
            else:
                if link:
                    return _show_link(target, link, invited=True)
                flash(_("%(name)s is saved.", name=target.name), "success")
                return redirect(url_for("admin.users"), code=303)
    status = 422 if form.is_submitted() else 200
    return render("admin/user_form.html", form=form, user=user, status=status)


def _link(token: str) -> str:
    """The address of a set-password link, on the host (and scheme) the admin uses."""
    return url_for("auth.set_password_view", token=token, _external=True)


def _show_link(user: User, link: str, invited: bool = False) -> Response:
    """The link, shown once (``invited``: the invitation carrying it is on its way)."""
    response = render("admin/set_password_link.html", user=user, link=link, invited=invited)
    # Shown once, in answer to a POST: keep its address out of the browser history.
    response.headers["HX-Push-Url"] = "false"
    return response


@bp.post("/users/<id:user_id>/link")
def password_link(user_id: int) -> Response:
    user = db.session.get(User, user_id) or abort(404)
    if not user.active:
        flash(_("Reactivate the account before handing out a link."), "error")
        return redirect(url_for("admin.users"), code=303)
    link = _link(issue_set_password_token(user))
    record("password_link_issued", target=f"user:{user.id}")
    db.session.commit()
    return _show_link(user, link)


@bp.post("/users/<id:user_id>/invitation")
def send_invitation(user_id: int) -> Response:
    """The invitation again, with a new link (for one that went astray or expired)."""
    user = db.session.get(User, user_id) or abort(404)
    if not user.active:
        flash(_("Reactivate the account before sending an invitation."), "error")
        return redirect(url_for("admin.users"), code=303)
    link = invite(user, _link, invited_by=current_user)
    db.session.commit()
    return _show_link(user, link, invited=True)


@bp.post("/users/<id:user_id>/active")
def set_active(user_id: int) -> Response:
    user = db.session.get(User, user_id) or abort(404)
    if request.form.get("active") not in ("0", "1"):
        abort(400)
    active = request.form.get("active") == "1"
    if user.id == current_user.id and not active:
        flash(_("You cannot deactivate your own account."), "error")
    elif user.active != active:
        user.active = active
        # A fresh session version ends every open session of a deactivated user,
        # and links handed out before must not revive the account later.
        user.session_version += 1
        end_all(user)
        revoke_set_password_tokens(user)
        record("user_activated" if active else "user_deactivated", target=f"user:{user.id}")
        db.session.commit()
        if active:
            flash(_("%(name)s is active again.", name=user.name), "success")
        else:
            flash(_("%(name)s is deactivated.", name=user.name), "success")
    if wants_fragment():
        return _user_row(user)
    return redirect(url_for("admin.users"), code=303)


@bp.post("/users/<id:user_id>/sessions/end")
def end_sessions(user_id: int) -> Response:
    """Sign a person out on every device (a lost laptop, a leaving employee)."""
    user = db.session.get(User, user_id) or abort(404)
    if user.id == current_user.id:
        flash(_("End your own sessions on your account page."), "error")
    else:
        ended = end_all(user)
        record("sessions_ended_by_admin", target=f"user:{user.id}", count=ended)
        db.session.commit()
        message = ngettext(
            "%(name)s is signed out everywhere (%(num)d open session ended).",
            "%(name)s is signed out everywhere (%(num)d open sessions ended).",
            ended,
            name=user.name,
        )
        flash(message, "success")
    if wants_fragment():
        return _user_row(user)
    return redirect(url_for("admin.users"), code=303)


@bp.post("/users/<id:user_id>/two-factor/off")
def turn_off_two_factor(user_id: int) -> Response:
    """For a person who lost both their phone and their recovery codes: two-factor
    sign-in is off and every session ends; they set it up again at their next sign-in
    (led there if their role requires it). Check who is asking before you do it."""
    user = db.session.get(User, user_id) or abort(404)
    if user.id == current_user.id:
        flash(_("Turn your own two-factor sign-in off on your account page."), "error")
    elif two_factor.is_enabled(user):
        two_factor.disable(user)
        end_all(user)
        record("two_factor_reset_by_admin", target=f"user:{user.id}")
        db.session.commit()
        flash(
            _("Two-factor sign-in is off for %(name)s; they are signed out.", name=user.name),
            "success",
        )
    if wants_fragment():
        return _user_row(user)
    return redirect(url_for("admin.users"), code=303)


# ---------------------------------------------------------------- partner organisations


@bp.get("/partners")
def partners() -> Response:
    rows = db.session.scalars(
        select(Partner).options(selectinload(Partner.region)).order_by(Partner.name)
    ).all()
    return render("admin/partners.html", partners=rows)


@bp.route("/partners/new", methods=["GET", "POST"])
def create_partner() -> Response:
    return _partner_form(None)


@bp.route("/partners/<id:partner_id>", methods=["GET", "POST"])
def edit_partner(partner_id: int) -> Response:
    return _partner_form(db.session.get(Partner, partner_id) or abort(404))


def _partner_form(partner: Partner | None) -> Response:
    is_new = partner is None
    form = PartnerForm(obj=partner)
    form.region_id.choices = _region_choices()
    if request.method == "GET" and partner is not None:
        form.region_id.data = partner.region_id or 0
    if form.validate_on_submit():
        current_id = None if is_new else partner.id
        advisory = form.role.data == PartnerRole.ADVISORY
        if _taken(Partner, Partner.name, form.name.data, current_id):
            form.name.errors.append(_("Another partner has this name."))
        elif _taken(Partner, Partner.short_name, form.short_name.data, current_id):
            form.short_name.errors.append(_("Another partner has this short name."))
        elif not advisory and not form.region_id.data:
            form.region_id.errors.append(_("Lead partner and partners belong to a region."))
        elif advisory and form.region_id.data:
            form.region_id.errors.append(
                _("The advisory partner works across all regions: choose no region.")
            )
        else:
            target = partner or Partner()
            target.name = form.name.data
            target.short_name = form.short_name.data
            target.country = form.country.data
            target.legal_status = LegalStatus(form.legal_status.data)
            target.role = PartnerRole(form.role.data)
            target.region_id = form.region_id.data or None
            db.session.add(target)
            try:
                db.session.flush()
                verb = "partner_created" if is_new else "partner_changed"
                record(verb, target=f"partner:{target.id}")
                db.session.commit()
            except IntegrityError:
                db.session.rollback()
                form.name.errors.append(str(DUPLICATE))
            else:
                flash(_("%(name)s is saved.", name=target.name), "success")
                return redirect(url_for("admin.partners"), code=303)
    status = 422 if form.is_submitted() else 200
    return render("admin/partner_form.html", form=form, partner=partner, status=status)


# ---------------------------------------------------------------- regions


@bp.get("/regions")
def regions() -> Response:
    rows = db.session.scalars(
        select(Region)
        .options(selectinload(Region.partners), selectinload(Region.memberships))
        .order_by(Region.name)
    ).all()
    return render("admin/regions.html", regions=rows)


@bp.route("/regions/new", methods=["GET", "POST"])
def create_region() -> Response:
    return _region_form(None)


@bp.route("/regions/<id:region_id>", methods=["GET", "POST"])
def edit_region(region_id: int) -> Response:
    return _region_form(db.session.get(Region, region_id) or abort(404))


def _region_form(region: Region | None) -> Response:
    is_new = region is None
    form = RegionForm(obj=region)
    if form.validate_on_submit():
        if _taken(Region, Region.slug, form.slug.data, None if is_new else region.id):
            form.slug.errors.append(_("Another region uses this slug."))
        else:
            target = region or Region()
            form.populate_obj(target)
            db.session.add(target)
            try:
                db.session.flush()
                record("region_created" if is_new else "region_changed", region=target)
                db.session.commit()
            except IntegrityError:
                db.session.rollback()
                form.slug.errors.append(str(DUPLICATE))
            else:
                flash(_("%(name)s is saved.", name=target.name), "success")
                return redirect(url_for("admin.regions"), code=303)
    status = 422 if form.is_submitted() else 200
    return render("admin/region_form.html", form=form, region=region, status=status)
