"""minutes: a meeting can be moved to the trash (and brought back) and keeps who did it

Revision ID: m003_meeting_trash
Revises: m002_meeting_cancelled
Create Date: 2026-12-02 12:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "m003_meeting_trash"
down_revision = "m002_meeting_cancelled"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("minutes_meeting", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("deleted_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_minutes_meeting_deleted_by_id_user_account"),
            "user_account",
            ["deleted_by_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("minutes_meeting", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_minutes_meeting_deleted_by_id_user_account"), type_="foreignkey"
        )
        batch_op.drop_column("deleted_by_id")
        batch_op.drop_column("deleted_at")
