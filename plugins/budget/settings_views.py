"""The budget settings an admin keeps (``/p/budget/settings``): the project's start,
phases and reporting periods, ERDF and office rates, the flexibility, and which
periods are closed. A new calendar moves every expenditure line to its period."""

from __future__ import annotations

from flask import Response, flash, redirect, request, url_for
from sqlalchemy import select
from wtforms import StringField

from workspace.api import (
    Action,
    DateError,
    NumberError,
    StrippedForm,
    db,
    format_day,
    input_value,
    parse_date,
    parse_number,
    record,
    render,
    require,
)

from .ledger import get_settings, periods
from .models import BudgetSettings, Expenditure
from .views import project_pages


class SettingsForm(StrippedForm):
    start_date = StringField("Project start")
    phase1_months = StringField("Phase 1 length (months)")
    phase1_period_months = StringField("Phase 1 reporting period (months)")
    phase2_months = StringField("Phase 2 length (months)")
    phase2_period_months = StringField("Phase 2 reporting period (months)")
    erdf_rate_public = StringField("ERDF rate, public bodies (%)")
    erdf_rate_private = StringField("ERDF rate, private non-profit bodies (%)")
    office_rate = StringField("Office and administration (% of staff)")
    flexibility_rate = StringField(
        "Flexibility without a formal modification (% of a partner's contracted budget)"
    )
    closed_through = StringField("Closed periods (reported up to period number)")


MONTH_FIELDS = ("phase1_months", "phase1_period_months", "phase2_months", "phase2_period_months")
RATE_FIELDS = ("erdf_rate_public", "erdf_rate_private", "office_rate", "flexibility_rate")


def _check_settings(form: SettingsForm) -> dict:
    values = {}
    try:
        values["start_date"] = parse_date(form.start_date.data, "The project start")
    except DateError as error:
        form.start_date.errors = [str(error)]
    for name in MONTH_FIELDS:
        text = form[name].data or ""
        if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 120:
            form[name].errors = ["A whole number of months from 1 to 120."]
        else:
            values[name] = int(text)
    for name in RATE_FIELDS:
        try:
            rate = parse_number(form[name].data, "The rate")
        except NumberError as error:
            form[name].errors = [str(error)]
        else:
            if rate > 100:
                form[name].errors = ["A rate is at most 100 %."]
            values[name] = rate
    text = form.closed_through.data or "0"
    if not (text.isascii() and text.isdigit()):
        form.closed_through.errors = ["A period number, or 0 when none is closed."]
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
        if not any(f.errors for f in form):
            trial = BudgetSettings(**{**_settings_dict(settings), **values})
            new_periods = periods(trial)
            if values["closed_through"] > len(new_periods):
                form.closed_through.errors = [f"The project has {len(new_periods)} periods."]
            else:
                moved = _repartition(new_periods)
                if moved is not None:
                    form.start_date.errors = [moved]
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
            flash("Budget settings saved.", "success")
            return redirect(url_for("budget_project.settings_page"), 303)
    else:
        shown = _settings_dict(settings)
        # What the form shows is read back in the same format: 85,00 for an Italian.
        shown.update({name: input_value(shown[name]) for name in RATE_FIELDS})
        shown["start_date"] = shown["start_date"].isoformat()
        form = SettingsForm(formdata=None, data=shown)
    return render(
        "budget/settings.html",
        status=status,
        form=form,
        periods=periods(settings),
        settings=settings,
    )


def _settings_dict(settings: BudgetSettings) -> dict:
    names = ("start_date", *MONTH_FIELDS, *RATE_FIELDS, "closed_through")
    return {name: getattr(settings, name) for name in names}


def _repartition(new_periods) -> str | None:
    """Put every expenditure line in its period under the new calendar; a message when
    a line would fall outside the project."""
    start, end = new_periods[0].start, new_periods[-1].end
    for line in db.session.scalars(select(Expenditure)):
        found = next((p for p in new_periods if p.contains(line.payment_date)), None)
        if found is None:
            return (
                f"Expenditure paid on {format_day(line.payment_date)} would fall outside the "
                f"project ({format_day(start)} – {format_day(end)})."
            )
        line.period = found.number
    return None
