"""controllers: who checks which partner's expenditure

Revision ID: 0021_controllers
Revises: 0020_project_calendar
Create Date: 2026-12-03 07:30:00

``controller_assignment`` (workspace.controllers): a person assigned by an admin to
control a partner's expenditure (first-level control). ``notification.partner_id``:
news of a partner's controlled work, which its controllers may read.
"""

import sqlalchemy as sa
from alembic import op


revision = "0021_controllers"
down_revision = "0020_project_calendar"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "controller_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assigned_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_controller_assignment_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partner.id"],
            name=op.f("fk_controller_assignment_partner_id_partner"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["assigned_by_id"],
            ["user_account.id"],
            name=op.f("fk_controller_assignment_assigned_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_controller_assignment")),
        sa.UniqueConstraint(
            "user_id", "partner_id", name=op.f("uq_controller_assignment_user_id")
        ),
    )
    op.create_index(
        op.f("ix_controller_assignment_partner_id"),
        "controller_assignment",
        ["partner_id"],
        unique=False,
    )
    with op.batch_alter_table("notification") as batch:
        batch.add_column(sa.Column("partner_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_notification_partner_id_partner"),
            "partner",
            ["partner_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade():
    with op.batch_alter_table("notification") as batch:
        batch.drop_constraint(op.f("fk_notification_partner_id_partner"), type_="foreignkey")
        batch.drop_column("partner_id")
    op.drop_index(op.f("ix_controller_assignment_partner_id"), table_name="controller_assignment")
    op.drop_table("controller_assignment")
