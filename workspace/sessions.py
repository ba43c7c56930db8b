"""Sessions kept on the server: the cookie holds only a random id.

Each browser's session is a row of ``browser_session``: the sha256 of the id (a
database copy gives no one a live cookie), the person once signed in, when it began
and was last used, from which address and browser, and the session's data (the form
token, messages waiting to be shown, Flask-Login's fields).

- Signing in gives the browser a new id (``renew``): an id known before sign-in is
  worth nothing after it. "Keep me signed in" makes the cookie outlive the browser;
  it is the same random id, so it too ends at sign-out.
- Signing out deletes the row (``end_this``): a copied cookie is dead at once.
- A session ends after ``SESSION_IDLE_MINUTES`` without a request (unless kept) and
  ``SESSION_ABSOLUTE_DAYS`` after sign-in in any case.
- A person's sessions are listed on the account page and can be ended there, one or
  all others; an admin ends all of someone's (``end_all``). A password change ends all
  the others; deactivation ends all.

A request reads its row with the person in one query. It writes the row only when the
data changed, or at most once a minute to note it was used.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, Request, Response, g
from flask.sessions import SessionInterface, SessionMixin
from sqlalchemy import JSON, ForeignKey, String, delete, func, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.datastructures import CallbackDict

from .extensions import db
from .models import User, UTCDateTime, utcnow
from .notification_models import Notification

ANONYMOUS_FOR = timedelta(days=1)  # a session nobody signed in to (the login form)
NOTE_USE_EVERY = timedelta(minutes=1)


class BrowserSession(db.Model):
    __tablename__ = "browser_session"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    kept: Mapped[bool] = mapped_column(default=False)  # "keep me signed in"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    address: Mapped[str] = mapped_column(String(45), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ServerSession(CallbackDict, SessionMixin):
    """The session's data, and what the request decided about the row."""

    def __init__(self, data: dict | None = None, token: str | None = None) -> None:
        def changed(_self: Any) -> None:
            self.modified = True

        super().__init__(data or {}, changed)
        self.token = token  # None: no row yet
        self.modified = False
        self.renewed = False  # a new id at the end of this request
        self.ended = False  # the row is deleted at the end of this request
        self.kept = False
        self.created_at: datetime | None = None
        self.last_seen_at: datetime | None = None


def renew(session: ServerSession, kept: bool) -> None:
    """At sign-in: this session gets a new id (and row) when the response goes out."""
    session.renewed = True
    session.kept = kept


def end_this(session: ServerSession) -> None:
    """At sign-out: the row goes, and a later request starts afresh."""
    session.ended = True
    session.clear()


def end_all(user: User, keep: str | None = None) -> int:
    """End every session of ``user`` (but the one whose id hash is ``keep``); the caller
    commits. Returns how many ended."""
    statement = delete(BrowserSession).where(BrowserSession.user_id == user.id)
    if keep is not None:
        statement = statement.where(BrowserSession.id_hash != keep)
    return db.session.execute(statement.execution_options(synchronize_session=False)).rowcount


def current_hash() -> str | None:
    from flask import session

    token = getattr(session, "token", None)
    return digest(token) if token else None


