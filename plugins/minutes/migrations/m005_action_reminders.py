"""minutes: action items remember the due date their owner was reminded of

Revision ID: m005_action_reminders
Revises: m004_agenda_outcome_versions
Create Date: 2026-12-02 18:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "m005_action_reminders"
down_revision = "m004_agenda_outcome_versions"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("minutes_outcome", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reminded_due", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("reminded_overdue", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("minutes_outcome", schema=None) as batch_op:
        batch_op.drop_column("reminded_overdue")
        batch_op.drop_column("reminded_due")
