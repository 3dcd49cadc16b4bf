"""Recording, editing, submitting, returning, approving and correcting meeting records; cadence and exemptions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, time
from typing import Any

import sqlalchemy as sa

from ..audit import changes, record_activity
from ..clock import local_today
from ..domain_errors import N_, DomainError, NotAllowed, Reason, StaleEdit, refuse
from ..extensions import db
from ..inbox.operations import notify
from ..models import (Attachment, AttachmentKind, Attendance, Cadence, Event, Meeting, MeetingAttendance,
                      MeetingCadence, MeetingExemption, MeetingKind, MeetingState, OrgUnit, User, utcnow)
from ..projects.operations import tick_item
from . import policy, queries
from .workflow import ensure_transition

#: member id → (attendance, reason when on leave)
AttendanceInput = Mapping[int, tuple[Attendance, str | None]]


@dataclass(frozen=True)
class MeetingFields:
    """What a record says about its meeting, as typed."""

    kind: MeetingKind
    held_on: date
    start_time: time | None = None
    place: str = ""
    host_id: int | None = None
    recorder_id: int | None = None
    speaker: str | None = None
    lecture_title: str | None = None
    invitees: str = ""
    topics: str = ""
    content: str = ""
    decisions: str = ""


def _require(allowed: bool, message: str, code: str = "") -> None:
    if not allowed:
        raise NotAllowed(Reason(message, code=code))


def check_fields(unit: OrgUnit, fields: MeetingFields, attendance: AttendanceInput, today: date) -> list[Reason]:
    """Why the record cannot be saved as typed (empty when it can): a future day, a 党课 without its
    speaker or title, a host, recorder or attendee who is no member of the branch, leave without a reason."""
    reasons = []
    if fields.held_on > today:
        reasons.append(Reason(N_("A meeting cannot be dated in the future (today is %(today)s)."),
                              {"today": today.isoformat()}, code="held_on"))
    if fields.kind is MeetingKind.lecture:
        if not (fields.speaker or "").strip():
            reasons.append(Reason(N_("A Party lecture names its speaker."), code="speaker"))
        if not (fields.lecture_title or "").strip():
            reasons.append(Reason(N_("A Party lecture has a title."), code="lecture_title"))
    members = {u.id for u in queries.branch_members(unit)}
    for name in ("host_id", "recorder_id"):
        person = getattr(fields, name)
        if person is not None and person not in members:
            reasons.append(Reason(N_("Choose a member of %(unit)s."), {"unit": unit.name}, code=name))
    strangers = [uid for uid in attendance if uid not in members]
    if strangers:
        reasons.append(Reason(N_("The attendance lists %(count)d people who are not members of %(unit)s "
                                 "(it has %(members)d): list only its members."),
                              {"count": len(strangers), "unit": unit.name, "members": len(members)},
                              code="attendance"))
    if any(status is Attendance.leave and not (why or "").strip() for status, why in attendance.values()):
        reasons.append(Reason(N_("Give the reason of each member on leave."), code="attendance"))
    return reasons


def _clean(fields: MeetingFields) -> dict[str, Any]:
    values = asdict(fields)
    for name in ("place", "invitees", "topics", "content", "decisions"):
        values[name] = (values[name] or "").strip()
    for name in ("speaker", "lecture_title"):
        values[name] = (values[name] or "").strip() or None
    if fields.kind is not MeetingKind.lecture:
        values["speaker"] = values["lecture_title"] = None
    return values


def _head_count(rows: AttendanceInput) -> str:
    """应到/实到/请假 as the timeline shows it."""
    statuses = [status for status, _why in rows.values()]
    return f"{len(statuses)}/{statuses.count(Attendance.present)}/{statuses.count(Attendance.leave)}"


def _current_attendance(meeting: Meeting) -> dict[int, tuple[Attendance, str | None]]:
    return {row.user_id: (row.status, row.reason) for row in db.session.scalars(
        sa.select(MeetingAttendance).where(MeetingAttendance.meeting_id == meeting.id))}


def _write_attendance(meeting: Meeting, attendance: AttendanceInput) -> None:
    db.session.execute(sa.delete(MeetingAttendance).where(MeetingAttendance.meeting_id == meeting.id))
    for user_id, (status, why) in attendance.items():
        db.session.add(MeetingAttendance(meeting_id=meeting.id, user_id=user_id, status=status,
                                         reason=(why or "").strip()[:200] or None if status is Attendance.leave
                                         else None))


def record_meeting(actor: User | None, unit: OrgUnit, fields: MeetingFields, attendance: AttendanceInput, *,
                   today: date | None = None) -> Meeting:
    """Record a meeting the branch held, as a draft. Raises NotAllowed unless `actor` records for
    `unit`; DomainError (422) with every reason the input is refused (`check_fields`)."""
    if actor is not None:
        _require(policy.can_record(actor, unit), N_("Only the branch's secretary or a leader over it records its "
                                                    "meetings."), "unit_id")
    reasons = check_fields(unit, fields, attendance, today or local_today())
    if reasons:
        raise DomainError(*reasons, status=422)
    meeting = Meeting(unit=unit, created_by_id=actor.id if actor else None, **_clean(fields))
    db.session.add(meeting)
    db.session.flush()
    _write_attendance(meeting, attendance)
    record_activity(actor, meeting, "recorded", after={"kind": fields.kind.value,
                                                       "held_on": fields.held_on.isoformat(),
                                                       "attendance": _head_count(attendance)})
    db.session.flush()
    return meeting


def update_meeting(actor: User, meeting: Meeting, fields: MeetingFields, attendance: AttendanceInput, *,
                   version: int, reason: str | None = None, today: date | None = None) -> Meeting:
    """Edit a draft or returned record; correct an approved one, which needs `reason` (recorded with
    the changes). Raises NotAllowed, StaleEdit when someone saved it since the form was loaded, and
    DomainError (422) for refused input or a correction without a reason."""
    correcting = meeting.state is MeetingState.approved
    _require(policy.can_correct(actor, meeting) if correcting else policy.can_edit(actor, meeting),
             N_("This record cannot be changed by you in its current state."), "kind")
    if version != meeting.version:
        raise StaleEdit(meeting)
    reasons = check_fields(meeting.unit, fields, attendance, today or local_today())
    if correcting and not (reason or "").strip():
        reasons.append(Reason(N_("An approved record is corrected only with a reason."), code="reason"))
    if reasons:
        raise DomainError(*reasons, status=422)
    before, after = changes(meeting, _clean(fields))
    old = _current_attendance(meeting)
    if old != dict(attendance):
        before["attendance"], after["attendance"] = _head_count(old), _head_count(attendance)
        _write_attendance(meeting, attendance)
    for name, value in _clean(fields).items():
        setattr(meeting, name, value)
    if after:
        record_activity(actor, meeting, "corrected" if correcting else "updated", before=before, after=after,
                        note=reason.strip() if correcting and reason else None)
    db.session.flush()
    return meeting


def submit_reasons(meeting: Meeting) -> list[Reason]:
    """What a record lacks before it goes to the higher unit: its topics and its attendance."""
    reasons = []
    if not meeting.topics.strip():
        reasons.append(Reason(N_("Write the topics of the meeting before submitting."), code="topics"))
    if not _current_attendance(meeting):
        reasons.append(Reason(N_("Record who attended before submitting."), code="attendance"))
    return reasons


def _move(actor: User, meeting: Meeting, to: MeetingState, note: str | None = None) -> None:
    verb = ensure_transition(meeting.state, to)
    before = meeting.state
    meeting.state = to
    record_activity(actor, meeting, verb, before={"state": before.value}, after={"state": to.value}, note=note)


def submit_meeting(actor: User, meeting: Meeting) -> Meeting:
    """Send a draft or returned record to the higher unit (待审核). Raises NotAllowed; DomainError (409)
    when its state forbids it or it lacks topics or attendance (`submit_reasons`)."""
    _require(policy.can_submit(actor, meeting), N_("Only the branch's secretary or a leader over it submits "
                                                   "its records."))
    ensure_transition(meeting.state, MeetingState.submitted)
    reasons = submit_reasons(meeting)
    if reasons:
        raise DomainError(*reasons, title=Reason(N_("The record cannot be submitted yet.")))
    _move(actor, meeting, MeetingState.submitted)
    meeting.submitted_at = utcnow()
    db.session.flush()
    return meeting


def return_meeting(actor: User, meeting: Meeting, reason: str | None) -> Meeting:
    """Send a submitted record back to the branch with `reason` (required: DomainError 422 without)."""
    _require(policy.can_decide(actor, meeting), N_("Only a leader of the higher unit returns this record."))
    ensure_transition(meeting.state, MeetingState.returned)
    if not (reason or "").strip():
        raise refuse(N_("Say why the record is returned."), "reason")
    _move(actor, meeting, MeetingState.returned, note=reason.strip())
    meeting.return_reason = reason.strip()
    meeting.decided_by_id, meeting.decided_at = actor.id, utcnow()
    db.session.flush()
    notify(actor, [meeting.recorder, meeting.unit.secretary], Event.meeting_returned, meeting,
           params={"reason": meeting.return_reason})
    return meeting


def approve_meeting(actor: User, meeting: Meeting) -> Meeting:
    """Approve a submitted record: it is frozen and counts as held (已开). The matching checklist item
    of the branch's 三会一课 / 主题党日 project for that period is ticked once the cadence is met."""
    _require(policy.can_decide(actor, meeting), N_("Only a leader of the higher unit approves this record."))
    _move(actor, meeting, MeetingState.approved)
    meeting.return_reason = None
    meeting.decided_by_id, meeting.decided_at = actor.id, utcnow()
    db.session.flush()
    tick_checklists(actor, meeting)
    return meeting


