"""`flask --app tracker generate-recurring`: the projects recurring templates owe for a period."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..domain_errors import DomainError
from ..extensions import db
from .operations_assignment import generate_recurring


@click.command("generate-recurring")
@with_appcontext
@click.option("--period", required=True, help="2026Q4 (quarterly), 2026-11 (monthly) or 2026 (yearly).")
def generate_recurring_command(period: str) -> None:
    """Create the projects recurring templates owe for PERIOD; running it again creates nothing new."""
    try:
        created = generate_recurring(None, period)
    except DomainError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    for project in created:
        click.echo(f"{project.code}  {project.unit.name}  {project.title}")
    click.echo(f"{len(created)} projects created for {period}.")
