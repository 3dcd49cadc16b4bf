"""`flask --app tracker unit-robot`: a unit's group robot (企业微信 / 钉钉) for its notices."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from ..command_line import refusals_as_click_errors
from ..domain_errors import DomainError
from ..extensions import db
from ..models import OrgUnit, WebhookKind
from . import channels
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


@click.command("check-channels")
@with_appcontext
@click.option("--to", default=None, help="Also send a test e-mail to this address.")
@click.option("--unit", "unit_id", type=int, default=None, help="Also post a test message to this unit's group robot.")
def check_channels_command(to: str | None, unit_id: int | None) -> None:
    """Try the notification channels now: the mail server (and a test e-mail), a unit's group robot.

    Exits non-zero, saying which channel failed and why, when one is unreachable or refuses.
    """
    config, failures = current_app.config, []
    if not config.get("MAIL_SERVER"):
        click.echo("E-mail: off (MAIL_SERVER is not set).")
    else:
        try:
            if to:
                channels.send_email.call_local(to, "党建工作台账 · 测试邮件", "这是一封测试邮件：通知可以通过电子邮件送达。")
            else:
                with channels.mail_server("mail server check failed") as smtp:
                    smtp.noop()
            click.echo(f"E-mail: {config['MAIL_SERVER']}:{config['MAIL_PORT']} answers" + (f"; sent to {to}." if to else "."))
        except channels.ChannelError as error:
            failures.append(f"e-mail: {error}")
    if unit_id is not None:
        unit = db.session.get(OrgUnit, unit_id)
        if unit is None or unit.webhook_kind is None or not unit.webhook_url:
            failures.append(f"robot: unit {unit_id} has no group robot (flask unit-robot)")
        elif not channels.robot_host_allowed(unit.webhook_url):
            failures.append(f"robot of {unit.name}: its address is not on WEBHOOK_HOSTS")
        else:
            try:
                channels.post_to_robot.call_local(unit.webhook_kind.value, unit.webhook_url, unit.webhook_secret,
                                                  f"{unit.name}：通知测试消息", [])
                click.echo(f"Robot of {unit.name}: posted" + ("" if config.get("WEBHOOKS_ENABLED")
                                                              else " (WEBHOOKS_ENABLED is off: notices are not posted yet)."))
            except channels.ChannelError as error:
                failures.append(f"robot of {unit.name}: {error}")
    if failures:
        raise click.ClickException("channel unreachable — " + "; ".join(failures))
