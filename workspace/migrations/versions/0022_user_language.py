"""user_account.language: the interface language a person chose

Revision ID: 0022_user_language
Revises: 0021_controllers
Create Date: 2026-12-03 14:30:00

``user_account.language`` (workspace.i18n.LANGUAGES); empty for everyone, who then read the
language of their browser. ``number_format`` stays: it now overrides the language's
way of writing numbers and dates.
"""

import sqlalchemy as sa
from alembic import op


revision = "0022_user_language"
down_revision = "0021_controllers"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account") as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=5), nullable=True))


def downgrade():
    with op.batch_alter_table("user_account") as batch_op:
        batch_op.drop_column("language")
