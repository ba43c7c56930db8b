"""reports plugin: partner reports, their submissions, control results and steps

Revision ID: r001_reports
Revises:
Create Date: 2026-12-03 08:00:00

"""

import sqlalchemy as sa
from alembic import op

from workspace.api import UTCDateTime

revision = "r001_reports"
down_revision = None
branch_labels = ("reports",)
depends_on = "0021_controllers"


def _user(column: str, table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        ["user_account.id"],
        name=op.f(f"fk_{table}_{column}_user_account"),
        ondelete="SET NULL",
    )


def upgrade():
    op.create_table(
        "reports_partner_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("narrative_document_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("submitted_at", UTCDateTime(), nullable=True),
        sa.Column("first_submitted_at", UTCDateTime(), nullable=True),
        sa.Column("certified_at", UTCDateTime(), nullable=True),
        sa.Column("certified_eur", sa.Numeric(14, 2), nullable=True),
        sa.Column("certified_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partner.id"],
            name=op.f("fk_reports_partner_report_partner_id_partner"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["narrative_document_id"],
            ["document.id"],
            name=op.f("fk_reports_partner_report_narrative_document_id_document"),
            ondelete="SET NULL",
        ),
        _user("certified_by_id", "reports_partner_report"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports_partner_report")),
        sa.UniqueConstraint(
            "partner_id", "period", name=op.f("uq_reports_partner_report_partner_id")
        ),
    )
    op.create_table(
        "reports_submission",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("submitted_at", UTCDateTime(), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("items", sa.Text(), nullable=False),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("narrative_revision", sa.Integer(), nullable=True),
        sa.Column("declared_eur", sa.Numeric(14, 2), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports_partner_report.id"],
            name=op.f("fk_reports_submission_report_id_reports_partner_report"),
            ondelete="CASCADE",
        ),
        _user("submitted_by_id", "reports_submission"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports_submission")),
        sa.UniqueConstraint("report_id", "number", name=op.f("uq_reports_submission_report_id")),
    )
    op.create_table(
        "reports_control_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("declared_eur", sa.Numeric(14, 2), nullable=False),
        sa.Column("eligible_eur", sa.Numeric(14, 2), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["reports_submission.id"],
            name=op.f("fk_reports_control_line_submission_id_reports_submission"),
            ondelete="CASCADE",
        ),
        _user("recorded_by_id", "reports_control_line"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports_control_line")),
        sa.UniqueConstraint(
            "submission_id", "key", name=op.f("uq_reports_control_line_submission_id")
        ),
    )
    op.create_table(
        "reports_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports_partner_report.id"],
            name=op.f("fk_reports_step_report_id_reports_partner_report"),
            ondelete="CASCADE",
        ),
        _user("by_id", "reports_step"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports_step")),
    )
    op.create_index(op.f("ix_reports_step_report_id"), "reports_step", ["report_id"])


def downgrade():
    op.drop_index(op.f("ix_reports_step_report_id"), table_name="reports_step")
    op.drop_table("reports_step")
    op.drop_table("reports_control_line")
    op.drop_table("reports_submission")
    op.drop_table("reports_partner_report")
