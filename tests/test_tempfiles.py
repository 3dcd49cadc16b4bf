"""Temporary files: the sweep removes what interrupted requests and unconfirmed imports leave behind."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest


@pytest.fixture
def places(app, tmp_path):
    """TEMP_DIR and UPLOAD_DIR of this test's own, with a stale and a fresh file in each place."""
    saved = {k: app.config[k] for k in ("TEMP_DIR", "UPLOAD_DIR")}
    app.config.update(TEMP_DIR=str(tmp_path / "tmp"), UPLOAD_DIR=str(tmp_path / "uploads"))
    old = time.time() - 25 * 3600
    files = {}
    for name, folder in (("export", tmp_path / "tmp"), ("import", tmp_path / "uploads" / "imports")):
        folder.mkdir(parents=True)
        stale, fresh = folder / f"stale-{name}", folder / f"fresh-{name}"
        stale.write_bytes(b"x" * 1000)
        fresh.write_bytes(b"y")
        os.utime(stale, (old, old))
        files[name] = (stale, fresh)
    scratch = tmp_path / "tmp" / "stale-dir"  # an export's scratch folder left by a killed worker
    scratch.mkdir()
    (scratch / "sheet1.xml").write_bytes(b"z" * 500)
    os.utime(scratch, (old, old))
    evidence = tmp_path / "uploads" / "0123abcd"  # a stored evidence file, however old, is never touched
    evidence.write_bytes(b"%PDF")
    os.utime(evidence, (old, old))
    yield files, scratch, evidence
    app.config.update(saved)


def test_the_sweep_removes_only_stale_temporary_files(app, runner, places):
    files, scratch, evidence = places
    result = runner.invoke(args=["sweep"])
    assert result.exit_code == 0 and "Removed 3 temporary files" in result.output
    for stale, fresh in files.values():
        assert not stale.exists() and fresh.exists()
    assert not scratch.exists() and evidence.exists()


def test_the_sweep_age_is_configurable(app, runner, places):
    files, _, _ = places
    app.config["TEMP_MAX_AGE_HOURS"] = 48
    try:
        assert "Removed 0 temporary files" in runner.invoke(args=["sweep"]).output
    finally:
        app.config["TEMP_MAX_AGE_HOURS"] = 24
    assert "Removed 5 temporary files" in runner.invoke(args=["sweep", "--hours", "0"]).output
    assert not any(Path(f).exists() for pair in files.values() for f in pair)
