"""policy plugin: situation reports and policy recommendations, and their steps

Revision ID: po001
Revises:
Create Date: 2026-12-10 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "po001"
down_revision = None
branch_labels = ("policy",)
depends_on = "0021_controllers"

MOMENT = sa.DateTime(timezone=True)


def _user(column: str, table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        ["user_account.id"],
        name=op.f(f"fk_{table}_{column}_user_account"),
        ondelete="SET NULL",
    )


def upgrade():
    op.create_table(
        "policy_paper",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("endorsed_by", sa.String(length=300), nullable=False),
        sa.Column("endorsed_on", sa.Date(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["region.id"],
            name=op.f("fk_policy_paper_region_id_region"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
            name=op.f("fk_policy_paper_document_id_document"),
            ondelete="SET NULL",
        ),
        _user("created_by_id", "policy_paper"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_paper")),
        sa.UniqueConstraint("region_id", "kind", name=op.f("uq_policy_paper_region_id")),
    )
    with op.batch_alter_table("policy_paper", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_policy_paper_region_id"), ["region_id"], unique=False)
    op.create_table(
        "policy_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("at", MOMENT, nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("endorsed_by", sa.String(length=300), nullable=False),
        sa.Column("endorsed_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["paper_id"],
            ["policy_paper.id"],
            name=op.f("fk_policy_step_paper_id_policy_paper"),
            ondelete="CASCADE",
        ),
        _user("by_id", "policy_step"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_step")),
    )
    with op.batch_alter_table("policy_step", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_policy_step_paper_id"), ["paper_id"], unique=False)


def downgrade():
    with op.batch_alter_table("policy_step", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_policy_step_paper_id"))
    op.drop_table("policy_step")
    with op.batch_alter_table("policy_paper", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_policy_paper_region_id"))
    op.drop_table("policy_paper")
