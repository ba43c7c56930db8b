"""Admin → Calendar (``/admin/calendar``): the project's calendar, kept by an admin.

A change is offered to the modules first (the ``calendar_changed`` hook), in the same
transaction: one that files records by period moves them, or refuses the change with a
message, and then nothing changes.
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

from .activity import record
from .dates import date_example
from .extensions import db
from .forms import DayField, StrippedForm
from .permissions import Action, require
from .plugins import host
from .project_calendar import DEFAULT, periods, project_calendar
from .rendering import render

bp = Blueprint("project_calendar", __name__, url_prefix="/admin")


class CalendarForm(StrippedForm):
    start_date = DayField(_l("Project start"), validators=[InputRequired()])
    phase1_months = IntegerField(_l("Phase 1 length (months)"), validators=[NumberRange(1, 120)])
    phase1_period_months = IntegerField(
        _l("Phase 1 reporting period (months)"), validators=[NumberRange(1, 120)]
    )
    phase2_months = IntegerField(_l("Phase 2 length (months)"), validators=[NumberRange(0, 120)])
    phase2_period_months = IntegerField(
        _l("Phase 2 reporting period (months)"), validators=[NumberRange(1, 120)]
    )
    report_days = IntegerField(
        _l("Reports due (days after a period's end)"), validators=[NumberRange(0, 365)]
    )


FIELDS = tuple(DEFAULT)
CALENDAR_ID = 1  # the table holds one row, always this one


def change_calendar(values: dict) -> str | None:
    """Save the calendar ``values`` (the caller commits), after every module has brought
    its records in line; a module's message when one refuses (the caller rolls back)."""
    saved = project_calendar()
    if saved.version == 0:
        saved.id = CALENDAR_ID  # two first saves at once: one fails (IntegrityError)
        db.session.add(saved)
    saved.version += 1
    for name, value in values.items():
        setattr(saved, name, value)
    db.session.flush()
    new_periods = periods(saved)
    for _plugin, refusal in host().call_each("calendar_changed", periods=new_periods):
        if refusal:
            return refusal
    record(
        "calendar_changed",
        target="setting:calendar",
        **{name: str(value) for name, value in values.items()},
    )
    return None


@bp.route("/calendar", methods=["GET", "POST"])
def calendar_page() -> Response:
    require(Action.ADMIN)
    current = project_calendar()
    form = CalendarForm(data={name: getattr(current, name) for name in FIELDS})
    if form.validate_on_submit():
        try:
            refusal = change_calendar({name: form[name].data for name in FIELDS})
            if refusal is None:
                db.session.commit()
                flash(_("The calendar is saved."), "success")
                return redirect(url_for("project_calendar.calendar_page"), code=303)
        except IntegrityError:
            refusal = None  # someone else saved first
        db.session.rollback()  # before anything reads the session (the language)
        if refusal is None:
            message = _(
                "Nothing was changed: someone saved the calendar a moment ago: "
                "check it, then save again."
            )
        else:
            message = _("Nothing was changed: %(reason)s", reason=refusal)
        form.form_errors.append(message)
    status = 422 if form.is_submitted() else 200
    return render(
        "admin/calendar.html", form=form, periods=periods(), example=date_example(), status=status
    )
