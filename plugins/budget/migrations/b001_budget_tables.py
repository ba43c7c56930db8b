"""budget plugin: settings, partner plans, plan lines and expenditure

Revision ID: b001_budget_tables
Revises:
Create Date: 2026-11-27 22:30:00

"""

import sqlalchemy as sa
from alembic import op

from workspace.api import UTCDateTime

revision = "b001_budget_tables"
down_revision = None
branch_labels = ("budget",)
depends_on = "0008_event_target_index"


def upgrade():
    op.create_table(
        "budget_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("phase1_months", sa.Integer(), nullable=False),
        sa.Column("phase1_period_months", sa.Integer(), nullable=False),
        sa.Column("phase2_months", sa.Integer(), nullable=False),
        sa.Column("phase2_period_months", sa.Integer(), nullable=False),
        sa.Column("erdf_rate_public", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("erdf_rate_private", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("office_rate", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("closed_through", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_settings")),
    )
    op.create_table(
        "budget_partner_plan",
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("evidence_document_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["evidence_document_id"],
            ["document.id"],
            name=op.f("fk_budget_partner_plan_evidence_document_id_document"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partner.id"],
            name=op.f("fk_budget_partner_plan_partner_id_partner"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("partner_id", name=op.f("pk_budget_partner_plan")),
    )
    op.create_table(
        "budget_plan_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["budget_partner_plan.partner_id"],
            name=op.f("fk_budget_plan_line_partner_id_budget_partner_plan"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_plan_line")),
        sa.UniqueConstraint(
            "partner_id", "period", "category", name=op.f("uq_budget_plan_line_partner_id")
        ),
    )
    op.create_index(
        op.f("ix_budget_plan_line_partner_id"), "budget_plan_line", ["partner_id"], unique=False
    )
    op.create_table(
        "budget_expenditure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("invoice_number", sa.String(length=60), nullable=False),
        sa.Column("invoice_date", sa.Date(), nullable=False),
        sa.Column("payment_date", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("vat", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("rate", sa.Numeric(precision=14, scale=6), nullable=False),
        sa.Column("amount_eur", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_budget_expenditure_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partner.id"],
            name=op.f("fk_budget_expenditure_partner_id_partner"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_expenditure")),
    )
    op.create_index(
        op.f("ix_budget_expenditure_partner_id"),
        "budget_expenditure",
        ["partner_id"],
        unique=False,
    )


def downgrade():
    op.drop_index(op.f("ix_budget_expenditure_partner_id"), table_name="budget_expenditure")
    op.drop_table("budget_expenditure")
    op.drop_index(op.f("ix_budget_plan_line_partner_id"), table_name="budget_plan_line")
    op.drop_table("budget_plan_line")
    op.drop_table("budget_partner_plan")
    op.drop_table("budget_settings")
