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


