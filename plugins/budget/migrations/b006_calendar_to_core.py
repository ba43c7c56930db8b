"""budget plugin: the project's calendar moves to the core

Revision ID: b006_calendar_to_core
Revises: b005_spending_index
Create Date: 2026-12-03 03:30:00

The start date, phase lengths and reporting period lengths were the budget's settings;
they are now the core's ``project_calendar`` (core migration 0020), which every module
reads. A saved budget calendar is copied there, with the report deadline the programme
sets (14 days), unless an admin has already saved the core's; then the columns go.
Downgrading copies the core's calendar back.
"""

from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "b006_calendar_to_core"
down_revision = "b005_spending_index"
branch_labels = None
depends_on = "0020_project_calendar"

MONTHS = ("phase1_months", "phase1_period_months", "phase2_months", "phase2_period_months")
REPORT_DAYS = 14
DEFAULT = {
    "start_date": date(2019, 8, 1),
    "phase1_months": 24,
    "phase1_period_months": 6,
    "phase2_months": 12,
    "phase2_period_months": 12,
}


def _table(name: str, *extra: str) -> sa.TableClause:
    columns = [sa.column("id"), sa.column("start_date", sa.Date())]
    columns += [sa.column(month) for month in MONTHS]
    return sa.table(name, *columns, *(sa.column(more) for more in extra))


BUDGET = _table("budget_settings")
CORE = _table("project_calendar", "report_days", "version")
CALENDAR = ("start_date", *MONTHS)


def upgrade():
    bind = op.get_bind()
    saved = bind.execute(
        sa.select(*(BUDGET.c[name] for name in CALENDAR)).order_by(BUDGET.c.id).limit(1)
    ).first()
    core_saved = bind.execute(sa.select(sa.func.count()).select_from(CORE)).scalar()
    if saved is not None and not core_saved:
        bind.execute(CORE.insert().values(**saved._mapping, report_days=REPORT_DAYS, version=1))
    with op.batch_alter_table("budget_settings") as batch:
        for name in CALENDAR:
            batch.drop_column(name)


def downgrade():
    with op.batch_alter_table("budget_settings") as batch:
        batch.add_column(sa.Column("start_date", sa.Date(), nullable=True))
        for name in MONTHS:
            batch.add_column(sa.Column(name, sa.Integer(), nullable=True))
    bind = op.get_bind()
    core = bind.execute(
        sa.select(*(CORE.c[name] for name in CALENDAR)).order_by(CORE.c.id).limit(1)
    ).first()
    # The core's defaults (workspace.project_calendar.DEFAULT) while none was saved.
    values = dict(core._mapping) if core is not None else DEFAULT
    bind.execute(BUDGET.update().values(**values))