class DatabaseSessions(SessionInterface):
    def open_session(self, app: Flask, request: Request) -> ServerSession:
        token = request.cookies.get(self.get_cookie_name(app))
        if not token or len(token) > 100:
            return ServerSession()
        # The header's unread count, read with the session: every page shows it, and
        # a query of its own was one in ten of a page's.
        unread = (
            select(func.count(Notification.id))
            .where(Notification.user_id == User.id, Notification.read_at.is_(None))
            .correlate(User)
            .scalar_subquery()
        )
        found = db.session.execute(
            select(BrowserSession, User, unread)
            .outerjoin(User, User.id == BrowserSession.user_id)
            .where(BrowserSession.id_hash == digest(token))
        ).first()
        if found is None:
            return ServerSession()
        row, user, unread_count = found
        if _expired(app, row, utcnow()):
            return ServerSession()  # the old row goes with the next cleanup
        session = ServerSession(dict(row.data or {}), token)
        session.kept, session.created_at, session.last_seen_at = (
            row.kept,
            row.created_at,
            row.last_seen_at,
        )
        g.session_user = user  # for the user loader: no second query
        if user is not None:
            g.unread_notifications = unread_count  # notifications.unread_count reads it
        return session

    def save_session(self, app: Flask, session: ServerSession, response: Response) -> None:
        name = self.get_cookie_name(app)
        now = utcnow()
        old = session.token
        if session.ended or session.renewed:
            if old:
                _write(delete(BrowserSession).where(BrowserSession.id_hash == digest(old)))
            session.token = None
        if not session:
            if old and not session.renewed:
                if not session.ended:
                    _write(delete(BrowserSession).where(BrowserSession.id_hash == digest(old)))
                response.delete_cookie(name, domain=self.get_cookie_domain(app), path="/")
            return
        values = _values(session, now)
        if session.token is None:
            session.token = secrets.token_urlsafe(32)
            _write(
                BrowserSession.__table__.insert().values(
                    id_hash=digest(session.token), created_at=now, kept=session.kept, **values
                ),
                cleanup=True,
            )
            session.created_at = now
        elif session.modified or now - session.last_seen_at >= NOTE_USE_EVERY:
            _write(
                update(BrowserSession)
                .where(BrowserSession.id_hash == digest(session.token))
                .values(**values)
            )
        else:
            return  # the cookie the browser has is still right
        response.set_cookie(
            name,
            session.token,
            expires=(session.created_at + _absolute(app)) if session.kept else None,
            httponly=True,
            secure=self.get_cookie_secure(app),
            samesite=self.get_cookie_samesite(app),
            path="/",
            domain=self.get_cookie_domain(app),
        )
        response.vary.add("Cookie")


def _values(session: ServerSession, now: datetime) -> dict[str, Any]:
    from flask import request

    ident = str(session.get("_user_id", "")).partition(":")[0]
    return {
        "data": dict(session),
        "user_id": int(ident) if ident.isdigit() else None,
        "last_seen_at": now,
        "address": (request.remote_addr or "")[:45],
        "user_agent": request.headers.get("User-Agent", "")[:300],
    }


def _write(statement: Any, cleanup: bool = False) -> None:
    """A write of the session at the end of the request. What the view left
    uncommitted would be rolled back at the request's end anyway: drop it first, so
    this commit saves the session and nothing else."""
    db.session.rollback()
    db.session.execute(statement, execution_options={"synchronize_session": False})
    if cleanup:
        _remove_old()
    db.session.commit()


def _absolute(app: Flask) -> timedelta:
    return timedelta(days=app.config["SESSION_ABSOLUTE_DAYS"])


def _idle(app: Flask) -> timedelta:
    return timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])


def _expired(app: Flask, row: BrowserSession, now: datetime) -> bool:
    if row.user_id is None:
        return now - row.last_seen_at > ANONYMOUS_FOR
    if now - row.created_at > _absolute(app):
        return True
    return not row.kept and now - row.last_seen_at > _idle(app)


def _remove_old() -> None:
    from flask import current_app

    now = utcnow()
    db.session.execute(
        delete(BrowserSession)
        .where(
            or_(
                BrowserSession.last_seen_at < now - max(_absolute(current_app), ANONYMOUS_FOR),
                (BrowserSession.user_id.is_(None))
                & (BrowserSession.last_seen_at < now - ANONYMOUS_FOR),
                (BrowserSession.kept.is_(False))
                & (BrowserSession.last_seen_at < now - _idle(current_app)),
                BrowserSession.created_at < now - _absolute(current_app),
            )
        )
        .execution_options(synchronize_session=False)
    )


def init_app(app: Flask) -> None:
    app.session_interface = DatabaseSessions()
