"""Backups: the database and the uploaded files in one archive, and restoring one.

An archive is a gzipped tar of `manifest.json` (format, engine, Alembic revision, row counts of
every table, the files), the database — `database.sqlite`, SQLite's online backup (consistent
while the app runs), or `database.dump`, pg_dump's custom format taken in the same snapshot as
the row counts — and `uploads/`, every stored file. Files are copied after the database, and a
stored file never changes, so every file the database names is in the archive.
"""

from __future__ import annotations

import io
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import sqlalchemy as sa
from flask import current_app

from .extensions import db

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite"
PG_FILE = "database.dump"
UPLOADS = "uploads"
#: Folders inside UPLOAD_DIR that hold no evidence (sheets awaiting an import's confirmation).
SKIPPED_FOLDERS = {"imports"}


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass
class Manifest:
    engine: str  #: "sqlite" or "postgresql"
    revision: str | None  #: the Alembic revision of the database's schema
    tables: dict[str, int]  #: rows per table
    files: int = 0
    bytes: int = 0
    schema: str | None = None  #: PostgreSQL: the schema the tables live in
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    format: int = FORMAT

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


# --- Backup ---------------------------------------------------------------------------------------

def create_backup(target: Path) -> tuple[Path, Manifest]:
    """Write an archive to `target` (a file, or an existing folder to put a dated archive in).

    Never overwrites: raises BackupError if the file exists, or if the database cannot be dumped.
    The archive appears complete or not at all.
    """
    path = target / f"tracker-backup-{datetime.now().strftime('%Y%m%d-%H%M%S')}.tar.gz" if target.is_dir() else target
    if path.exists():
        raise BackupError(f"{path} already exists: choose another name (a backup never overwrites a file).")
    if not path.parent.is_dir():
        raise BackupError(f"The folder {path.parent} does not exist.")
    db.session.remove()  # hold no transaction (on SQLite, no write lock) while copying
    with tempfile.TemporaryDirectory(prefix=".tracker-backup-", dir=path.parent) as work:
        if _engine() == "sqlite":
            dump, manifest = _sqlite_backup(Path(work) / SQLITE_FILE)
        else:
            dump, manifest = _pg_backup(Path(work) / PG_FILE)
        files = list(_upload_files(upload_root()))
        manifest.files, manifest.bytes = len(files), sum(f.stat().st_size for f in files)
        partial = path.with_name(f".{path.name}.partial")
        try:
            # Readable by the owner only: the archive holds password hashes and personal data.
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
                _add_bytes(tar, MANIFEST, json.dumps(asdict(manifest), ensure_ascii=False, indent=1).encode())
                tar.add(dump, arcname=dump.name)
                for file in files:
                    tar.add(file, arcname=f"{UPLOADS}/{file.relative_to(upload_root()).as_posix()}")
            partial.rename(path)
        finally:
            partial.unlink(missing_ok=True)
    return path, manifest


def _sqlite_backup(copy: Path) -> tuple[Path, Manifest]:
    raw = db.engine.raw_connection()
    try:
        with sqlite3.connect(copy) as target:
            raw.driver_connection.backup(target)
    finally:
        raw.close()
    with sqlite3.connect(copy) as conn:
        return copy, Manifest("sqlite", _sqlite_revision(conn), _sqlite_counts(conn))


def _pg_backup(dump: Path) -> tuple[Path, Manifest]:
    pg_dump = pg_tool("pg_dump")
    with db.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            # The row counts and pg_dump read one snapshot: the manifest describes the dump exactly.
            snapshot = conn.scalar(sa.text("SELECT pg_export_snapshot()"))
            schema = conn.scalar(sa.text("SELECT current_schema()"))
            manifest = Manifest("postgresql", _pg_revision(conn), _pg_counts(conn, schema), schema=schema)
            url, env = _libpq()
            _run([pg_dump, "--format=custom", f"--schema={schema}", f"--snapshot={snapshot}", "--no-owner",
                  "--no-privileges", f"--file={dump}", url], env, "pg_dump")
    return dump, manifest


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(datetime.now(UTC).timestamp()), 0o600
    tar.addfile(info, io.BytesIO(data))


