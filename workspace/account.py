"""The account page: how a person reads numbers, dates and times in the workspace."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, request, url_for
from flask_login import current_user, login_required

from .activity import record
from .dates import date_example
from .extensions import db
from .forms import ChoiceField, StrippedForm
from .locales import FORMATS, zone_names
from .models import utcnow
from .numbers import example
from .rendering import render

bp = Blueprint("account", __name__, url_prefix="/account")


class AccountForm(StrippedForm):
    number_format = ChoiceField("Number and date format")
    time_zone = ChoiceField("Time zone")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        browser = request.accept_languages.best_match(list(FORMATS)) or "en"
        self.number_format.choices = [
            ("", f"As my browser says ({FORMATS[browser].split(':')[0]})"),
            *FORMATS.items(),
        ]
        self.time_zone.choices = [("", "The project's time zone"), *((z, z) for z in zone_names())]


@bp.route("", methods=["GET", "POST"])
@login_required
def settings() -> Response:
    user = current_user._get_current_object()
    form = AccountForm(
        data={"number_format": user.number_format or "", "time_zone": user.time_zone or ""}
    )
    if form.validate_on_submit():
        user.number_format = form.number_format.data or None
        user.time_zone = form.time_zone.data or None
        record(
            "account_formats_saved",
            target=f"user:{user.id}",
            number_format=user.number_format or "browser",
            time_zone=user.time_zone or "project",
        )
        db.session.commit()
        flash("Saved. Numbers, dates and times now follow your choice.", "success")
        return redirect(url_for("account.settings"), 303)
    status = 422 if form.is_submitted() else 200
    return render(
        "auth/account.html",
        form=form,
        status=status,
        number_example=example(),
        date_example=date_example(),
        now=utcnow(),
    )
