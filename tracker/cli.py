"""App-wide commands (the demo, backups, temporary files); each feature registers its own in `register(app)`.

Every command is a thin wrapper over operations; its docstring is its help text.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from flask import Flask

from .backup import BackupError, check_restorable, create_backup, current_counts, read_manifest, restore_backup, upload_root
from .command_line import refusals_as_click_errors
from .demo import database_is_empty, seed_demo
from .domain_errors import DomainError
from .extensions import db
from .tempfiles import sweep_temp_files


@click.command("seed-demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Only seed an empty database; otherwise say so and change nothing.")
@click.option("--force", is_flag=True, help="Add the demo beside other data (never when one of its usernames is taken).")
def seed_demo_command(if_empty: bool, force: bool) -> None:
    """Create the demo 机关党委, its branches and users (password demo12345) in an empty database; safe to run twice."""
    if if_empty and not database_is_empty():
        click.echo("The database already has data; demo not seeded.")
        return
    with refusals_as_click_errors(DomainError):
        seeded = seed_demo(click.echo, force=force)
    if seeded:
        db.session.commit()
    else:
        click.echo("The demo data is already there; nothing changed.")


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(path_type=Path))
def backup_command(path: Path) -> None:
    """Write the database and the uploaded files to one archive at PATH (a file name, or a folder to put
    a dated archive in); safe while the app runs."""
    with refusals_as_click_errors(BackupError):
        archive, manifest = create_backup(path)
    click.echo(f"Backup written to {archive}: {manifest.rows} rows in {len(manifest.tables)} tables, "
               f"{manifest.files} uploaded files (schema revision {manifest.revision}).")


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace without asking first.")
def restore_command(path: Path, yes: bool) -> None:
    """Replace the database and the uploaded files with the backup archive at PATH (asks first unless --yes)."""
    with refusals_as_click_errors(BackupError):
        manifest = read_manifest(path)
        check_restorable(manifest)
        if not yes:
            click.confirm(
                f"Replace the database {db.engine.url.render_as_string(hide_password=True)} "
                f"({sum(current_counts().values())} rows now) and the files in {upload_root()} with the backup "
                f"of {manifest.created_at} ({manifest.rows} rows, {manifest.files} files)?", abort=True)
        restore_backup(path)
    click.echo(f"Restored {manifest.rows} rows in {len(manifest.tables)} tables and {manifest.files} files "
               f"from {path}.")


@click.command("sweep")
@with_appcontext
@click.option("--hours", type=click.FloatRange(min=0), default=None,
              help="Remove files older than this many hours (default: TEMP_MAX_AGE_HOURS).")
def sweep_command(hours: float | None) -> None:
    """Remove stale temporary files: import sheets never confirmed, files left by interrupted exports."""
    swept = sweep_temp_files(hours)
    click.echo(f"Removed {swept.files} temporary files ({swept.bytes / 1024 / 1024:.1f} MB).")


def register(app: Flask) -> None:
    """Add the app-wide commands."""
    for command in (seed_demo_command, backup_command, restore_command, sweep_command):
        app.cli.add_command(command)
