"""Forms for meeting records (the record with its attendance, a return's reason, evidence), cadence and exemptions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, FileField, HiddenField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, Optional

from ..forms import optional_int
from ..models import Attendance, AttachmentKind, Cadence, MeetingKind
from ..uploads import ACCEPT_ATTRIBUTE
from .operations import AttendanceInput, MeetingFields

_ATTENDANCE_NAME = re.compile(r"^att-(\d+)$")


class MeetingForm(FlaskForm):
    unit_id = SelectField(_l("Branch"), coerce=int)
    kind = SelectField(_l("Kind of meeting"), validators=[DataRequired()])
    held_on = DateField(_l("Date"), validators=[DataRequired()])
    start_time = TimeField(_l("Time"), validators=[Optional()])
    place = StringField(_l("Place"), validators=[Length(max=200)])
    host_id = SelectField(_l("Host"), coerce=optional_int, validate_choice=False)
    recorder_id = SelectField(_l("Recorder"), coerce=optional_int, validate_choice=False)
    speaker = StringField(_l("Speaker (Party lecture)"), validators=[Length(max=100)])
    lecture_title = StringField(_l("Lecture title (Party lecture)"), validators=[Length(max=200)])
    invitees = TextAreaField(_l("Invited attendees"), validators=[Length(max=2000)])
    topics = TextAreaField(_l("Topics"), validators=[Length(max=4000)])
    content = TextAreaField(_l("Meeting content"), validators=[Length(max=20000)])
    decisions = TextAreaField(_l("Decisions"), validators=[Length(max=8000)])
    #: Where the attendance table's refusals are shown.
    roll = HiddenField(_l("Attendance"))
    reason = TextAreaField(_l("Reason for the correction"), validators=[Length(max=2000)])
    version = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = MeetingKind.choices()

    def fields(self) -> MeetingFields:
        return MeetingFields(kind=MeetingKind(self.kind.data), held_on=self.held_on.data,
                             start_time=self.start_time.data, place=self.place.data or "",
                             host_id=self.host_id.data, recorder_id=self.recorder_id.data,
                             speaker=self.speaker.data, lecture_title=self.lecture_title.data,
                             invitees=self.invitees.data or "", topics=self.topics.data or "",
                             content=self.content.data or "", decisions=self.decisions.data or "")


def attendance_from(formdata: Any) -> AttendanceInput:
    """The attendance table as posted: `att-<member id>` = present / leave / absent, with
    `att-<member id>-reason` for leave. Every posted member is kept (the operation checks them)."""
    rows: dict[int, tuple[Attendance, str | None]] = {}
    for name in formdata:
        match = _ATTENDANCE_NAME.match(name)
        if not match:
            continue
        try:
            status = Attendance(formdata.get(name))
        except ValueError:
            status = Attendance.absent
        rows[int(match.group(1))] = (status, formdata.get(f"{name}-reason"))
    return rows


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[Length(max=2000)])


class EvidenceForm(FlaskForm):
    kind = SelectField(_l("Type of file"), validators=[DataRequired()])
    file = FileField(_l("File"), render_kw={"accept": ACCEPT_ATTRIBUTE})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [(AttachmentKind.minutes.value, str(_l("Minutes"))),
                             (AttachmentKind.photo.value, str(_l("Photo"))),
                             (AttachmentKind.other.value, str(_l("Other")))]


def cadence_form(current: Mapping[MeetingKind, Cadence]) -> FlaskForm:
    """One select per kind of meeting, set to its cadence now."""
    class CadenceForm(FlaskForm):
        pass

    for kind in MeetingKind:
        setattr(CadenceForm, kind.value, SelectField(kind.label, choices=Cadence.choices(),
                                                     default=current[kind].value))
    return CadenceForm()


class ExemptionForm(FlaskForm):
    unit_id = SelectField(_l("Branch"), coerce=int)
    kind = SelectField(_l("Kind of meeting"), validate_choice=True)
    starts_on = DateField(_l("From"), validators=[DataRequired()])
    ends_on = DateField(_l("Until"), validators=[DataRequired()])
    reason = StringField(_l("Reason"), validators=[Length(max=200)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [("", str(_l("Every kind"))), *MeetingKind.choices()]
