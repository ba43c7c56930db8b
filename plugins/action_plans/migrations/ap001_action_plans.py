"""action_plans: plans and their actions

Revision ID: ap001_action_plans
Revises:
Create Date: 2026-11-27 23:05:00

"""

import sqlalchemy as sa
from alembic import op

revision = "ap001_action_plans"
down_revision = None
branch_labels = ("action_plans",)
depends_on = "0008_event_target_index"


def _fk(table, column, target, ondelete):
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete=ondelete,
    )


def upgrade():
    t = "action_plans_plan"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("other_partners", sa.String(length=300), nullable=False),
        sa.Column("instrument_name", sa.String(length=200), nullable=False),
        sa.Column("instrument_kind", sa.String(length=10), nullable=False),
        sa.Column("contact", sa.String(length=300), nullable=False),
        sa.Column("language", sa.String(length=40), nullable=False),
        sa.Column("context_document_id", sa.Integer(), nullable=True),
        sa.Column("summary_document_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("endorsed_by_id", sa.Integer(), nullable=True),
        sa.Column("endorsed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("endorsed_partner_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _fk(t, "region_id", "region", "CASCADE"),
        _fk(t, "partner_id", "partner", "SET NULL"),
        _fk(t, "context_document_id", "document", "SET NULL"),
        _fk(t, "summary_document_id", "document", "SET NULL"),
        _fk(t, "endorsed_by_id", "user_account", "SET NULL"),
        _fk(t, "endorsed_partner_id", "partner", "SET NULL"),
        _fk(t, "created_by_id", "user_account", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_plans_plan")),
    )
    op.create_index(op.f("ix_action_plans_plan_region_id"), t, ["region_id"], unique=False)
    a = "action_plans_action"
    op.create_table(
        a,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("start_month", sa.String(length=7), nullable=False),
        sa.Column("end_month", sa.String(length=7), nullable=False),
        sa.Column("costs", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("funding_sources", sa.String(length=300), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("progress", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("monitored_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("evidence_document_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        _fk(a, "plan_id", "action_plans_plan", "CASCADE"),
        _fk(a, "document_id", "document", "SET NULL"),
        _fk(a, "evidence_document_id", "document", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_plans_action")),
    )
    op.create_index(op.f("ix_action_plans_action_plan_id"), a, ["plan_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_action_plans_action_plan_id"), table_name="action_plans_action")
    op.drop_table("action_plans_action")
    op.drop_index(op.f("ix_action_plans_plan_region_id"), table_name="action_plans_plan")
    op.drop_table("action_plans_plan")
