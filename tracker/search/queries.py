"""The search: each kind of record through the scoping module, newest first, grouped by kind."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import LedgerItem, Membership, OrgUnit, Project, User
from ..scoping import scoped, tree_order, users_in_scope, visible

#: How many records of each kind a search shows; a kind with more says so.
LIMIT = 20


@dataclass
class Found:
    """The records of one kind that match, at most LIMIT of them; `more` when others matched too."""

    rows: list = field(default_factory=list)
    more: bool = False


@dataclass
class Results:
    projects: Found
    items: Found
    units: Found
    people: Found

    @property
    def total(self) -> int:
        return sum(len(found.rows) for found in (self.projects, self.items, self.units, self.people))


def matching(text: str, *columns) -> sa.ColumnElement[bool]:
    """Any of `columns` contains `text`, whatever its case (Chinese substrings match as typed);
    `%` and `_` are matched literally."""
    needle = text.lower()
    return sa.or_(*(sa.func.lower(column).contains(needle, autoescape=True) for column in columns))


def search(user: User, text: str, limit: int = LIMIT) -> Results:
    """What `user` may see that matches `text`: projects and ledger items in scope or taken part in,
    units in scope, people holding a role in scope."""
    projects = visible(sa.select(Project).where(matching(text, Project.code, Project.title, Project.description)),
                       Project, user).order_by(Project.id.desc())
    items = visible(sa.select(LedgerItem).where(matching(text, LedgerItem.code, LedgerItem.problem,
                                                         LedgerItem.measures, LedgerItem.category)),
                    LedgerItem, user).order_by(LedgerItem.id.desc())
    units = scoped(sa.select(OrgUnit).where(matching(text, OrgUnit.name)), OrgUnit.id, user)
    people = (sa.select(User).where(User.id.in_(users_in_scope(user)), matching(text, User.full_name, User.username))
              .options(selectinload(User.memberships).joinedload(Membership.unit)).order_by(User.full_name))
    found_units = _first(units, limit)
    found_units.rows = tree_order(found_units.rows)
    return Results(_first(projects, limit), _first(items, limit), found_units, _first(people, limit))


def _first(stmt: sa.Select, limit: int) -> Found:
    rows = list(db.session.scalars(stmt.limit(limit + 1)).unique())
    return Found(rows[:limit], len(rows) > limit)
