"""The comment routes of a document: add, resolve, re-open (``comments.*``)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from . import mentions
from .access import get_document
from .activity import record
from .document_page import view_context
from .extensions import db
from .forms import CommentForm
from .markdown import to_html
from .models import Comment, Document, utcnow
from .permissions import Action, require
from .rendering import render, wants_fragment
from .search import index_comment

bp = Blueprint("comments", __name__, url_prefix="/docs")


def panel(document: Document, form: CommentForm | None = None, status: int = 200) -> Response:
    """The comments column of a document page, alone for HTMX or inside the page."""
    return render(
        "documents/view.html",
        block="comments",
        status=status,
        **view_context(document, form),
    )


@bp.post("/<id:document_id>/comments")
def add(document_id: int) -> Response:
    document = get_document(document_id, Action.COMMENT)
    form = CommentForm()
    if not form.validate_on_submit():
        return panel(document, form, status=422)
    comment = Comment(
        document_id=document.id,
        author_id=current_user.id,
        body=form.body.data,
        html=to_html(form.body.data),
    )
    db.session.add(comment)
    db.session.flush()
    index_comment(document, comment)
    record("comment_added", region=document.region, target=document.ref, comment=comment.id)
    mentions.comment_added(document, comment, current_user._get_current_object())
    db.session.commit()
    flash(_("Your comment is added."), "success")
    return _done(document)


def _comment(document: Document, comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.document_id != document.id:
        abort(404)
    if comment.author_id != current_user.id:
        require(Action.EDIT, document.region)
    return comment


@bp.post("/<id:document_id>/comments/<id:comment_id>/resolve")
def resolve(document_id: int, comment_id: int) -> Response:
    document = get_document(document_id, Action.COMMENT)
    comment = _comment(document, comment_id)
    if comment.resolved_at is None:
        comment.resolved_at = utcnow()
        comment.resolved_by_id = current_user.id
        record("comment_resolved", region=document.region, target=document.ref, comment=comment.id)
        db.session.commit()
    return _done(document)


@bp.post("/<id:document_id>/comments/<id:comment_id>/reopen")
def reopen(document_id: int, comment_id: int) -> Response:
    document = get_document(document_id, Action.COMMENT)
    comment = _comment(document, comment_id)
    if comment.resolved_at is not None:
        comment.resolved_at = None
        comment.resolved_by_id = None
        record("comment_reopened", region=document.region, target=document.ref, comment=comment.id)
        db.session.commit()
    return _done(document)


def _done(document: Document) -> Response:
    if wants_fragment():
        return panel(document)
    return redirect(url_for("documents.view", document_id=document.id) + "#comments", code=303)
