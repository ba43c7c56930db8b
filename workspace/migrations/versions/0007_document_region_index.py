"""a region's newest documents by index

Revision ID: 0007_document_region_index
Revises: 0006_links
Create Date: 2026-11-27 21:50:00

"""

from alembic import op

revision = "0007_document_region_index"
down_revision = "0006_links"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("document") as batch_op:
        batch_op.create_index("ix_document_region_updated", ["region_id", "updated_at"])
        batch_op.drop_index("ix_document_region_id")


def downgrade():
    with op.batch_alter_table("document") as batch_op:
        batch_op.create_index("ix_document_region_id", ["region_id"])
        batch_op.drop_index("ix_document_region_updated")
