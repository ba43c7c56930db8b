"""re-fold the search index with text-unidecode

Revision ID: 0010_search_fold
Revises: 0009_user_formats
Create Date: 2026-12-02 09:00:00

Search now folds "Łódź" to "lodz" and "Straße" to "strasse" (workspace.search.fold),
for what is indexed and for the query alike. Entries written before were folded by
Unicode decomposition alone, which leaves Ł and ß as they are, and the SQLite FTS5
table held the raw title and body: every existing entry is folded again here, in
Python, by a copy of that same function (migrations never import application code,
which may change later; tests/test_search_folding.py checks the copy is the same).
"""

import unicodedata

import sqlalchemy as sa
from alembic import op
from text_unidecode import unidecode

revision = "0010_search_fold"
down_revision = "0009_user_formats"
branch_labels = None
depends_on = None

BATCH = 500


def fold(value):
    """workspace.search.fold as of this revision."""
    if value.isascii():
        return value.lower()
    return unidecode(unicodedata.normalize("NFKD", value)).lower()


def _old_fold(value):
    """The fold of 0005_search, for the way back."""
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _refold(fold_text, fts_text):
    """Recompute ``folded`` of every entry and, on SQLite, its row in search_fts, in
    batches so that a large index is never held in memory at once."""
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    if sqlite:
        bind.execute(sa.text("DELETE FROM search_fts"))
    last = 0
    while True:
        rows = bind.execute(
            sa.text(
                "SELECT id, title, body FROM search_entry WHERE id > :last ORDER BY id LIMIT :n"
            ),
            {"last": last, "n": BATCH},
        ).all()
        if not rows:
            break
        bind.execute(
            sa.text("UPDATE search_entry SET folded = :folded WHERE id = :id"),
            [{"id": id_, "folded": fold_text(f"{title} {body}")} for id_, title, body in rows],
        )
        if sqlite:
            bind.execute(
                sa.text("INSERT INTO search_fts (rowid, title, body) VALUES (:id, :title, :body)"),
                [
                    {"id": id_, "title": fts_text(title), "body": fts_text(body)}
                    for id_, title, body in rows
                ],
            )
        last = rows[-1][0]


def upgrade():
    _refold(fold, fold)


def downgrade():
    _refold(_old_fold, lambda value: value)
