"""Permission predicates used by templates (which buttons to show) and re-checked by views."""

from __future__ import annotations

from .models import OrgUnit, Role, User


def can_admin_unit(user: User, unit: OrgUnit) -> bool:
    """Admins manage the units (and the users) of their subtree."""
    return user.has_role_over(unit, Role.admin)


def can_create_root(user: User) -> bool:
    """Only an admin of a top-level unit (a system administrator) adds another top-level unit."""
    return any(m.role is Role.admin and m.unit.parent_id is None for m in user.memberships)


def can_manage_user(actor: User, target: User) -> bool:
    """An admin manages a user when every role the user holds sits inside the admin's subtree."""
    if actor.id == target.id:
        return False
    admin_paths = actor.scope_paths(Role.admin)
    return bool(target.memberships) and all(
        any(m.unit.path.startswith(p) for p in admin_paths) for m in target.memberships
    )


def can_see_phone(viewer: User, person: User) -> bool:
    """A phone number is seen by its owner, and by the secretaries, leaders and admins whose scope
    covers a unit where the person holds a role; other members do not see it."""
    if viewer.id == person.id:
        return True
    return any(viewer.has_role_over(m.unit, Role.secretary, Role.leader, Role.admin) for m in person.memberships)
