"""events by what they are about

Revision ID: 0008_event_target_index
Revises: 0007_document_region_index
Create Date: 2026-11-27 22:10:00

"""

from alembic import op

revision = "0008_event_target_index"
down_revision = "0007_document_region_index"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("event") as batch_op:
        batch_op.create_index(batch_op.f("ix_event_target"), ["target"])


def downgrade():
    with op.batch_alter_table("event") as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_target"))
