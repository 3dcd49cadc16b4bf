"""Who reads the audit view: leaders and administrators (of their scope); nobody else knows it exists."""

from __future__ import annotations

from ..models import Role, User

#: The roles whose scope the audit view covers.
AUDITORS = (Role.leader, Role.admin)


def can_audit(user: User) -> bool:
    """True for a user who leads or administers some unit."""
    return user.is_leader
