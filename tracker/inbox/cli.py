"""`flask --app tracker unit-robot`: a unit's group robot (企业微信 / 钉钉) for its notices."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..command_line import refusals_as_click_errors
from ..domain_errors import DomainError
from ..extensions import db
from ..models import OrgUnit, WebhookKind
from .operations import set_unit_robot


@click.command("unit-robot")
@with_appcontext
@click.option("--unit", "unit_id", type=int, required=True, help="The unit's id (its page: /orgs/<id>).")
@click.option("--kind", type=click.Choice([k.value for k in WebhookKind] + ["none"]), required=True)
@click.option("--url", default=None, help="The robot's webhook address (https://…).")
@click.option("--secret", default=None, help="钉钉's 加签 secret (SEC…), if the robot signs.")
def unit_robot_command(unit_id: int, kind: str, url: str | None, secret: str | None) -> None:
    """Post a unit's notices to its group robot when WEBHOOKS_ENABLED (--kind none: stop)."""
    unit = db.session.get(OrgUnit, unit_id)
    if unit is None:
        raise click.ClickException(f"No unit {unit_id}.")
    with refusals_as_click_errors(DomainError):
        set_unit_robot(None, unit, None if kind == "none" else WebhookKind(kind), url, secret)
    db.session.commit()
    click.echo(f"{unit.name}: {kind}")
