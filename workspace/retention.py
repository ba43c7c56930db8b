"""How long the project's records are kept: the project's end, the date its records
are kept until, and the one check every deletion for good goes through.

Programme records are kept at least five years after the project (DOMAIN.md), so
"records kept until" is the project's end plus five years unless an admin sets
another date. Until that day nothing leaves the trash for good: ``hold_records``
refuses with the date, and ``workspace.purge`` asks it before deleting anything, so
no plugin can delete for good around it. While the project's end is not set, the
date is unknown and everything is kept.

An admin sets both dates on *Admin -> Records* (``/admin/records``); a change is in
the audit trail. ``TODAY`` (an ISO date, for tests) fixes the day the check uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_date
from flask import Blueprint, Response, current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext, ngettext
from sqlalchemy import Date
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from wtforms import ValidationError
from wtforms.validators import Optional

from .activity import record
from .dates import date_example
from .extensions import db
from .forms import DayField, StrippedForm
from .locales import babel_locale, current_format
from .permissions import Action, require
from .rendering import render

YEARS_KEPT = 5
# The table holds one row, always this one.
SETTING_ID = 1

bp = Blueprint("retention", __name__, url_prefix="/admin")


class RetentionSetting(db.Model):
    """The project's end and, when an admin set one, another "kept until" date."""

    __tablename__ = "retention_setting"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_end: Mapped[date | None] = mapped_column(Date())
    records_kept_until: Mapped[date | None] = mapped_column(Date())


def long_day(day: date) -> str:
    """A day written out as the reader's language does: "31 July 2027"."""
    return babel_date(day, "long", locale=babel_locale(current_format()))


def plus_years(day: date, years: int) -> date:
    """The same day ``years`` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Retention:
    project_end: date | None
    chosen: date | None  # the admin's own date, None: the project's end + 5 years

    @property
    def until(self) -> date | None:
        """The day records are kept until; None while nobody set the project's end."""
        if self.chosen is not None:
            return self.chosen
        if self.project_end is not None:
            return plus_years(self.project_end, YEARS_KEPT)
        return None

    @property
    def derivation(self) -> str:
        """How ``until`` comes about, in a sentence for the admin."""
        if self.chosen is not None:
            return _("Set by an administrator.")
        if self.project_end is not None:
            return ngettext(
                "%(num)d year after the end of the project (%(day)s).",
                "%(num)d years after the end of the project (%(day)s).",
                YEARS_KEPT,
                day=long_day(self.project_end),
            )
        return _("Unknown until an administrator sets the end of the project.")


def _setting() -> RetentionSetting | None:
    return db.session.get(RetentionSetting, SETTING_ID)


def current() -> Retention:
    setting = _setting()
    if setting is None:
        return Retention(None, None)
    return Retention(setting.project_end, setting.records_kept_until)


def today() -> date:
    """The day in the project's time zone; ``TODAY`` fixes it for tests."""
    fixed = current_app.config.get("TODAY")
    if fixed:
        return date.fromisoformat(fixed)
    return datetime.now(ZoneInfo(current_app.config["TIME_ZONE"])).date()


class RecordsKept(Exception):
    """Deleting for good was refused: the records are kept until ``until`` (None: the
    date is unknown). ``str()`` is the message for the person who asked."""

    def __init__(self, until: date | None) -> None:
        self.until = until
        super().__init__(
            _(
                "Records are kept until %(day)s; nothing can be deleted for good before then.",
                day=long_day(until),
            )
            if until is not None
            else _(
                "Nothing can be deleted for good before the records' retention date, and "
                "it is unknown: an administrator must set the project's end first "
                "(Admin → Records)."
            )
        )


def records_released() -> bool:
    """Whether the retention date is known and has come: deleting for good is allowed."""
    until = current().until
    return until is not None and today() >= until


def hold_records() -> None:
    """Raise ``RecordsKept`` unless the retention date is known and has come."""
    if not records_released():
        raise RecordsKept(current().until)


def set_project_end(project_end: date | None, chosen: date | None = None) -> None:
    """Store both dates (the caller commits); used by the admin page and the demo."""
    setting = _setting() or RetentionSetting(id=SETTING_ID)
    setting.project_end = project_end
    setting.records_kept_until = chosen
    db.session.add(setting)


# ---------------------------------------------------------------- the admin page


class RetentionForm(StrippedForm):
    project_end = DayField(
        _l("End of the project"),
        validators=[Optional()],
        description=_l("The last day of the project (or of its last payment)."),
    )
    records_kept_until = DayField(
        _l("Keep the records until"),
        validators=[Optional()],
        description=lazy_ngettext(
            "Empty: %(num)d year after the end of the project.",
            "Empty: %(num)d years after the end of the project.",
            YEARS_KEPT,
        ),
    )

    def validate_records_kept_until(self, field: DayField) -> None:
        chosen, end = field.data, self.project_end.data
        if chosen is None:
            return
        if end is None:
            raise ValidationError(
                _("Set the end of the project first: the records are kept after it.")
            )
        if chosen < end:
            raise ValidationError(
                _(
                    "Records are kept after the end of the project: choose a day from %(day)s on.",
                    day=long_day(end),
                )
            )


@bp.route("/records", methods=["GET", "POST"])
def records() -> Response:
    require(Action.ADMIN)
    retention = current()
    form = RetentionForm(
        data={"project_end": retention.project_end, "records_kept_until": retention.chosen}
    )
    if form.validate_on_submit():
        before = current()
        set_project_end(form.project_end.data, form.records_kept_until.data)
        after = current()
        record(
            "retention_changed",
            target="setting:retention",
            project_end=_iso(after.project_end),
            records_kept_until=_iso(after.until),
            was=_iso(before.until),
        )
        try:
            db.session.commit()
        except IntegrityError:  # two first saves at once: one row only
            db.session.rollback()
            form.form_errors.append(_("Someone saved these dates a moment ago: check them."))
        else:
            flash(_saved_message(after), "success")
            return redirect(url_for("retention.records"), code=303)
    status = 422 if form.is_submitted() else 200
    return render(
        "admin/records.html",
        form=form,
        retention=retention,
        long_day=long_day,
        years=YEARS_KEPT,
        example=date_example(),
        status=status,
    )


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _saved_message(retention: Retention) -> str:
    if retention.until is None:
        return _("Saved. The records' retention date is unknown until the project's end is set.")
    return _("Saved. Records are kept until %(day)s.", day=long_day(retention.until))
