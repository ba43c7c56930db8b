"""fixture plugin: notes

Revision ID: f001_fixture_notes
Revises:
Create Date: 2026-11-27 22:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "f001_fixture_notes"
down_revision = None
branch_labels = ("fixture",)
depends_on = "0001_core"


def upgrade():
    op.create_table(
        "fixture_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["region.id"],
            name=op.f("fk_fixture_note_region_id_region"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fixture_note")),
    )


def downgrade():
    op.drop_table("fixture_note")
