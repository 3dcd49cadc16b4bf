"""The rectification ledger (整改台账): items, their progress entries and extension requests."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import LabelledEnum, UTCDateTime, str_enum, utcnow
from .org import OrgUnit
from .user import User


class ItemStatus(LabelledEnum):
    """Where a rectification item (整改事项) stands."""

    open = "open", _l("To rectify")  #: 待整改: recorded, work not started
    in_progress = "in_progress", _l("Rectifying")  #: 整改中: the owner is working on it
    submitted = "submitted", _l("Awaiting verification")  #: 待验收: the owner submitted it, with a note and evidence
    returned = "returned", _l("Returned")  #: 退回: the verifier sent it back, with a reason
    closed = "closed", _l("Closed (verified)")  #: 已销号: verified and closed
    reopened = "reopened", _l("Reopened (follow-up check)")  #: 回头看: a closed item looked at again and found wanting
    void = "void", _l("Void")  #: 作废: withdrawn by a leader, with a reason (never deleted)


class ItemSource(LabelledEnum):
    """Where the problem was found (问题来源)."""

    project_check = "project_check", _l("Project check")  #: 项目检查: a project's check stage
    review = "review", _l("Quarterly peer review")  #: 季度互查: a review round
    inspection = "inspection", _l("Inspection")  #: 巡察督查
    self_check = "self_check", _l("Self-check")  #: 自查
    org_life = "org_life", _l("Organisational-life meeting")  #: 组织生活会查摆
    report = "report", _l("Secretary's report and appraisal")  #: 述职评议
    other = "other", _l("Other")  #: 其他


class DeadlineKind(LabelledEnum):
    """What kind of time limit (整改时限) the item has."""

    date = "date", _l("By a date")  #: by a date
    immediate = "immediate", _l("Rectify immediately")  #: 立行立改: at once
    ongoing = "ongoing", _l("Ongoing")  #: 长期坚持: ongoing, with periodic progress


class Severity(LabelledEnum):
    normal = "normal", _l("Ordinary")  #: 一般
    major = "major", _l("Serious")  #: 较重
    severe = "severe", _l("Grave")  #: 严重


class ExtensionStatus(LabelledEnum):
    pending = "pending", _l("Pending")  #: 待审批
    approved = "approved", _l("Approved")  #: 已批准
    refused = "refused", _l("Refused")  #: 未批准


class LedgerItem(db.Model):
    """One problem, tracked until it is verified and closed (销号). Never deleted: voided."""

    __tablename__ = "ledger_item"
    __table_args__ = (
        sa.CheckConstraint("verifier_id IS NULL OR owner_id IS NULL OR verifier_id <> owner_id",
                           name="verifier_not_owner"),
        sa.CheckConstraint("progress >= 0 AND progress <= 100", name="progress_percent"),
        sa.UniqueConstraint("year", "seq", name="uq_ledger_item_year_seq"),
        sa.Index("ix_ledger_item_origin", "origin_type", "origin_id"),
        # The roll-up reads this index alone (queries.rollup); its (unit_id, status) prefix serves scoped lists.
        sa.Index("ix_ledger_item_unit_rollup", "unit_id", "status", "deadline", "closed_at", "created_at"),
        sa.Index("ix_ledger_item_status_deadline", "status", "deadline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    year: Mapped[int]
    seq: Mapped[int]
    source: Mapped[ItemSource] = mapped_column(str_enum(ItemSource), index=True)
    batch: Mapped[str | None] = mapped_column(sa.String(200), index=True)
    category: Mapped[str | None] = mapped_column(sa.String(100), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"), index=True)
    problem: Mapped[str] = mapped_column(sa.Text)
    indicator: Mapped[str | None] = mapped_column(sa.String(255))
    deduction: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))
    target: Mapped[str | None] = mapped_column(sa.Text)
    measures: Mapped[str | None] = mapped_column(sa.Text)
    responsible_leader_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    verifier_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    deadline_kind: Mapped[DeadlineKind] = mapped_column(str_enum(DeadlineKind), default=DeadlineKind.date)
    deadline: Mapped[date | None] = mapped_column(sa.Date, index=True)
    severity: Mapped[Severity] = mapped_column(str_enum(Severity), default=Severity.normal, index=True)
    status: Mapped[ItemStatus] = mapped_column(str_enum(ItemStatus), default=ItemStatus.open, index=True)
    progress: Mapped[int] = mapped_column(default=0)
    completion_note: Mapped[str | None] = mapped_column(sa.Text)
    verification_opinion: Mapped[str | None] = mapped_column(sa.Text)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  #: 完成时间 (submitted)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  #: 销号时间 (verified)
    lessons: Mapped[str | None] = mapped_column(sa.Text)  #: 建章立制 / 举一反三
    remark: Mapped[str | None] = mapped_column(sa.Text)
    origin_type: Mapped[str | None] = mapped_column(sa.String(40))
    origin_id: Mapped[int | None]
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(120), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    unit: Mapped[OrgUnit] = relationship(lazy="joined", innerjoin=True)
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id], lazy="joined")
    verifier: Mapped[User | None] = relationship(foreign_keys=[verifier_id], lazy="joined")
    responsible_leader: Mapped[User | None] = relationship(foreign_keys=[responsible_leader_id], lazy="joined")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id], lazy="raise")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<LedgerItem {self.code} {self.status.value}>"


class ProgressEntry(db.Model):
    """One dated progress report (整改进展) with a percent complete."""

    __tablename__ = "ledger_progress"
    __table_args__ = (sa.CheckConstraint("percent >= 0 AND percent <= 100", name="percent_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("ledger_item.id"), index=True)
    on_date: Mapped[date] = mapped_column(sa.Date)
    percent: Mapped[int]
    text: Mapped[str] = mapped_column(sa.Text)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship(lazy="joined")


class ExtensionRequest(db.Model):
    """A request to move an item's deadline (延期申请); the deadline moves only on approval."""

    __tablename__ = "ledger_extension"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("ledger_item.id"), index=True)
    old_deadline: Mapped[date | None] = mapped_column(sa.Date)
    new_deadline: Mapped[date] = mapped_column(sa.Date)
    reason: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[ExtensionStatus] = mapped_column(str_enum(ExtensionStatus), default=ExtensionStatus.pending)
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(sa.Text)

    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id], lazy="joined")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id], lazy="joined")
