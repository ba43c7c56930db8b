"""Slowing down password guessing without locking the owner out.

Only failures count, once the password has been checked: people signing in at the
same moment with the right password never wait for each other. Each failure is
counted under several keys (rows of ``LoginThrottle``):

- ``email:<address typed>``, whether or not an account has it, so the slow-down tells
  nothing about which addresses exist;
- ``ip:<client address>``, with a larger allowance, since an office shares one;
- ``all:<minute>``, every failure on the workspace in that minute: one password
  sprayed over many addresses from many places;
- ``device:<id>`` for a known device (below).

Past the allowance of a key, each further try waits: ``LOGIN_BASE_DELAY_SECONDS``,
doubling per failure, up to ``LOGIN_MAX_DELAY_SECONDS``; the workspace-wide limit
waits for the minute to end. A key forgets its failures after a day without one.

A device that signed in to an account before carries a signed cookie naming it
(``known_device``). Signing in to that account from it, the address's, the client's
and the workspace's waits do not apply, so an attack on someone's address does not
keep them out; the device's own failures are counted under its own key, so a
stolen laptop is slowed all the same.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import NamedTuple

from flask import Response, current_app, request
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import case, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from .extensions import db
from .models import LoginThrottle, User, utcnow

DEVICE_COOKIE = "known_device"
_DEVICE_SALT = "workspace.known-device"
_DEVICE_ACCOUNTS = 10  # accounts one browser remembers having signed in to
FORGET_AFTER = timedelta(days=1)


class Wait(NamedTuple):
    seconds: int
    reason: str  # a sentence (lazily translated)

    @property
    def message(self) -> str:
        wait = ngettext(
            "Try again in %(num)d second.", "Try again in %(num)d seconds.", self.seconds
        )
        return f"{self.reason} {wait}"  # two sentences, each translated


ADDRESS = _l("Too many failed attempts for this address.")
CLIENT = _l("Too many failed sign-ins from your network.")
WORKSPACE = _l("Too many failed sign-ins on this workspace just now.")
DEVICE = _l("Too many failed attempts from this browser.")


# ---------------------------------------------------------------- the known device


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=_DEVICE_SALT)


def _device() -> dict:
    """The signed cookie's content, or an empty one when it is missing or forged."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return {}
    try:
        value = _serializer().loads(raw)
    except BadSignature:
        return {}
    return value if isinstance(value, dict) and isinstance(value.get("d"), str) else {}


def known_device(user: User | None) -> str | None:
    """This browser's id, when it has signed in to ``user``'s account before."""
    device = _device()
    if user is None or user.id not in device.get("u", ()):
        return None
    return device["d"]


def remember_device(response: Response, user: User) -> None:
    """After a successful sign-in: this browser is now known for ``user``."""
    device = _device()
    accounts = [user.id] + [i for i in device.get("u", ()) if i != user.id]
    value = {"d": device.get("d") or secrets.token_urlsafe(16), "u": accounts[:_DEVICE_ACCOUNTS]}
    response.set_cookie(
        DEVICE_COOKIE,
        _serializer().dumps(value),
        max_age=int(timedelta(days=365).total_seconds()),
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )


# ---------------------------------------------------------------- waits


def _keys(email: str, device: str | None) -> dict[str, int]:
    """Key -> failures allowed before waiting, for a try on ``email``."""
    config = current_app.config
    if device is not None:
        return {f"device:{device}": config["LOGIN_FREE_ATTEMPTS"]}
    return {
        f"email:{email[:254]}": config["LOGIN_FREE_ATTEMPTS"],
        f"ip:{request.remote_addr or 'unknown'}": config["LOGIN_CLIENT_FREE_ATTEMPTS"],
    }


def _minute(now: datetime) -> str:
    return f"all:{now:%Y%m%d%H%M}"


def wait_for(email: str, user: User | None) -> Wait | None:
    """How long a try on ``email`` must wait first, if at all (``user``: the account
    with that address, for the known-device cookie)."""
    now = utcnow()
    device = known_device(user)
    keys = _keys(email, device)
    rows = db.session.execute(
        select(LoginThrottle.key, LoginThrottle.locked_until, LoginThrottle.failures).where(
            LoginThrottle.key.in_([*keys, _minute(now)])
        )
    ).all()
    waits = []
    for key, locked_until, failures in rows:
        if key.startswith("all:"):
            if device is None and failures >= current_app.config["LOGIN_FAILURES_PER_MINUTE"]:
                end = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
                waits.append(Wait(_seconds(end - now), WORKSPACE))
        elif locked_until is not None and locked_until > now:
            reason = {"email": ADDRESS, "ip": CLIENT, "device": DEVICE}[key.split(":")[0]]
            waits.append(Wait(_seconds(locked_until - now), reason))
    return max(waits, default=None)


def _seconds(delta: timedelta) -> int:
    return max(1, int(delta.total_seconds() + 0.999))


def count_failure(email: str, user: User | None) -> None:
    """Count a wrong password for ``email`` under each of its keys; the caller commits."""
    now = utcnow()
    keys = {**_keys(email, known_device(user)), _minute(now): 0}
    for key, allowed in keys.items():
        count_key_failure(key, allowed, now)
    # Keys quiet for a day are forgotten (old minutes, addresses tried once).
    db.session.execute(
        delete(LoginThrottle)
        .where(LoginThrottle.last_failure_at < now - FORGET_AFTER)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        delete(LoginThrottle)
        .where(LoginThrottle.key.startswith("all:"), LoginThrottle.key < _minute(now))
        .execution_options(synchronize_session=False)
    )


def count_key_failure(key: str, allowed: int, now: datetime | None = None) -> int:
    """One more failure under ``key`` (another kind of check, such as a two-factor
    code or a password-reset request, may keep its own key); past ``allowed`` failures
    (0: never), each further try waits, doubling per failure. Returns the count under
    the key. The caller commits."""
    config = current_app.config
    now = now or utcnow()
    failures = _add_failure(key, now)
    extra = failures - allowed
    if allowed and extra >= 0:
        delay = min(
            config["LOGIN_BASE_DELAY_SECONDS"] * 2 ** min(extra, 16),
            config["LOGIN_MAX_DELAY_SECONDS"],
        )
        db.session.execute(
            LoginThrottle.__table__.update()
            .where(LoginThrottle.key == key)
            .values(locked_until=now + timedelta(seconds=delay))
        )
    return failures


def _add_failure(key: str, now: datetime) -> int:
    """One more failure under ``key``, in one statement (several workers may count at
    once); the count starts again after a day without failures."""
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    table = LoginThrottle.__table__
    statement = dialect.insert(table).values(key=key, failures=1, last_failure_at=now)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={
            "failures": case(
                (table.c.last_failure_at < now - FORGET_AFTER, 1),
                else_=table.c.failures + 1,
            ),
            "last_failure_at": now,
        },
    ).returning(table.c.failures)
    return db.session.execute(statement).scalar_one()


def clear_failures(email: str, user: User | None) -> None:
    """After the right password: the address and the device start afresh. The client's
    and the workspace's counts stay (one good account must not wash an attack)."""
    keys = [key for key in _keys(email, known_device(user)) if not key.startswith("ip:")]
    db.session.execute(
        delete(LoginThrottle)
        .where(LoginThrottle.key.in_(keys))
        .execution_options(synchronize_session=False)
    )
