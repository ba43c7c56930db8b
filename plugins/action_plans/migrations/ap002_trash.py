"""action_plans: a plan can be moved to the trash (and brought back) and keeps who did it

Revision ID: ap002_trash
Revises: ap001_action_plans
Create Date: 2026-12-03 12:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "ap002_trash"
down_revision = "ap001_action_plans"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("action_plans_plan", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("deleted_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_action_plans_plan_deleted_by_id_user_account"),
            "user_account",
            ["deleted_by_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("action_plans_plan", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_action_plans_plan_deleted_by_id_user_account"), type_="foreignkey"
        )
        batch_op.drop_column("deleted_by_id")
        batch_op.drop_column("deleted_at")
