"""project calendar: the project's phases, reporting periods and report deadline

Revision ID: 0020_project_calendar
Revises: 0019_search_prefixes
Create Date: 2026-12-03 03:30:00

``project_calendar`` (workspace.project_calendar): one row, the project's start, its
two phases and their reporting period lengths, and the days after a period's end its
reports are due. Until then the budget module kept the calendar in its settings: its
migration b006 moves it here.
"""

import sqlalchemy as sa
from alembic import op

revision = "0020_project_calendar"
down_revision = "0019_search_prefixes"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "project_calendar",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("phase1_months", sa.Integer(), nullable=False),
        sa.Column("phase1_period_months", sa.Integer(), nullable=False),
        sa.Column("phase2_months", sa.Integer(), nullable=False),
        sa.Column("phase2_period_months", sa.Integer(), nullable=False),
        sa.Column("report_days", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_calendar")),
    )


def downgrade():
    op.drop_table("project_calendar")
