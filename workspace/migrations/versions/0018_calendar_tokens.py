"""calendar tokens: each person's address of their calendar feeds

Revision ID: 0018_calendar_tokens
Revises: 0017_notifications
Create Date: 2026-12-04 10:00:00

``calendar_token`` (workspace.calendar_feeds): one row per person at most, holding the
sha256 of the token in the feed addresses, never the token itself.
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_calendar_tokens"
down_revision = "0017_notifications"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "calendar_token",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_calendar_token_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_calendar_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_token_token_hash")),
    )


def downgrade():
    op.drop_table("calendar_token")
