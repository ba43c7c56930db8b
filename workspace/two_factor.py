"""Two-factor sign-in: a time-based code (TOTP, RFC 6238) from an authenticator app, or
one of ten recovery codes, after the right password.

- The secret is stored as it is (base32) in ``two_factor``: the app must be able to
  compute the same codes, and a copy of the database already gives its reader every
  document; the recovery codes are stored as sha256 digests only (each holds 50
  random bits, so a fast hash is enough) and each works once.
- A code is good for its 30-second step and one step either side; the last step used
  is kept, so the same code (or an earlier one) never works twice.
- Wrong codes are counted per person under ``totp:<user id>`` in the sign-in
  throttle's table: ``LOGIN_FREE_ATTEMPTS`` free, then waits that double from
  ``LOGIN_BASE_DELAY_SECONDS`` up to ``LOGIN_MAX_DELAY_SECONDS``.
- ``REQUIRE_TWO_FACTOR`` names roles (``admin``, ``coordinator``, any region role)
  whose holders are led to set it up: decided at sign-in and kept in the session, so
  the gate costs no query.

The pages are in ``workspace.two_factor_views``.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import pyotp
import segno
from flask import Flask, Response, current_app, redirect, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pyotp.utils import strings_equal
from sqlalchemy import ForeignKey, String, delete, exists, func, select, update
from sqlalchemy.orm import Mapped, mapped_column
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from .activity import record
from .extensions import db
from .login_throttle import Wait, count_key_failure
from .models import LoginThrottle, Membership, MembershipRole, User, UTCDateTime, utcnow
from .sessions import renew

RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
SETUP_REQUIRED = "two_factor_setup_required"  # session key: the gate is on
PENDING = "two_factor_pending"  # session key: the password was right, a code is due
PENDING_FOR = timedelta(minutes=5)
WRONG_CODE = _l("This code is not right, or was used already.")
TOO_MANY = _l("Too many wrong codes.")


class TwoFactor(db.Model):
    """A person's authenticator secret, from the moment they confirmed it."""

    __tablename__ = "two_factor"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    secret: Mapped[str] = mapped_column(String(64))
    enabled_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The 30-second step of the last code accepted: that code and older ones are refused.
    last_step: Mapped[int] = mapped_column(default=0)


class RecoveryCode(db.Model):
    __tablename__ = "two_factor_recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


# ---------------------------------------------------------------- the secret and codes


def new_secret() -> str:
    return pyotp.random_base32()


