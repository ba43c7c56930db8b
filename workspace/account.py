"""The account page: the language a person reads the workspace in, how they read
numbers, dates and times, and where they are signed in (their sessions, which they may
end). Also the language switcher of the sign-in page."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import delete, select

from . import calendar_feeds, i18n, two_factor, two_factor_views
from .activity import record
from .dates import date_example
from .extensions import db
from .forms import ChoiceField, StrippedForm
from .locales import FORMATS, zone_names
from .models import utcnow
from .numbers import example
from .rendering import render
from .sessions import BrowserSession, current_hash, end_all

bp = Blueprint("account", __name__, url_prefix="/account")
# The two-factor pages and their set-up gate come with the account's (they sign in
# through workspace.auth, so auth cannot be the one to register them).
bp.record_once(lambda state: two_factor_views.init_app(state.app))


class AccountForm(StrippedForm):
    language = ChoiceField(_l("Language"))
    number_format = ChoiceField(_l("Number and date format"))
    time_zone = ChoiceField(_l("Time zone"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        browser = i18n.LANGUAGES[i18n.browser_language()]
        self.language.choices = [
            ("", _("As my browser says (%(language)s)", language=browser)),
            *i18n.LANGUAGES.items(),
        ]
        self.number_format.choices = [("", _("As my language writes them")), *FORMATS.items()]
        self.time_zone.choices = [
            ("", _("The project's time zone")),
            *((z, z) for z in zone_names()),
        ]


@bp.route("", methods=["GET", "POST"])
@login_required
def settings() -> Response:
    user = current_user._get_current_object()
    form = AccountForm(
        data={
            "language": user.language or "",
            "number_format": user.number_format or "",
            "time_zone": user.time_zone or "",
        }
    )
    if form.validate_on_submit():
        user.language = form.language.data or None
        user.number_format = form.number_format.data or None
        user.time_zone = form.time_zone.data or None
        record(
            "account_formats_saved",
            target=f"user:{user.id}",
            language=user.language or "browser",
            number_format=user.number_format or "browser",
            time_zone=user.time_zone or "project",
        )
        db.session.commit()
        with i18n.in_language(user.language or i18n.browser_language()):
            message = _(
                "Saved. The workspace now speaks your language"
                " and writes numbers, dates and times your way."
            )
            flash(message, "success")
        response = redirect(url_for("account.settings"), 303)
        response.delete_cookie(i18n.COOKIE)
        return response
    status = 422 if form.is_submitted() else 200
    return render(
        "auth/account.html",
        form=form,
        status=status,
        number_example=example(),
        date_example=date_example(),
        now=utcnow(),
        sessions=_sessions_of(user),
        this_session=current_hash(),
        device_name=device_name,
        two_factor_on=two_factor.is_enabled(user),
        calendar=calendar_feeds.token_of(user),
    )


def _sessions_of(user) -> list[BrowserSession]:
    return list(
        db.session.scalars(
            select(BrowserSession)
            .where(BrowserSession.user_id == user.id)
            .order_by(BrowserSession.last_seen_at.desc())
        )
    )


@bp.post("/sessions/end")
@login_required
def end_session() -> Response:
    """End one of the person's other sessions (``session``: its id hash), or all of
    them (``all``). The session of this browser is ended by signing out."""
    user = current_user._get_current_object()
    this = current_hash()
    if request.form.get("all"):
        ended = end_all(user, keep=this)
    else:
        chosen = request.form.get("session", "")[:64]
        ended = db.session.execute(
            delete(BrowserSession)
            .where(
                BrowserSession.id_hash == chosen,
                BrowserSession.user_id == user.id,
                BrowserSession.id_hash != this,
            )
            .execution_options(synchronize_session=False)
        ).rowcount
    if ended:
        record("sessions_ended", target=f"user:{user.id}", count=ended)
    db.session.commit()
    if ended:
        message = ngettext(
            "Signed out on %(num)d other device.", "Signed out on %(num)d other devices.", ended
        )
        flash(message, "success")
    else:
        flash(_("That session had already ended."), "info")
    return redirect(url_for("account.settings") + "#sessions", 303)


@bp.post("/language")
def choose_language() -> Response:
    """The sign-in page's switcher: remembers the language in a cookie for this browser
    (and on the account of someone signed in), then goes back to the page."""
    code = request.form.get("language", "")
    if code not in i18n.LANGUAGES:
        abort(400)
    if current_user.is_authenticated:
        current_user.language = code
        db.session.commit()
    back = request.form.get("next", "")
    if not back.startswith("/") or back.startswith("//") or "\\" in back:
        back = url_for("auth.login")
    response = redirect(back, 303)
    response.set_cookie(
        i18n.COOKIE,
        code,
        max_age=365 * 24 * 3600,
        secure=request.is_secure,
        httponly=True,
        samesite="Lax",
    )
    return response


def device_name(user_agent: str) -> str:
    """ "Firefox on Windows": enough for a person to recognise their own device."""
    browsers = (("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
                ("Safari/", "Safari"))  # fmt: skip
    systems = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
               ("Windows", "Windows"), ("Mac OS", "macOS"), ("Linux", "Linux"))  # fmt: skip
    browser = next((name for mark, name in browsers if mark in user_agent), _("A browser"))
    system = next((name for mark, name in systems if mark in user_agent), "")
    if not system:
        return browser
    return _("%(browser)s on %(system)s", browser=browser, system=system)
