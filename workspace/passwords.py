"""Password hashing and set-password links (failed sign-ins: workspace.login_throttle)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import ngettext
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db
from .models import SetPasswordToken, User, utcnow
from .sessions import end_all

# Compared against when the e-mail is unknown, so both cases take the same time.
_DUMMY_HASH = generate_password_hash("not a real password", method="scrypt")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def set_password(user: User, password: str) -> None:
    """Store a new password, end every session of the user and retire set-password
    links handed out before."""
    user.password_hash = hash_password(password)
    user.session_version = (user.session_version or 0) + 1
    if user.id is not None:
        end_all(user)  # the caller signs this browser in again, if it should stay
        revoke_set_password_tokens(user)


def check_password(user: User | None, password: str) -> bool:
    if user is None or not user.password_hash:
        check_password_hash(_DUMMY_HASH, password)
        return False
    return check_password_hash(user.password_hash, password)


def normalise_email(email: str) -> str:
    return email.strip().lower()


# ---------------------------------------------------------------- set-password links


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def revoke_set_password_tokens(user: User) -> None:
    """Make every unused set-password link of the user stop working."""
    now = utcnow()
    for old in db.session.scalars(
        select(SetPasswordToken).where(
            SetPasswordToken.user_id == user.id, SetPasswordToken.used_at.is_(None)
        )
    ):
        old.used_at = now


def issue_set_password_token(user: User, hours: int | None = None) -> str:
    """Create a one-time token, valid for ``hours`` (by default
    ``SET_PASSWORD_LINK_HOURS``); earlier unused tokens of the user stop working."""
    now = utcnow()
    revoke_set_password_tokens(user)
    token = secrets.token_urlsafe(32)
    hours = hours or current_app.config["SET_PASSWORD_LINK_HOURS"]
    db.session.add(
        SetPasswordToken(
            user=user,
            token_hash=_digest(token),
            created_at=now,
            expires_at=now + timedelta(hours=hours),
        )
    )
    return token


def link_lifetime(hours: int) -> str:
    """ "72 hours", "1 hour": how long a set-password link works, for a sentence (in
    the language of the moment: a mail's, inside ``i18n.in_language``)."""
    return ngettext("%(num)d hour", "%(num)d hours", hours)


def find_valid_token(token: str) -> SetPasswordToken | None:
    row = db.session.scalar(
        select(SetPasswordToken).where(SetPasswordToken.token_hash == _digest(token))
    )
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return None
    if not row.user.active:
        return None
    return row