# --- Restore --------------------------------------------------------------------------------------

def read_manifest(archive: Path) -> Manifest:
    """The manifest of a backup archive; raises BackupError if it is not one of ours."""
    try:
        with tarfile.open(archive, "r:*") as tar:
            member = tar.extractfile(MANIFEST)
            data = json.loads(member.read().decode()) if member else None
    except (tarfile.TarError, KeyError, OSError, ValueError) as error:
        raise BackupError(f"{archive} is not a tracker backup ({error}).") from error
    if not isinstance(data, dict) or "engine" not in data or "tables" not in data:
        raise BackupError(f"{archive} is not a tracker backup (its manifest is not ours).")
    known = {name: data[name] for name in Manifest.__dataclass_fields__ if name in data}
    return Manifest(**known)


def check_restorable(manifest: Manifest) -> None:
    """Raise BackupError unless this server can restore the archive: same format, engine and schema revision."""
    if manifest.format != FORMAT:
        raise BackupError(f"This backup has format {manifest.format}; this tracker reads format {FORMAT}. "
                          "Restore it with the tracker version that made it.")
    if manifest.engine != _engine():
        raise BackupError(f"This backup is of a {_engine_name(manifest.engine)} database, but this server uses "
                          f"{_engine_name(_engine())}: restore it on a server with the same engine.")
    head = code_revision()
    if manifest.revision != head:
        raise BackupError(f"This backup was made at schema revision {manifest.revision or 'none'}, but this tracker's "
                          f"schema is at revision {head}. Restore it with the tracker version that made it (then "
                          "upgrade as usual: flask --app tracker db upgrade).")


def restore_backup(archive: Path) -> Manifest:
    """Replace the database and the uploaded files with the archive's; raises BackupError, changing
    nothing, when the archive cannot be restored here (see `check_restorable`) or the database
    refuses it. The row counts afterwards are checked against the manifest."""
    manifest = read_manifest(archive)
    check_restorable(manifest)
    root = upload_root()
    root.mkdir(parents=True, exist_ok=True)
    staging = root / f".restore-{secrets.token_hex(4)}"
    db.session.remove()
    try:
        names = _extract(archive, staging)
        if manifest.engine == "sqlite":
            _sqlite_restore(staging / SQLITE_FILE)
        else:
            _pg_restore(staging / PG_FILE, manifest)
        _replace_uploads(staging / UPLOADS, root, names)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    restored = current_counts()
    if restored != manifest.tables:
        differ = sorted(t for t in set(restored) | set(manifest.tables) if restored.get(t) != manifest.tables.get(t))
        raise BackupError(f"The restored database does not match the backup's row counts (tables: {', '.join(differ)}).")
    return manifest


