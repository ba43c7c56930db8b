"""Comments on documents: anyone who may comment in the document's region writes
them (stakeholders included); the author or an editor resolves and re-opens them."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from flask import Blueprint, Response, abort, flash, redirect, url_for
from flask_login import current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import aliased

from .activity import record
from .documents import get_document, view_context
from .extensions import db
from .forms import CommentForm
from .markdown import render as render_markdown
from .models import Comment, Document, User, utcnow
from .permissions import Action, can, require
from .rendering import render, wants_fragment
from .search import index_comment

bp = Blueprint("comments", __name__, url_prefix="/docs")


class ShownComment(NamedTuple):
    """A comment as the document page shows it: its columns and its people's names,
    read as one row (cheaper than three objects per comment)."""

    id: int
    html: str
    created_at: datetime
    resolved_at: datetime | None
    author_id: int | None
    author_name: str | None
    resolved_by_name: str | None

    rendered = property(Comment.rendered.fget)  # the one trusted reading of ``html``


_author, _resolver = aliased(User), aliased(User)
# Built once: every document page runs it.
_COMMENTS_OF = (
    select(
        Comment.id,
        Comment.html,
        Comment.created_at,
        Comment.resolved_at,
        Comment.author_id,
        _author.name,
        _resolver.name,
    )
    .outerjoin(_author, _author.id == Comment.author_id)
    .outerjoin(_resolver, _resolver.id == Comment.resolved_by_id)
    .where(Comment.document_id == bindparam("document_id"))
    .order_by(Comment.resolved_at.is_not(None), Comment.created_at)
)


def comments_of(document: Document) -> list[ShownComment]:
    """Open comments first, each group oldest first."""
    rows = db.session.execute(_COMMENTS_OF, {"document_id": document.id})
    return [ShownComment(*row) for row in rows]


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
        html=render_markdown(form.body.data),
    )
    db.session.add(comment)
    db.session.flush()
    index_comment(document, comment)
    record("comment_added", region=document.region, target=document.ref, comment=comment.id)
    db.session.commit()
    flash("Your comment is added.", "success")
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


def can_settle(comment: Comment | ShownComment, document: Document) -> bool:
    """Whether the current user may resolve or re-open this comment."""
    user = current_user._get_current_object()
    return comment.author_id == user.id or can(user, Action.EDIT, document.region)
