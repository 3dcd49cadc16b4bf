"""Party-building projects (党建项目) run through the PDCA loop, their checklists and templates."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..deadlines import DueLight, due_light
from ..extensions import db
from .base import LabelledEnum, UTCDateTime, str_enum, utcnow
from .org import OrgUnit
from .user import User


class Stage(LabelledEnum):
    plan = "plan", _l("Plan")  #: 计划: design the project, set targets, get approval
    run = "run", _l("Run")  #: 执行: carry it out
    check = "check", _l("Check")  #: 检查: inspect, record the verdict or find problems
    rectify = "rectify", _l("Rectify")  #: 整改: fix the problems found (rectification items in the ledger)
    done = "done", _l("Done")  #: 完成: accepted

    @property
    def position(self) -> int:
        """0 for 计划 … 4 for 完成: the stages in the order of the loop."""
        return list(Stage).index(self)


class ProjectType(LabelledEnum):
    innovation = "innovation", _l("Innovation and exploration")  #: 创新探索型
    demonstration = "demonstration", _l("Model demonstration")  #: 典型示范型
    promotion = "promotion", _l("System promotion")  #: 制度推广型


class Recurrence(LabelledEnum):
    none = "none", _l("Does not recur")  #: 不重复
    monthly = "monthly", _l("Monthly")  #: 每月
    quarterly = "quarterly", _l("Quarterly")  #: 每季度
    yearly = "yearly", _l("Yearly")  #: 每年


project_participant = sa.Table(
    "project_participant",
    db.metadata,
    sa.Column("project_id", sa.ForeignKey("project.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("user_account.id"), primary_key=True, index=True),
)


class ProjectCategory(db.Model):
    """One entry of the configurable category list (政治建设, 三会一课 …)."""

    __tablename__ = "project_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(50), unique=True)
    sort_order: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class Project(db.Model):
    __tablename__ = "project"
    __table_args__ = (
        sa.UniqueConstraint("year", "seq", name="uq_project_year_seq"),
        sa.CheckConstraint("due_date >= start_date", name="due_after_start"),
        sa.CheckConstraint("quarter IS NULL OR (quarter >= 1 AND quarter <= 4)", name="quarter_range"),
        sa.CheckConstraint("cycle >= 1", name="cycle_positive"),
        sa.Index("ix_project_unit_stage", "unit_id", "stage"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    year: Mapped[int]
    seq: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("project_category.id"))
    type: Mapped[ProjectType] = mapped_column(str_enum(ProjectType), default=ProjectType.promotion)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"))
    assigning_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("org_unit.id"))
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    quarter: Mapped[int | None]
    start_date: Mapped[date]
    due_date: Mapped[date] = mapped_column(index=True)
    needs_approval: Mapped[bool] = mapped_column(default=False)
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Why 立项审批 was refused, by whom and when; cleared when the owner asks again (the timeline keeps it).
    approval_refusal: Mapped[str | None] = mapped_column(sa.Text)
    approval_refused_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    approval_refused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stage: Mapped[Stage] = mapped_column(str_enum(Stage), default=Stage.plan)
    cycle: Mapped[int] = mapped_column(default=1)
    verdict: Mapped[str | None] = mapped_column(sa.Text)
    verdict_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    verdict_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    template_id: Mapped[int | None] = mapped_column(sa.ForeignKey("project_template.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    # Many-to-one: joined, so every list shows them in the same query.
    unit: Mapped[OrgUnit] = relationship(foreign_keys=[unit_id], lazy="joined", innerjoin=True)
    assigning_unit: Mapped[OrgUnit | None] = relationship(foreign_keys=[assigning_unit_id])
    owner: Mapped[User] = relationship(foreign_keys=[owner_id], lazy="joined", innerjoin=True)
    category: Mapped[ProjectCategory | None] = relationship(lazy="joined")
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    approval_refused_by: Mapped[User | None] = relationship(foreign_keys=[approval_refused_by_id])
    verdict_by: Mapped[User | None] = relationship(foreign_keys=[verdict_by_id])
    # Collections: lists must eager-load them (or aggregate), never load them card by card.
    participants: Mapped[list[User]] = relationship(secondary=project_participant, lazy="raise",
                                                    order_by="User.id")
    targets: Mapped[list[Target]] = relationship(back_populates="project", lazy="raise",
                                                 cascade="all, delete-orphan", order_by="Target.position")
    checklist_items: Mapped[list[ChecklistItem]] = relationship(
        back_populates="project", lazy="raise", cascade="all, delete-orphan",
        order_by="(ChecklistItem.stage, ChecklistItem.position, ChecklistItem.id)")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Project {self.code} {self.stage}>"

    def due_light(self, today: date) -> DueLight:
        """The due date's light (none once the project is done)."""
        return due_light(self.due_date, today, running=self.stage is not Stage.done)


