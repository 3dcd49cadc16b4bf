"""`flask --app tracker create-admin`: the first administrator, at a top-level unit."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
import sqlalchemy as sa

from ..auth.passwords import MIN_LENGTH
from ..command_line import refusals_as_click_errors
from ..domain_errors import DomainError
from ..extensions import db
from ..models import OrgUnit, Role
from ..orgs.labels import TOP_KIND_WORDS, top_kind_from_name
from ..orgs.operations import create_unit
from .operations import create_user


class TopUnitKind(click.ParamType):
    """A top-level unit's kind, written 党委 / 工委 / 机关党委 or committee / work_committee / organ_committee."""

    name = "kind"

    def convert(self, value, param, ctx):
        kind = TOP_KIND_WORDS.get(str(value).strip())
        if kind is None:
            self.fail(f"{value!r} is not a top-level unit kind: write 党委, 工委 or 机关党委.", param, ctx)
        return kind


def _long_enough(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and len(value) < MIN_LENGTH:
        raise click.BadParameter(f"At least {MIN_LENGTH} characters.")
    return value


@click.command("create-admin")
@with_appcontext
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
    root = db.session.scalars(
        sa.select(OrgUnit).where(OrgUnit.parent_id.is_(None)).order_by(OrgUnit.id)
        .where(OrgUnit.name == unit_name if unit_name else sa.true())
    ).first()
    with refusals_as_click_errors(DomainError):
        if root is None:
            unit_name = unit_name or click.prompt("Name of the top-level unit", default="机关党委")
            kind = kind or top_kind_from_name(unit_name) or click.prompt(
                "Kind of the top-level unit (党委, 工委 or 机关党委)", type=TopUnitKind())
            root = create_unit(None, unit_name, kind)
        create_user(None, username=username, full_name=full_name, password=password,
                    unit=root, role=Role.admin)
    db.session.commit()
    click.echo(f"Administrator {username} created at {root.name}.")
