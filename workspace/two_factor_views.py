"""The pages of two-factor sign-in (``workspace.two_factor``): setting it up, the code
asked after the password, new recovery codes and turning it off, and the gate that
keeps someone whose role requires it on the set-up page until it is done."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired, Length

from . import two_factor
from .activity import record
from .auth import PUBLIC_ENDPOINTS, complete_sign_in
from .extensions import db
from .forms import StrippedForm
from .login_throttle import clear_failures, count_failure, wait_for
from .models import User
from .passwords import check_password
from .rendering import no_store, render

bp = Blueprint("two_factor", __name__)

SETUP_SECRET = "two_factor_setup_secret"  # noqa: S105  (the session key of the secret being set up)
# What someone who must set up two-factor sign-in can still open.
OPEN_DURING_SETUP = {"two_factor.settings", "auth.logout", *PUBLIC_ENDPOINTS}


class SetupForm(StrippedForm):
    code = StringField(
        _l("Code shown by the app"),
        validators=[InputRequired(), Length(max=20)],
        description=_l("Six digits; a new one every 30 seconds."),
    )


class CodeForm(StrippedForm):
    code = two_factor.code_field()


class ReauthForm(StrippedForm):
    """Before turning two-factor sign-in off or changing the recovery codes."""

    password = PasswordField(_l("Your password"), validators=[InputRequired()])
    code = two_factor.code_field()


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
def settings() -> Response:
    """Set-up (a QR code, the secret for typing, a code to confirm), or, once on, the
    page to turn it off or get new recovery codes."""
    user = current_user._get_current_object()
    no_store()  # the secret is on it
    if two_factor.is_enabled(user):
        if session.get(two_factor.SETUP_REQUIRED):  # set up meanwhile, in another browser
            del session[two_factor.SETUP_REQUIRED]
        return _manage(user)
    secret = session.get(SETUP_SECRET)
    if not isinstance(secret, str):
        secret = session[SETUP_SECRET] = two_factor.new_secret()
    form = SetupForm()
    if form.validate_on_submit():
        step = two_factor.confirmed_step(secret, form.code.data)
        if step is not None:
            codes = two_factor.enable(user, secret, step)
            db.session.commit()
            session.pop(SETUP_SECRET, None)
            session.pop(two_factor.SETUP_REQUIRED, None)
            flash(_("Two-factor sign-in is on."), "success")
            return _show_codes(codes)
        form.code.errors.append(
            _(
                "This is not the code the app shows now. Check that the app's clock is right "
                "and type the newest code."
            )
        )
    return render(
        "auth/two_factor_setup.html",
        form=form,
        qr=Markup(two_factor.qr_svg(user, secret)),  # noqa: S704  (segno's own markup)
        secret=two_factor.grouped(secret),
        required=session.get(two_factor.SETUP_REQUIRED, False),
        status=422 if form.is_submitted() else 200,
    )


def _manage(
    user: User,
    off: ReauthForm | None = None,
    codes: ReauthForm | None = None,
    status: int = 200,
) -> Response:
    return render(
        "auth/two_factor_manage.html",
        settings=two_factor.settings_of(user),
        left=two_factor.unused_recovery_codes(user),
        required=two_factor.required_for(user),
        off_form=off or ReauthForm(prefix="off", formdata=None),
        codes_form=codes or ReauthForm(prefix="codes", formdata=None),
        status=status,
    )


def _show_codes(codes: list[str]) -> Response:
    no_store()
    return render("auth/two_factor_codes.html", codes=codes)


def _reauthenticated(user: User, form: ReauthForm, during: str) -> bool:
    """The password (throttled as at sign-in) and a current code; the caller commits."""
    wait = wait_for(user.email, user)
    if wait:
        form.password.errors.append(wait.message)
        return False
    if not check_password(user, form.password.data):
        count_failure(user.email, user)
        form.password.errors.append(_("This is not your password."))
        return False
    refusal = two_factor.code_refusal(user, form.code.data, during)
    if refusal:
        form.code.errors.append(refusal)
        return False
    clear_failures(user.email, user)
    return True


@bp.post("/account/two-factor/off")
@login_required
def turn_off() -> Response:
    user = current_user._get_current_object()
    if not two_factor.is_enabled(user):
        return redirect(url_for("two_factor.settings"), 303)
    form = ReauthForm(prefix="off")
    if form.validate_on_submit() and _reauthenticated(user, form, "turn_off"):
        two_factor.disable(user)
        db.session.commit()
        if two_factor.required_for(user):
            # A new phone: set up again at once, nothing else until then.
            session[two_factor.SETUP_REQUIRED] = True
            return redirect(url_for("two_factor.settings"), 303)
        flash(_("Two-factor sign-in is off. Your password alone signs you in."), "success")
        return redirect(url_for("account.settings"), 303)
    db.session.commit()  # the failures counted
    return _manage(user, off=form, status=422)


@bp.post("/account/two-factor/recovery-codes")
@login_required
def new_recovery_codes() -> Response:
    user = current_user._get_current_object()
    if not two_factor.is_enabled(user):
        return redirect(url_for("two_factor.settings"), 303)
    form = ReauthForm(prefix="codes")
    if form.validate_on_submit() and _reauthenticated(user, form, "recovery_codes"):
        codes = two_factor.new_recovery_codes(user)
        record("recovery_codes_regenerated", target=f"user:{user.id}")
        db.session.commit()
        flash(_("New recovery codes: the old ones no longer work."), "success")
        return _show_codes(codes)
    db.session.commit()
    return _manage(user, codes=form, status=422)


@bp.route("/login/code", methods=["GET", "POST"])
def login_code() -> Response:
    """The second step of signing in, within a few minutes of the right password."""
    if current_user.is_authenticated:
        return redirect(url_for("regions.home"))
    found = two_factor.pending_sign_in()
    if found is None:
        session.pop(two_factor.PENDING, None)
        flash(_("Please sign in again: the code was not given in time."), "info")
        return redirect(url_for("auth.login"))
    user, pending = found
    form = CodeForm()
    status = 422 if form.is_submitted() else 200
    if form.validate_on_submit():
        refusal = two_factor.code_refusal(user, form.code.data, "sign_in")
        if refusal is None:
            return complete_sign_in(
                user, kept=pending["kept"], next_path=pending["next"], second_factor=True
            )
        db.session.commit()
        form.code.errors.append(refusal)
        if refusal != str(two_factor.WRONG_CODE):
            status = 429
    return render("auth/two_factor_code.html", form=form, status=status)


def require_setup() -> Response | None:
    """Someone whose role requires two-factor sign-in, signed in without it, sees
    only the set-up page until it is done."""
    if not session.get(two_factor.SETUP_REQUIRED) or request.endpoint in OPEN_DURING_SETUP:
        return None
    if request.endpoint is None or not current_user.is_authenticated:
        return None
    target = url_for("two_factor.settings")
    if request.htmx:
        response = Response(status=403)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)


def init_app(app: Flask) -> None:
    two_factor.init_app(app)
    app.register_blueprint(bp)
    app.before_request(require_setup)
