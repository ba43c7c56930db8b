"""A trash for plugins' records: a meeting, a good practice, an action plan is not
deleted at once but moved to a trash, and can be brought back with all it owns.

While a record is in the trash it is gone for everyone: 404 by id (except on its
restore route), out of lists, counts, search, link targets, panels, calendars and
exports; its texts (core Documents) are hidden too. Nothing is deleted: restored,
all of it is back, and both moves are in the activity stream and the audit trail.

A plugin's model takes the ``Trashable`` mixin (two columns, added by a migration in
the plugin's own branch), and the plugin:

- leaves trashed records out of every query (``Model.not_trashed()``) and, for one
  by id, calls ``record.check_trash()`` (``check_trash(trashed=True)`` on its restore
  route): 404 for a page, 409 with the person's text for a form sent to a record
  that went to the trash meanwhile; its trash page lists ``Model.trashed()``;
- hides the record's texts from its ``document_visible`` hook with
  ``documents_in_trash(key, *queries)``, read once per request;
- moves and restores with ``send_to_trash`` / ``bring_back``, which record the
  events ``<kind>_trashed`` / ``<kind>_untrashed``, and after the commit says so
  with ``say_trashed`` / ``say_restored``.

Templates: ``_trash.html`` has the "Move to trash" and "Restore" buttons (CSRF token
and the browser's confirmation included) and the trash table; ``trash.html`` is a
whole trash page (``trash_page``). See docs/plugins.md, "A trash for your records".
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, Response, abort, flash, has_app_context, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import ColumnElement, CompoundSelect, ForeignKey, Select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import ONETOMANY, Mapped, declared_attr, mapped_column, relationship
from werkzeug.exceptions import NotFound

from . import retention
from .activity import record
from .extensions import db
from .models import Document, Region, User, UTCDateTime, utcnow
from .rendering import error_response, render, wants_fragment
from .worker_cache import forget_kept, per_worker


class Trashable:
    """Mixin of a model whose rows go to a trash before they are gone.

    Columns ``deleted_at`` (None while not in the trash) and ``deleted_by_id`` (who
    moved it; SET NULL when that person is deleted), relationship ``deleted_by``.
    The model needs a ``ref`` ("<plugin>:<kind>:<id>") for ``send_to_trash``.
    """

    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    @declared_attr
    def deleted_by_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True)

    @declared_attr
    def deleted_by(cls) -> Mapped[User | None]:
        # A model may point at user_account several times (created_by, ...): say which.
        return relationship(User, foreign_keys=lambda: [cls.deleted_by_id])

    @property
    def in_trash(self) -> bool:
        return self.deleted_at is not None

    def move_to_trash(self, user: User | None) -> None:
        self.deleted_at = utcnow()
        self.deleted_by_id = user.id if user is not None else None
        _forget_documents()

    def restore(self) -> None:
        self.deleted_at = None
        self.deleted_by_id = None
        _forget_documents()

    def check_trash(self, trashed: bool = False) -> None:
        """404 unless the record is where the page expects it: out of the trash (every
        page), or in it (``trashed=True``: its restore route). A form sent to a record
        that went to the trash meanwhile gets 409 and the text it carried back
        (``InTrash``), so nothing the person typed is lost."""
        if self.in_trash and not trashed:
            raise InTrash(self)
        if trashed and not self.in_trash:
            abort(404)

    def owned_document_ids(self) -> set[int]:
        """The core Documents holding this record's texts, deleted with it for good
        (``workspace.purge``). By default: every column that points at a document, on
        the record and on the rows it owns (relationships that cascade deletes, as
        ``cascade="all, delete-orphan"``). A model whose texts are reached another way
        overrides this."""
        ids: set[int] = set()
        for row in owned_rows(self):
            mapper = sa_inspect(row).mapper
            for column in mapper.columns:
                if any(
                    fk.column.table.name == Document.__tablename__ for fk in column.foreign_keys
                ):
                    value = getattr(row, mapper.get_property_by_column(column).key)
                    if value is not None:
                        ids.add(value)
        return ids

    @classmethod
    def not_trashed(cls) -> ColumnElement[bool]:
        """SQL: the rows that are not in the trash (add it to every query)."""
        return cls.deleted_at.is_(None)

    @classmethod
    def trashed(cls) -> ColumnElement[bool]:
        """SQL: the rows in the trash (for the trash page)."""
        return cls.deleted_at.is_not(None)


def owned_rows(row: object) -> Iterator[object]:
    """``row`` and, depth first, every row its delete cascades to."""
    yield row
    for relation in sa_inspect(row).mapper.relationships:
        if relation.cascade.delete and relation.direction is ONETOMANY:
            value = getattr(row, relation.key)
            children = value if relation.uselist else [value] if value is not None else []
            for child in children:
                yield from owned_rows(child)


def documents_in_trash(key: str, *queries: Select | CompoundSelect) -> frozenset[int]:
    """Ids of the documents ``queries`` select (each one column of document ids, e.g.
    ``select(Meeting.minutes_document_id).where(Meeting.trashed())``): ``document_visible``
    asks for them on every text a list shows. Each worker keeps the answer under ``key``
    until a record goes to the trash, comes back or is deleted for good (which the core
    does for every module: ``move_to_trash``, ``restore``, ``purge.delete_for_good``)."""

    def load() -> frozenset[int]:
        ids: set[int] = set()
        for query in queries:
            ids.update(i for i in db.session.scalars(query) if i is not None)
        return frozenset(ids)

    return per_worker(f"trash:{key}", load)


class InTrash(NotFound):
    """A record in the trash was asked for: 404 for a page, 409 with the person's text
    for a form sent to it (``kept_text``)."""

    def __init__(self, item: Trashable) -> None:
        super().__init__()
        self.item = item


# Form fields that carry no one's words: never shown back.
_NOT_TYPED = frozenset({"csrf_token", "base", "save_token", "version", "versions", "from"})


def kept_text(error: InTrash) -> Response:
    """The answer to a request for a record in the trash (the error handler of
    ``InTrash``). A page is 404. A form is 409: a fragment request keeps the form as it
    is on the page, with the message beside it; a whole page shows what was typed."""
    if request.method != "POST":
        return error_response(404)
    kind = error.item.ref.split(":")[1].replace("_", " ")
    if wants_fragment():
        return error_response(
            409,
            _(
                "This %(kind)s was moved to the trash while you were working: nothing was "
                "saved. Your text is still in the form: copy it.",
                kind=kind,
            ),
        )
    message = _(
        "This %(kind)s was moved to the trash while you were working: nothing was saved.",
        kind=kind,
    )
    typed = [
        (name.replace("_", " ").replace("-", " ").capitalize(), value)
        for name, value in request.form.items(multi=True)
        if name not in _NOT_TYPED and value.strip()
    ]
    return render("kept_text.html", message=message, typed=typed, status=409)


def init_app(app: Flask) -> None:
    app.register_error_handler(InTrash, kept_text)


def _forget_documents() -> None:
    if has_app_context():
        forget_kept()


# ---------------------------------------------------------------- moving


def send_to_trash(
    item: Trashable, *, kind: str, what: str, title: str, region: Region | None
) -> None:
    """Move ``item`` to the trash as the current user and record ``<kind>_trashed``
    ("moved <what> to the trash:"); the caller commits, then ``say_trashed``."""
    item.move_to_trash(current_user._get_current_object())
    record(
        f"{kind}_trashed",
        region=region,
        target=item.ref,
        title=title,
        phrase=f"moved {what} to the trash:",
    )


def bring_back(item: Trashable, *, kind: str, what: str, title: str, region: Region | None) -> None:
    """Take ``item`` out of the trash and record ``<kind>_untrashed`` ("brought
    <what> back from the trash:"); the caller commits, then ``say_restored``."""
    item.restore()
    record(
        f"{kind}_untrashed",
        region=region,
        target=item.ref,
        title=title,
        phrase=f"brought {what} back from the trash:",
    )


def say_trashed(title: str) -> None:
    """The message after a move to the trash (the same as for a document)."""
    flash(
        _("“%(title)s” is moved to the trash. It can be restored from there.", title=title),
        "success",
    )


def say_restored(title: str) -> None:
    flash(_("“%(title)s” is back from the trash.", title=title), "success")


# ---------------------------------------------------------------- the trash page


@dataclass(frozen=True)
class TrashRow:
    """One line of a trash page: what it is, who moved it there and when, the
    address that restores it (None when the reader may not), and the key an admin's
    "Delete for good" posts (``workspace.purge``: "<table>:<id>")."""

    title: str
    deleted_at: datetime | None
    deleted_by: str
    restore_url: str | None
    detail: str = ""
    purge_key: str = ""

    @classmethod
    def of(cls, item: Trashable, title: str, restore_url: str | None, detail: str = "") -> TrashRow:
        who = item.deleted_by.name if item.deleted_by is not None else ""
        key = f"{sa_inspect(item).mapper.local_table.name}:{item.id}"
        return cls(title, item.deleted_at, who, restore_url, detail, key)


def trash_page(
    rows: Iterable[TrashRow],
    *,
    back_url: str,
    back_label: str,
    eyebrow: str,
    intro: str = "",
    **context,
) -> Response:
    """The whole trash page of a plugin (``trash.html``), newest first. Admins see the
    retention date and, once it has come, "Delete for good" on each row and "Empty the
    trash" (the route refuses before it in any case)."""
    ordered = sorted(rows, key=lambda row: row.deleted_at or utcnow(), reverse=True)
    return render(
        "trash.html",
        rows=ordered,
        kept_until=retention.current().until if current_user.is_admin else None,
        show_retention=current_user.is_admin,
        may_purge=current_user.is_admin and retention.records_released(),
        back_url=back_url,
        back_label=back_label,
        eyebrow=eyebrow,
        intro=intro,
        **context,
    )
