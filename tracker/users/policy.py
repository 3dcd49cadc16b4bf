"""Who may manage an account and see its details: pure predicates used by templates, views and operations."""

from __future__ import annotations

from ..models import Role, User
from ..orgs.policy import can_admin_unit

__all__ = ["can_admin_unit", "can_manage_user", "can_see_phone"]


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