class Target(db.Model):
    """A quantified target (量化目标): indicator, unit of measure, target and actual values."""

    __tablename__ = "project_target"
    __table_args__ = (
        sa.CheckConstraint("target_value >= 0", name="target_non_negative"),
        sa.CheckConstraint("actual_value IS NULL OR actual_value >= 0", name="actual_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id", ondelete="CASCADE"), index=True)
    indicator: Mapped[str] = mapped_column(sa.String(200))
    measure: Mapped[str] = mapped_column(sa.String(20), default="")
    target_value: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2))
    actual_value: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    position: Mapped[int] = mapped_column(default=0)

    project: Mapped[Project] = relationship(back_populates="targets", lazy="raise")


class ChecklistItem(db.Model):
    """One item of a stage's checklist; ticking records who and when."""

    __tablename__ = "checklist_item"
    __table_args__ = (sa.Index("ix_checklist_item_project_stage", "project_id", "stage", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id", ondelete="CASCADE"))
    stage: Mapped[Stage] = mapped_column(str_enum(Stage))
    text: Mapped[str] = mapped_column(sa.String(500))
    is_required: Mapped[bool] = mapped_column(default=True)
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    due_date: Mapped[date | None]
    position: Mapped[int] = mapped_column(default=0)
    done_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    evidence_id: Mapped[int | None] = mapped_column(sa.ForeignKey("attachment.id"))
    version: Mapped[int] = mapped_column(default=1)

    project: Mapped[Project] = relationship(back_populates="checklist_items", lazy="raise")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id], lazy="joined")
    done_by: Mapped[User | None] = relationship(foreign_keys=[done_by_id], lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    def due_light(self, today: date) -> DueLight:
        """The item's due date light (none once it is ticked, or without a date)."""
        return due_light(self.due_date, today, running=not self.is_done)


class ProjectTemplate(db.Model):
    """A reusable project: default checklists per stage and default targets; it may recur."""

    __tablename__ = "project_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("project_category.id"))
    type: Mapped[ProjectType] = mapped_column(str_enum(ProjectType), default=ProjectType.promotion)
    recurrence: Mapped[Recurrence] = mapped_column(str_enum(Recurrence), default=Recurrence.none)
    duration_days: Mapped[int] = mapped_column(default=90)
    needs_approval: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(default=1)

    category: Mapped[ProjectCategory | None] = relationship(lazy="joined")
    items: Mapped[list[TemplateItem]] = relationship(
        lazy="selectin", cascade="all, delete-orphan",
        order_by="(TemplateItem.stage, TemplateItem.position)")
    targets: Mapped[list[TemplateTarget]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="TemplateTarget.position")

    __mapper_args__ = {"version_id_col": version}


class TemplateItem(db.Model):
    __tablename__ = "template_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(sa.ForeignKey("project_template.id", ondelete="CASCADE"), index=True)
    stage: Mapped[Stage] = mapped_column(str_enum(Stage))
    text: Mapped[str] = mapped_column(sa.String(500))
    is_required: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)


class TemplateTarget(db.Model):
    __tablename__ = "template_target"
    __table_args__ = (sa.CheckConstraint("target_value >= 0", name="target_non_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(sa.ForeignKey("project_template.id", ondelete="CASCADE"), index=True)
    indicator: Mapped[str] = mapped_column(sa.String(200))
    measure: Mapped[str] = mapped_column(sa.String(20), default="")
    target_value: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2))
    position: Mapped[int] = mapped_column(default=0)


class TemplateSubscription(db.Model):
    """A unit a recurring template generates a project for, each period, assigned by `assigning_unit`."""

    __tablename__ = "template_subscription"
    __table_args__ = (sa.UniqueConstraint("template_id", "unit_id", name="uq_template_subscription"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(sa.ForeignKey("project_template.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"), index=True)
    assigning_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("org_unit.id"))

    template: Mapped[ProjectTemplate] = relationship(lazy="joined")
    unit: Mapped[OrgUnit] = relationship(foreign_keys=[unit_id], lazy="joined")


class GeneratedProject(db.Model):
    """The record that a recurring template produced one unit's project for one period (idempotence)."""

    __tablename__ = "generated_project"
    __table_args__ = (sa.UniqueConstraint("template_id", "unit_id", "period", name="uq_generated_project_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(sa.ForeignKey("project_template.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"), index=True)
    period: Mapped[str] = mapped_column(sa.String(10))
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
