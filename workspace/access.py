"""The one gate in front of a document: ``get_document`` and ``lock_reason``.

Every page of a document, the core's and the plugins' alike, reaches it through
``get_document``; what may be changed, through ``lock_reason``. Kept apart from the
document pages so comments, files, links and activity can use them without importing
the pages (and the pages them).
"""

from __future__ import annotations

from flask import abort, g
from flask_login import current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import NotFound

from .extensions import db
from .models import Document
from .permissions import Action, can, require
from .plugins import host
from .visibility import plugin_allows

# Built once (cheaper than session.get with options): every document page runs it.
_DOCUMENT_BY_ID = (
    select(Document)
    .options(joinedload(Document.region), joinedload(Document.updated_by))
    .where(Document.id == bindparam("id"))
)


def get_document(document_id: int, action: Action = Action.READ, deleted: bool = False):
    """The document, or 404; 403 unless the current user may ``action`` in its region.

    Every page of a document (view, edit, history, diff, comments, files, links,
    activity) comes through here, so the core's visibility rule holds for all: a
    document of a plugin switched off where it lives is 404 for everyone, and one its
    plugin hides from the user (``document_visible``) is 404 for them.
    Deleted documents are 404 unless ``deleted`` is asked for (trash and undelete).
    """
    document = db.session.scalar(_DOCUMENT_BY_ID, {"id": document_id})
    if document is None or (document.deleted_at is not None and not deleted):
        abort(404)
    if not host().shows_document(document.plugin, document.region_id):
        abort(404)
    # Who may not see it gets 404 whatever they asked to do: nothing tells it exists.
    require(Action.READ, document.region)
    if not plugin_allows(document, current_user._get_current_object()):
        abort(404)
    if action is not Action.READ:
        require(action, document.region)
    if document.region is not None:
        g.region = document.region
    return document


def document_for_save(document_id: int) -> tuple[Document, bool]:
    """For a save of the document's text: the document, and whether it has gone from
    view meanwhile (its meeting or practice went to the trash, its module was switched
    off), so that the person gets their text back (409) rather than a bare 404.

    Only for those who may edit in its region: anyone else gets what ``get_document``
    answers. A document deleted meanwhile is returned too (``deleted_at`` says so)."""
    try:
        return get_document(document_id, Action.EDIT, deleted=True), False
    except NotFound:
        document = db.session.scalar(_DOCUMENT_BY_ID, {"id": document_id})
        if document is None or not can(current_user, Action.EDIT, document.region):
            raise
        return document, True


def lock_reason(document: Document) -> str | None:
    """Why the document's plugin keeps its text and files from being changed now, or
    by the current user, if it does."""
    if not document.plugin or document.plugin not in host().infos:
        return None
    user = current_user._get_current_object()
    for _, reason in host().call_each(
        "document_lock", [document.plugin], document=document, user=user
    ):
        if reason:
            return reason
    return None
