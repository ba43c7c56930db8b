"""Following: a person asks to hear of comments (and later of other news) on a thing.

A follow names its thing by reference ("doc:12", "minutes:meeting:4"), so a plugin's
meetings, practices and plans use the same table through ``workspace.api``
(``follow``, ``unfollow``, ``is_following``, ``followers``). Whoever creates a document
follows it from the start (``revisions.create``) and may unfollow it.

The Follow button of a document page posts to ``/docs/<id>/follow`` or ``.../unfollow``;
anyone who may read the document may follow it. A record with several texts (an action
plan) has a Follow button of its own, and its plugin names the record's reference for
each text (``document_followed_as``), so its followers hear of comments on any of them.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, redirect, url_for
from flask_login import current_user
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from . import clock
from .access import get_document
from .extensions import db
from .models import Document, User, UTCDateTime
from .plugins import host
from .rendering import render, wants_fragment

bp = Blueprint("follows", __name__, url_prefix="/docs")


class Follow(db.Model):
    __tablename__ = "follow"
    __table_args__ = (
        UniqueConstraint("user_id", "target"),
        Index("ix_follow_target", "target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    target: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


def follow(user: User, ref: str) -> bool:
    """``user`` follows ``ref`` from now on; returns whether they did not before. The
    caller commits."""
    # One statement, so the same person's other tab following at the same moment
    # cannot make it fail.
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(Follow.__table__)
        .values(user_id=user.id, target=ref, created_at=clock.now())
        .on_conflict_do_nothing(index_elements=["user_id", "target"])
        .returning(Follow.id)
    )
    return db.session.execute(statement).first() is not None


def unfollow(user: User, ref: str) -> bool:
    """``user`` no longer follows ``ref``; returns whether they did. The caller commits."""
    removed = db.session.execute(
        delete(Follow).where(Follow.user_id == user.id, Follow.target == ref)
    ).rowcount
    return bool(removed)


def is_following(user: User, ref: str) -> bool:
    return (
        db.session.scalar(select(Follow.id).where(Follow.user_id == user.id, Follow.target == ref))
        is not None
    )


def followers(ref: str) -> list[User]:
    """The people following ``ref`` (whether they may still read it is ``notify``'s
    question)."""
    return list(
        db.session.scalars(
            select(User).join(Follow, Follow.user_id == User.id).where(Follow.target == ref)
        )
    )


def document_followers(document: Document) -> list[User]:
    """The people following ``document``, or a record it is a text of (a meeting's
    minutes, a plan's texts: the owning plugin's ``document_followed_as``), each once."""
    refs = [document.ref]
    if document.plugin:
        for _, answer in host().call_each(
            "document_followed_as", [document.plugin], document=document
        ):
            refs.extend(answer or [])
    return list(
        db.session.scalars(
            select(User)
            .where(User.id.in_(select(Follow.user_id).where(Follow.target.in_(refs))))
            .order_by(User.id)
        )
    )


@bp.post("/<id:document_id>/follow")
def follow_document(document_id: int) -> Response:
    return _set(document_id, following=True)


@bp.post("/<id:document_id>/unfollow")
def unfollow_document(document_id: int) -> Response:
    return _set(document_id, following=False)


def _set(document_id: int, following: bool) -> Response:
    document = get_document(document_id)
    user = current_user._get_current_object()
    (follow if following else unfollow)(user, document.ref)
    db.session.commit()
    if wants_fragment():
        return render("documents/_follow.html", document=document, following=following)
    return redirect(url_for("documents.view", document_id=document.id), 303)
