"""minutes: agenda notes and outcomes carry a version, so a stale save never overwrites

Revision ID: m004_agenda_outcome_versions
Revises: m003_meeting_trash
Create Date: 2026-12-03 10:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "m004_agenda_outcome_versions"
down_revision = "m003_meeting_trash"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("minutes_agenda_item", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("notes_version", sa.Integer(), server_default="1", nullable=False)
        )
    with op.batch_alter_table("minutes_outcome", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))


def downgrade():
    with op.batch_alter_table("minutes_outcome", schema=None) as batch_op:
        batch_op.drop_column("version")
    with op.batch_alter_table("minutes_agenda_item", schema=None) as batch_op:
        batch_op.drop_column("notes_version")
