"""two-factor sign-in: an authenticator secret and recovery codes per person

Revision ID: 0014_two_factor
Revises: 0013_browser_sessions
Create Date: 2026-12-02 16:00:00

A person who turns on two-factor sign-in (workspace.two_factor) has a row of
``two_factor`` (the secret, when it was turned on, the last code's time step) and ten
rows of ``two_factor_recovery_code`` (sha256 digests, each used once). Nobody has it
on after this upgrade: everyone signs in as before until they set it up.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_two_factor"
down_revision = "0013_browser_sessions"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "two_factor",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("enabled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_step", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_two_factor_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_two_factor")),
    )
    op.create_table(
        "two_factor_recovery_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_two_factor_recovery_code_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_two_factor_recovery_code")),
    )
    op.create_index(
        op.f("ix_two_factor_recovery_code_user_id"), "two_factor_recovery_code", ["user_id"]
    )


def downgrade():
    op.drop_index(
        op.f("ix_two_factor_recovery_code_user_id"), table_name="two_factor_recovery_code"
    )
    op.drop_table("two_factor_recovery_code")
    op.drop_table("two_factor")
