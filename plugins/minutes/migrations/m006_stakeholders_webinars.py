"""minutes: each region's stakeholder group register (a participant may be one of its
members), and a webinar's speakers, attendee count and recording

Revision ID: m006_stakeholders_webinars
Revises: m005_action_reminders
Create Date: 2026-12-03 10:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "m006_stakeholders_webinars"
down_revision = "m005_action_reminders"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "minutes_stakeholder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("person", sa.String(length=120), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "managing_authority",
                "public_authority",
                "business_support",
                "sme",
                "chamber",
                "university",
                "other",
                name="minutes_stakeholder_kind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("position", sa.String(length=120), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("joined_on", sa.Date(), nullable=False),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["region.id"],
            name=op.f("fk_minutes_stakeholder_region_id_region"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_minutes_stakeholder")),
    )
    with op.batch_alter_table("minutes_stakeholder", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_minutes_stakeholder_region_id"), ["region_id"], unique=False
        )
    with op.batch_alter_table("minutes_participant", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stakeholder_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_minutes_participant_stakeholder_id"), ["stakeholder_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_minutes_participant_stakeholder_id_minutes_stakeholder"),
            "minutes_stakeholder",
            ["stakeholder_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("minutes_meeting", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("speakers", sa.String(length=500), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("attendee_count", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("recording_url", sa.String(length=500), server_default="", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("minutes_meeting", schema=None) as batch_op:
        batch_op.drop_column("recording_url")
        batch_op.drop_column("attendee_count")
        batch_op.drop_column("speakers")
    with op.batch_alter_table("minutes_participant", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_minutes_participant_stakeholder_id_minutes_stakeholder"),
            type_="foreignkey",
        )
        batch_op.drop_index(batch_op.f("ix_minutes_participant_stakeholder_id"))
        batch_op.drop_column("stakeholder_id")
    op.drop_table("minutes_stakeholder")
