"""each account's number and date format and time zone

Revision ID: 0009_user_formats
Revises: 0008_event_target_index
Create Date: 2026-12-02 05:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0009_user_formats"
down_revision = "0008_event_target_index"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account") as batch_op:
        batch_op.add_column(sa.Column("number_format", sa.String(length=5), nullable=True))
        batch_op.add_column(sa.Column("time_zone", sa.String(length=60), nullable=True))


def downgrade():
    with op.batch_alter_table("user_account") as batch_op:
        batch_op.drop_column("time_zone")
        batch_op.drop_column("number_format")
