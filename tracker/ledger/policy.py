"""Who may do what to a rectification item: predicates used by templates and re-checked by views."""

from __future__ import annotations

from ..models import DeadlineKind, ExtensionStatus, LedgerItem, OrgUnit, Role, User
from .workflow import OPEN_STATES, ItemStatus


def is_leader_over(user: User, unit: OrgUnit) -> bool:
    """A leader (or administrator) holding the role at this unit or above it."""
    return user.has_role_over(unit, Role.leader, Role.admin)


def can_manage_unit(user: User, unit: OrgUnit) -> bool:
    """Secretaries and leaders over a unit record problems for it and edit them."""
    return user.has_role_over(unit, Role.leader, Role.admin, Role.secretary)


def can_create_in(user: User, unit: OrgUnit) -> bool:
    return can_manage_unit(user, unit)


def can_create_anywhere(user: User) -> bool:
    """The user records problems for some unit (offered 登记问题, bulk entry and the Excel import)."""
    return any(can_create_in(user, m.unit) for m in user.memberships)


def can_edit(user: User, item: LedgerItem) -> bool:
    return item.status in OPEN_STATES and can_manage_unit(user, item.unit)


def can_work(user: User, item: LedgerItem) -> bool:
    """The owner, and secretaries and leaders over the unit, report progress and add evidence."""
    if item.status not in OPEN_STATES or item.status is ItemStatus.submitted:
        return False
    return item.owner_id == user.id or can_manage_unit(user, item.unit)


def can_submit(user: User, item: LedgerItem) -> bool:
    return can_work(user, item)


def owns(user: User, item: LedgerItem) -> bool:
    """The user is the item's owner (责任人), who never verifies it (`workflow.verifying_reasons`)."""
    return item.owner_id is not None and item.owner_id == user.id


def can_verify(user: User, item: LedgerItem) -> bool:
    """The verifier, or a leader over the unit, verifies (returns or closes); never the owner."""
    if owns(user, item):
        return False
    return item.verifier_id == user.id or is_leader_over(user, item.unit)


def can_close(user: User, item: LedgerItem) -> bool:
    return item.status is ItemStatus.submitted and can_verify(user, item)


def can_return(user: User, item: LedgerItem) -> bool:
    return item.status is ItemStatus.submitted and can_verify(user, item)


def can_reopen(user: User, item: LedgerItem) -> bool:
    return item.status is ItemStatus.closed and can_verify(user, item)


def can_void(user: User, item: LedgerItem) -> bool:
    return item.status is not ItemStatus.void and is_leader_over(user, item.unit)


def can_request_extension(user: User, item: LedgerItem) -> bool:
    """An item with a time limit may be extended; a 长期坚持 item's monthly progress moves its own."""
    return can_work(user, item) and item.deadline is not None and item.deadline_kind is not DeadlineKind.ongoing


def can_decide_extension(user: User, item: LedgerItem, status: ExtensionStatus = ExtensionStatus.pending) -> bool:
    return status is ExtensionStatus.pending and item.status is not ItemStatus.void and can_verify(user, item)
