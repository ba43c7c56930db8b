"""Full-text search over documents and comments, behind one interface.

SQLite uses an FTS5 table (``search_fts``, rowid = ``search_entry.id``); PostgreSQL
a GIN index over ``to_tsvector('simple', folded)``. Both index folded text (see
``fold``), and the query is folded the same way, so "lodz" finds "Łódź" and
"strasse" finds "Straße" on either engine. The rest of the workspace calls
``index_document``, ``index_comment``, ``unindex`` and ``search``; plugins add their
own results through the ``search`` hook, and can match with ``folded_contains``.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import DDL, and_, bindparam, delete, event, select, text
from sqlalchemy.orm import aliased, load_only

from .extensions import db
from .folding import fold
from .hookspecs import SearchResult
from .models import Comment, Document, Region, SearchEntry
from .permissions import Action, can, readable_regions
from .plugins import host
from .rendering import render
from .visibility import plugin_allows, switched_on_clause

bp = Blueprint("search", __name__)

MAX_TERMS = 8
LIMIT = 30
SNIPPET_WORDS = 16

# The database-specific index, created with the table (db.create_all and migrations).
# Word beginnings of 2 to 7 letters are indexed too: every word is matched as a
# prefix, and without them FTS5 merges the lists of every word a prefix begins
# (migration 0019).
SQLITE_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5("
    "title, body, tokenize='unicode61 remove_diacritics 2', prefix='2 3 4 5 6 7')"
)
POSTGRES_DDL = (
    "CREATE INDEX IF NOT EXISTS ix_search_entry_fulltext ON search_entry "
    "USING gin (to_tsvector('simple', folded))"
)
event.listen(SearchEntry.__table__, "after_create", DDL(SQLITE_DDL).execute_if(dialect="sqlite"))
event.listen(
    SearchEntry.__table__, "after_create", DDL(POSTGRES_DDL).execute_if(dialect="postgresql")
)
event.listen(
    SearchEntry.__table__,
    "before_drop",
    DDL("DROP TABLE IF EXISTS search_fts").execute_if(dialect="sqlite"),
)


def folded_contains(query: str, *texts: str | None) -> bool:
    """Whether ``query`` occurs in one of ``texts``, as SQL's ``icontains`` would
    say, but folded: for plugins matching their own short fields in Python."""
    wanted = fold(query.strip())
    return bool(wanted) and any(wanted in fold(t) for t in texts if t)


def _sqlite() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


# ---------------------------------------------------------------- indexing


def _put(ref: str, document: Document, kind: str, title: str, body: str) -> None:
    entry = db.session.scalar(select(SearchEntry).where(SearchEntry.ref == ref))
    if entry is None:
        entry = SearchEntry(ref=ref, document_id=document.id)
        db.session.add(entry)
    elif _sqlite():
        db.session.execute(text("DELETE FROM search_fts WHERE rowid = :id"), {"id": entry.id})
    entry.region_id, entry.kind, entry.title, entry.body = document.region_id, kind, title, body
    entry.folded = fold(f"{title} {body}")
    db.session.flush()
    if _sqlite():
        # FTS5 folds only accents of its own: it is given the folded text too.
        db.session.execute(
            text("INSERT INTO search_fts (rowid, title, body) VALUES (:id, :title, :body)"),
            {"id": entry.id, "title": fold(title), "body": fold(body)},
        )


def index_document(document: Document) -> None:
    """Index (or re-index) a document and its comments; a deleted one is removed."""
    if document.deleted_at is not None:
        unindex(document)
        return
    _put(f"doc:{document.id}", document, "document", document.title, document.body)
    for comment in db.session.scalars(select(Comment).where(Comment.document_id == document.id)):
        index_comment(document, comment)


def index_comment(document: Document, comment: Comment) -> None:
    _put(f"comment:{comment.id}", document, "comment", document.title, comment.body)


def unindex(document: Document) -> None:
    ids = db.session.scalars(
        select(SearchEntry.id).where(SearchEntry.document_id == document.id)
    ).all()
    if _sqlite() and ids:
        db.session.execute(
            text("DELETE FROM search_fts WHERE rowid = :id"), [{"id": id_} for id_ in ids]
        )
    db.session.execute(
        delete(SearchEntry).where(SearchEntry.document_id == document.id),
        execution_options={"synchronize_session": False},
    )


# ---------------------------------------------------------------- searching


def terms(query: str) -> list[str]:
    """Words of the query; punctuation and operators are never passed to the engine."""
    return re.findall(r"\w+", fold(query))[:MAX_TERMS]


def _hits(words: list[str], limit: int) -> list[int]:
    """Ids of the entries containing every word (as a prefix): those with all words in
    the title first, then the others, newest first within each group.

    Ranking every match by relevance costs time in proportion to the number of
    matches (20 ms for 13,000 on SQLite); this order is read straight off the index.
    """
    if _sqlite():
        terms_ = " ".join(f'"{word}"*' for word in words)
        sql = (
            "SELECT rowid FROM search_fts WHERE search_fts MATCH :match "
            "ORDER BY rowid DESC LIMIT :limit"
        )
        in_title = db.session.scalars(text(sql), {"match": f"title : ({terms_})", "limit": limit})
        anywhere = db.session.scalars(text(sql), {"match": terms_, "limit": limit})
        return list(dict.fromkeys([*in_title, *anywhere]))[:limit]
    rows = db.session.execute(
        text(
            "SELECT id, title FROM search_entry "
            "WHERE to_tsvector('simple', folded) @@ to_tsquery('simple', :q) "
            "ORDER BY id DESC LIMIT :limit"
        ),
        {"q": " & ".join(f"{word}:*" for word in words), "limit": limit},
    ).all()
    # Title matches first, as on SQLite (among the newest matches fetched).
    return [row[0] for row in sorted(rows, key=lambda row: not _all_in(words, row[1]))]


def snippet(body: str, words: list[str], size: int = SNIPPET_WORDS) -> str:
    """About ``size`` words of ``body`` as it is written (accents and all), starting a
    little before the first word that matches the query; the start of the body when
    only the title matched. The index holds folded text, so the snippet is cut here."""
    tokens = body.split()
    if not tokens:
        return ""
    starts = re.compile(r"(?<![a-z0-9])(?:" + "|".join(map(re.escape, words)) + ")")
    first = next(
        (
            i
            for i, token in enumerate(tokens)
            if starts.search(token.lower() if token.isascii() else fold(token))
        ),
        0,
    )
    begin = max(0, min(first - size // 4, len(tokens) - size))
    shown = " ".join(tokens[begin : begin + size])
    return ("… " if begin else "") + shown + (" …" if begin + size < len(tokens) else "")


def _all_in(words: list[str], title: str) -> bool:
    tokens = re.findall(r"\w+", fold(title))
    return all(any(token.startswith(word) for token in tokens) for word in words)


# The hits as plain rows (without the folded text), with their document where a
# module's ``document_visible`` is asked about it: loaded in the same query, with the
# columns the hooks read, and None for the others.
_ASKED = aliased(Document, name="asked")
_ENTRIES = (
    select(
        SearchEntry.id,
        SearchEntry.ref,
        SearchEntry.document_id,
        SearchEntry.region_id,
        SearchEntry.kind,
        SearchEntry.title,
        SearchEntry.body,
        _ASKED,
    )
    .join(Document, Document.id == SearchEntry.document_id)
    .outerjoin(
        _ASKED,
        and_(
            _ASKED.id == SearchEntry.document_id,
            _ASKED.plugin.in_(bindparam("hooked", expanding=True)),
        ),
    )
    .options(load_only(_ASKED.plugin, _ASKED.region_id))
)


def search(query: str, user, limit: int = LIMIT) -> list[SearchResult]:
    """What ``user`` may read that matches ``query``: documents, comments, then plugins'."""
    words = terms(query)
    if not words:
        return []
    regions = readable_regions(user, list(db.session.scalars(select(Region))))
    readable = {region.id for region in regions}
    project = can(user, Action.READ)
    # Ask for more than needed: some hits may be in regions the user cannot read.
    hits = _hits(words, limit * 2)
    # Plain rows, without the folded text: the hits' fields are only shown.
    rows = db.session.execute(
        _ENTRIES.where(SearchEntry.id.in_(hits), switched_on_clause()),
        {"hooked": sorted(host().implementing("document_visible"))},
    ).all()
    # Without the texts a plugin hides from this reader.
    entries = {row.id: row for row in rows if row.asked is None or plugin_allows(row.asked, user)}
    names = {region.id: region.name for region in regions}
    results: list[SearchResult] = []
    for hit in hits:
        entry = entries.get(hit)
        if entry is None:
            continue
        if entry.region_id is None and not project:
            continue
        if entry.region_id is not None and entry.region_id not in readable:
            continue
        anchor = f"#comment-{entry.ref.split(':')[1]}" if entry.kind == "comment" else ""
        results.append(
            SearchResult(
                title=entry.title,
                url=url_for("documents.view", document_id=entry.document_id) + anchor,
                snippet=snippet(entry.body, words)[:300],
                kind=_("Comment") if entry.kind == "comment" else _("Document"),
                where=names.get(entry.region_id) or _("Whole project"),
            )
        )
        if len(results) >= limit:
            break
    # Screened by the host: results of regions where their plugin is off, or that
    # the user may not read, are dropped (PluginHost.admits).
    plugin_host = host()
    results += plugin_host.collect("search", plugin_host.enabled_anywhere(), query=query, user=user)
    return results


@bp.get("/search")
def page() -> Response:
    query = request.args.get("q", "")[:200]
    results = search(query, current_user) if query.strip() else []
    return render("search.html", block="results", query=query, results=results)