def grouped(secret: str) -> str:
    """ "ABCD EFGH ...": easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(user: User, secret: str) -> str:
    """The set-up QR code as SVG markup to place in the page: drawn here, no outside
    service sees the secret; presentation attributes only, which the CSP allows."""
    uri = pyotp.TOTP(secret).provisioning_uri(
        name=user.email, issuer_name=current_app.config["PROJECT_NAME"]
    )
    return segno.make(uri, error="m").svg_inline(
        scale=5, border=4, dark="#000", light="#fff", svgclass="qr-code", lineclass=None,
        title=_("QR code for your authenticator app"),
    )  # fmt: skip


def settings_of(user: User) -> TwoFactor | None:
    return db.session.get(TwoFactor, user.id)


def is_enabled(user: User) -> bool:
    return db.session.scalar(select(exists().where(TwoFactor.user_id == user.id)))


def _matching_step(secret: str, code: str, after: int) -> int | None:
    """The step (now, or one either side) whose code is ``code``, if later than ``after``."""
    totp = pyotp.TOTP(secret)
    now = totp.timecode(utcnow())
    for step in (now, now - 1, now + 1):
        if step > after and strings_equal(totp.generate_otp(step), code):
            return step
    return None


def confirmed_step(secret: str, code: str | None) -> int | None:
    """At set-up: the step of ``code`` when the app shows the codes of ``secret``."""
    return _matching_step(secret, _digits(code or ""), 0)


def _digits(code: str) -> str:
    return "".join(code.split())


def _recovery_digest(code: str) -> str:
    normal = "".join(c for c in code.lower() if c.isalnum())
    return hashlib.sha256(normal.encode()).hexdigest()


def new_recovery_codes(user: User) -> list[str]:
    """Ten fresh codes in place of the old ones; only their digests are kept."""
    codes = []
    for _number in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _letter in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_recovery_digest(c)) for c in codes)
    return codes


def unused_recovery_codes(user: User) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


def enable(user: User, secret: str, step: int) -> list[str]:
    """Two-factor sign-in is on for ``user`` (the code of ``step`` confirmed it, and is
    spent); returns the recovery codes to show once. The caller commits."""
    db.session.add(TwoFactor(user_id=user.id, secret=secret, enabled_at=utcnow(), last_step=step))
    record("two_factor_enabled", target=f"user:{user.id}")
    return new_recovery_codes(user)


def disable(user: User) -> None:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(delete(TwoFactor).where(TwoFactor.user_id == user.id))
    record("two_factor_disabled", target=f"user:{user.id}")


# ---------------------------------------------------------------- checking a code


def _throttle_key(user: User) -> str:
    return f"totp:{user.id}"


def wait_for_code(user: User) -> Wait | None:
    locked_until = db.session.scalar(
        select(LoginThrottle.locked_until).where(LoginThrottle.key == _throttle_key(user))
    )
    now = utcnow()
    if locked_until is None or locked_until <= now:
        return None
    return Wait(max(1, int((locked_until - now).total_seconds() + 0.999)), TOO_MANY)


def _count_failure(user: User) -> None:
    # One statement (an upsert): two workers failing at once both count.
    count_key_failure(_throttle_key(user), current_app.config["LOGIN_FREE_ATTEMPTS"])


def _accept_totp(user: User, code: str) -> bool:
    two_factor = settings_of(user)
    if two_factor is None:
        return False
    step = _matching_step(two_factor.secret, code, two_factor.last_step)
    if step is None:
        return False
    # Compare-and-set: of two requests with the same code, one wins.
    won = db.session.execute(
        update(TwoFactor)
        .where(TwoFactor.user_id == user.id, TwoFactor.last_step < step)
        .values(last_step=step)
        .execution_options(synchronize_session=False)
    ).rowcount
    return won == 1


def _accept_recovery_code(user: User, code: str) -> bool:
    used = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _recovery_digest(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if used:
        record("recovery_code_used", actor=user, target=f"user:{user.id}",
               left=unused_recovery_codes(user))  # fmt: skip
    return bool(used)


def code_refusal(user: User, code: str | None, during: str) -> str | None:
    """Check a code of ``user`` (from the app, or a recovery code): None when it is
    right, else why not. A wrong one is counted and recorded; the caller commits."""
    wait = wait_for_code(user)
    if wait:
        return wait.message
    code = _digits(code or "")
    if code.isdigit() and len(code) == 6:
        accepted = _accept_totp(user, code)
    else:
        accepted = bool(code) and _accept_recovery_code(user, code)
    if accepted:
        db.session.execute(delete(LoginThrottle).where(LoginThrottle.key == _throttle_key(user)))
        return None
    _count_failure(user)
    record("two_factor_failed", actor=user, target=f"user:{user.id}", during=during)
    return str(WRONG_CODE)


def code_field() -> StringField:
    return StringField(
        _l("Code from your authenticator app"),
        validators=[InputRequired(), Length(max=40)],
        description=_l("Six digits, or one of your recovery codes."),
    )


def with_code(form_class: type) -> type:
    """``form_class`` with a ``code`` field: re-authentication when two-factor is on."""
    return type(form_class.__name__, (form_class,), {"code": code_field()})


# ---------------------------------------------------------------- signing in


def ask_for_code(user: User, kept: bool, next_path: str | None) -> Response:
    """The password was right: remember that for a few minutes, in a session with a
    new id, and ask for the code."""
    session.clear()
    renew(session, kept=False)
    session[PENDING] = {
        "user": user.id,
        "at": int(utcnow().timestamp()),
        "kept": bool(kept),
        "next": next_path,
    }
    return redirect(url_for("two_factor.login_code"))


def pending_sign_in() -> tuple[User, dict] | None:
    """Whose password was right in this browser less than ``PENDING_FOR`` ago, if anyone's,
    with what they asked for (``kept``, ``next``)."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    started = datetime.fromtimestamp(pending.get("at", 0), utcnow().tzinfo)
    user = db.session.get(User, pending.get("user", 0))
    if utcnow() - started > PENDING_FOR or user is None or not user.active:
        return None
    return user, pending


# ---------------------------------------------------------------- required for roles


def required_for(user: User) -> bool:
    """Whether a role ``user`` holds is one of ``REQUIRE_TWO_FACTOR``."""
    roles = current_app.config["REQUIRE_TWO_FACTOR"]
    if not roles:
        return False
    if "admin" in roles and user.is_admin:
        return True
    region_roles = [MembershipRole(r) for r in roles if r != "admin"]
    return bool(region_roles) and db.session.scalar(
        select(exists().where(Membership.user_id == user.id, Membership.role.in_(region_roles)))
    )


def note_sign_in(user: User) -> None:
    """At sign-in without a code: someone whose role requires a second factor and who
    has none is led to set it up before anything else."""
    if required_for(user) and not is_enabled(user):
        session[SETUP_REQUIRED] = True


def _roles_setting(value: object) -> frozenset[str]:
    names = value.split(",") if isinstance(value, str) else list(value or ())
    roles = frozenset(n.strip().lower() for n in names if n.strip())
    known = {"admin", *(r.value for r in MembershipRole)}
    if unknown := roles - known:
        raise RuntimeError(
            f"REQUIRE_TWO_FACTOR names unknown roles {sorted(unknown)}; "
            f"use some of {sorted(known)}, e.g. admin,coordinator"
        )
    return roles


def init_app(app: Flask) -> None:
    app.config["REQUIRE_TWO_FACTOR"] = _roles_setting(app.config.get("REQUIRE_TWO_FACTOR"))
