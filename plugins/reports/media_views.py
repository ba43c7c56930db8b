"""The media log (``/p/reports/media``): each partner's appearances in the media (day,
outlet, title, link, kind), kept by the partner's staff and read by the consortium.
Each entry counts towards the indicator "Appearances in media" and is listed in the
progress report's communication section."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from flask_login import current_user
from sqlalchemy import select
from wtforms import StringField
from wtforms.validators import URL, DataRequired, InputRequired, Length, Optional, ValidationError

from workspace.api import (
    Action,
    ChoiceField,
    DayField,
    IndicatorValue,
    Partner,
    Period,
    StrippedForm,
    User,
    can,
    date_example,
    db,
    options,
    record,
    render,
    require,
)

from . import overview
from .access import may_write, require_that
from .models import MediaAppearance, MediaKind
from .phrases import PHRASES
from .views import pages


class MediaForm(StrippedForm):
    partner_id = ChoiceField(_l("Partner"), coerce=int)
    day = DayField(
        _l("Day"), validators=[InputRequired(message=_l("Say on which day it appeared."))]
    )
    outlet = StringField(
        _l("Outlet"),
        validators=[
            DataRequired(message=_l("Name the newspaper, site, station or channel.")),
            Length(
                max=200,
                message=lazy_ngettext(
                    "At most %(num)d character.", "At most %(num)d characters.", 200
                ),
            ),
        ],
    )
    title = StringField(
        _l("Title or subject"),
        validators=[
            DataRequired(message=_l("Give the article's title or the subject.")),
            Length(
                max=300,
                message=lazy_ngettext(
                    "At most %(num)d character.", "At most %(num)d characters.", 300
                ),
            ),
        ],
    )
    link = StringField(
        _l("Link"),
        validators=[
            Optional(),
            URL(message=_l("Enter a full address, starting https://")),
            Length(
                max=500,
                message=lazy_ngettext(
                    "At most %(num)d character.", "At most %(num)d characters.", 500
                ),
            ),
        ],
    )
    kind = ChoiceField(_l("Kind"), choices=options([(k.value, k.label) for k in MediaKind]))

    def validate_link(self, field) -> None:
        if field.data and not field.data.lower().startswith(("http://", "https://")):
            raise ValidationError(_("Enter a web address, starting https://"))

    def validate_day(self, field) -> None:
        if field.data is not None and field.data > overview.today():
            raise ValidationError(_("An appearance is logged once it has happened."))


def writable_partners(user: User) -> list[Partner]:
    everyone = overview.ordered(db.session.scalars(select(Partner)).all())
    return [p for p in everyone if may_write(user, p)]


def media_form(formdata=None) -> MediaForm:
    form = MediaForm(formdata=formdata) if formdata is not None else MediaForm()
    mine = writable_partners(current_user)
    form.partner_id.choices = options([(p.id, p.short_name) for p in mine])
    if formdata is None and not form.is_submitted() and current_user.partner_id:
        form.partner_id.data = current_user.partner_id
    return form


def entries(period: Period | None = None, partner_id: int | None = None) -> list[MediaAppearance]:
    query = select(MediaAppearance)
    if period is not None:
        query = query.where(MediaAppearance.day.between(period.start, period.end))
    if partner_id is not None:
        query = query.where(MediaAppearance.partner_id == partner_id)
    return db.session.scalars(query.order_by(MediaAppearance.day.desc(), MediaAppearance.id)).all()


def show(form: MediaForm, status: int = 200) -> Response:
    asked = request.args.get("partner", "")
    partner_id = int(asked) if asked.isdigit() and len(asked) < 9 else None
    everyone = overview.ordered(db.session.scalars(select(Partner)).all())
    return render(
        "reports/media.html",
        status=status,
        form=form,
        items=entries(partner_id=partner_id),
        partners=everyone,
        chosen=partner_id,
        may_delete={p.id: may_write(current_user, p) for p in everyone},
        can_add=bool(form.partner_id.choices),
        example=date_example(),
    )


@pages.get("/media")
def media() -> Response:
    require(Action.READ)
    return show(media_form())


@pages.post("/media")
def add_media() -> Response:
    require(Action.READ)
    form = media_form()
    if not form.partner_id.choices:
        abort(403)
    if not form.validate_on_submit():
        flash(_("Nothing was saved: correct the marked fields."), "error")
        return show(form, 422)
    partner = db.session.get(Partner, form.partner_id.data)
    require_that(partner is not None and may_write(current_user, partner), partner)
    entry = MediaAppearance(
        partner_id=partner.id,
        day=form.day.data,
        outlet=form.outlet.data,
        title=form.title.data,
        link=form.link.data or "",
        kind=form.kind.data,
        created_by_id=current_user.id,
    )
    db.session.add(entry)
    db.session.flush()
    record(
        "media_logged",
        phrase=PHRASES["media_logged"],
        region=partner.region,
        target=f"reports:media:{entry.id}",
    )
    db.session.commit()
    flash(
        _(
            "“%(title)s” in %(outlet)s is logged for %(partner)s.",
            title=entry.title,
            outlet=entry.outlet,
            partner=partner.short_name,
        ),
        "success",
    )
    return redirect(url_for("reports_project.media"), 303)


@pages.post("/media/<int:entry_id>/delete")
def delete_media(entry_id: int) -> Response:
    require(Action.READ)
    entry = db.session.get(MediaAppearance, entry_id)
    if entry is None:
        abort(404)
    require_that(may_write(current_user, entry.partner), entry.partner)
    title, outlet, partner = entry.title, entry.outlet, entry.partner
    db.session.delete(entry)
    record(
        "media_removed",
        phrase=PHRASES["media_removed"],
        region=partner.region,
        target=f"reports:media:{entry_id}",
        title=title,
        outlet=outlet,
    )
    db.session.commit()
    flash(
        _("“%(title)s” in %(outlet)s is removed from the media log.", title=title, outlet=outlet),
        "success",
    )
    return redirect(url_for("reports_project.media"), 303)


def indicator_values(period: Period | None, user: User) -> list[IndicatorValue]:
    """Each logged appearance counts once towards "Appearances in media" for its partner
    (in the partner's region; the consortium reads them)."""
    if not can(user, Action.READ, None):
        return []
    return [
        IndicatorValue(
            "media",
            f"reports:media:{entry.id}",
            f"{entry.title} ({entry.outlet})",
            entry.day,
            url=url_for("reports_project.media", partner=entry.partner_id) + f"#media-{entry.id}",
            detail=f"{entry.kind_label} · {entry.partner.short_name}",
            region=entry.partner.region_id,
            partner=entry.partner_id,
        )
        for entry in entries(period)
    ]
