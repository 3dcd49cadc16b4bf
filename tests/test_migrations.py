"""The Alembic revisions build exactly the schema the models describe, on SQLite and PostgreSQL."""

import os

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from support import is_postgres, pg_engine_options, reset_pg_schema, schema_name
from tracker import create_app
from tracker.extensions import db


def test_upgrade_from_empty_matches_the_models(tmp_path):
    config = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'migrated.db'}"}
    if is_postgres():
        reset_pg_schema(os.environ["TEST_DATABASE_URL"], schema_name("tracker_migrate"))
        from tracker.config import database_url

        config["SQLALCHEMY_DATABASE_URI"] = database_url(os.environ["TEST_DATABASE_URL"])
        config["SQLALCHEMY_ENGINE_OPTIONS"] = pg_engine_options(schema_name("tracker_migrate"))
    app = create_app(config)
    with app.app_context():
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert differences == [], "models and migrations differ: run `flask db migrate`"
