"""What a document's page shows: its text, links, files and comments, together.

The page's parts come from their own modules (comments, attachments, links); this
module puts them together for the document views and for the comment views, which
show the whole page again when a comment is refused without HTMX.
"""

from __future__ import annotations

from flask_login import current_user

from .access import lock_reason
from .attachments import attachments_of
from .comments import can_settle, comments_of
from .follows import is_following
from .forms import CommentForm
from .links import UNAVAILABLE, links_of
from .models import Document
from .permissions import Action, can


def view_context(document: Document, comment_form: CommentForm | None = None) -> dict:
    """What the document page shows; ``comment_form`` only when a comment was refused."""
    user = current_user._get_current_object()
    return {
        "links": links_of(document.ref, user),
        "unavailable": UNAVAILABLE,
        "attachments": attachments_of(document),
        "document": document,
        "locked": (locked := lock_reason(document)),
        "can_edit": can(user, Action.EDIT, document.region) and not locked,
        "can_comment": can(user, Action.COMMENT, document.region),
        "comments": comments_of(document),
        "comment_form": comment_form,
        "can_settle": lambda comment: can_settle(comment, document),
        "following": is_following(user, document.ref),
    }
