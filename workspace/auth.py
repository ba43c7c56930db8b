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
    current_app,
    flash,
    redirect,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import bindparam, select

from .activity import record
from .extensions import db, login_manager
from .forms import ChangePasswordForm, LoginForm, NewPasswordForm
from .models import User, utcnow
from .passwords import (
    check_password,
    clear_failures,
    find_valid_token,
    normalise_email,
    reserve_attempt,
    set_password,
)
from .rendering import error_response, render

bp = Blueprint("auth", __name__)

PUBLIC_ENDPOINTS = {
    "auth.login",
    "auth.set_password_view",
    "static",
    "plugin_static",
    "healthz",
}
WRONG_LOGIN = "E-mail or password is incorrect."


# Built once (cheaper than session.get): every request of a signed-in user runs it.
_USER_BY_ID = select(User).where(User.id == bindparam("id"))


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Resolve the session's "id:version"; a deactivated user or an old version is
    signed out on the very next request."""
    ident, _, version = user_id.partition(":")
    if not ident.isdigit() or not version.isdigit():
        return None
    user = db.session.scalar(_USER_BY_ID, {"id": int(ident)})
    if user is None or not user.active or user.session_version != int(version):
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
        flash("Please sign in to continue.", "info")
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
    wait = reserve_attempt(email)
    if wait:
        form.form_errors.append(
            f"Too many failed attempts for this address. Try again in {wait} seconds."
        )
        return render("auth/login.html", form=form, status=429)

    user = db.session.scalar(select(User).where(User.email == email))
    if not check_password(user, form.password.data) or not user.active:
        record("login_failed", actor=user, target=f"email:{email[:100]}")
        db.session.commit()
        form.form_errors.append(WRONG_LOGIN)
        return render("auth/login.html", form=form, status=422)

    clear_failures(email)
    record("login", actor=user)
    db.session.commit()
    session.clear()
    login_user(user, remember=form.remember.data)
    flash(f"Welcome, {user.name}.", "success")
    return redirect(_local_path(request.args.get("next")) or url_for("regions.home"))


@bp.post("/logout")
def logout() -> Response:
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> Response:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        # The current password is throttled like a login: a borrowed session
        # must not become a way to guess it.
        wait = reserve_attempt(user.email)
        if wait:
            form.current.errors.append(f"Too many wrong attempts. Try again in {wait} seconds.")
        elif not check_password(user, form.current.data):
            form.current.errors.append("This is not your current password.")
        else:
            clear_failures(user.email)
            set_password(user, form.password.data)
            record("password_changed", target=f"user:{user.id}")
            db.session.commit()
            # The new session version; other sessions end. "Keep me signed in" stays.
            remembered = current_app.config["REMEMBER_COOKIE_NAME"] in request.cookies
            login_user(user, remember=remembered)
            flash("Your password is changed. Other devices have been signed out.", "success")
            return redirect(url_for("regions.home"))
    status = 422 if form.is_submitted() else 200
    return render("auth/change_password.html", form=form, status=status)


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password_view(token: str) -> Response:
    row = find_valid_token(token)
    if row is None:
        return error_response(
            404,
            "This set-password link is unknown, expired or already used. "
            "Ask an administrator for a new one.",
        )
    form = NewPasswordForm()
    if form.validate_on_submit():
        set_password(row.user, form.password.data)
        row.used_at = utcnow()
        record("password_set", actor=row.user, target=f"user:{row.user.id}")
        db.session.commit()
        logout_user()
        flash("Your password is set. Please sign in.", "success")
        return redirect(url_for("auth.login"))
    status = 422 if form.is_submitted() else 200
    return render("auth/set_password.html", form=form, user=row.user, status=status)


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"
    app.register_blueprint(bp)
    app.before_request(require_login)
