"""budget plugin: the controller's result on each expenditure line

Revision ID: b007_certified_lines
Revises: b006_calendar_to_core
Create Date: 2026-12-03 08:00:00

When a partner report is certified (the core's ``report_certified`` hook), each of its
expenditure lines keeps the eligible amount, the reason for a deduction and when.
"""

import sqlalchemy as sa
from alembic import op

revision = "b007_certified_lines"
down_revision = "b006_calendar_to_core"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("budget_expenditure") as batch:
        batch.add_column(sa.Column("eligible_eur", sa.Numeric(14, 2), nullable=True))
        batch.add_column(
            sa.Column("deduction_reason", sa.String(500), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("certified_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("budget_expenditure") as batch:
        batch.drop_column("certified_at")
        batch.drop_column("deduction_reason")
        batch.drop_column("eligible_eur")
