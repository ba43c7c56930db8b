"""the number that tells every worker its kept regions and switches are out of date

Revision ID: 0011_cache_version
Revises: 0010_search_fold
Create Date: 2026-12-02 14:00:00

It replaces the file ``worker-cache.stamp`` in the instance folder (workspace.worker_cache):
kept in the database, it changes in the same transaction as the rows it guards and is
seen by every host that serves the instance.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_cache_version"
down_revision = "0010_search_fold"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "cache_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cache_version")),
    )
    op.bulk_insert(table, [{"id": 1, "number": 0}])


def downgrade():
    op.drop_table("cache_version")
