"""retention: the project's end and the date its records are kept until

Revision ID: 0015_retention
Revises: 0014_two_factor
Create Date: 2026-12-09 10:00:00

One row of ``retention_setting`` (workspace.retention), written when an admin first
sets the dates on Admin -> Records. Without it the retention date is unknown and
nothing is deleted for good.
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_retention"
down_revision = "0014_two_factor"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "retention_setting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_end", sa.Date(), nullable=True),
        sa.Column("records_kept_until", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_setting")),
    )


def downgrade():
    op.drop_table("retention_setting")
