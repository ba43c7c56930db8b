"""portfolio: practices and analyses can be moved to the trash (and brought back) and
keep who did it

Revision ID: p002_trash
Revises: p001_portfolio
Create Date: 2026-12-03 12:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "p002_trash"
down_revision = "p001_portfolio"
branch_labels = None
depends_on = None

TABLES = ("portfolio_practice", "portfolio_analysis")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
            batch_op.add_column(sa.Column("deleted_by_id", sa.Integer(), nullable=True))
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_deleted_by_id_user_account"),
                "user_account",
                ["deleted_by_id"],
                ["id"],
                ondelete="SET NULL",
            )


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(
                batch_op.f(f"fk_{table}_deleted_by_id_user_account"), type_="foreignkey"
            )
            batch_op.drop_column("deleted_by_id")
            batch_op.drop_column("deleted_at")
