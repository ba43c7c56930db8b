"""minutes: a meeting can be cancelled (and restored) and keeps who did it and why

Revision ID: m002_meeting_cancelled
Revises: m001_minutes
Create Date: 2026-12-02 10:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "m002_meeting_cancelled"
down_revision = "m001_minutes"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("minutes_meeting", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("cancelled_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("cancel_reason", sa.String(length=500), server_default="", nullable=False)
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_minutes_meeting_cancelled_by_id_user_account"),
            "user_account",
            ["cancelled_by_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("minutes_meeting", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_minutes_meeting_cancelled_by_id_user_account"), type_="foreignkey"
        )
        batch_op.drop_column("cancel_reason")
        batch_op.drop_column("cancelled_by_id")
        batch_op.drop_column("cancelled_at")
