"""Reading accounts: the user list of a scope, a user's page, the units an admin may give roles at."""

from __future__ import annotations

import sqlalchemy as sa

from ..models import Role, User
from ..orgs.labels import indented_choices
from ..scoping import get_user_or_404, scoped_units, users_in_scope

__all__ = ["admin_unit_choices", "get_user_or_404", "users_list"]


def users_list(user: User, q: str = "") -> sa.Select:
    """SELECT the accounts holding a role in `user`'s scope, matching `q` (username or name), by username."""
    stmt = sa.select(User).where(User.id.in_(users_in_scope(user)))
    if q:
        stmt = stmt.where(sa.or_(sa.func.lower(User.username).like(f"%{q.lower()}%"), User.full_name.like(f"%{q}%")))
    return stmt.order_by(User.username)


def admin_unit_choices(user: User) -> list[tuple[int, str]]:
    """The active units `user` administers, indented in tree order: where they may create accounts and roles."""
    return indented_choices(scoped_units(user, Role.admin, active_only=True))
