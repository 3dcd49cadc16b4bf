"""`flask backup` and `flask restore`: every row of every table and every uploaded file come back.

Runs on the engine of the test run: an SQLite file, or a PostgreSQL schema of its own when
TEST_DATABASE_URL is set (pg_dump / pg_restore then do the work).
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import stat
import tarfile
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from tracker import create_app
from tracker.backup import MANIFEST, BackupError, pg_tool
from tracker.config import TestConfig, database_url
from tracker.extensions import db
from tracker.models import AttachmentKind, LedgerItem, OrgUnit, UnitKind

from support import is_postgres, pg_engine_options, reset_pg_schema, schema_name

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4f10000000049454e44ae426082")


@pytest.fixture
def site(tmp_path):
    """A migrated database with the demo organisation, its evidence files and three more, as a server holds them."""
    overrides = {"UPLOAD_DIR": str(tmp_path / "uploads"), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'site.db'}",
                 "SQLALCHEMY_ENGINE_OPTIONS": {}}
    if is_postgres():
        schema = schema_name("tracker_backup")
        reset_pg_schema(os.environ["TEST_DATABASE_URL"], schema)
        overrides["SQLALCHEMY_DATABASE_URI"] = database_url(os.environ["TEST_DATABASE_URL"])
        overrides["SQLALCHEMY_ENGINE_OPTIONS"] = pg_engine_options(schema)
    app = create_app(type("SiteConfig", (TestConfig,), overrides))
    with app.app_context():
        flask_migrate.upgrade()
        from tracker.demo import seed_demo
        from tracker.uploads import store_upload

        seed_demo(lambda _text: None)
        item = db.session.scalars(sa.select(LedgerItem).order_by(LedgerItem.id)).first()
        for data, name in ((PDF, "整改报告.pdf"), (PNG, "整改前后.png"), ("会议记录：已整改。".encode(), "记录.txt")):
            store_upload(None, FileStorage(io.BytesIO(data), filename=name), owner=item, unit_id=item.unit_id,
                         kind=AttachmentKind.other)
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def every_row(app) -> dict[str, list[tuple]]:
    """Every row of every table in the database (Alembic's included), in primary-key order."""
    with app.app_context(), db.engine.connect() as conn:
        metadata = sa.MetaData()
        metadata.reflect(conn)
        rows = {}
        for table in metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            rows[table.name] = [tuple(r) for r in conn.execute(sa.select(table).order_by(*order))]
        return rows


def every_file(app) -> dict[str, bytes]:
    root = Path(app.config["UPLOAD_DIR"])
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def mess_up(app) -> None:
    """Change the site after the backup: rows deleted, changed and added; files deleted, changed, added."""
    with app.app_context():
        db.session.execute(sa.text("DELETE FROM activity"))
        db.session.execute(sa.update(LedgerItem).values(problem="改过了"))
        from tracker.orgs.operations import create_unit

        create_unit(None, "新党委", UnitKind.committee)
        db.session.commit()
    root = Path(app.config["UPLOAD_DIR"])
    files = sorted(p for p in root.iterdir() if p.is_file())
    files[0].unlink()
    files[1].write_bytes(b"changed")
    (root / "stray").write_bytes(b"not in the backup")


def test_backup_then_restore_brings_back_every_row_and_every_file(site, tmp_path):
    rows, files = every_row(site), every_file(site)
    assert rows["ledger_item"] and rows["alembic_version"] and len(files) == len(rows["attachment"]) > 3
    runner = site.test_cli_runner()
    made = runner.invoke(args=["backup", str(tmp_path / "site.tar.gz")])
    assert made.exit_code == 0, made.output
    assert f"{sum(map(len, rows.values()))} rows in {len(rows)} tables, {len(files)} uploaded files" in made.output

    mess_up(site)
    assert every_row(site) != rows and every_file(site) != files

    declined = runner.invoke(args=["restore", str(tmp_path / "site.tar.gz")], input="n\n")
    assert declined.exit_code == 1 and "Replace the database" in declined.output and "Aborted" in declined.output
    assert every_row(site) != rows  # nothing happened

    restored = runner.invoke(args=["restore", str(tmp_path / "site.tar.gz"), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert every_row(site) == rows
    assert every_file(site) == files


def test_the_manifest_describes_the_archive(site, tmp_path):
    rows, files = every_row(site), every_file(site)
    site.test_cli_runner().invoke(args=["backup", str(tmp_path)])  # a folder: a dated archive inside it
    (archive,) = tmp_path.glob("tracker-backup-*.tar.gz")
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600  # password hashes and personal data inside
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile(MANIFEST))
        names = tar.getnames()
    assert manifest["format"] == 1 and manifest["engine"] == ("postgresql" if is_postgres() else "sqlite")
    assert manifest["revision"] == rows["alembic_version"][0][0]
    assert manifest["tables"] == {name: len(table_rows) for name, table_rows in rows.items()}
    assert manifest["files"] == len(files) == len([n for n in names if n.startswith("uploads/")])
    assert ("database.dump" if is_postgres() else "database.sqlite") in names


def rewrite_manifest(archive: Path, target: Path, **changes) -> Path:
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as out:
        for member in source:
            data = source.extractfile(member).read()
            if member.name == MANIFEST:
                data = json.dumps({**json.loads(data), **changes}).encode()
                member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    return target


@pytest.mark.parametrize("changes, message", [
    ({"revision": "0006"}, "made at schema revision 0006, but this tracker's schema is at revision"),
    ({"engine": "oracle"}, "This backup is of a oracle database"),
    ({"format": 2}, "This backup has format 2"),
])
def test_restore_refuses_an_archive_it_cannot_take(site, tmp_path, changes, message):
    runner = site.test_cli_runner()
    runner.invoke(args=["backup", str(tmp_path / "site.tar.gz")])
    other = rewrite_manifest(tmp_path / "site.tar.gz", tmp_path / "other.tar.gz", **changes)
    mess_up(site)
    before = every_row(site)
    refused = runner.invoke(args=["restore", str(other), "--yes"])
    assert refused.exit_code == 1 and message in refused.output and "Traceback" not in refused.output
    assert every_row(site) == before


def test_restore_refuses_a_file_that_is_no_backup(site, tmp_path):
    (tmp_path / "notes.tar.gz").write_bytes(b"hello")
    refused = site.test_cli_runner().invoke(args=["restore", str(tmp_path / "notes.tar.gz"), "--yes"])
    assert refused.exit_code == 1 and "is not a tracker backup" in refused.output


def test_backup_never_overwrites(site, tmp_path):
    (tmp_path / "taken.tar.gz").write_bytes(b"keep me")
    refused = site.test_cli_runner().invoke(args=["backup", str(tmp_path / "taken.tar.gz")])
    assert refused.exit_code == 1 and "already exists" in refused.output
    assert (tmp_path / "taken.tar.gz").read_bytes() == b"keep me"


def test_missing_postgresql_tools_are_named(monkeypatch):
    monkeypatch.setenv("PATH", "")
    with pytest.raises(BackupError, match="pg_dump was not found. Install the PostgreSQL client tools"):
        pg_tool("pg_dump")


@pytest.mark.skipif(is_postgres(), reason="SQLite's online backup beside an open write transaction")
def test_a_backup_while_someone_writes_holds_only_committed_rows(site, tmp_path):
    with site.app_context():
        units = db.session.scalar(sa.select(sa.func.count(OrgUnit.id)))
        path = db.engine.url.database
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO org_unit (name, kind, sort_order, is_active, path, version) "
                   "VALUES ('未提交', 'committee', 0, 1, '/x/', 1)")
    try:
        made = site.test_cli_runner().invoke(args=["backup", str(tmp_path / "live.tar.gz")])
        assert made.exit_code == 0, made.output
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    with tarfile.open(tmp_path / "live.tar.gz") as tar:
        assert json.load(tar.extractfile(MANIFEST))["tables"]["org_unit"] == units
