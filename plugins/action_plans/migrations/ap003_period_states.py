"""action_plans: the Phase 2 state of each action per reporting period (a dated history)

An action monitored before this revision keeps its state, filed under the reporting
period of its ``monitored_at`` (the period's last day as the day it stands as of); one
monitored after the project's end goes to the last period, one before its start to the
first. The periods are computed here from the saved calendar (or the default one,
while nobody saved any), as the core computes them: a migration imports no app code.

Revision ID: ap003_period_states
Revises: ap002_trash
Create Date: 2026-12-03 14:00:00

"""

import calendar
from datetime import date, timedelta

import sqlalchemy as sa
from alembic import op

revision = "ap003_period_states"
down_revision = "ap002_trash"
branch_labels = None
depends_on = "0020_project_calendar"

TABLE = "action_plans_period_state"
# The core's default calendar (workspace/project_calendar.py) at this revision.
DEFAULT = (date(2019, 8, 1), 24, 6, 12, 12)
LENGTHS = ("phase1_months", "phase1_period_months", "phase2_months", "phase2_period_months")


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _periods(connection) -> list[tuple[int, date, date]]:
    saved = sa.table(
        "project_calendar",
        sa.column("id", sa.Integer()),
        sa.column("start_date", sa.Date()),
        *(
            sa.column(name, sa.Integer())
            for name in LENGTHS
        ),
    )
    row = connection.execute(
        sa.select(saved.c.start_date, *(saved.c[name] for name in LENGTHS))
        .order_by(saved.c.id)
        .limit(1)
    ).first()
    start, *lengths = row if row is not None else DEFAULT
    found = []
    for months, step in ((lengths[0], lengths[1]), (lengths[2], lengths[3])):
        phase_end = _add_months(start, months)
        while start < phase_end:
            end = min(_add_months(start, step), phase_end) - timedelta(days=1)
            found.append((len(found) + 1, start, end))
            start = end + timedelta(days=1)
    return found


def upgrade():
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("progress", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("instrument_change", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["action_plans_action.id"],
            name=op.f(f"fk_{TABLE}_action_id_action_plans_action"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user_account.id"],
            name=op.f(f"fk_{TABLE}_recorded_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
        sa.UniqueConstraint("action_id", "period", name=op.f(f"uq_{TABLE}_action_id")),
    )
    op.create_index(op.f(f"ix_{TABLE}_action_id"), TABLE, ["action_id"], unique=False)
    connection = op.get_bind()
    actions = sa.table(
        "action_plans_action",
        sa.column("id", sa.Integer()),
        sa.column("progress", sa.String()),
        sa.column("reason", sa.Text()),
        sa.column("evidence", sa.Text()),
        sa.column("monitored_at", sa.DateTime(timezone=True)),
    )
    monitored = connection.execute(
        sa.select(
            actions.c.id,
            actions.c.progress,
            actions.c.reason,
            actions.c.evidence,
            actions.c.monitored_at,
        ).where(actions.c.monitored_at.is_not(None))
    ).all()
    if not monitored:
        return
    periods = _periods(connection)
    rows = []
    for action_id, progress, reason, evidence, monitored_at in monitored:
        day = monitored_at.date()
        number, _, end = next(
            (p for p in periods if p[1] <= day <= p[2]),
            periods[0] if day < periods[0][1] else periods[-1],
        )
        rows.append(
            {
                "action_id": action_id,
                "period": number,
                "day": end,
                "progress": progress,
                "reason": reason,
                "evidence": evidence,
                "instrument_change": "",
                "recorded_by_id": None,
                "recorded_at": monitored_at,
            }
        )
    table = sa.table(
        TABLE,
        sa.column("action_id", sa.Integer()),
        sa.column("period", sa.Integer()),
        sa.column("day", sa.Date()),
        sa.column("progress", sa.String()),
        sa.column("reason", sa.Text()),
        sa.column("evidence", sa.Text()),
        sa.column("instrument_change", sa.Text()),
        sa.column("recorded_by_id", sa.Integer()),
        sa.column("recorded_at", sa.DateTime(timezone=True)),
    )
    op.bulk_insert(table, rows)


def downgrade():
    op.drop_index(op.f(f"ix_{TABLE}_action_id"), table_name=TABLE)
    op.drop_table(TABLE)
