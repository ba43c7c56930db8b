"""Creating and saving documents so that nothing anyone typed is lost.

A save names the revision its form started from (the base). It is a
compare-and-swap on ``Document.head``: if nobody saved since, the new revision is
base + 1. If someone did, the texts are merged three ways; a clean merge is saved
(and says so), a real conflict is handed back with the user's text untouched. The
same form submitted twice (same ``save_token``) saves once. Revision numbers stay
1..n without gaps because each one is written by the request that won the swap.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from sqlalchemy import select, update

from . import mentions
from .activity import record
from .extensions import db
from .follows import follow
from .markdown import to_html
from .merge import Conflict, merge3
from .models import Comment, Document, Region, Revision, User, utcnow
from .plugins import host
from .search import index_document

MAX_ATTEMPTS = 20


class SaveOutcome(enum.StrEnum):
    SAVED = "saved"
    MERGED = "merged"
    CONFLICT = "conflict"
    UNCHANGED = "unchanged"
    DUPLICATE = "duplicate"


@dataclass
class SaveResult:
    outcome: SaveOutcome
    document: Document
    revision: Revision | None = None
    # Authors of the revisions saved since the user's base (merge or conflict).
    others: list[User] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    # The head the user must resolve against, after a conflict.
    head: int = 0
    their_title: str = ""


class DocumentGone(Exception):
    """The document was deleted while the user was editing it."""


def create(title: str, body: str, region: Region | None, author: User, plugin: str | None = None):
    now = utcnow()
    document = Document(
        title=title,
        body=body,
        html=to_html(body),
        region=region,
        plugin=plugin,
        head=1,
        created_by=author,
        updated_by=author,
        created_at=now,
        updated_at=now,
    )
    db.session.add(document)
    db.session.flush()
    db.session.add(
        Revision(
            document_id=document.id,
            number=1,
            title=title,
            body=body,
            kind="create",
            base_number=0,
            author=author,
            created_at=now,
        )
    )
    index_document(document)
    record("doc_created", region=region, target=document.ref, actor=author, title=title)
    follow(author, document.ref)
    mentions.document_written(document, "", body, author)
    db.session.commit()
    host().pm.hook.document_saved(document=document, revision=revision(document.id, 1))
    return document


def revision(document_id: int, number: int) -> Revision | None:
    return db.session.scalar(
        select(Revision).where(Revision.document_id == document_id, Revision.number == number)
    )


def save(
    document_id: int,
    base: int,
    title: str,
    body: str,
    author: User,
    save_token: str | None = None,
    kind: str = "edit",
) -> SaveResult:
    """Save the user's title and body, written on top of revision ``base``."""
    for _ in range(MAX_ATTEMPTS):
        document = db.session.get(Document, document_id, populate_existing=True)
        if document is None or document.deleted_at is not None:
            raise DocumentGone(document_id)
        if save_token:
            earlier = db.session.scalar(select(Revision).where(Revision.save_token == save_token))
            if earlier is not None:
                return SaveResult(SaveOutcome.DUPLICATE, document, earlier)
        head, head_body = document.head, document.body
        new_title, new_body, outcome = title, body, SaveOutcome.SAVED
        others: list[User] = []
        if base != head:
            mine_base = revision(document_id, base)
            if mine_base is None or base > head:
                mine_base = revision(document_id, head)
            others = _authors_since(document_id, base)
            merged = merge3(mine_base.body, body, document.body)
            new_title = _merge_title(mine_base.title, title, document.title)
            if not merged.clean or new_title is None:
                conflicts = merged.conflicts
                if new_title is None:
                    conflicts = [Conflict(mine_base.title, title, document.title), *conflicts]
                record(
                    "doc_conflict",
                    region=document.region,
                    target=document.ref,
                    actor=author,
                    base=base,
                    head=head,
                )
                db.session.commit()
                return SaveResult(
                    SaveOutcome.CONFLICT, document, None, others, conflicts, head, document.title
                )
            new_body, outcome = merged.text, SaveOutcome.MERGED
        if new_title == document.title and new_body == document.body:
            db.session.rollback()
            return SaveResult(SaveOutcome.UNCHANGED, document, None, others)
        html = to_html(new_body)
        # End the read transaction: the swap below is the first write of a new one.
        db.session.rollback()
        now = utcnow()
        swapped = db.session.execute(
            update(Document)
            .where(Document.id == document_id, Document.head == head, Document.deleted_at.is_(None))
            .values(
                head=head + 1,
                title=new_title,
                body=new_body,
                html=html,
                updated_at=now,
                updated_by_id=author.id,
            ),
            execution_options={"synchronize_session": False},
        ).rowcount
        if swapped != 1:
            db.session.rollback()
            continue
        new_revision = Revision(
            document_id=document_id,
            number=head + 1,
            title=new_title,
            body=new_body,
            kind="merge" if outcome is SaveOutcome.MERGED else kind,
            base_number=base,
            author_id=author.id,
            created_at=now,
            save_token=save_token,
        )
        db.session.add(new_revision)
        verb = {"merge": "doc_merged", "restore": "doc_revision_restored"}.get(
            new_revision.kind, "doc_edited"
        )
        document = db.session.get(Document, document_id, populate_existing=True)
        record(verb, region=document.region, target=document.ref, actor=author, revision=head + 1)
        index_document(document)
        mentions.document_written(document, head_body, new_body, author)
        db.session.commit()
        host().pm.hook.document_saved(document=document, revision=new_revision)
        return SaveResult(outcome, document, new_revision, others)
    raise RuntimeError("the document kept changing; try again")


def _merge_title(base: str, mine: str, theirs: str) -> str | None:
    if mine in (theirs, base):
        return theirs
    if theirs == base:
        return mine
    return None


def _authors_since(document_id: int, base: int) -> list[User]:
    rows = db.session.scalars(
        select(Revision)
        .where(Revision.document_id == document_id, Revision.number > base)
        .order_by(Revision.number)
    )
    authors: list[User] = []
    for row in rows:
        if row.author is not None and row.author not in authors:
            authors.append(row.author)
    return authors


def refresh_stored_html() -> int:
    """Render the stored HTML of every document and comment again from its Markdown,
    with today's sanitiser; return how many changed.

    The pages trust the ``html`` columns (``Document.rendered``), which only
    ``to_html`` writes. A database that comes from elsewhere (a restored backup) or
    was written under older rules would otherwise be trusted as it stands.
    """
    changed = 0
    for model in (Document, Comment):
        rows = db.session.execute(select(model.id, model.body, model.html)).all()
        for row_id, body, stored in rows:
            fresh = to_html(body or "")
            if fresh != stored:
                db.session.execute(update(model).where(model.id == row_id).values(html=fresh))
                changed += 1
    return changed
