"""The one scoping helper: every list and lookup of records goes through it.

A role held at a unit covers that unit's whole subtree (the user's scope). A user sees a record
that sits in their scope, or one they take part in wherever it sits: a ledger item they own,
verify or lead; a project they own or take part in, or whose checklist item is theirs; a meeting
record they hosted, recorded or are listed as attending. What they
may do with it is their part's (the features' policies say). Any other record does not exist for
them (404).
"""

from __future__ import annotations

from typing import Any, TypeVar

import sqlalchemy as sa
from flask import abort, g, has_app_context
from sqlalchemy.orm import InstrumentedAttribute

from .extensions import db
from .models import ChecklistItem, LedgerItem, Meeting, MeetingAttendance, Membership, OrgUnit, Project, Role, User
from .models.project import project_participant

T = TypeVar("T")


def units_in_scope(user: User, *roles: Role) -> sa.Select:
    """SELECT the ids of the units `user` covers (through one of `roles`, if given)."""
    return OrgUnit.subtree_ids(*user.scope_paths(*roles))


def scoped(stmt: sa.Select, unit_column: InstrumentedAttribute, user: User, *roles: Role) -> sa.Select:
    """Restrict `stmt` to rows whose `unit_column` is a unit the user covers."""
    return stmt.where(unit_column.in_(units_in_scope(user, *roles)))


def taking_part(model: type, user: User) -> sa.ColumnElement[bool]:
    """The condition that `user` takes part in a row of `model` (false for models without parts)."""
    if model is LedgerItem:
        return sa.or_(LedgerItem.owner_id == user.id, LedgerItem.verifier_id == user.id,
                      LedgerItem.responsible_leader_id == user.id)
    if model is Project:
        return sa.or_(
            Project.owner_id == user.id,
            Project.id.in_(sa.select(project_participant.c.project_id).where(project_participant.c.user_id == user.id)),
            Project.id.in_(sa.select(ChecklistItem.project_id).where(ChecklistItem.assignee_id == user.id)),
        )
    if model is Meeting:
        return sa.or_(
            Meeting.host_id == user.id, Meeting.recorder_id == user.id,
            Meeting.id.in_(sa.select(MeetingAttendance.meeting_id).where(MeetingAttendance.user_id == user.id)),
        )
    return sa.false()


def visible(stmt: sa.Select, model: type, user: User) -> sa.Select:
    """Restrict `stmt` (selecting from `model`) to the rows `user` sees: in scope or taking part."""
    return stmt.where(sa.or_(model.unit_id.in_(units_in_scope(user)), taking_part(model, user)))  # type: ignore[attr-defined]


def covers_everything(user: User) -> bool:
    """True when the user's scope holds every organisation tree in the database (a top leader or
    administrator of the only tree): a list may then leave `visible` out, which restricts nothing
    but makes the planner probe every unit id. Cached per request."""
    cache = g.setdefault("scope_covers_everything", {}) if has_app_context() else {}
    if user.id not in cache:
        roots = [int(path.strip("/").split("/")[0]) for path in user.scope_paths() if path.count("/") == 2]
        cache[user.id] = bool(roots) and not db.session.scalar(sa.select(sa.func.count(OrgUnit.id)).where(
            OrgUnit.parent_id.is_(None), OrgUnit.id.not_in(roots)))
    return cache[user.id]


def get_visible_or_404(model: type[T], ident: Any, user: User) -> T:
    """Load `model` by id if the user sees it (in scope or taking part); otherwise 404, as if it did not exist."""
    stmt = visible(sa.select(model).where(model.id == int_or_404(ident)), model, user)  # type: ignore[attr-defined]
    obj = db.session.scalars(stmt).first()
    if obj is None:
        abort(404)
    return obj


def int_or_404(ident: Any) -> int:
    """An id from a URL or form as an int; anything else is a 404."""
    try:
        return int(ident)
    except (TypeError, ValueError):
        abort(404)


def get_unit_or_404(ident: Any, user: User) -> OrgUnit:
    """A unit in the user's scope; otherwise 404."""
    unit = db.session.scalars(scoped(sa.select(OrgUnit).where(OrgUnit.id == int_or_404(ident)), OrgUnit.id,
                                     user)).first()
    if unit is None:
        abort(404)
    return unit


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
    """A user holding a role inside the actor's scope; otherwise 404."""
    found = db.session.scalars(
        sa.select(User).where(User.id == int_or_404(ident), User.id.in_(users_in_scope(actor)))
    ).first()
    if found is None:
        abort(404)
    return found
