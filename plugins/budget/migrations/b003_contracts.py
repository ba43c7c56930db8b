"""budget plugin: contracted budgets, budget modifications, the flexibility setting

Revision ID: b003_contracts
Revises: b002_import_batches
Create Date: 2026-12-09 09:00:00

"""

import sqlalchemy as sa
from alembic import op

from workspace.api import UTCDateTime

revision = "b003_contracts"
down_revision = "b002_import_batches"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("budget_settings") as batch:
        batch.add_column(
            sa.Column(
                "flexibility_rate",
                sa.Numeric(precision=5, scale=2),
                nullable=False,
                server_default="20.00",
            )
        )
    op.create_table(
        "budget_contract",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("total", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("plan_version", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("contracted_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("contracted_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partner.id"],
            name=op.f("fk_budget_contract_partner_id_partner"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contracted_by_id"],
            ["user_account.id"],
            name=op.f("fk_budget_contract_contracted_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_contract")),
    )
    op.create_index(
        op.f("ix_budget_contract_partner_id"), "budget_contract", ["partner_id"], unique=False
    )
    op.create_table(
        "budget_contract_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["budget_contract.id"],
            name=op.f("fk_budget_contract_line_contract_id_budget_contract"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_contract_line")),
        sa.UniqueConstraint(
            "contract_id", "period", "category", name=op.f("uq_budget_contract_line_contract_id")
        ),
    )
    op.create_index(
        op.f("ix_budget_contract_line_contract_id"),
        "budget_contract_line",
        ["contract_id"],
        unique=False,
    )
    op.create_table(
        "budget_modification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("total_before", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("total_after", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("moved", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("moved_from_contract", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("plan_version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partner.id"],
            name=op.f("fk_budget_modification_partner_id_partner"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["budget_contract.id"],
            name=op.f("fk_budget_modification_contract_id_budget_contract"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["confirmed_by_id"],
            ["user_account.id"],
            name=op.f("fk_budget_modification_confirmed_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_budget_modification_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_modification")),
    )
    op.create_index(
        op.f("ix_budget_modification_partner_id"),
        "budget_modification",
        ["partner_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_budget_modification_contract_id"),
        "budget_modification",
        ["contract_id"],
        unique=False,
    )
    op.create_table(
        "budget_modification_cell",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("modification_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("before", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("after", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["modification_id"],
            ["budget_modification.id"],
            name=op.f("fk_budget_modification_cell_modification_id_budget_modification"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_modification_cell")),
    )
    op.create_index(
        op.f("ix_budget_modification_cell_modification_id"),
        "budget_modification_cell",
        ["modification_id"],
        unique=False,
    )


def downgrade():
    op.drop_index(
        op.f("ix_budget_modification_cell_modification_id"),
        table_name="budget_modification_cell",
    )
    op.drop_table("budget_modification_cell")
    op.drop_index(op.f("ix_budget_modification_contract_id"), table_name="budget_modification")
    op.drop_index(op.f("ix_budget_modification_partner_id"), table_name="budget_modification")
    op.drop_table("budget_modification")
    op.drop_index(op.f("ix_budget_contract_line_contract_id"), table_name="budget_contract_line")
    op.drop_table("budget_contract_line")
    op.drop_index(op.f("ix_budget_contract_partner_id"), table_name="budget_contract")
    op.drop_table("budget_contract")
    with op.batch_alter_table("budget_settings") as batch:
        batch.drop_column("flexibility_rate")
