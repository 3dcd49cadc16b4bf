"""Display names of the timeline's verbs and fields for meeting records (the enums carry their own)."""

from flask_babel import lazy_gettext as _l

VERB_LABELS = {
    "recorded": _l("recorded the meeting"),
    "updated": _l("edited the record"),
    "submitted": _l("submitted for approval"),
    "returned": _l("returned"),
    "approved": _l("approved"),
    "corrected": _l("corrected after approval"),
    "exempted": _l("excused the branch from meetings"),
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

#: Verbs and fields recorded on units: the cadence is set on the top-level unit, exemptions end on the branch.
UNIT_VERB_LABELS = dict(cadence_set=_l("set how often a meeting is due"),
                        exemption_removed=_l("withdrew an exemption from meetings"))
UNIT_FIELD_LABELS = dict(meeting_kind=_l("Kind of meeting"), cadence=_l("Cadence"), starts_on=_l("From"),
                         ends_on=_l("Until"))
