"""Who may record, submit, approve, return and correct meeting records: pure predicates."""

from __future__ import annotations

from ..models import Meeting, OrgUnit, Role, UnitKind, User
from .workflow import EDITABLE, MeetingState

#: The units that hold organisational life of their own (a 党小组's meetings are its branch's records).
HOLDING_KINDS = frozenset({UnitKind.general_branch, UnitKind.branch})


def can_record(user: User, unit: OrgUnit) -> bool:
    """A secretary, leader or admin over a branch (or general branch) records its meetings."""
    return unit.kind in HOLDING_KINDS and unit.is_active and user.has_role_over(
        unit, Role.secretary, Role.leader, Role.admin)


def records_somewhere(user: User) -> bool:
    """Whether the user holds a role that records meetings anywhere (the list offers "record a meeting")."""
    return any(m.role in (Role.secretary, Role.leader, Role.admin) for m in user.memberships)


def can_edit(user: User, meeting: Meeting) -> bool:
    """While a draft or returned, those who record for the branch edit it."""
    return meeting.state in EDITABLE and can_record(user, meeting.unit)


def can_submit(user: User, meeting: Meeting) -> bool:
    return can_edit(user, meeting)


def is_higher_leader(user: User, meeting: Meeting) -> bool:
    """A leader or admin of a unit above the branch (the higher unit that checks its records)."""
    parent = meeting.unit.parent
    return parent is not None and user.has_role_over(parent, Role.leader, Role.admin)


def can_decide(user: User, meeting: Meeting) -> bool:
    """A higher unit's leader approves or returns a submitted record; never one they recorded."""
    return (meeting.state is MeetingState.submitted and is_higher_leader(user, meeting)
            and meeting.recorder_id != user.id)


def can_correct(user: User, meeting: Meeting) -> bool:
    """An approved record is frozen: the branch or the higher unit corrects it, with a reason."""
    return meeting.state is MeetingState.approved and (
        can_record(user, meeting.unit) or is_higher_leader(user, meeting))


def can_change(user: User, meeting: Meeting) -> bool:
    """Edit (before approval) or correct (after)."""
    return can_edit(user, meeting) or can_correct(user, meeting)


def can_add_evidence(user: User, meeting: Meeting) -> bool:
    return can_change(user, meeting)


def can_set_cadence(user: User) -> bool:
    """Only a system administrator (an admin of a top-level unit) sets how often each kind is due."""
    return any(m.role is Role.admin and m.unit.parent_id is None for m in user.memberships)


def can_exempt(user: User, unit: OrgUnit) -> bool:
    """Admins over a branch excuse it from meetings for a span (newly formed, merged …)."""
    return unit.kind in HOLDING_KINDS and user.has_role_over(unit, Role.admin)
