"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from tests.conftest import bare_app
from workspace.extensions import db


def test_migrations_match_the_models_and_downgrade(tmp_path):
    app = bare_app(tmp_path, "migrations")
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_object": include_object}
            )
            assert compare_metadata(context, db.metadata) == []
        downgrade(revision="base")
        with db.engine.connect() as connection:
            assert db.inspect(connection).get_table_names() == ["alembic_version"]


def include_object(obj, name, type_, reflected, compare_to):
    """The full-text index is created by hand in its migration, as in env.py."""
    return not (name or "").startswith(("search_fts", "ix_search_entry_fulltext"))
