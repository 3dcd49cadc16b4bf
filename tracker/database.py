"""Engine settings: SQLite in WAL mode with foreign keys, a busy timeout and immediate write transactions."""

from __future__ import annotations

from flask import Flask, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .extensions import db

#: Requests that only read; every other request (and every CLI command) may write.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def configure_engines(app: Flask) -> None:
    """Apply per-connection pragmas to SQLite engines (PostgreSQL needs nothing)."""
    busy_ms = int(app.config.get("SQLITE_BUSY_TIMEOUT_MS", 15000))

    def pragmas(dbapi_connection, _record) -> None:
        # Let SQLAlchemy, not the sqlite3 module, emit BEGIN, so SAVEPOINTs work (SQLAlchemy's
        # documented recipe for pysqlite).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name == "sqlite":
                event.listen(engine, "connect", pragmas)
                event.listen(engine, "begin", _sqlite_begin)


def _sqlite_begin(connection) -> None:
    # A transaction that may write takes the write lock when it begins. A deferred transaction
    # that reads and then writes cannot wait for the lock if another writer committed since its
    # read began: SQLite answers "database is locked" at once, whatever the busy timeout. Taking
    # the lock first makes writers queue on the busy timeout instead; reads stay concurrent (WAL).
    connection.exec_driver_sql("BEGIN" if _read_only_request() else "BEGIN IMMEDIATE")


def _read_only_request() -> bool:
    return has_request_context() and request.method in READ_METHODS


def end_transaction() -> None:
    """End the session's transaction (nothing may be pending), so slow work that follows holds no lock.

    Loaded objects expire and reload in the next transaction when next read.
    """
    if db.session.new or db.session.dirty or db.session.deleted:
        raise RuntimeError("end_transaction() with unflushed changes")
    db.session.commit()


def is_sqlite(engine: Engine | None = None) -> bool:
    return (engine or db.engine).dialect.name == "sqlite"
