"""`flask --app tracker unlock`: clear failed-login counters."""

from __future__ import annotations

import ipaddress

import click
from flask.cli import with_appcontext
from flask import current_app

from . import throttle


@click.command("unlock")
@with_appcontext
@click.option("--user", "username", metavar="NAME", help="Clear this account's failed logins (every address and device).")
@click.option("--address", metavar="IP", help="Clear this address's failed logins (every account).")
def unlock_command(username: str | None, address: str | None) -> None:
    """Clear the failed-login counters of an account or of an address, so it may log in again at once."""
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
    if current_app.config["RATELIMIT_STORAGE_URI"].startswith("memory://"):
        click.echo("Note: without REDIS_URL each server process counts failed logins in its own memory, "
                   "which this command cannot reach: restart the server (or set REDIS_URL) to clear them.")
