"""The budget settings an admin keeps (``/p/budget/settings``): ERDF and office rates,
the flexibility, and which periods are closed. The periods are the project calendar's
(Admin → Calendar, the core's); when it changes, ``refile_lines`` (the module's
``calendar_changed`` hook) moves every expenditure line to its new period."""

from __future__ import annotations

from flask import Response, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select
from wtforms import StringField

from workspace.api import (
    Action,
    NumberError,
    StrippedForm,
    db,
    format_day,
    input_value,
    parse_number,
    record,
    render,
    require,
)
from workspace.api import Period as CalendarPeriod

from .ledger import get_settings, periods
from .models import BudgetSettings, Expenditure
from .views import project_pages


class SettingsForm(StrippedForm):
    erdf_rate_public = StringField(_l("ERDF rate, public bodies (%)"))
    erdf_rate_private = StringField(_l("ERDF rate, private non-profit bodies (%)"))
    office_rate = StringField(_l("Office and administration: share of staff costs (%)"))
    flexibility_rate = StringField(
        _l("Flexibility without a formal modification: share of a partner's contracted budget (%)")
    )
    closed_through = StringField(_l("Closed periods (reported up to period number)"))


RATE_FIELDS = ("erdf_rate_public", "erdf_rate_private", "office_rate", "flexibility_rate")


def _check_settings(form: SettingsForm) -> dict:
    values = {}
    for name in RATE_FIELDS:
        try:
            rate = parse_number(form[name].data, _("The rate"))
        except NumberError as error:
            form[name].errors = [str(error)]
        else:
            if rate > 100:
                form[name].errors = [_("A rate is at most 100 %.")]
            values[name] = rate
    text = form.closed_through.data or "0"
    if not (text.isascii() and text.isdigit()):
        form.closed_through.errors = [_("A period number, or 0 when none is closed.")]
    else:
        values["closed_through"] = int(text)
    return values


@project_pages.route("/settings", methods=["GET", "POST"])
def settings_page() -> Response:
    require(Action.ADMIN)
    settings = get_settings()
    status = 200
    if request.method == "POST":
        form = SettingsForm()
        values = _check_settings(form)
        count = len(periods(settings))
        if not any(f.errors for f in form) and values["closed_through"] > count:
            form.closed_through.errors = [
                ngettext(
                    "The project has %(num)d period.", "The project has %(num)d periods.", count
                )
            ]
        if any(f.errors for f in form):
            db.session.rollback()
            status = 422
        else:
            if settings.id is None:
                db.session.add(settings)
            else:
                settings.version += 1
            for name, value in values.items():
                setattr(settings, name, value)
            record(
                "budget_settings_saved",
                target="budget:settings",
                **{k: str(v) for k, v in values.items()},
            )
            db.session.commit()
            flash(_("Budget settings saved."), "success")
            return redirect(url_for("budget_project.settings_page"), 303)
    else:
        shown = _settings_dict(settings)
        # What the form shows is read back in the same format: 85,00 for an Italian.
        shown.update({name: input_value(shown[name]) for name in RATE_FIELDS})
        form = SettingsForm(formdata=None, data=shown)
    return render(
        "budget/settings.html",
        status=status,
        form=form,
        periods=periods(settings),
        settings=settings,
    )


def _settings_dict(settings: BudgetSettings) -> dict:
    names = (*RATE_FIELDS, "closed_through")
    return {name: getattr(settings, name) for name in names}


def refile_lines(new_periods: list[CalendarPeriod]) -> str | None:
    """Put every expenditure line in its period under a new calendar; a message, and
    nothing moved, when a line would fall outside the project or a closed period would
    no longer exist."""
    closed = get_settings().closed_through
    if closed > len(new_periods):
        last_closed = f"P{closed}"
        return ngettext(
            "the budget has closed the periods up to %(period)s, and the new calendar has %(num)d.",
            "the budget has closed the periods up to %(period)s, and the new calendar has %(num)d.",
            len(new_periods),
            period=last_closed,
        )
    start, end = new_periods[0].start, new_periods[-1].end
    lines = db.session.scalars(select(Expenditure)).all()
    for line in lines:
        if not start <= line.payment_date <= end:
            return _(
                "expenditure paid on %(day)s would fall outside the project (%(start)s – %(end)s).",
                day=format_day(line.payment_date),
                start=format_day(start),
                end=format_day(end),
            )
    for line in lines:
        line.period = next(p.number for p in new_periods if p.contains(line.payment_date))
    return None
