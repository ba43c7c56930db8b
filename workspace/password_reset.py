""" "Forgot password?": a one-time link to choose a new password, sent by e-mail.

The answer is the same page, with the same status, whatever was typed: an address with
an active account gets the mail, an unknown or deactivated one gets nothing, and the page
cannot tell them apart. Requests are counted per address and per client address in
each hour (``login_throttle`` keys ``reset:`` and ``reset-ip:``); past the allowance the
answer is again the same, and no mail is sent.

The link is a set-password link (``workspace.passwords``) working for
``PASSWORD_RESET_LINK_HOURS``: once, and a newer one makes older ones stop working.
Setting the password through it ends the account's sessions but leaves two-factor
sign-in on: a mailbox is not a second factor, so the next sign-in still asks for a code.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, current_app, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from wtforms import EmailField
from wtforms.validators import DataRequired, Email, Length

from . import clock, two_factor
from .activity import record
from .extensions import db
from .forms import StrippedForm
from .i18n import current_language, in_language
from .login_throttle import count_key_failure
from .mail import queue_mail
from .mail_templates import render_mail
from .models import LoginThrottle, User
from .passwords import issue_set_password_token, link_lifetime, normalise_email
from .rendering import render

bp = Blueprint("password_reset", __name__)


class ForgotPasswordForm(StrippedForm):
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(), Email(message=_l("Enter a valid e-mail.")), Length(max=254)],
    )


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password() -> Response:
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render("auth/forgot_password.html", form=form, status=status)
    email = normalise_email(form.email.data)
    if _within_limits(email):
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None:
            if user.active:
                _send_link(user)
            record("password_reset_requested", target=f"user:{user.id}", mailed=user.active)
    db.session.commit()
    hours = current_app.config["PASSWORD_RESET_LINK_HOURS"]
    return render("auth/forgot_password.html", form=form, sent=True, lasts=link_lifetime(hours))


def _within_limits(email: str) -> bool:
    """Count this request under the address's and the client's key of this hour;
    whether both are within their allowance. Unknown addresses count like known ones,
    so the limit tells nothing about which exist."""
    config = current_app.config
    now = clock.now()
    hour = f"{now:%Y%m%d%H}"
    # Keys of hours gone by are done with.
    db.session.execute(
        delete(LoginThrottle)
        .where(
            LoginThrottle.key.startswith("reset"),
            LoginThrottle.last_failure_at < now - timedelta(hours=1),
        )
        .execution_options(synchronize_session=False)
    )
    # Counted as "failures" with no wait (0): a key is only a counter here.
    for_address = count_key_failure(f"reset:{hour}:{email}", 0, now)
    from_client = count_key_failure(f"reset-ip:{hour}:{request.remote_addr or 'unknown'}", 0, now)
    return (
        for_address <= config["PASSWORD_RESET_MAILS_PER_HOUR"]
        and from_client <= config["PASSWORD_RESET_CLIENT_REQUESTS_PER_HOUR"]
    )


def _send_link(user: User) -> None:
    """Queue the mail with a new link; the account's earlier links stop working."""
    hours = current_app.config["PASSWORD_RESET_LINK_HOURS"]
    token = issue_set_password_token(user, hours)
    # In the account's language, else the one the request was made in.
    with in_language(user.language or current_language()):
        subject = _(
            "Choose a new password for the %(project)s Workspace",
            project=current_app.config["PROJECT_NAME"],
        )
        text, html = render_mail(
            "password_reset",
            subject=subject,
            user=user,
            # On the host the request came to (behind PROXY_COUNT proxies, the public one).
            link=url_for("auth.set_password_view", token=token, _external=True),
            lasts=link_lifetime(hours),
            two_factor=two_factor.is_enabled(user),
        )
    queue_mail(user.email, subject, text, html, kind="password_reset")
