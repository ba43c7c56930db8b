"""Admin → Controllers (``/admin/controllers``): who controls which partner's
expenditure. The rules of an assignment are in ``controllers``."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from wtforms.validators import InputRequired

from .activity import record
from .controllers import AssignmentError, ControllerAssignment, assign
from .extensions import db
from .forms import ChoiceField, StrippedForm
from .models import Partner, User
from .permissions import Action, require
from .rendering import render

bp = Blueprint("controllers", __name__, url_prefix="/admin")


class AssignForm(StrippedForm):
    user_id = ChoiceField(_l("Controller"), coerce=int, validators=[InputRequired()])
    partner_id = ChoiceField(_l("Partner"), coerce=int, validators=[InputRequired()])


def _form() -> AssignForm:
    form = AssignForm()
    people = db.session.scalars(select(User).where(User.active).order_by(User.name))
    form.user_id.choices = [(u.id, f"{u.name} ({u.email})") for u in people]
    partners = db.session.scalars(select(Partner).order_by(Partner.short_name))
    form.partner_id.choices = [(p.id, p.short_name) for p in partners]
    return form


def _page(form: AssignForm, status: int = 200) -> Response:
    assignments = db.session.scalars(select(ControllerAssignment)).all()
    by_partner: dict[int, list[ControllerAssignment]] = {}
    for a in sorted(assignments, key=lambda a: a.user.name):
        by_partner.setdefault(a.partner_id, []).append(a)
    partners = db.session.scalars(select(Partner).order_by(Partner.short_name)).all()
    return render(
        "admin/controllers.html",
        form=form,
        partners=partners,
        by_partner=by_partner,
        status=status,
    )


@bp.route("/controllers", methods=["GET", "POST"])
def controllers_page() -> Response:
    require(Action.ADMIN)
    form = _form()
    if not form.validate_on_submit():
        return _page(form, 422 if form.is_submitted() else 200)
    user = db.session.get(User, form.user_id.data)
    partner = db.session.get(Partner, form.partner_id.data)
    try:
        assign(user, partner, current_user)
        db.session.flush()
        record(
            "controller_assigned",
            target=f"partner:{partner.id}",
            controller=f"user:{user.id}",
        )
        db.session.commit()
    except AssignmentError as refusal:
        db.session.rollback()
        form.user_id.errors.append(str(refusal))
        return _page(form, 422)
    except IntegrityError:  # the same assignment saved a moment ago by someone else
        db.session.rollback()
    flash(
        _("%(name)s controls %(partner)s.", name=user.name, partner=partner.short_name), "success"
    )
    return redirect(url_for("controllers.controllers_page"), code=303)


@bp.post("/controllers/<int:assignment_id>/remove")
def remove(assignment_id: int) -> Response:
    require(Action.ADMIN)
    assignment = db.session.get(ControllerAssignment, assignment_id)
    if assignment is None:
        abort(404)
    name, partner = assignment.user.name, assignment.partner
    db.session.delete(assignment)
    record(
        "controller_removed",
        target=f"partner:{partner.id}",
        controller=f"user:{assignment.user_id}",
    )
    db.session.commit()
    flash(
        _("%(name)s no longer controls %(partner)s.", name=name, partner=partner.short_name),
        "success",
    )
    return redirect(url_for("controllers.controllers_page"), code=303)
