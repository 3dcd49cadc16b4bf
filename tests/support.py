"""Helpers shared by tests and fixtures: environment checks and PostgreSQL schemas."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

IN_CI = os.environ.get("CI", "").lower() == "true"
PASSWORD = "secret-pass-1"


def require(condition: bool, reason: str) -> None:
    """Skip a test whose environment is missing, with `reason`; under CI a missing one fails."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI must run this test, but: {reason}")
    pytest.skip(reason)


def is_postgres() -> bool:
    return bool(os.environ.get("TEST_DATABASE_URL", "").startswith("postgres"))


def schema_name(base: str) -> str:
    """A PostgreSQL schema for one purpose; TEST_PG_SUFFIX keeps parallel runs apart."""
    return base + os.environ.get("TEST_PG_SUFFIX", "")


def pg_engine_options(schema: str) -> dict:
    return {"connect_args": {"options": f"-csearch_path={schema}"}, "pool_pre_ping": True}


def reset_pg_schema(url: str, schema: str) -> None:
    """Drop and recreate one PostgreSQL schema, so each run starts empty."""
    from tracker.config import database_url

    engine = sa.create_engine(database_url(url))
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()


#: The production login limits (tracker.config.Config), which the suite's TestConfig relaxes.
PRODUCTION_LIMITS = {"LOGIN_LIMIT": "10 per 5 minutes", "LOGIN_ACCOUNT_LIMIT": "5 per 5 minutes",
                     "LOGIN_DELAY_AFTER": "20 per 15 minutes"}


def fresh_app(**overrides):
    """An app of its own (ProxyFix is fixed when the app is built) on an in-memory SQLite database,
    with an admin `root` and a member `zhang` at one 机关党委, and the production login limits."""
    from tracker import create_app
    from tracker.config import TestConfig
    from tracker.extensions import db
    from tracker.models import Role, UnitKind
    from tracker.orgs.operations import create_unit
    from tracker.users.operations import create_user

    config = type("FreshConfig", (TestConfig,), {
        "SQLALCHEMY_DATABASE_URI": "sqlite://", "SQLALCHEMY_ENGINE_OPTIONS": {}, **PRODUCTION_LIMITS, **overrides})
    app = create_app(config)
    with app.app_context():
        db.create_all()
        unit = create_unit(None, "机关党委", UnitKind.organ_committee, None)
        create_user(None, username="root", full_name="管理员", password=PASSWORD, unit=unit, role=Role.admin)
        create_user(None, username="zhang", full_name="张三", password=PASSWORD, unit=unit, role=Role.member)
        db.session.commit()
    return app
