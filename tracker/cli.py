"""Top-level Flask commands; each is a thin wrapper over operations."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import Flask

from .extensions import db


def register_commands(app: Flask) -> None:
    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Only seed when the database has no units yet.")
    def seed_demo_command(if_empty: bool) -> None:
        """Create the demo 机关党委, its branches and users (password demo12345); safe to run twice."""
        from .demo import database_is_empty, seed_demo

        if if_empty and not database_is_empty():
            click.echo("The database already has data; demo not seeded.")
            return
        if seed_demo(click.echo):
            db.session.commit()
        else:
            click.echo("The demo data is already there; nothing changed.")

    @app.cli.command("create-admin")
    @click.option("--username", prompt=True, help="Login name of the administrator.")
    @click.option("--full-name", default="系统管理员", show_default=True)
    @click.option("--unit-name", default=None, help="Top-level unit to administer (created if missing).")
    @click.password_option(help="Password (asked for when not given).")
    def create_admin_command(username: str, full_name: str, unit_name: str | None, password: str) -> None:
        """Create a system administrator at a top-level unit (creating the unit if needed)."""
        from .models import OrgUnit, Role, UnitKind
        from .orgs.operations import create_unit
        from .reasons import DomainError
        from .users.operations import create_user

        root = db.session.scalars(
            sa.select(OrgUnit).where(OrgUnit.parent_id.is_(None)).order_by(OrgUnit.id)
            .where(OrgUnit.name == unit_name if unit_name else sa.true())
        ).first()
        try:
            if root is None:
                root = create_unit(None, unit_name or "机关党委", UnitKind.organ_committee)
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
