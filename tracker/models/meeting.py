"""Organisational life (组织生活): meeting records (三会一课, 主题党日 …) and who attended them."""

from __future__ import annotations

from datetime import date, datetime, time

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import LabelledEnum, UTCDateTime, str_enum, utcnow
from .org import OrgUnit
from .user import User


class MeetingKind(LabelledEnum):
    general_meeting = "general_meeting", _l("Branch general meeting")  #: 支部党员大会
    committee = "committee", _l("Branch committee meeting")  #: 支部委员会
    group = "group", _l("Party group meeting")  #: 党小组会
    lecture = "lecture", _l("Party lecture")  #: 党课
    theme_day = "theme_day", _l("Theme Party Day")  #: 主题党日
    life_meeting = "life_meeting", _l("Organisational life meeting")  #: 组织生活会
    appraisal = "appraisal", _l("Democratic appraisal of members")  #: 民主评议党员


class MeetingState(LabelledEnum):
    """Where a meeting record stands."""

    draft = "draft", _l("Draft")  #: 草稿: the branch is still writing it
    submitted = "submitted", _l("Awaiting approval")  #: 待审核: submitted to the higher unit
    returned = "returned", _l("Returned")  #: 退回: the higher unit sent it back, with a reason
    approved = "approved", _l("Approved")  #: 已审核: approved, frozen (a correction needs a reason)


class Attendance(LabelledEnum):
    present = "present", _l("Present")  #: 出席 (实到)
    leave = "leave", _l("On leave")  #: 请假, with a reason
    absent = "absent", _l("Absent")  #: 缺席


class Cadence(LabelledEnum):
    monthly = "monthly", _l("Monthly")  #: 每月
    quarterly = "quarterly", _l("Quarterly")  #: 每季度
    yearly = "yearly", _l("Yearly")  #: 每年
    none = "none", _l("Not required")  #: 不作要求: not counted as due


class MeetingCadence(db.Model):
    """An administrator's choice of how often one kind of meeting is due (no row: the default)."""

    __tablename__ = "meeting_cadence"

    kind: Mapped[MeetingKind] = mapped_column(str_enum(MeetingKind), primary_key=True)
    cadence: Mapped[Cadence] = mapped_column(str_enum(Cadence))
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class MeetingExemption(db.Model):
    """A branch excused from one kind (or every kind) for a span of days: newly formed, merged …"""

    __tablename__ = "meeting_exemption"
    __table_args__ = (sa.CheckConstraint("ends_on >= starts_on", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"), index=True)
    kind: Mapped[MeetingKind | None] = mapped_column(str_enum(MeetingKind))  #: None: every kind
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    reason: Mapped[str] = mapped_column(sa.String(200))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[OrgUnit] = relationship(lazy="joined", innerjoin=True)


class Meeting(db.Model):
    """One meeting a branch held. `held_on` is the local calendar day (periods are counted on it)."""

    __tablename__ = "meeting"
    __table_args__ = (
        # The summary and the scoped list read a unit's records by day; no (state, day) index, which
        # planners without statistics would pick for the summary and then scan the whole year.
        sa.Index("ix_meeting_unit_held_on", "unit_id", "held_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"))
    kind: Mapped[MeetingKind] = mapped_column(str_enum(MeetingKind), index=True)
    held_on: Mapped[date]
    start_time: Mapped[time | None] = mapped_column(sa.Time)
    place: Mapped[str] = mapped_column(sa.String(200), default="")
    host_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)  #: 主持人
    recorder_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)  #: 记录人
    speaker: Mapped[str | None] = mapped_column(sa.String(100))  #: 党课主讲人
    lecture_title: Mapped[str | None] = mapped_column(sa.String(200))  #: 党课题目
    invitees: Mapped[str] = mapped_column(sa.Text, default="")  #: 列席
    topics: Mapped[str] = mapped_column(sa.Text, default="")  #: 议题
    content: Mapped[str] = mapped_column(sa.Text, default="")
    decisions: Mapped[str] = mapped_column(sa.Text, default="")  #: 决议
    state: Mapped[MeetingState] = mapped_column(str_enum(MeetingState), default=MeetingState.draft)
    return_reason: Mapped[str | None] = mapped_column(sa.Text)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    unit: Mapped[OrgUnit] = relationship(lazy="joined", innerjoin=True)
    host: Mapped[User | None] = relationship(foreign_keys=[host_id], lazy="joined")
    recorder: Mapped[User | None] = relationship(foreign_keys=[recorder_id], lazy="joined")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id], lazy="joined")
    attendance: Mapped[list[MeetingAttendance]] = relationship(
        back_populates="meeting", lazy="raise", cascade="all, delete-orphan", order_by="MeetingAttendance.id")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Meeting {self.id} {self.kind} {self.held_on}>"


class MeetingAttendance(db.Model):
    """One member's attendance at one meeting: present, on leave (with a reason) or absent."""

    __tablename__ = "meeting_attendance"
    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "user_id", name="uq_meeting_attendance_member"),
        sa.CheckConstraint("status <> 'leave' OR reason IS NOT NULL", name="leave_has_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    status: Mapped[Attendance] = mapped_column(str_enum(Attendance))
    reason: Mapped[str | None] = mapped_column(sa.String(200))

    meeting: Mapped[Meeting] = relationship(back_populates="attendance", lazy="raise")
    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)
