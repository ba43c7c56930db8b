"""What each worker process keeps between requests: the regions and the plugin
switches and settings, which every page needs (the region menu, the plugin gate,
search) and an admin or a coordinator changes rarely.

A number in the database, ``cache_version.number``, says how current they are: a
flush that writes a watched table (``watch``) raises it, in the same transaction as
the change. Each request reads the number once, with its first kept value; a worker
that sees a new number forgets all it kept. Because the number lives beside the data,
it is committed or rolled back with the change, and every host serving one instance
sees it, whatever its instance folder.

Within one request each value is loaded at most once (the request memo), also when
the worker does not keep it: a request that changed a watched table keeps nothing
for the other requests and sees its own change.

Reading the number before the value it guards matters: the value is then at least as
new as every change the number counted.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, g, has_request_context
from sqlalchemy import DDL, event, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from .extensions import db

T = TypeVar("T")
EXTENSION_KEY = "workspace.worker_cache"
# In ``g``: the number this request read, or _WROTE once it changed a watched table.
_SEEN = "worker_cache_version"
_MEMO = "worker_cache_memo"
_WROTE = object()


class CacheVersion(db.Model):
    """One row (id 1): raised by every flush that writes a watched table."""

    __tablename__ = "cache_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(default=0)


# Tables made by db.create_all get the row the migration inserts.
event.listen(
    CacheVersion.__table__,
    "after_create",
    DDL("INSERT INTO cache_version (id, number) VALUES (1, 0)"),
)
_READ = select(CacheVersion.number).where(CacheVersion.id == 1)
_RAISE = (
    update(CacheVersion.__table__)
    .where(CacheVersion.__table__.c.id == 1)
    .values(number=CacheVersion.__table__.c.number + 1)
)


class WorkerCache:
    """Thread-safe: threaded servers (``flask run``, gthread workers) share one."""

    def __init__(self) -> None:
        # The number and the values kept under it change together, as one tuple.
        self._kept: tuple[int | None, dict[str, Any]] = (None, {})
        self._lock = threading.Lock()

    def get(self, key: str, load: Callable[[], T]) -> T:
        """The value kept under ``key``, loaded with ``load()`` when the number moved.
        Outside a request (commands, tests' own set-up) it is always loaded afresh."""
        if not has_request_context():
            return load()
        memo = g.setdefault(_MEMO, {})
        if key not in memo:
            memo[key] = self._kept_value(key, load)
        return memo[key]

    def _kept_value(self, key: str, load: Callable[[], T]) -> T:
        if _SEEN not in g:
            g.setdefault(_SEEN, db.session.scalar(_READ))
        seen = g.get(_SEEN)
        if seen is _WROTE or seen is None:  # None: no row, a database not migrated
            return load()
        kept_number, values = self._kept
        if kept_number != seen:
            with self._lock:
                kept_number, values = self._kept
                if kept_number != seen:
                    if kept_number is not None and kept_number > seen:
                        # This request read the number before the last change: its
                        # answer may be older than what is kept, so it keeps none.
                        return load()
                    values = {}
                    self._kept = (seen, values)
        if key not in values:
            # Into the values of this request's number: if another thread has moved on
            # to a newer number meanwhile, this answer is kept nowhere that matters.
            values[key] = load()
        return values[key]


def forget_for_this_request() -> None:
    """The request changed what is kept: until it ends, it loads afresh (its own
    changes included) and keeps nothing for other requests."""
    if has_request_context():
        g.pop(_MEMO, None)
        setattr(g, _SEEN, _WROTE)


def worker_cache() -> WorkerCache:
    return current_app.extensions[EXTENSION_KEY]


def per_worker(key: str, load: Callable[[], T]) -> T:
    """What ``load()`` answers, kept by this worker until a watched table changes,
    and loaded at most once per request."""
    return worker_cache().get(key, load)


def forget_kept() -> None:
    """A change no watched table shows (a record moved to or from the trash, or
    deleted for good): every worker forgets what it keeps, with this transaction."""
    _raise(db.session)


def watch(*models: type) -> None:
    """Raise the number with any flush or statement that writes rows of ``models``
    through the session: the unit of work or an insert, update or delete statement.
    Raw SQL (``text()``) is not seen: write these tables through SQLAlchemy.

    The number is raised before the rows are written, so two transactions that
    change watched rows take their locks in the same order (the number's row first).
    Called once, at import: the listeners are on SQLAlchemy's Session class, so they
    see every app's sessions."""
    tables = {model.__table__ for model in models}

    def before_flush(session: Session, _context: Any, _instances: Any) -> None:
        for instance in (*session.new, *session.dirty, *session.deleted):
            if getattr(instance, "__table__", None) in tables:
                _raise(session)
                return

    def do_orm_execute(state: Any) -> None:
        if not (state.is_update or state.is_delete or state.is_insert):
            return
        written = {getattr(mapper, "local_table", None) for mapper in state.all_mappers}
        written.add(getattr(state.statement, "table", None))  # update(Model.__table__)
        if written & tables:
            _raise(state.session)

    event.listen(Session, "before_flush", before_flush)
    event.listen(Session, "do_orm_execute", do_orm_execute)


def _raise(session: Session) -> None:
    # On the connection, not the session: the statement is not itself watched.
    session.connection().execute(_RAISE)
    forget_for_this_request()


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION_KEY] = WorkerCache()
