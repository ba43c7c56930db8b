"""Comments on documents, as the document page reads them: ``comments_of`` and who
may settle one (``can_settle``). The routes that add, resolve and re-open comments
are in ``comment_views``.

Anyone who may comment in the document's region writes comments (stakeholders
included); the author or an editor resolves and re-opens them."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from flask_login import current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import aliased

from .extensions import db
from .models import Comment, Document, User
from .permissions import Action, can


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


def can_settle(comment: Comment | ShownComment, document: Document) -> bool:
    """Whether the current user may resolve or re-open this comment."""
    user = current_user._get_current_object()
    return comment.author_id == user.id or can(user, Action.EDIT, document.region)
