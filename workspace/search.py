"""Full-text search over documents and comments, behind one interface.

SQLite uses an FTS5 table (``search_fts``, rowid = ``search_entry.id``); PostgreSQL
a GIN index over ``to_tsvector('simple', title || ' ' || body)``. The rest of the
workspace calls ``index_document``, ``index_comment``, ``unindex`` and ``search``;
plugins add their own results through the ``search`` hook.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from flask import Blueprint, Response, request, url_for
from flask_login import current_user
from sqlalchemy import DDL, delete, event, select, text

from .extensions import db
from .hookspecs import SearchResult
from .models import Comment, Document, Region, SearchEntry
from .permissions import Action, can, readable_regions
from .plugins import host
from .rendering import render

bp = Blueprint("search", __name__)

MAX_TERMS = 8
LIMIT = 30

# The database-specific index, created with the table (db.create_all and migrations).
SQLITE_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5("
    "title, body, tokenize='unicode61 remove_diacritics 2')"
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


def fold(value: str) -> str:
    """Lower case without accents, so that "klaipeda" finds "Klaipėda" everywhere."""
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


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
        db.session.execute(
            text("INSERT INTO search_fts (rowid, title, body) VALUES (:id, :title, :body)"),
            {"id": entry.id, "title": title, "body": body},
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


@dataclass(frozen=True)
class _Hit:
    entry_id: int
    snippet: str


def _hits(words: list[str], limit: int) -> list[_Hit]:
    """Entries containing every word (as a prefix): those with all words in the title
    first, then the others, newest first within each group.

    Ranking every match by relevance costs time in proportion to the number of
    matches (20 ms for 13,000 on SQLite); this order is read straight off the index.
    """
    if _sqlite():
        terms_ = " ".join(f'"{word}"*' for word in words)
        sql = (
            "SELECT rowid, snippet(search_fts, 1, '', '', ' … ', 16) FROM search_fts "
            "WHERE search_fts MATCH :match ORDER BY rowid DESC LIMIT :limit"
        )
        in_title = db.session.execute(text(sql), {"match": f"title : ({terms_})", "limit": limit})
        anywhere = db.session.execute(text(sql), {"match": terms_, "limit": limit})
        hits, seen = [], set()
        for row in [*in_title, *anywhere]:
            if row[0] not in seen:
                seen.add(row[0])
                hits.append(_Hit(row[0], row[1] or ""))
        return hits[:limit]
    rows = db.session.execute(
        text(
            "SELECT id, ts_headline('simple', body, q, "
            '\'StartSel="", StopSel="", MaxFragments=1, MaxWords=16, MinWords=6\'), title '
            "FROM (SELECT id, title, body FROM search_entry, to_tsquery('simple', :q) AS q "
            "      WHERE to_tsvector('simple', folded) @@ q ORDER BY id DESC LIMIT :limit) AS hit, "
            "     to_tsquery('simple', :q) AS q ORDER BY id DESC"
        ),
        {"q": " & ".join(f"{word}:*" for word in words), "limit": limit},
    ).all()
    # Title matches first, as on SQLite (among the newest matches fetched).
    hits = sorted(rows, key=lambda row: not _all_in(words, row[2]))
    return [_Hit(row[0], row[1] or "") for row in hits]


def _all_in(words: list[str], title: str) -> bool:
    tokens = re.findall(r"\w+", fold(title))
    return all(any(token.startswith(word) for token in tokens) for word in words)


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
    plugin_host = host()
    entries = {
        entry.id: entry
        for entry, plugin in db.session.execute(
            select(SearchEntry, Document.plugin)
            .join(Document, Document.id == SearchEntry.document_id)
            .where(SearchEntry.id.in_([hit.entry_id for hit in hits]))
        )
        # The texts of a plugin switched off where they live stay out of sight.
        if plugin_host.shows(plugin, entry.region_id)
    }
    names = {region.id: region.name for region in regions}
    results: list[SearchResult] = []
    for hit in hits:
        entry = entries.get(hit.entry_id)
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
                snippet=hit.snippet[:300],
                kind="Comment" if entry.kind == "comment" else "Document",
                where=names.get(entry.region_id, "Whole project"),
            )
        )
        if len(results) >= limit:
            break
    for result in host().collect("search", host().enabled_anywhere(), query=query, user=user):
        results.append(result)
    return results


@bp.get("/search")
def page() -> Response:
    query = request.args.get("q", "")[:200]
    results = search(query, current_user) if query.strip() else []
    return render("search.html", block="results", query=query, results=results)
