"""budget plugin: confirmed CSV imports, so a preview is imported once

Revision ID: b002_import_batches
Revises: b001_budget_tables
Create Date: 2026-12-02 06:00:00

"""

import sqlalchemy as sa
from alembic import op

from workspace.api import UTCDateTime

revision = "b002_import_batches"
down_revision = "b001_budget_tables"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "budget_import_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("amount_eur", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("encoding", sa.String(length=20), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partner.id"],
            name=op.f("fk_budget_import_batch_partner_id_partner"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_budget_import_batch_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_import_batch")),
        sa.UniqueConstraint("token", name=op.f("uq_budget_import_batch_token")),
    )


def downgrade():
    op.drop_table("budget_import_batch")
