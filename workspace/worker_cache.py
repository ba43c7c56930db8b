"""What each worker process keeps between requests: the regions, the plugin switches
and each person's menus.

Every page needs them (menus, the plugin gate, search), and they change rarely: an
admin edits a region or a person, a coordinator flips a switch or a membership. So
each worker keeps them in memory, and a commit that changes the rows they come from
replaces a stamp file in the instance folder. Each request looks at the stamp once,
before its first query (one ``stat``), and a worker that sees a new stamp forgets
all it kept. The workers of an instance share its
instance folder, as they share its uploads.

Reading the stamp before the request's first query matters: the request's database
snapshot is then at least as new as every change whose stamp it saw.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask, current_app, g, has_app_context, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session, UOWTransaction

T = TypeVar("T")
EXTENSION_KEY = "workspace.worker_cache"
logger = logging.getLogger(__name__)
STAMP_FILE = "worker-cache.stamp"
_CHANGED = "worker_cache_changed"


class WorkerCache:
    """Thread-safe: threaded servers (``flask run``, gthread workers) share one."""

    def __init__(self, instance_path: str) -> None:
        self.stamp_path = Path(instance_path) / STAMP_FILE
        # The stamp and the values kept under it change together, as one tuple.
        self._kept: tuple[tuple | None, dict[str, Any]] = (None, {})
        self._lock = threading.Lock()

    def read_stamp(self) -> tuple | None:
        """The stamp file's change time first, so a later stamp compares greater."""
        try:
            stat = os.stat(self.stamp_path)
        except FileNotFoundError:
            return None
        return (stat.st_ctime_ns, stat.st_mtime_ns, stat.st_ino)

    def get(self, key: str, load: Callable[[], T]) -> T:
        """The value kept under ``key``, loaded with ``load()`` when the stamp moved.
        Outside a request (commands, tests' own set-up) it is always loaded afresh."""
        if not has_request_context() or "worker_cache_stamp" not in g:
            return load()
        stamp = g.worker_cache_stamp
        kept_stamp, values = self._kept
        if kept_stamp != stamp:
            with self._lock:
                kept_stamp, values = self._kept
                if kept_stamp != stamp:
                    if _later(kept_stamp, stamp):
                        # This request began before the last change: its answer may be
                        # older than what is kept, so it neither uses nor keeps one.
                        return load()
                    values = {}
                    self._kept = (stamp, values)
        if key not in values:
            # Into the values of this request's stamp: if another thread has moved on
            # to a newer stamp meanwhile, this answer is kept nowhere that matters.
            values[key] = load()
        return values[key]

    def replace_stamp(self) -> None:
        """Tell every worker, this one included, that the kept values are out of date."""
        scratch = self.stamp_path.with_name(f"{STAMP_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        try:
            scratch.write_text(secrets.token_hex(8))
            os.replace(scratch, self.stamp_path)
        except OSError:
            # The change is committed; other workers just see it late. Say so loudly.
            logger.exception("Could not replace %s: other workers keep old menus", scratch)
        self._kept = (None, {})


def _later(stamp: tuple | None, than: tuple | None) -> bool:
    return stamp is not None and (than is None or stamp > than)


def forget_for_this_request() -> None:
    """The request changed what is kept and has not committed yet: until it ends, it
    loads afresh (its own changes included) and keeps nothing."""
    if has_request_context():
        g.pop("worker_cache_stamp", None)


def worker_cache() -> WorkerCache:
    return current_app.extensions[EXTENSION_KEY]


def per_worker(key: str, load: Callable[[], T]) -> T:
    """What ``load()`` answers, kept by this worker until a watched table changes."""
    return worker_cache().get(key, load)


def watch(*models: type) -> None:
    """Replace the stamp after any commit that wrote rows of ``models`` through the
    session: the unit of work or an insert, update or delete statement. Raw SQL
    (``text()``) is not seen: write these tables through SQLAlchemy's statements.
    Called once, at import: the listeners are on SQLAlchemy's Session class, so they
    see every app's sessions.
    A commit after a rolled-back change may replace it needlessly; that only costs
    the workers one reload."""
    tables = {model.__table__ for model in models}

    def after_flush(session: Session, _flush: UOWTransaction) -> None:
        for instance in (*session.new, *session.dirty, *session.deleted):
            if getattr(instance, "__table__", None) in tables:
                session.info[_CHANGED] = True
                forget_for_this_request()
                return

    def do_orm_execute(state: Any) -> None:
        if not (state.is_update or state.is_delete or state.is_insert):
            return
        written = {getattr(mapper, "local_table", None) for mapper in state.all_mappers}
        written.add(getattr(state.statement, "table", None))  # update(Model.__table__)
        if written & tables:
            state.session.info[_CHANGED] = True
            forget_for_this_request()

    def after_commit(session: Session) -> None:
        if session.info.pop(_CHANGED, False) and has_app_context():
            worker_cache().replace_stamp()

    event.listen(Session, "after_flush", after_flush)
    event.listen(Session, "do_orm_execute", do_orm_execute)
    event.listen(Session, "after_commit", after_commit)


def init_app(app: Flask) -> None:
    cache = WorkerCache(app.instance_path)
    app.extensions[EXTENSION_KEY] = cache

    def look_at_stamp() -> None:
        g.worker_cache_stamp = cache.read_stamp()

    # First of all before-request functions: before the login gate's first query.
    app.before_request_funcs.setdefault(None, []).insert(0, look_at_stamp)
