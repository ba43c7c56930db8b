"""budget plugin: the payment chain after the control

Revision ID: b008_payments
Revises: b007_certified_lines
Create Date: 2026-12-03 09:00:00

``budget_payment``: per partner and period, when the certified expenditure went into a
progress report, the ERDF the lead partner received for it and what it forwarded.
"""

import sqlalchemy as sa
from alembic import op

from workspace.api import UTCDateTime

revision = "b008_payments"
down_revision = "b007_certified_lines"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "budget_payment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("reported_on", sa.Date(), nullable=True),
        sa.Column("received_eur", sa.Numeric(14, 2), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("forwarded_eur", sa.Numeric(14, 2), nullable=True),
        sa.Column("forwarded_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partner.id"],
            name=op.f("fk_budget_payment_partner_id_partner"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user_account.id"],
            name=op.f("fk_budget_payment_updated_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_payment")),
        sa.UniqueConstraint("partner_id", "period", name=op.f("uq_budget_payment_partner_id")),
    )


def downgrade():
    op.drop_table("budget_payment")
