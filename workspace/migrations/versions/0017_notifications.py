"""notifications: the inbox, e-mail choices per kind, the daily digest's day, follows

Revision ID: 0017_notifications
Revises: 0016_outbox
Create Date: 2026-12-02 18:00:00

``notification``, ``notification_preference`` and ``notification_digest``
(workspace.notifications) and ``follow`` (workspace.follows). Whoever created a
document follows it from now on, as documents created later are followed by their
creators: the follows of the existing documents are written here.
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_notifications"
down_revision = "0016_outbox"
branch_labels = None
depends_on = None


def _user_fk(table):
    return sa.ForeignKeyConstraint(
        ["user_id"],
        ["user_account.id"],
        name=op.f(f"fk_{table}_user_id_user_account"),
        ondelete="CASCADE",
    )


def upgrade():
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=True),
        sa.Column("plugin", sa.String(length=60), nullable=True),
        sa.Column("target", sa.String(length=120), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivery", sa.String(length=12), nullable=False),
        sa.Column("emailed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["region.id"],
            name=op.f("fk_notification_region_id_region"),
            ondelete="SET NULL",
        ),
        _user_fk("notification"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
    )
    op.create_index("ix_notification_user_read", "notification", ["user_id", "read_at"])
    op.create_index("ix_notification_user_created", "notification", ["user_id", "created_at"])
    op.create_index("ix_notification_pending", "notification", ["delivery", "emailed_at"])
    op.create_table(
        "notification_preference",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("delivery", sa.String(length=12), nullable=False),
        _user_fk("notification_preference"),
        sa.PrimaryKeyConstraint("user_id", "kind", name=op.f("pk_notification_preference")),
    )
    op.create_table(
        "notification_digest",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        _user_fk("notification_digest"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_notification_digest")),
    )
    op.create_table(
        "follow",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _user_fk("follow"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow")),
        sa.UniqueConstraint("user_id", "target", name=op.f("uq_follow_user_id")),
    )
    op.create_index("ix_follow_target", "follow", ["target"])
    op.execute(
        "INSERT INTO follow (user_id, target, created_at) "
        "SELECT created_by_id, 'doc:' || CAST(id AS VARCHAR(20)), created_at "
        "FROM document WHERE created_by_id IS NOT NULL"
    )


def downgrade():
    op.drop_index("ix_follow_target", table_name="follow")
    op.drop_table("follow")
    op.drop_table("notification_digest")
    op.drop_table("notification_preference")
    op.drop_index("ix_notification_pending", table_name="notification")
    op.drop_index("ix_notification_user_created", table_name="notification")
    op.drop_index("ix_notification_user_read", table_name="notification")
    op.drop_table("notification")