def tick_checklists(actor: User | None, meeting: Meeting) -> int:
    """Tick, through the projects' own operation, the checklist items an approved record fulfils
    (`queries.checklist_items_for`), in the approver's name; how many were ticked."""
    ticked = 0
    for project, item in queries.checklist_items_for(meeting):
        tick_item(actor, project, item, True)
        ticked += 1
    return ticked


def add_evidence(actor: User, meeting: Meeting, upload: Any, kind: AttachmentKind) -> Attachment:
    """Attach minutes or photos (the upload rules of every evidence file); DomainError (422) for a refused file."""
    from ..uploads import store_upload

    _require(policy.can_add_evidence(actor, meeting), N_("Only those who record for the branch add files to "
                                                         "this record."), "file")
    return store_upload(actor, upload, owner=meeting, unit_id=meeting.unit_id, kind=kind)


# --- Cadence and exemptions --------------------------------------------------------------------------

def set_cadence(actor: User, kind: MeetingKind, cadence: Cadence, top: OrgUnit) -> bool:
    """Set how often `kind` is due, for every branch; the change is recorded on `top` (the top-level
    unit whose admin made it). True when something changed; NotAllowed unless a system administrator."""
    _require(policy.can_set_cadence(actor), N_("Only a system administrator sets how often meetings are due."))
    current = queries.cadences()[kind]
    if current is cadence:
        return False
    row = db.session.get(MeetingCadence, kind) or MeetingCadence(kind=kind)
    row.cadence, row.updated_by_id = cadence, actor.id
    db.session.add(row)
    record_activity(actor, top, "cadence_set", before={"meeting_kind": kind.value, "cadence": current.value},
                    after={"meeting_kind": kind.value, "cadence": cadence.value}, unit_id=top.id)
    db.session.flush()
    return True


