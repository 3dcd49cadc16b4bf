"""Reading what the home page shows."""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from ..models import OrgUnit, Role, User
from ..scoping import units_in_scope, users_in_scope


def scope_counts(user: User) -> dict[str, int]:
    """The active units and the people in `user`'s scope."""
    units = sa.select(OrgUnit.id).where(OrgUnit.id.in_(units_in_scope(user)), OrgUnit.is_active.is_(True))
    people = users_in_scope(user).subquery()
    return {
        "units": db.session.scalar(sa.select(sa.func.count()).select_from(units.subquery())) or 0,
        "users": db.session.scalar(sa.select(sa.func.count(sa.distinct(people.c.user_id)))) or 0,
    }


def runs_no_unit(user: User) -> bool:
    """A member holds no role that runs a unit: her page speaks of her branch, not of a scope she governs."""
    return not user.scope_paths(Role.admin, Role.leader, Role.secretary)
