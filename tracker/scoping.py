"""The one scoping helper: every list and lookup of records goes through it.

A role held at a unit covers that unit's whole subtree; records outside the units a user
covers do not exist for them (404).
"""

from __future__ import annotations

from typing import Any, TypeVar

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import InstrumentedAttribute

from .extensions import db
from .models import Membership, OrgUnit, Role, User

T = TypeVar("T")


def units_in_scope(user: User, *roles: Role) -> sa.Select:
    """SELECT the ids of the units `user` covers (through one of `roles`, if given)."""
    return OrgUnit.subtree_ids(*user.scope_paths(*roles))


def scoped(stmt: sa.Select, unit_column: InstrumentedAttribute, user: User, *roles: Role) -> sa.Select:
    """Restrict `stmt` to rows whose `unit_column` is a unit the user covers."""
    return stmt.where(unit_column.in_(units_in_scope(user, *roles)))


def get_scoped_or_404(model: type[T], ident: Any, user: User, unit_column: InstrumentedAttribute | None = None) -> T:
    """Load `model` by id if it sits in the user's scope; otherwise 404, as if it did not exist."""
    column = unit_column if unit_column is not None else model.unit_id  # type: ignore[attr-defined]
    try:
        ident = int(ident)
    except (TypeError, ValueError):
        abort(404)
    stmt = scoped(sa.select(model).where(model.id == ident), column, user)  # type: ignore[attr-defined]
    obj = db.session.scalars(stmt).first()
    if obj is None:
        abort(404)
    return obj


def get_unit_or_404(ident: Any, user: User) -> OrgUnit:
    return get_scoped_or_404(OrgUnit, ident, user, OrgUnit.id)


def scoped_units(user: User, *roles: Role, active_only: bool = False) -> list[OrgUnit]:
    """The units a user covers, in tree order (path, then sort order)."""
    stmt = sa.select(OrgUnit).where(OrgUnit.id.in_(units_in_scope(user, *roles)))
    if active_only:
        stmt = stmt.where(OrgUnit.is_active.is_(True))
    units = list(db.session.scalars(stmt))
    return tree_order(units)


def tree_order(units: list[OrgUnit]) -> list[OrgUnit]:
    """Units in depth-first order, siblings by sort order then name."""
    by_id = {u.id: u for u in units}

    def key(unit: OrgUnit) -> list[tuple[int, str, int]]:
        chain = [by_id.get(i) for i in unit.ancestor_ids] + [unit]
        return [(u.sort_order, u.name, u.id) if u else (0, "", 0) for u in chain]

    return sorted(units, key=key)


def users_in_scope(user: User) -> sa.Select:
    """SELECT the ids of users holding any role inside the units `user` covers."""
    return sa.select(Membership.user_id).where(Membership.unit_id.in_(units_in_scope(user)))


def get_user_or_404(ident: Any, actor: User) -> User:
    try:
        ident = int(ident)
    except (TypeError, ValueError):
        abort(404)
    found = db.session.scalars(
        sa.select(User).where(User.id == ident, User.id.in_(users_in_scope(actor)))
    ).first()
    if found is None:
        abort(404)
    return found
