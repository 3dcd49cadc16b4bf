"""Who may change the organisation tree: pure predicates used by templates, views and operations."""

from __future__ import annotations

from ..models import OrgUnit, Role, User


def can_admin_unit(user: User, unit: OrgUnit) -> bool:
    """Admins manage the units (and the users) of their subtree."""
    return user.has_role_over(unit, Role.admin)


def can_create_root(user: User) -> bool:
    """Only an admin of a top-level unit (a system administrator) adds another top-level unit."""
    return any(m.role is Role.admin and m.unit.parent_id is None for m in user.memberships)