def _extract(archive: Path, staging: Path) -> set[str]:
    """Unpack the database file and the uploads into `staging`; returns the uploads' relative paths.

    Only regular files with plain relative names are taken: nothing can land outside `staging`.
    """
    names: set[str] = set()
    staging.mkdir()
    with tarfile.open(archive, "r:*") as tar:
        for member in tar:
            parts = PurePosixPath(member.name).parts
            if not member.isfile() or not parts or ".." in parts or PurePosixPath(member.name).is_absolute():
                continue
            if member.name in (SQLITE_FILE, PG_FILE) or (parts[0] == UPLOADS and len(parts) > 1):
                target = staging.joinpath(*parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with tar.extractfile(member) as source, target.open("wb") as out:  # type: ignore[union-attr]
                    shutil.copyfileobj(source, out)
                if parts[0] == UPLOADS:
                    names.add("/".join(parts[1:]))
    return names


def _sqlite_restore(copy: Path) -> None:
    if not copy.exists():
        raise BackupError("The archive holds no SQLite database.")
    raw = db.engine.raw_connection()
    try:
        with sqlite3.connect(copy) as source:
            source.backup(raw.driver_connection)  # page by page into the live file, under its lock
    finally:
        raw.close()


def _pg_restore(dump: Path, manifest: Manifest) -> None:
    if not dump.exists():
        raise BackupError("The archive holds no PostgreSQL dump.")
    pg_restore = pg_tool("pg_restore")
    with db.engine.connect() as conn:
        schema = conn.scalar(sa.text("SELECT current_schema()"))
    if manifest.schema and manifest.schema != schema:
        raise BackupError(f"This backup holds the schema {manifest.schema}, but this database uses {schema}.")
    db.engine.dispose()  # our own idle connections hold nothing the restore must wait for
    url, env = _libpq()
    _run([pg_restore, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
          "--exit-on-error", f"--dbname={url}", str(dump)], env, "pg_restore")


def _replace_uploads(staged: Path, root: Path, names: set[str]) -> None:
    """Move the archive's files into UPLOAD_DIR, then remove the files it did not hold."""
    for name in sorted(names):
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged / name, target)
    for file in list(_upload_files(root)):
        if file.relative_to(root).as_posix() not in names:
            file.unlink()


# --- Shared ---------------------------------------------------------------------------------------

def upload_root() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def _upload_files(root: Path) -> Iterator[Path]:
    """The stored files: every regular file under UPLOAD_DIR but temporary folders and hidden entries."""
    if not root.is_dir():
        return
    for entry in sorted(root.iterdir()):
        if entry.name.startswith(".") or entry.is_symlink():
            continue
        if entry.is_dir():
            if entry.name not in SKIPPED_FOLDERS:
                yield from _upload_files(entry)
        elif entry.is_file():
            yield entry


def _engine() -> str:
    return db.engine.dialect.name


def _engine_name(engine: str) -> str:
    return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(engine, engine)


def code_revision() -> str:
    """The Alembic head revision this version of the tracker expects."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", current_app.extensions["migrate"].directory)
    return ",".join(sorted(ScriptDirectory.from_config(config).get_heads()))


def current_counts() -> dict[str, int]:
    """Rows per table of the live database (outside any ORM transaction)."""
    if _engine() == "sqlite":
        raw = db.engine.raw_connection()
        try:
            return _sqlite_counts(raw.driver_connection)
        finally:
            raw.close()
    with db.engine.connect() as conn:
        return _pg_counts(conn, conn.scalar(sa.text("SELECT current_schema()")))


def _sqlite_counts(conn: sqlite3.Connection) -> dict[str, int]:
    tables = [row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def _sqlite_revision(conn: sqlite3.Connection) -> str | None:
    try:
        rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.OperationalError:
        return None
    return ",".join(sorted(r[0] for r in rows)) or None


def _pg_counts(conn: sa.Connection, schema: str) -> dict[str, int]:
    tables = conn.scalars(sa.text("SELECT tablename FROM pg_tables WHERE schemaname = :s ORDER BY tablename"),
                          {"s": schema}).all()
    return {t: conn.scalar(sa.text(f'SELECT count(*) FROM "{schema}"."{t}"')) for t in tables}


def _pg_revision(conn: sa.Connection) -> str | None:
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    return ",".join(sorted(conn.scalars(sa.text("SELECT version_num FROM alembic_version")))) or None


def pg_tool(name: str) -> str:
    """The path of a PostgreSQL client program; raises BackupError saying how to install it."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} was not found. Install the PostgreSQL client tools of your server's major "
                          "version (Debian: apt-get install postgresql-client-15), or put them on PATH.")
    return path


def _libpq() -> tuple[str, dict[str, str]]:
    """The database as a libpq URL without its password, and an environment carrying the password."""
    url = db.engine.url
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        detail = " ".join(done.stderr.strip().splitlines()[-3:])
        raise BackupError(f"{what} failed ({done.returncode}): {detail}")
