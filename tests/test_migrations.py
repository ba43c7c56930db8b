"""The migrations build exactly the schema the models describe, plugins' tables included."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from tests.conftest import FIXTURE_PLUGIN, bare_app
from workspace.extensions import db


def test_migrations_match_the_models_and_downgrade(tmp_path):
    # The fixture plugin brings its own table in its own migration branch.
    app = bare_app(tmp_path, "migrations", EXTRA_PLUGINS=[FIXTURE_PLUGIN])
    with app.app_context():
        upgrade(revision="heads")
        with db.engine.connect() as connection:
            assert "fixture_note" in inspect(connection).get_table_names()
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_object": include_object}
            )
            assert compare_metadata(context, db.metadata) == []
        downgrade(revision="base")
        with db.engine.connect() as connection:
            assert inspect(connection).get_table_names() == ["alembic_version"]


def test_a_plugin_branch_is_left_out_when_the_plugin_is_not_installed(tmp_path):
    app = bare_app(tmp_path, "core-only")
    with app.app_context():
        upgrade(revision="heads")
        with db.engine.connect() as connection:
            tables = inspect(connection).get_table_names()
    assert "document" in tables
    assert "fixture_note" not in tables


def include_object(obj, name, type_, reflected, compare_to):
    """The full-text index is created by hand in its migration, as in env.py."""
    return not (name or "").startswith(("search_fts", "ix_search_entry_fulltext"))
