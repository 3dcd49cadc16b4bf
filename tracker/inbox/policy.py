"""Whose notices are whose: a person reads, marks and configures only her own."""

from __future__ import annotations

from ..models import Notification, OrgUnit, User
from ..orgs.policy import can_admin_unit


def can_read(user: User, notification: Notification) -> bool:
    """Only the recipient sees a notice (anyone else gets a 404)."""
    return notification.recipient_id == user.id


def can_change_settings(actor: User, user: User) -> bool:
    """People choose their own notifications and e-mail address."""
    return actor.id == user.id


def can_set_robot(user: User, unit: OrgUnit) -> bool:
    """A unit's administrators choose its group robot."""
    return can_admin_unit(user, unit)
