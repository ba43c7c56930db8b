"""Signing in and out, changing a password, and redeeming a set-password link.

Every page needs a logged-in, active user except the few listed in
``PUBLIC_ENDPOINTS``: the gate is app-wide, so no view (and no plugin) can forget it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    flash,
    g,
    redirect,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import bindparam, select

from . import two_factor
from .activity import record
from .extensions import db, login_manager
from .forms import ChangePasswordForm, LoginForm, NewPasswordForm
from .login_throttle import clear_failures, count_failure, remember_device, wait_for
from .models import User, utcnow
from .passwords import check_password, find_valid_token, normalise_email, set_password
from .rendering import error_response, no_store, render
from .sessions import end_this, renew

bp = Blueprint("auth", __name__)

PUBLIC_ENDPOINTS = {
    "auth.login",
    "auth.set_password_view",
    "password_reset.forgot_password",
    "account.choose_language",  # the sign-in page's language switcher
    "two_factor.login_code",  # the second step of signing in
    "notifications.unsubscribe",  # a mail's link: its signed token says who
    "calendar_feeds.my_feed",  # calendar apps: the address's token says who
    "calendar_feeds.region_feed",
    "static",
    "plugin_static",
    "healthz",
}
WRONG_LOGIN = _l("E-mail or password is incorrect.")


# Built once (cheaper than session.get): every request of a signed-in user runs it.
_USER_BY_ID = select(User).where(User.id == bindparam("id"))


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The person of this browser's session row (read with it, in one query), when
    the session names them at their current session version: a deactivated person,
    an old version (a password changed elsewhere) or a "remember me" cookie of an
    earlier release signs in no one."""
    user = g.get("session_user")
    if user is None or not user.active or user.get_id() != user_id:
        return None
    return user


@login_manager.unauthorized_handler
def unauthorized() -> Response:
    if request.htmx:
        # Come back to the page the user was on, not to the fragment it asked for.
        current = urlsplit(request.htmx.current_url or "/")
        back = current.path + (f"?{current.query}" if current.query else "")
    else:
        back = request.full_path.rstrip("?")
    target = url_for("auth.login", next=_local_path(back))
    if request.htmx:
        # A partial swap cannot show a login page: make htmx navigate instead.
        response = Response(status=401)
        response.headers["HX-Redirect"] = target
        return response
    if request.method == "GET":
        flash(_("Please sign in to continue."), "info")
    return redirect(target)


def require_login() -> Response | None:
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


def _local_path(target: str | None) -> str | None:
    """Only paths on this site are followed after login (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response:
    if current_user.is_authenticated:
        return redirect(url_for("regions.home"))
    form = LoginForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render("auth/login.html", form=form, status=status)

    email = normalise_email(form.email.data)
    user = db.session.scalar(select(User).where(User.email == email))
    wait = wait_for(email, user)
    if wait:
        form.form_errors.append(wait.message)
        return render("auth/login.html", form=form, status=429)
    if not check_password(user, form.password.data) or not user.active:
        count_failure(email, user)
        record("login_failed", actor=user, target=f"email:{email[:100]}")
        db.session.commit()
        form.form_errors.append(str(WRONG_LOGIN))
        return render("auth/login.html", form=form, status=422)

    clear_failures(email, user)
    next_path = _local_path(request.args.get("next"))
    if two_factor.is_enabled(user):  # two-factor hook: a code finishes the sign-in
        db.session.commit()
        return two_factor.ask_for_code(user, kept=form.remember.data, next_path=next_path)
    return complete_sign_in(user, kept=form.remember.data, next_path=next_path)


def complete_sign_in(user: User, kept: bool, next_path: str | None, **detail) -> Response:
    """After the password (and the second factor, when on): the person is signed in."""
    record("login", actor=user, **detail)
    db.session.commit()
    session.clear()
    renew(session, kept=kept)  # a new id: one known before is worthless
    login_user(user)
    two_factor.note_sign_in(user)  # two-factor hook: led to set-up if the role needs it
    flash(_("Welcome, %(name)s.", name=user.name), "success")
    response = redirect(next_path or url_for("regions.home"))
    remember_device(response, user)
    return response


@bp.post("/logout")
def logout() -> Response:
    if current_user.is_authenticated:
        record("logout")
        db.session.commit()
    logout_user()
    end_this(session)  # the row goes: a copy of the cookie is dead at once
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> Response:
    user = current_user._get_current_object()
    # Two-factor hook: with it on, a current code too.
    on = two_factor.is_enabled(user)
    form = (two_factor.with_code(ChangePasswordForm) if on else ChangePasswordForm)(account=user)
    if form.validate_on_submit():
        # The current password is throttled like a login: a borrowed session
        # must not become a way to guess it.
        wait = wait_for(user.email, user)
        if wait:
            form.current.errors.append(
                ngettext(
                    "Too many wrong attempts. Try again in %(num)d second.",
                    "Too many wrong attempts. Try again in %(num)d seconds.",
                    wait.seconds,
                )
            )
        elif not check_password(user, form.current.data):
            count_failure(user.email, user)
            db.session.commit()
            form.current.errors.append(_("This is not your current password."))
        elif "code" in form and (
            refusal := two_factor.code_refusal(user, form.code.data, "password_change")
        ):
            db.session.commit()
            form.code.errors.append(refusal)
        else:
            clear_failures(user.email, user)
            set_password(user, form.password.data)
            record("password_changed", target=f"user:{user.id}")
            db.session.commit()
            # Every session ended; this one goes on, under a new id and the new
            # session version ("keep me signed in" stays as it was).
            renew(session, kept=session.kept)
            login_user(user)
            flash(_("Your password is changed. Other devices have been signed out."), "success")
            return redirect(url_for("regions.home"))
    status = 422 if form.is_submitted() else 200
    return render("auth/change_password.html", form=form, status=status)


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password_view(token: str) -> Response:
    no_store()  # the address is the secret
    row = find_valid_token(token)
    if row is None:
        return error_response(
            404,
            _(
                "This set-password link is unknown, expired or already used. Ask for a "
                "new one with “Forgot password?” on the sign-in page, or ask an administrator."
            ),
        )
    form = NewPasswordForm(account=row.user)
    if form.validate_on_submit():
        # Replacing a password the account had is a reset, whoever sent the link;
        # two-factor sign-in stays as it was (set_password leaves it alone).
        verb = "password_reset" if row.user.password_hash else "password_set"
        set_password(row.user, form.password.data)
        row.used_at = utcnow()
        record(verb, actor=row.user, target=f"user:{row.user.id}")
        db.session.commit()
        logout_user()
        flash(_("Your password is set. Please sign in."), "success")
        return redirect(url_for("auth.login"))
    status = 422 if form.is_submitted() else 200
    return render("auth/set_password.html", form=form, user=row.user, status=status)


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"
    app.register_blueprint(bp)
    app.before_request(require_login)