def add_exemption(actor: User, unit: OrgUnit, kind: MeetingKind | None, starts_on: date, ends_on: date,
                  reason: str) -> MeetingExemption:
    """Excuse a branch from `kind` (None: every kind) from `starts_on` to `ends_on`: the slots these days
    touch are not due. DomainError (422) without a reason or with the days in the wrong order."""
    _require(policy.can_exempt(actor, unit), N_("Only an administrator over the branch excuses it from meetings."),
             "unit_id")
    if ends_on < starts_on:
        raise refuse(N_("The last day comes on or after the first."), "ends_on")
    if not (reason or "").strip():
        raise refuse(N_("Say why the branch is excused (newly formed, merged …)."), "reason")
    exemption = MeetingExemption(unit_id=unit.id, kind=kind, starts_on=starts_on, ends_on=ends_on,
                                 reason=reason.strip()[:200], created_by_id=actor.id)
    db.session.add(exemption)
    db.session.flush()
    record_activity(actor, exemption, "created", after={
        "meeting_kind": kind.value if kind else None, "starts_on": starts_on.isoformat(),
        "ends_on": ends_on.isoformat()}, note=exemption.reason)
    db.session.flush()
    return exemption


def remove_exemption(actor: User, exemption: MeetingExemption) -> None:
    """Withdraw an exemption (recorded on the branch's timeline)."""
    _require(policy.can_exempt(actor, exemption.unit), N_("Only an administrator over the branch withdraws its "
                                                          "exemption."))
    record_activity(actor, exemption.unit, "exemption_removed", before={
        "meeting_kind": exemption.kind.value if exemption.kind else None,
        "starts_on": exemption.starts_on.isoformat(), "ends_on": exemption.ends_on.isoformat()},
        note=exemption.reason, unit_id=exemption.unit_id)
    db.session.delete(exemption)
    db.session.flush()
