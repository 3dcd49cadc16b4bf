"""Recording, editing, submitting, returning, approving and correcting meeting records."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tracker.audit import timeline
from tracker.clock import local_today
from tracker.domain_errors import DomainError, NotAllowed, StaleEdit
from tracker.extensions import db
from tracker.meetings import operations as ops
from tracker.meetings.operations import MeetingFields
from tracker.models import (Attendance, Meeting, MeetingAttendance, MeetingKind, MeetingState, OrgUnit, Stage, User)


@pytest.fixture
def world(perm_world, app):
    with app.app_context():
        yield perm_world


def _user(world, role) -> User:
    return db.session.get(User, world.users[role].id)


def _unit(world, key="b1") -> OrgUnit:
    return db.session.get(OrgUnit, world.units[key].id)


def _fields(**changes) -> MeetingFields:
    values = dict(kind=MeetingKind.general_meeting, held_on=local_today() - timedelta(days=2), place="党员活动室",
                  topics="学习贯彻党的二十届三中全会精神", content="书记领学", decisions="通过季度学习计划")
    values.update(changes)
    return MeetingFields(**values)


def _all_present(world):
    return {_user(world, "secretary").id: (Attendance.present, None),
            _user(world, "member").id: (Attendance.leave, "出差")}


def _codes(error: DomainError) -> set[str]:
    return {r.code for r in error.reasons}


def test_the_secretary_records_a_draft_with_its_attendance(world):
    sec = _user(world, "secretary")
    meeting = ops.record_meeting(sec, _unit(world), _fields(host_id=sec.id, recorder_id=sec.id), _all_present(world))
    assert meeting.state is MeetingState.draft
    rows = db.session.scalars(sa.select(MeetingAttendance).where(MeetingAttendance.meeting_id == meeting.id)).all()
    assert {(r.status, r.reason) for r in rows} == {(Attendance.present, None), (Attendance.leave, "出差")}
    assert [a.verb for a in timeline(meeting)] == ["recorded"]


@pytest.mark.parametrize("changes, attendance, code", [
    ({"held_on": local_today() + timedelta(days=1)}, None, "held_on"),
    ({"kind": MeetingKind.lecture}, None, "speaker"),
    ({"kind": MeetingKind.lecture, "speaker": "王书记"}, None, "lecture_title"),
    ({}, "stranger", "attendance"),
    ({}, "leave-without-reason", "attendance"),
    ({"host_id": "stranger"}, None, "host_id"),
])
def test_bad_input_is_refused_with_the_field_it_is_about(world, changes, attendance, code):
    stranger = _user(world, "stranger")
    changes = {k: (stranger.id if v == "stranger" else v) for k, v in changes.items()}
    rows = _all_present(world)
    if attendance == "stranger":
        rows[stranger.id] = (Attendance.present, None)
    elif attendance == "leave-without-reason":
        rows[_user(world, "member").id] = (Attendance.leave, " ")
    with pytest.raises(DomainError) as refused:
        ops.record_meeting(_user(world, "secretary"), _unit(world), _fields(**changes), rows)
    assert refused.value.status == 422
    assert code in _codes(refused.value)
    assert db.session.scalar(sa.select(sa.func.count(Meeting.id))) == 0


def test_a_member_or_someone_out_of_scope_cannot_record(world):
    for role in ("member", "stranger", "outsider"):
        with pytest.raises(NotAllowed):
            ops.record_meeting(_user(world, role), _unit(world), _fields(), {})


def _submitted(world) -> Meeting:
    sec = _user(world, "secretary")
    meeting = ops.record_meeting(sec, _unit(world), _fields(recorder_id=sec.id), _all_present(world))
    return ops.submit_meeting(sec, meeting)


def test_submit_needs_topics_and_attendance(world):
    sec = _user(world, "secretary")
    meeting = ops.record_meeting(sec, _unit(world), _fields(topics=""), {})
    with pytest.raises(DomainError) as refused:
        ops.submit_meeting(sec, meeting)
    assert _codes(refused.value) == {"topics", "attendance"}
    assert meeting.state is MeetingState.draft


def test_return_needs_a_reason_and_only_a_higher_leader_decides(world):
    meeting = _submitted(world)
    with pytest.raises(NotAllowed):
        ops.approve_meeting(_user(world, "secretary"), meeting)
    with pytest.raises(DomainError) as refused:
        ops.return_meeting(_user(world, "leader"), meeting, "  ")
    assert refused.value.status == 422 and _codes(refused.value) == {"reason"}
    ops.return_meeting(_user(world, "leader"), meeting, "缺少签到表")
    assert meeting.state is MeetingState.returned and meeting.return_reason == "缺少签到表"
    # She corrects and submits again; the leader approves.
    sec = _user(world, "secretary")
    ops.update_meeting(sec, meeting, _fields(recorder_id=sec.id, content="补充签到情况"), _all_present(world),
                       version=meeting.version)
    ops.submit_meeting(sec, meeting)
    ops.approve_meeting(_user(world, "leader"), meeting)
    assert meeting.state is MeetingState.approved and meeting.return_reason is None
    assert [a.verb for a in reversed(timeline(meeting))] == [
        "recorded", "submitted", "returned", "updated", "submitted", "approved"]


def test_an_approved_record_is_corrected_only_with_a_reason_which_is_logged(world):
    meeting = _submitted(world)
    ops.approve_meeting(_user(world, "leader"), meeting)
    sec = _user(world, "secretary")
    with pytest.raises(DomainError) as refused:
        ops.update_meeting(sec, meeting, _fields(place="会议室"), _all_present(world), version=meeting.version)
    assert _codes(refused.value) == {"reason"}
    ops.update_meeting(sec, meeting, _fields(recorder_id=sec.id, place="会议室"), _all_present(world),
                       version=meeting.version, reason="地点记错")
    corrected = timeline(meeting)[0]
    assert corrected.verb == "corrected" and corrected.note == "地点记错"
    assert corrected.after == {"place": "会议室"}
    assert meeting.state is MeetingState.approved


def test_a_stale_edit_is_refused(world):
    sec = _user(world, "secretary")
    meeting = ops.record_meeting(sec, _unit(world), _fields(), {})
    with pytest.raises(StaleEdit):
        ops.update_meeting(sec, meeting, _fields(place="别处"), {}, version=meeting.version - 1)


def test_a_submitted_record_cannot_be_edited_or_submitted_twice(world):
    meeting = _submitted(world)
    sec = _user(world, "secretary")
    with pytest.raises(NotAllowed):
        ops.update_meeting(sec, meeting, _fields(), {}, version=meeting.version)
    with pytest.raises(NotAllowed):
        ops.submit_meeting(sec, meeting)


def test_approval_ticks_the_branch_quarter_checklist_item(world, app):
    from tracker.projects import operations_assignment as project_ops
    from tracker.projects import queries as project_queries
    from tracker.projects.catalogue import install_templates

    install_templates()
    from tracker.models import ProjectTemplate

    template = db.session.scalar(sa.select(ProjectTemplate).where(ProjectTemplate.name == "三会一课季度计划"))
    today = local_today()
    q = (today.month - 1) // 3 + 1
    start = date(today.year, 3 * q - 2, 1)
    end = (date(today.year + 1, 1, 1) if q == 4 else date(today.year, 3 * q + 1, 1)) - timedelta(days=1)
    project = project_ops.instantiate(None, template, _unit(world), _user(world, "secretary"),
                                      start_date=start, due_date=end, quarter=q, title="一支部三会一课")
    sec = _user(world, "secretary")
    meeting = ops.record_meeting(sec, _unit(world), _fields(held_on=today), _all_present(world))
    ops.submit_meeting(sec, meeting)
    ops.approve_meeting(_user(world, "leader"), meeting)
    items = project_queries.stage_items(project, Stage.run)
    ticked = [i.text for i in items if i.is_done]
    assert ticked == ["召开支部党员大会并形成会议记录"]



# --- Cadence and exemptions ------------------------------------------------------------------------

def test_only_a_system_administrator_sets_the_cadence_and_the_summary_follows(world):
    from tracker.meetings import queries
    from tracker.meetings.workflow import quarter_period
    from tracker.models import Cadence

    root = _unit(world, "root")
    with pytest.raises(NotAllowed):
        ops.set_cadence(_user(world, "leader"), MeetingKind.committee, Cadence.quarterly, root)
    assert ops.set_cadence(_user(world, "admin"), MeetingKind.committee, Cadence.quarterly, root)
    assert not ops.set_cadence(_user(world, "admin"), MeetingKind.committee, Cadence.quarterly, root)
    assert queries.cadences()[MeetingKind.committee] is Cadence.quarterly
    assert timeline(root)[0].verb == "cadence_set"
    summary = queries.summary(_user(world, "admin"), quarter_period(2026, 4), date(2026, 12, 2))
    b1 = next(r for r in summary.rows if r.unit_id == world.units["b1"].id)
    assert b1.cells[MeetingKind.committee].due == 1


def test_an_exempted_branch_owes_nothing_in_the_span(world):
    from tracker.meetings import queries
    from tracker.meetings.workflow import quarter_period

    admin, b1 = _user(world, "admin"), _unit(world)
    with pytest.raises(DomainError) as refused:
        ops.add_exemption(admin, b1, None, date(2026, 10, 1), date(2026, 11, 30), " ")
    assert _codes(refused.value) == {"reason"}
    with pytest.raises(DomainError) as refused:
        ops.add_exemption(admin, b1, None, date(2026, 11, 30), date(2026, 10, 1), "新成立")
    assert _codes(refused.value) == {"ends_on"}
    with pytest.raises(NotAllowed):
        ops.add_exemption(_user(world, "secretary"), b1, None, date(2026, 10, 1), date(2026, 11, 30), "新成立")
    exemption = ops.add_exemption(admin, b1, MeetingKind.committee, date(2026, 10, 1), date(2026, 11, 30), "新成立")
    summary = queries.summary(admin, quarter_period(2026, 4), date(2026, 12, 2))
    row = {r.unit_id: r for r in summary.rows}
    assert row[b1.id].cells[MeetingKind.committee].due == 1  # December only
    assert row[b1.id].cells[MeetingKind.committee].overdue == 0
    assert row[world.units["b2"].id].cells[MeetingKind.committee].overdue == 2  # October, November
    ops.remove_exemption(admin, exemption)
    summary = queries.summary(admin, quarter_period(2026, 4), date(2026, 12, 2))
    assert {r.unit_id: r for r in summary.rows}[b1.id].cells[MeetingKind.committee].overdue == 2


def test_the_summary_counts_held_and_overdue_per_slot(world):
    from tracker.meetings import queries
    from tracker.meetings.workflow import quarter_period

    b1 = _unit(world)
    for day in (date(2026, 10, 9), date(2026, 10, 20)):
        meeting = ops.record_meeting(None, b1, _fields(kind=MeetingKind.committee, held_on=day), {},
                                     today=date(2026, 12, 2))
        meeting.state = MeetingState.approved
    db.session.flush()
    summary = queries.summary(_user(world, "admin"), quarter_period(2026, 4), date(2026, 12, 2))
    cell = {r.unit_id: r for r in summary.rows}[b1.id].cells[MeetingKind.committee]
    assert (cell.due, cell.held, cell.overdue) == (3, 2, 1)  # two in October, none in November
    assert summary.total.cells[MeetingKind.committee].held == 2


def test_a_returned_record_reaches_its_recorder_and_the_branch_secretary(world):
    import sqlalchemy as sa

    from tracker.models import Event, Notification

    meeting = _submitted(world)
    ops.return_meeting(_user(world, "leader"), meeting, "缺少签到表")
    db.session.flush()
    told = db.session.scalars(sa.select(Notification).where(Notification.event == Event.meeting_returned)).all()
    assert {n.recipient_id for n in told} == {_user(world, "secretary").id} | (
        {meeting.recorder_id} if meeting.recorder_id else set())
    assert _user(world, "leader").id not in {n.recipient_id for n in told}
