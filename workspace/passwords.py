"""Password hashing, the slow-down of repeated failed logins, and set-password links."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db
from .models import LoginThrottle, SetPasswordToken, User, utcnow

# Compared against when the e-mail is unknown, so both cases take the same time.
_DUMMY_HASH = generate_password_hash("not a real password", method="scrypt")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def set_password(user: User, password: str) -> None:
    """Store a new password, sign out every other open session of the user and
    retire set-password links handed out before."""
    user.password_hash = hash_password(password)
    user.session_version = (user.session_version or 0) + 1
    if user.id is not None:
        revoke_set_password_tokens(user)


def check_password(user: User | None, password: str) -> bool:
    if user is None or not user.password_hash:
        check_password_hash(_DUMMY_HASH, password)
        return False
    return check_password_hash(user.password_hash, password)


def normalise_email(email: str) -> str:
    return email.strip().lower()


# ---------------------------------------------------------------- failed logins


def reserve_attempt(email: str) -> int:
    """Count a password attempt for this address *before* the password is checked.

    Returns 0 when the attempt may go ahead, else the seconds to wait. Counting
    first, in one UPDATE that only matches while the address is not locked, means
    parallel requests (on any number of workers) cannot all slip past the limit.
    A successful check calls ``clear_failures``.
    """
    key = normalise_email(email)[:254]
    config = current_app.config
    for _ in range(2):
        now = utcnow()
        failures = db.session.execute(
            update(LoginThrottle)
            .where(
                LoginThrottle.email == key,
                or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until <= now),
            )
            .values(failures=LoginThrottle.failures + 1)
            .returning(LoginThrottle.failures),
            execution_options={"synchronize_session": False},
        ).scalar()
        if failures is None:
            locked = db.session.scalar(
                select(LoginThrottle.locked_until).where(LoginThrottle.email == key)
            )
            if locked is not None:
                db.session.rollback()
                return max(1, int((locked - now).total_seconds() + 0.999))
            try:
                db.session.add(LoginThrottle(email=key, failures=1))
                db.session.commit()
            except IntegrityError:
                # Another worker counted this address's first attempt at the same moment.
                db.session.rollback()
                continue
            failures = 1
        extra = failures - config["LOGIN_FREE_ATTEMPTS"]
        if extra >= 0:
            delay = min(
                config["LOGIN_BASE_DELAY_SECONDS"] * 2 ** min(extra, 16),
                config["LOGIN_MAX_DELAY_SECONDS"],
            )
            db.session.execute(
                update(LoginThrottle)
                .where(LoginThrottle.email == key)
                .values(locked_until=now + timedelta(seconds=delay)),
                execution_options={"synchronize_session": False},
            )
        db.session.commit()
        return 0
    raise RuntimeError("could not count a login attempt")


def clear_failures(email: str) -> None:
    db.session.execute(
        delete(LoginThrottle).where(LoginThrottle.email == normalise_email(email)[:254]),
        execution_options={"synchronize_session": False},
    )


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


def issue_set_password_token(user: User) -> str:
    """Create a one-time token; earlier unused tokens of the user stop working."""
    now = utcnow()
    revoke_set_password_tokens(user)
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
