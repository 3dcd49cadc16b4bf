"""Reading what the home page shows."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from ..extensions import db
from ..hooks import WorkItem, work_sources
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


def my_work(user: User, today: date) -> list[WorkItem]:
    """Every open thing waiting for `user`, from every feature, most urgent first: the overdue, then by
    the date each is due, the undated last."""
    rows = [row for source in work_sources() for row in source(user, today)]
    return sorted(rows, key=lambda r: (r.due is None, r.due or today, str(r.kind), r.title))
