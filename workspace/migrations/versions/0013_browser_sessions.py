"""sessions kept on the server: the cookie holds only a random id

Revision ID: 0013_browser_sessions
Revises: 0012_login_throttle_keys
Create Date: 2026-12-02 15:00:00

Sessions were signed cookies: a copy stayed valid after sign-out. Each browser's
session is now a row (workspace.sessions). Everyone signs in once more after this
upgrade; "remember me" cookies of the earlier release sign in no one.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_browser_sessions"
down_revision = "0012_login_throttle_keys"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "browser_session",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("kept", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("address", sa.String(length=45), nullable=False),
        sa.Column("user_agent", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_browser_session_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_browser_session")),
    )
    op.create_index(op.f("ix_browser_session_last_seen_at"), "browser_session", ["last_seen_at"])
    op.create_index(op.f("ix_browser_session_user_id"), "browser_session", ["user_id"])


def downgrade():
    op.drop_index(op.f("ix_browser_session_user_id"), table_name="browser_session")
    op.drop_index(op.f("ix_browser_session_last_seen_at"), table_name="browser_session")
    op.drop_table("browser_session")
