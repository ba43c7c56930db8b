"""The @ picker: while someone types ``@`` and a few letters in a comment box or the
editor, ``static/js/mention_picker.js`` asks here for the people that text may mention.

- ``GET /docs/<id>/mentionable?q=ka`` for a document's comment box and editor: those who
  may read the document (``visibility.document_shown``, as ``notify`` checks), asked
  by someone who may comment on it (commenting is the least that writes a mention).
- ``GET /docs/new/mentionable?q=ka&region_id=3`` for the "new document" form, which has
  no document yet: those who may read the region being chosen (``region_id`` as the
  form's select sends it; 0 or none: project-wide), asked by someone who may write there.

The answer is JSON, at most ``LIMIT`` people: name, partner short name, and the text to
insert. Never an e-mail address: a person's name is what the workspace shows of them.
The text to insert is what ``mentions.mentioned`` reads back as that person: the name,
or the e-mail's local part when two active people share the name; someone with no such
handle (both shared) cannot be mentioned and is not offered.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Blueprint, Response, abort, jsonify, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .access import get_document
from .converters import db_int
from .extensions import db
from .folding import fold
from .mentions import handle_owners
from .models import Region, User
from .permissions import Action, can, require
from .visibility import document_shown

bp = Blueprint("mention_picker", __name__, url_prefix="/docs")

LIMIT = 8
QUERY_MAX = 60
# Where a word starts: a name's or local part's spaces, hyphens, dots, apostrophes...
_SEPARATORS = re.compile(r"[\s\-.'’_+]+")


def _words(value: str) -> str:
    """``value`` folded (case and accents), its separators made single spaces."""
    return _SEPARATORS.sub(" ", fold(value)).strip()


def _local_part(user: User) -> str:
    return user.email.rpartition("@")[0]


def _mention(user: User, owners: dict[str, set[User]]) -> str | None:
    """What to write after the @ so that the text mentions ``user``, if anything does."""
    name = " ".join(user.name.split())
    if name and len(owners.get(name.casefold(), ())) == 1:
        return name
    local = _local_part(user)
    if local and len(owners.get(local.casefold(), ())) == 1:
        return local
    return None


def _rank(user: User, query: str) -> int | None:
    """0: the name starts with the query; 1: a later word of it does; 2: the e-mail's
    local part (or a word of it) does; None: no match."""
    name = _words(user.name)
    if name.startswith(query):
        return 0
    if f" {query}" in f" {name}":
        return 1
    if f" {query}" in f" {_words(_local_part(user))}":
        return 2
    return None


def mentionable(query: str, may_read: Callable[[User], bool], asker: User) -> list[dict]:
    """The active people (``asker`` aside: a mention of oneself notifies nobody) whose
    name or e-mail local part has a word starting with ``query``, among those
    ``may_read`` admits; best matches first, at most ``LIMIT``."""
    query = _words(query.lstrip("@"))
    if not query:
        return []
    people = db.session.scalars(
        select(User)
        .where(User.active.is_(True))
        .options(selectinload(User.partner), selectinload(User.memberships))
    ).all()
    owners = handle_owners(people)
    ranked = sorted(
        (rank, _words(user.name), user.id, user)
        for user in people
        if user.id != asker.id and (rank := _rank(user, query)) is not None
    )
    found = []
    for *_, user in ranked:
        mention = _mention(user, owners)
        if mention is None or not may_read(user):
            continue
        found.append(
            {
                "name": user.name,
                "partner": user.partner.short_name if user.partner else None,
                "mention": f"@{mention}",
            }
        )
        if len(found) == LIMIT:
            break
    return found


def _answer(people: list[dict]) -> Response:
    response = jsonify(people=people)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _query() -> str:
    return request.args.get("q", "")[:QUERY_MAX]


@bp.get("/<id:document_id>/mentionable")
def for_document(document_id: int) -> Response:
    document = get_document(document_id, Action.COMMENT)
    asker = current_user._get_current_object()
    return _answer(mentionable(_query(), lambda user: document_shown(document, user), asker))


@bp.get("/new/mentionable")
def for_new_document() -> Response:
    try:
        region_id = db_int(request.args.get("region_id") or 0)
    except ValueError:
        abort(404)
    region = None
    if region_id:
        region = db.session.get(Region, region_id)
        if region is None:
            abort(404)
    require(Action.EDIT, region)  # as the "new document" form asks before it creates
    asker = current_user._get_current_object()
    return _answer(mentionable(_query(), lambda user: can(user, Action.READ, region), asker))
