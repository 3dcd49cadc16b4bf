"""Top-level Flask commands; each is a thin wrapper over operations."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask

from .extensions import db


class TopUnitKind(click.ParamType):
    """A top-level unit's kind, written 党委 / 工委 / 机关党委 or committee / work_committee / organ_committee."""

    name = "kind"

    def convert(self, value, param, ctx):
        from .orgs.labels import TOP_KIND_WORDS

        kind = TOP_KIND_WORDS.get(str(value).strip())
        if kind is None:
            self.fail(f"{value!r} is not a top-level unit kind: write 党委, 工委 or 机关党委.", param, ctx)
        return kind


class IsoDate(click.ParamType):
    """A calendar date written YYYY-MM-DD; anything else is a one-line usage error."""

    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is not a date: write it as YYYY-MM-DD, e.g. 2026-12-31.", param, ctx)


DATE = IsoDate()


def _long_enough(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from .auth.passwords import MIN_LENGTH

    if value is not None and len(value) < MIN_LENGTH:
        raise click.BadParameter(f"At least {MIN_LENGTH} characters.")
    return value


def register_commands(app: Flask) -> None:
    from .auth.passwords import MIN_LENGTH

    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Only seed an empty database; otherwise say so and change nothing.")
    @click.option("--force", is_flag=True,
                  help="Add the demo beside other data (never when one of its usernames is taken).")
    def seed_demo_command(if_empty: bool, force: bool) -> None:
        """Create the demo 机关党委, its branches and users (password demo12345) in an empty database; safe to run twice."""
        from .demo import database_is_empty, seed_demo
        from .domain_errors import DomainError

        if if_empty and not database_is_empty():
            click.echo("The database already has data; demo not seeded.")
            return
        try:
            seeded = seed_demo(click.echo, force=force)
        except DomainError as error:
            raise click.ClickException(str(error)) from error
        if seeded:
            db.session.commit()
        else:
            click.echo("The demo data is already there; nothing changed.")

    @app.cli.command("create-admin")
    @click.option("--username", prompt=True, help="Login name of the administrator.")
    @click.option("--full-name", default="系统管理员", show_default=True)
    @click.option("--unit-name", default=None,
                  help="Top-level unit to administer (created if missing; asked for when there is none).")
    @click.option("--kind", type=TopUnitKind(), default=None,
                  help="Kind of a new top-level unit: 党委, 工委 or 机关党委 (asked for when its name does not say).")
    @click.password_option(prompt=f"Password (at least {MIN_LENGTH} characters)", callback=_long_enough,
                           help=f"Password of at least {MIN_LENGTH} characters (asked for when not given).")
    def create_admin_command(username: str, full_name: str, unit_name: str | None, kind, password: str) -> None:
        """Create a system administrator at a top-level unit (creating the unit if needed)."""
        from .models import OrgUnit, Role
        from .orgs.labels import top_kind_from_name
        from .orgs.operations import create_unit
        from .domain_errors import DomainError
        from .users.operations import create_user

        root = db.session.scalars(
            sa.select(OrgUnit).where(OrgUnit.parent_id.is_(None)).order_by(OrgUnit.id)
            .where(OrgUnit.name == unit_name if unit_name else sa.true())
        ).first()
        try:
            if root is None:
                unit_name = unit_name or click.prompt("Name of the top-level unit", default="机关党委")
                kind = kind or top_kind_from_name(unit_name) or click.prompt(
                    "Kind of the top-level unit (党委, 工委 or 机关党委)", type=TopUnitKind())
                root = create_unit(None, unit_name, kind)
            create_user(None, username=username, full_name=full_name, password=password,
                        unit=root, role=Role.admin)
        except DomainError as error:
            raise click.ClickException(str(error)) from error
        db.session.commit()
        click.echo(f"Administrator {username} created at {root.name}.")

    @app.cli.command("unlock")
    @click.option("--user", "username", metavar="NAME", help="Clear this account's failed logins (every address and device).")
    @click.option("--address", metavar="IP", help="Clear this address's failed logins (every account).")
    def unlock_command(username: str | None, address: str | None) -> None:
        """Clear the failed-login counters of an account or of an address, so it may log in again at once."""
        import ipaddress

        from .auth import throttle

        if not username and not address:
            raise click.UsageError("Give --user NAME or --address IP (or both).")
        if address:
            try:
                address = str(ipaddress.ip_address(address.strip()))
            except ValueError as error:
                raise click.BadParameter(f"{address!r} is not an IP address.", param_hint="--address") from error
        if username:
            throttle.unlock_account(username)
            click.echo(f"Failed logins of account {throttle.normalise(username)} cleared.")
        if address:
            throttle.unlock_address(address)
            click.echo(f"Failed logins from {address} cleared.")
        if app.config["RATELIMIT_STORAGE_URI"].startswith("memory://"):
            click.echo("Note: without REDIS_URL each server process counts failed logins in its own memory, "
                       "which this command cannot reach: restart the server (or set REDIS_URL) to clear them.")

    @app.cli.command("backup")
    @click.argument("path", type=click.Path(path_type=Path))
    def backup_command(path: Path) -> None:
        """Write the database and the uploaded files to one archive at PATH (a file name, or a folder to put
        a dated archive in); safe while the app runs."""
        from .backup import BackupError, create_backup

        try:
            archive, manifest = create_backup(path)
        except BackupError as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"Backup written to {archive}: {manifest.rows} rows in {len(manifest.tables)} tables, "
                   f"{manifest.files} uploaded files (schema revision {manifest.revision}).")

    @app.cli.command("restore")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--yes", is_flag=True, help="Replace without asking first.")
    def restore_command(path: Path, yes: bool) -> None:
        """Replace the database and the uploaded files with the backup archive at PATH (asks first unless --yes)."""
        from .backup import BackupError, check_restorable, current_counts, read_manifest, restore_backup, upload_root

        try:
            manifest = read_manifest(path)
            check_restorable(manifest)
            if not yes:
                click.confirm(
                    f"Replace the database {db.engine.url.render_as_string(hide_password=True)} "
                    f"({sum(current_counts().values())} rows now) and the files in {upload_root()} with the backup "
                    f"of {manifest.created_at} ({manifest.rows} rows, {manifest.files} files)?", abort=True)
            restore_backup(path)
        except BackupError as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"Restored {manifest.rows} rows in {len(manifest.tables)} tables and {manifest.files} files "
                   f"from {path}.")

    @app.cli.command("sweep")
    @click.option("--hours", type=click.FloatRange(min=0), default=None,
                  help="Remove files older than this many hours (default: TEMP_MAX_AGE_HOURS).")
    def sweep_command(hours: float | None) -> None:
        """Remove stale temporary files: import sheets never confirmed, files left by interrupted exports."""
        from .tempfiles import sweep_temp_files

        swept = sweep_temp_files(hours)
        click.echo(f"Removed {swept.files} temporary files ({swept.bytes / 1024 / 1024:.1f} MB).")
