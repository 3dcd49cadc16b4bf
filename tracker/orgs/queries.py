"""Reading the organisation tree: a unit's page, the choices of a parent unit."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from ..extensions import db
from ..models import Membership, OrgUnit, User
from ..scoping import get_unit_or_404, scoped_units
from .labels import indented
from .policy import can_admin_unit

__all__ = ["children_of", "get_unit_or_404", "memberships_of", "parent_choices", "scoped_units"]


def children_of(unit: OrgUnit) -> list[OrgUnit]:
    """The unit's direct sub-units, in their sort order."""
    return list(db.session.scalars(
        sa.select(OrgUnit).where(OrgUnit.parent_id == unit.id).order_by(OrgUnit.sort_order, OrgUnit.name)))


def memberships_of(unit: OrgUnit) -> list[Membership]:
    """The roles held at the unit itself, with their people, by role."""
    return list(db.session.scalars(
        sa.select(Membership).where(Membership.unit_id == unit.id)
        .options(sa.orm.joinedload(Membership.user)).order_by(Membership.role, Membership.id)).unique())


def parent_choices(user: User, *, allow_root: bool, exclude: OrgUnit | None = None) -> list[tuple[int, str]]:
    """The active units `user` administers, in tree order, as a parent unit's choices (`exclude`
    and its subtree left out; "(top level)" first when a top-level unit may be added)."""
    choices = [(0, _("(top level)"))] if allow_root else []
    for unit in scoped_units(user, active_only=True):
        if can_admin_unit(user, unit) and not (exclude is not None and unit.is_within(exclude)):
            choices.append((unit.id, indented(unit)))
    return choices
