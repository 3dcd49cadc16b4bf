"""Factories for meeting tests: `make_meeting` in a state, on the matrix world's branches."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tracker.clock import local_today
from tracker.extensions import db
from tracker.models import Attendance, Meeting, MeetingKind, MeetingState, OrgUnit, User


@pytest.fixture
def make_meeting(in_db):
    """`make_meeting(unit, attendees, kind=..., state=..., held_on=..., **fields)` → the record's id."""
    from tracker.meetings import operations as ops

    def make(unit: OrgUnit, attendees=(), *, kind=MeetingKind.general_meeting, state=MeetingState.draft,
             held_on: date | None = None, **fields) -> int:
        def create():
            unit_obj = db.session.get(OrgUnit, unit.id)
            meeting = ops.record_meeting(None, unit_obj, ops.MeetingFields(
                kind=kind, held_on=held_on or local_today() - timedelta(days=1), topics=fields.pop("topics", "学习"),
                **fields), {u.id: (Attendance.present, None) for u in attendees})
            meeting.state = state
            db.session.flush()
            return meeting.id

        return in_db(create)

    return make


@pytest.fixture
def load(app):
    def get(meeting_id: int) -> Meeting:
        with app.app_context():
            db.session().expire_on_commit = False
            return db.session.get(Meeting, meeting_id)

    return get


def person(app, user: User) -> User:
    return db.session.get(User, user.id)
