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


def test_0009_gives_immediate_and_ongoing_items_their_due_dates(tmp_path):
    import sqlalchemy as sa

    config = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'due.db'}"}
    if is_postgres():
        reset_pg_schema(os.environ["TEST_DATABASE_URL"], schema_name("tracker_migrate"))
        from tracker.config import database_url

        config["SQLALCHEMY_DATABASE_URI"] = database_url(os.environ["TEST_DATABASE_URL"])
        config["SQLALCHEMY_ENGINE_OPTIONS"] = pg_engine_options(schema_name("tracker_migrate"))
    app = create_app(config)
    with app.app_context():
        flask_migrate.upgrade(revision="0007")
        with db.engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO org_unit (id, name, kind, sort_order, is_active, path, version) "
                "VALUES (1, '一支部', 'branch', 0, true, '/1/', 1)"))
            for n, kind, created in ((1, "immediate", "2026-11-30 17:00:00"), (2, "ongoing", "2026-10-31 02:00:00"),
                                     (3, "ongoing", "2026-09-01 02:00:00"), (4, "date", "2026-09-01 02:00:00")):
                connection.execute(sa.text(
                    "INSERT INTO ledger_item (id, code, year, seq, source, unit_id, problem, deadline_kind, severity, "
                    "status, progress, created_at, updated_at, version) VALUES (:n, :code, 2026, :n, 'self_check', 1, "
                    "'问题', :kind, 'normal', 'open', 0, :created, :created, 1)"),
                    {"n": n, "code": f"ZG-2026-{n:04d}", "kind": kind, "created": created})
            connection.execute(sa.text("INSERT INTO ledger_progress (item_id, on_date, percent, text, created_at) "
                                       "VALUES (3, '2026-11-15', 30, '进展', '2026-11-15 02:00:00')"))
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            due = dict(connection.execute(sa.text("SELECT id, deadline FROM ledger_item")).all())
        db.engine.dispose()
    to_date = {k: v if v is None or not isinstance(v, str) else __import__("datetime").date.fromisoformat(v)
               for k, v in due.items()}
    from datetime import date

    # 17:00 UTC on 30 November is 1 December in Shanghai: registered then, due 7 days later.
    assert to_date == {1: date(2026, 12, 8), 2: date(2026, 11, 30), 3: date(2026, 12, 15), 4: None}
