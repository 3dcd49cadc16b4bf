"""Display names of meeting kinds, states, attendance and timeline verbs (translatable)."""

from flask_babel import lazy_gettext as _l

from ..models import Attendance, Cadence, MeetingKind, MeetingState

KIND_LABELS = {
    MeetingKind.general_meeting: _l("Branch general meeting"),
    MeetingKind.committee: _l("Branch committee meeting"),
    MeetingKind.group: _l("Party group meeting"),
    MeetingKind.lecture: _l("Party lecture"),
    MeetingKind.theme_day: _l("Theme Party Day"),
    MeetingKind.life_meeting: _l("Organisational life meeting"),
    MeetingKind.appraisal: _l("Democratic appraisal of members"),
}

STATE_LABELS = {
    MeetingState.draft: _l("Draft"),
    MeetingState.submitted: _l("Awaiting approval"),
    MeetingState.returned: _l("Returned"),
    MeetingState.approved: _l("Approved"),
}

ATTENDANCE_LABELS = {
    Attendance.present: _l("Present"),
    Attendance.leave: _l("On leave"),
    Attendance.absent: _l("Absent"),
}

CADENCE_LABELS = {
    Cadence.monthly: _l("Monthly"),
    Cadence.quarterly: _l("Quarterly"),
    Cadence.yearly: _l("Yearly"),
    Cadence.none: _l("Not required"),
}

VERB_LABELS = {
    "recorded": _l("recorded the meeting"),
    "updated": _l("edited the record"),
    "submitted": _l("submitted for approval"),
    "returned": _l("returned"),
    "approved": _l("approved"),
    "corrected": _l("corrected after approval"),
    "exempted": _l("excused the branch from meetings"),
}

#: Verbs recorded on units (the cadence is set on the top-level unit; exemptions end on the branch).
UNIT_VERB_LABELS = {
    "cadence_set": _l("set how often a meeting is due"),
    "exemption_removed": _l("withdrew an exemption from meetings"),
}

UNIT_FIELD_LABELS = {
    "meeting_kind": _l("Kind of meeting"),
    "cadence": _l("Cadence"),
    "starts_on": _l("From"),
    "ends_on": _l("Until"),
}

FIELD_LABELS = {
    "kind": _l("Kind of meeting"),
    "held_on": _l("Date"),
    "start_time": _l("Time"),
    "place": _l("Place"),
    "host": _l("Host"),
    "recorder": _l("Recorder"),
    "speaker": _l("Speaker"),
    "lecture_title": _l("Lecture title"),
    "invitees": _l("Invited attendees"),
    "topics": _l("Topics"),
    "content": _l("Meeting content"),
    "decisions": _l("Decisions"),
    "state": _l("State"),
    "attendance": _l("Attendance"),
    "reason": _l("Reason"),
}
