"""@mentions: writing ``@Firstname Lastname`` or ``@localpart`` (the part of someone's
e-mail address before the @) in a document or a comment notifies that person.

- The @ starts the text or follows a space or punctuation, so an e-mail address in
  the text ("ana@example.org") mentions nobody.
- Case does not matter; the name or local part must end there (``@Ana Kovács,`` or
  ``@ana.kovacs.`` at the end of a sentence, not ``@Anatol``). Where one person's name
  starts another's, the longer one wins (``@Ana Kovács`` over ``@Ana``).
- A name or local part two active people share mentions neither: write the other form.
- Only people who may read the document are notified (``notify`` checks), and not the
  writer; a document's revision notifies only the mentions it adds, so saving a text
  again does not repeat them.

Comments and documents call in here while they save, in the same transaction.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from flask_babel import gettext as _
from sqlalchemy import select

from .extensions import db
from .follows import document_followers
from .i18n import in_language, language_of
from .models import Comment, Document, User
from .notifications import notify

# An @ at the start or after a character that cannot end an e-mail address's local part.
_AT = re.compile(r"(?:^|(?<=[\s(\[{<>\"'“‘«,;:!?*_~]))@", re.M)
# After the name: not a letter or digit, and not a dot, + or - going on with one.
_END = re.compile(r"(?![\w+\-]|[.][\w])")
SNIPPET = 200


def mentioned(text: str) -> set[User]:
    """The active people ``text`` mentions."""
    if "@" not in text:
        return set()
    starts = [match.end() for match in _AT.finditer(text)]
    if not starts:
        return set()
    handles = handle_owners(db.session.scalars(select(User).where(User.active.is_(True))))
    folded = text.casefold()
    found: set[User] = set()
    for start in starts:
        best = None
        for handle in handles:
            if (
                (best is None or len(handle) > len(best))
                and folded.startswith(handle, start)
                and _END.match(folded, start + len(handle))
            ):
                best = handle
        if best is not None and len(handles[best]) == 1:
            found |= handles[best]
    return found


def handle_owners(people: Iterable[User]) -> dict[str, set[User]]:
    """Each name and e-mail local part of ``people``, compared as a mention is (case
    folded, spaces collapsed), with the people it belongs to: a handle of one person
    mentions them, a handle two people share mentions neither."""
    handles: dict[str, set[User]] = {}
    for user in people:
        for handle in (user.name, user.email.rpartition("@")[0]):
            handle = " ".join(handle.split()).casefold()
            if handle:
                handles.setdefault(handle, set()).add(user)
    return handles


def snippet(text: str) -> str:
    """The first lines of a text, as the inbox and a mail show them."""
    flat = " ".join(text.split())
    return flat if len(flat) <= SNIPPET else flat[: SNIPPET - 1].rstrip() + "…"


def document_written(document: Document, before: str, after: str, author: User) -> None:
    """Notify the people a revision's text mentions that its earlier text did not."""
    if "@" not in after:
        return
    added = mentioned(after) - mentioned(before)
    _notify_in_their_language(
        added,
        "mention",
        lambda: _("%(name)s mentioned you in “%(title)s”", name=author.name, title=document.title),
        f"/docs/{document.id}",
        body=snippet(after),
        target=document,
        actor=author,
    )


def comment_added(document: Document, comment: Comment, author: User) -> None:
    """Notify the people a new comment mentions, and then those following the
    document (its creator, unless they unfollowed) of the comment."""
    url = f"/docs/{document.id}#comment-{comment.id}"
    text = snippet(comment.body)
    named = mentioned(comment.body)
    _notify_in_their_language(
        named,
        "mention",
        lambda: _(
            "%(name)s mentioned you in a comment on “%(title)s”",
            name=author.name,
            title=document.title,
        ),
        url,
        body=text,
        target=document,
        actor=author,
    )
    _notify_in_their_language(
        [user for user in document_followers(document) if user not in named],
        "comment",
        lambda: _("%(name)s commented on “%(title)s”", name=author.name, title=document.title),
        url,
        body=text,
        target=document,
        actor=author,
    )


def _notify_in_their_language(
    users: Iterable[User], kind: str, subject: Callable[[], str], url: str, **options
) -> None:
    """``notify`` each person with the subject written in their language (it is stored
    as a finished sentence): one call per language among ``users``."""
    by_language: dict[str, list[User]] = {}
    for user in users:
        by_language.setdefault(language_of(user), []).append(user)
    for language, people in by_language.items():
        with in_language(language):
            notify(people, kind, subject(), url, **options)
