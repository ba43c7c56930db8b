"""Password hashing, the slow-down of repeated failed logins, and set-password links."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db
from .models import LoginThrottle, SetPasswordToken, User, utcnow

# Compared against when the e-mail is unknown, so both cases take the same time.
_DUMMY_HASH = generate_password_hash("not a real password", method="scrypt")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def set_password(user: User, password: str) -> None:
    """Store a new password and sign out every other open session of the user."""
    user.password_hash = hash_password(password)
    user.session_version = (user.session_version or 0) + 1


def check_password(user: User | None, password: str) -> bool:
    if user is None or not user.password_hash:
        check_password_hash(_DUMMY_HASH, password)
        return False
    return check_password_hash(user.password_hash, password)


def normalise_email(email: str) -> str:
    return email.strip().lower()


# ---------------------------------------------------------------- failed logins


def seconds_until_allowed(email: str) -> int:
    """0 when a login attempt for this address may be checked now."""
    row = db.session.get(LoginThrottle, normalise_email(email))
    if row is None or row.locked_until is None:
        return 0
    remaining = (row.locked_until - utcnow()).total_seconds()
    return max(0, int(remaining + 0.999))


def note_failure(email: str) -> None:
    """Count a failed login; past the free attempts, each further one must wait longer."""
    config = current_app.config
    key = normalise_email(email)[:254]
    row = db.session.get(LoginThrottle, key, with_for_update=True)
    if row is None:
        row = LoginThrottle(email=key, failures=0)
        db.session.add(row)
    row.failures += 1
    extra = row.failures - config["LOGIN_FREE_ATTEMPTS"]
    if extra >= 0:
        delay = min(
            config["LOGIN_BASE_DELAY_SECONDS"] * 2 ** min(extra, 16),
            config["LOGIN_MAX_DELAY_SECONDS"],
        )
        row.locked_until = utcnow() + timedelta(seconds=delay)


def clear_failures(email: str) -> None:
    row = db.session.get(LoginThrottle, normalise_email(email))
    if row is not None:
        db.session.delete(row)


# ---------------------------------------------------------------- set-password links


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_set_password_token(user: User) -> str:
    """Create a one-time token; earlier unused tokens of the user stop working."""
    now = utcnow()
    for old in db.session.scalars(
        select(SetPasswordToken).where(
            SetPasswordToken.user_id == user.id, SetPasswordToken.used_at.is_(None)
        )
    ):
        old.used_at = now
    token = secrets.token_urlsafe(32)
    hours = current_app.config["SET_PASSWORD_LINK_HOURS"]
    db.session.add(
        SetPasswordToken(
            user=user, token_hash=_digest(token), expires_at=now + timedelta(hours=hours)
        )
    )
    return token


def find_valid_token(token: str) -> SetPasswordToken | None:
    row = db.session.scalar(
        select(SetPasswordToken).where(SetPasswordToken.token_hash == _digest(token))
    )
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return None
    if not row.user.active:
        return None
    return row
