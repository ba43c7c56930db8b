"""failed sign-ins counted per address, client, device and minute

Revision ID: 0012_login_throttle_keys
Revises: 0011_cache_version
Create Date: 2026-12-02 14:30:00

The table held failures per e-mail address only, counted before the password was
checked. It now counts failures under several kinds of key (workspace.login_throttle)
and forgets them after a quiet day. Its rows are short-lived counters, so the table
is made anew: at worst an address that was waiting may try again at once.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_login_throttle_keys"
down_revision = "0011_cache_version"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_table("login_throttle")
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttle")),
    )
    op.create_index(
        op.f("ix_login_throttle_last_failure_at"), "login_throttle", ["last_failure_at"]
    )


def downgrade():
    op.drop_index(op.f("ix_login_throttle_last_failure_at"), table_name="login_throttle")
    op.drop_table("login_throttle")
    op.create_table(
        "login_throttle",
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("email", name=op.f("pk_login_throttle")),
    )
