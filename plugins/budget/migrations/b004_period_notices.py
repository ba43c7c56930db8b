"""budget plugin: which region was told that a reporting period closes soon

Revision ID: b004_period_notices
Revises: b003_contracts
Create Date: 2026-12-02 18:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "b004_period_notices"
down_revision = "b003_contracts"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "budget_period_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("period_number", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["region.id"],
            name=op.f("fk_budget_period_notice_region_id_region"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_period_notice")),
        sa.UniqueConstraint(
            "region_id", "period_end", name=op.f("uq_budget_period_notice_region_id")
        ),
    )


def downgrade():
    op.drop_table("budget_period_notice")
