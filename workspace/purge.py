"""Deleting for good what is in a trash: the one way a plugin's record (and its texts)
leaves the workspace, offered to admins on every trash page.

``delete_for_good`` asks ``retention.hold_records`` first, so before the records'
retention date nothing is deleted, whoever calls it. Then, for each record in the
trash, it deletes what the record owns:

- the rows its delete cascades to (the model's ``cascade="all, delete-orphan"``
  relationships; the database's ``ondelete="CASCADE"`` does the rest);
- its texts, ``Trashable.owned_document_ids()``: each Document with its revisions,
  comments, attachments (their files too, after the commit) and search entries;
- the links from and to the record, the rows it owns and its texts, and who follows
  any of them.

The events stay: the audit trail records what was, and this deletion with it.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import Blueprint, Response, abort, flash, redirect, request
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import delete, select

from . import retention
from .activity import record
from .attachments import upload_folder
from .converters import db_int
from .extensions import db
from .follows import Follow
from .models import Attachment, Comment, Document, Link, Region, Revision
from .permissions import Action, require
from .rendering import error_response, local_referrer
from .search import unindex
from .trash import Trashable, owned_rows
from .worker_cache import forget_kept

bp = Blueprint("purge", __name__)


class NotInTrash(ValueError):
    """Only a record in the trash is deleted for good."""


def trashable_models() -> dict[str, type[Trashable]]:
    """Every model with a trash, by its table's name (what a trash row's key names)."""
    return {
        mapper.local_table.name: mapper.class_
        for mapper in db.Model.registry.mappers
        if issubclass(mapper.class_, Trashable)
    }


def title_of(item: Trashable) -> str:
    return str(getattr(item, "title", "") or item.ref)


def delete_for_good(items: Sequence[Trashable]) -> list[str]:
    """Delete ``items``, each in the trash, with everything they own, and commit;
    return their titles. Raises ``retention.RecordsKept`` (nothing deleted) before the
    records' retention date, and ``NotInTrash`` for a record out of the trash."""
    retention.hold_records()
    if any(not item.in_trash for item in items):
        raise NotInTrash("Only what is in the trash can be deleted for good.")
    files: list[str] = []
    titles = []
    for item in items:
        title, ref = title_of(item), item.ref
        region = getattr(item, "region", None)
        refs = {row.ref for row in owned_rows(item) if isinstance(getattr(row, "ref", None), str)}
        documents = [
            document
            for document_id in sorted(item.owned_document_ids())
            if (document := db.session.get(Document, document_id)) is not None
        ]
        refs.update(document.ref for document in documents)
        db.session.delete(item)
        db.session.flush()  # the record first: its rows point at its texts
        for document in documents:
            files.extend(_delete_document(document))
        db.session.execute(delete(Link).where(Link.source.in_(refs) | Link.target.in_(refs)))
        db.session.execute(delete(Follow).where(Follow.target.in_(refs)))
        record(
            "deleted_for_good",
            region=region if isinstance(region, Region) else None,
            target=ref,
            title=title,
            texts=len(documents),
            phrase="deleted for good from the trash:",
        )
        titles.append(title)
    # Their ids may be given again (SQLite reuses the highest): the workers' lists of
    # texts in the trash (trash.documents_in_trash) must not name a new text.
    forget_kept()
    db.session.commit()
    # The files go after the commit: a failed commit must not lose them.
    folder = upload_folder()
    for name in files:
        (folder / name).unlink(missing_ok=True)
    return titles


def _delete_document(document: Document) -> list[str]:
    """Delete a document and all it holds; return its attachments' stored names."""
    files = list(
        db.session.scalars(
            select(Attachment.stored_name).where(Attachment.document_id == document.id)
        )
    )
    unindex(document)
    for model in (Comment, Attachment, Revision):
        db.session.execute(
            delete(model).where(model.document_id == document.id),
            execution_options={"synchronize_session": False},
        )
    db.session.delete(document)
    db.session.flush()
    return files


# ---------------------------------------------------------------- the route


@bp.post("/trash/delete")
def delete_chosen() -> Response:
    """An admin's "Delete for good" (one row) or "Empty the trash" (every row of the
    page): ``item`` fields of "<table>:<id>" keys (``TrashRow.purge_key``)."""
    require(Action.ADMIN)
    keys = request.form.getlist("item")
    if not keys:
        return error_response(400, _("Choose what to delete for good."))
    models = trashable_models()
    items = []
    for key in keys:
        table, _colon, raw_id = key.partition(":")
        try:
            item_id = db_int(raw_id)
        except ValueError:
            abort(404)
        model = models.get(table)
        item = db.session.get(model, item_id) if model is not None else None
        if item is None:
            abort(404)
        items.append(item)
    back = local_referrer() or "/"
    left = [item for item in items if item.in_trash]
    if len(left) < len(items):
        flash(_("Something was brought back from the trash meanwhile: it stays."), "info")
    if not left:
        return redirect(back, code=303)
    try:
        titles = delete_for_good(left)
    except retention.RecordsKept as refusal:
        db.session.rollback()
        return error_response(409, str(refusal))
    if len(titles) == 1:
        flash(_("“%(title)s” is deleted for good, with its texts.", title=titles[0]), "success")
    else:
        flash(
            ngettext(
                "%(num)d record is deleted for good, with its texts.",
                "%(num)d records are deleted for good, with their texts.",
                len(titles),
            ),
            "success",
        )
    return redirect(back, code=303)
