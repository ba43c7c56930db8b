"""reports plugin: indicators (names and targets, corrections, confirmations), the media
log, and the progress reports with the partner reports they leave out and their steps

Revision ID: r002_progress
Revises: r001_reports
Create Date: 2026-12-03 11:00:00

"""

import sqlalchemy as sa
from alembic import op

from workspace.api import UTCDateTime

revision = "r002_progress"
down_revision = "r001_reports"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def _user(table: str, column: str) -> sa.ForeignKeyConstraint:
    return _fk(table, column, "user_account", "SET NULL")


def upgrade():
    op.create_table(
        "reports_indicator_setting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("target", sa.Numeric(14, 2), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        _user("reports_indicator_setting", "updated_by_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports_indicator_setting")),
        sa.UniqueConstraint("indicator", name=op.f("uq_reports_indicator_setting_indicator")),
    )
    op.create_table(
        "reports_indicator_correction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.String(length=40), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("counted", sa.Numeric(14, 2), nullable=False),
        sa.Column("value", sa.Numeric(14, 2), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        _fk("reports_indicator_correction", "partner_id", "partner", "CASCADE"),
        _user("reports_indicator_correction", "by_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports_indicator_correction")),
        sa.UniqueConstraint(
            "indicator",
            "partner_id",
            "period",
            name=op.f("uq_reports_indicator_correction_indicator"),
        ),
    )
    op.create_table(
        "reports_indicator_confirmation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.String(length=40), nullable=False),
        sa.Column("ref", sa.String(length=200), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        _fk("reports_indicator_confirmation", "partner_id", "partner", "CASCADE"),
        _user("reports_indicator_confirmation", "by_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports_indicator_confirmation")),
        sa.UniqueConstraint(
            "indicator", "ref", name=op.f("uq_reports_indicator_confirmation_indicator")
        ),
    )
    op.create_table(
        "reports_media",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("outlet", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        _fk("reports_media", "partner_id", "partner", "CASCADE"),
        _user("reports_media", "created_by_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports_media")),
    )
    op.create_index(op.f("ix_reports_media_partner_id"), "reports_media", ["partner_id"])
    op.create_table(
        "reports_progress_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("summary_document_id", sa.Integer(), nullable=True),
        sa.Column("problems_document_id", sa.Integer(), nullable=True),
        sa.Column("next_document_id", sa.Integer(), nullable=True),
        sa.Column("submitted_on", sa.Date(), nullable=True),
        sa.Column("approved_on", sa.Date(), nullable=True),
        sa.Column("remarks", sa.Text(), nullable=False),
        sa.Column("frozen", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _fk("reports_progress_report", "summary_document_id", "document", "SET NULL"),
        _fk("reports_progress_report", "problems_document_id", "document", "SET NULL"),
        _fk("reports_progress_report", "next_document_id", "document", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports_progress_report")),
        sa.UniqueConstraint("period", name=op.f("uq_reports_progress_report_period")),
    )
    op.create_table(
        "reports_progress_left_out",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        _fk("reports_progress_left_out", "report_id", "reports_progress_report", "CASCADE"),
        _fk("reports_progress_left_out", "partner_id", "partner", "CASCADE"),
        _user("reports_progress_left_out", "by_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports_progress_left_out")),
        sa.UniqueConstraint(
            "report_id", "partner_id", name=op.f("uq_reports_progress_left_out_report_id")
        ),
    )
    op.create_table(
        "reports_progress_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        _fk("reports_progress_step", "report_id", "reports_progress_report", "CASCADE"),
        _user("reports_progress_step", "by_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports_progress_step")),
    )
    op.create_index(
        op.f("ix_reports_progress_step_report_id"), "reports_progress_step", ["report_id"]
    )


def downgrade():
    op.drop_index(op.f("ix_reports_progress_step_report_id"), table_name="reports_progress_step")
    op.drop_table("reports_progress_step")
    op.drop_table("reports_progress_left_out")
    op.drop_table("reports_progress_report")
    op.drop_index(op.f("ix_reports_media_partner_id"), table_name="reports_media")
    op.drop_table("reports_media")
    op.drop_table("reports_indicator_confirmation")
    op.drop_table("reports_indicator_correction")
    op.drop_table("reports_indicator_setting")
