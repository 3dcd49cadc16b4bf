"""Notifications (the inbox): what happened to which record, for whom; and each person's choices."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import LabelledEnum, UTCDateTime, str_enum, utcnow


class Event(LabelledEnum):
    """What a notification tells its recipient (domain.md, "Notifications and escalation")."""

    assigned = "assigned", _l("Assigned to you")  #: 分配给你: a project, checklist item, ledger item
    due_soon = "due_soon", _l("Due soon")  #: 即将到期: 7 and 3 days before the deadline
    overdue = "overdue", _l("Overdue")  #: 已逾期
    submitted = "submitted", _l("Submitted for your verification")  #: 提交待你验收
    returned = "returned", _l("Returned to you")  #: 被退回
    closed = "closed", _l("Closed or completed")  #: 已销号 / 已办结
    extension_asked = "extension_asked", _l("Extension requested")  #: 申请延期, to whoever decides
    extension_decided = "extension_decided", _l("Extension decided")  #: 延期申请已答复
    approval_asked = "approval_asked", _l("Approval requested")  #: 立项待审批
    approval_decided = "approval_decided", _l("Approval decided")  #: 立项审批已答复 (approved or refused)
    verdict = "verdict", _l("Verdict recorded")  #: 项目验收意见已填写
    sheet_assigned = "sheet_assigned", _l("Scoresheet assigned")  #: 评分表分配给你
    appeal_answered = "appeal_answered", _l("Appeal answered")  #: 申诉已答复
    round_published = "round_published", _l("Review round published")  #: 考核结果已通报
    meeting_returned = "meeting_returned", _l("Meeting record returned")  #: 会议记录被退回
    remind = "remind", _l("Reminder (提醒)")  #: 提醒: the owner, 1 day overdue
    warn = "warn", _l("Warning (告诫)")  #: 告诫: the secretary, 7 days overdue
    supervise = "supervise", _l("Supervision (督办)")  #: 督办: the leader, 14 days overdue


class Notification(db.Model):
    """One notice in one person's inbox. `title` keeps how the record read when it was sent."""

    __tablename__ = "notification"
    __table_args__ = (
        # Once per recipient and key: "once per item and level", however often the reminders run.
        sa.UniqueConstraint("recipient_id", "dedupe_key", name="uq_notification_recipient_dedupe"),
        sa.Index("ix_notification_recipient", "recipient_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    event: Mapped[Event] = mapped_column(str_enum(Event))
    subject_type: Mapped[str] = mapped_column(sa.String(40))
    subject_id: Mapped[int]
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("org_unit.id"))
    title: Mapped[str] = mapped_column(sa.String(300))
    params: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON(none_as_null=True))
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class NotificationSetting(db.Model):
    """A person's choices: the events they muted, and whether notices also come by e-mail."""

    __tablename__ = "notification_setting"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), primary_key=True)
    muted: Mapped[list[str]] = mapped_column(sa.JSON, default=list)  #: Event values not wanted
    by_email: Mapped[bool] = mapped_column(default=False)
