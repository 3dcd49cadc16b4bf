"""Review rounds (季度互查互评): rubrics, rounds, pairs, scoresheets, appeals and results."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import LabelledEnum, UTCDateTime, str_enum, utcnow
from .org import OrgUnit
from .user import User

POINTS = sa.Numeric(6, 1)
TOTAL = sa.Numeric(7, 2)


class RoundState(LabelledEnum):
    """Where a review round stands."""

    draft = "draft", _l("Draft")  #: 草稿: units, rubric, deadlines and the assignment are prepared
    self_assessment = "self_assessment", _l("Self-assessment")  #: 自评: each unit scores itself
    reviewing = "reviewing", _l("Peer review")  #: 互评: reviewer teams inspect and score
    appeal = "appeal", _l("Appeals")  #: 申诉: reviewees contest deductions; leaders answer
    published = "published", _l("Published")  #: 通报: results published, deductions in the ledger
    closed = "closed", _l("Closed")  #: 已结束: nothing changes any more


class ItemKind(LabelledEnum):
    normal = "normal", _l("Regular")  #: 常规指标: scored 0 … points
    bonus = "bonus", _l("Bonus")  #: 加分项: scored 0 … points, the rubric's bonus cap over all of them
    veto = "veto", _l("Veto")  #: 一票否决: marked triggered or not; triggered drops the grade to the lowest


class Method(LabelledEnum):
    documents = "documents", _l("Review documents")  #: 查阅资料
    site = "site", _l("On-site inspection")  #: 现场查看
    visit = "visit", _l("Interviews")  #: 走访
    spot_check = "spot_check", _l("Spot check")  #: 抽查


class RoundMode(LabelledEnum):
    peer = "peer", _l("Peer review between units")  #: 互查互评: units review each other
    leader = "leader", _l("Inspection team of the higher unit")  #: 考核组: the higher unit's team reviews every unit


class Rubric(db.Model):
    """考核细则: a versioned tree of categories and indicators; frozen once a published round used it."""

    __tablename__ = "review_rubric"
    __table_args__ = (
        sa.UniqueConstraint("family_id", "edition", name="uq_review_rubric_family_edition"),
        sa.CheckConstraint("bonus_cap >= 0", name="bonus_cap_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    #: The first edition's id; every later edition of the same rubric shares it.
    family_id: Mapped[int | None] = mapped_column(index=True)
    edition: Mapped[int] = mapped_column(default=1)
    bonus_cap: Mapped[Decimal] = mapped_column(POINTS, default=Decimal(0))
    grade_excellent: Mapped[Decimal] = mapped_column(POINTS, default=Decimal(90))
    grade_good: Mapped[Decimal] = mapped_column(POINTS, default=Decimal(80))
    grade_fair: Mapped[Decimal] = mapped_column(POINTS, default=Decimal(60))
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_current: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    unit: Mapped[OrgUnit] = relationship(lazy="joined")
    items: Mapped[list[RubricItem]] = relationship(
        back_populates="rubric", order_by="RubricItem.position, RubricItem.id", lazy="selectin",
        cascade="all, delete-orphan",
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    @property
    def categories(self) -> list[RubricItem]:
        return [i for i in self.items if i.parent_id is None]

    @property
    def indicators(self) -> list[RubricItem]:
        """Scored items in the order of the tree (category by category)."""
        return [child for category in self.categories for child in category.children]

    @property
    def normal_points(self) -> Decimal:
        return sum((i.points for i in self.indicators if i.kind is ItemKind.normal), Decimal(0))


class RubricItem(db.Model):
    """一级指标 (no parent) or 二级指标/考核内容 under it, with points, 评分标准 and 考评方式."""

    __tablename__ = "review_rubric_item"
    __table_args__ = (sa.CheckConstraint("points >= 0", name="points_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_id: Mapped[int] = mapped_column(sa.ForeignKey("review_rubric.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("review_rubric_item.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(sa.String(300))
    points: Mapped[Decimal] = mapped_column(POINTS, default=Decimal(0))
    rule: Mapped[str | None] = mapped_column(sa.Text)
    method: Mapped[Method | None] = mapped_column(str_enum(Method))
    kind: Mapped[ItemKind] = mapped_column(str_enum(ItemKind), default=ItemKind.normal)

    rubric: Mapped[Rubric] = relationship(back_populates="items")
    parent: Mapped[RubricItem | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[RubricItem]] = relationship(
        back_populates="parent", order_by="RubricItem.position, RubricItem.id", lazy="selectin",
    )

    @property
    def is_category(self) -> bool:
        return self.parent_id is None


class ReviewRound(db.Model):
    """One round (e.g. 2026年第四季度党支部互查互评) run by a leader's unit over a set of units."""

    __tablename__ = "review_round"
    __table_args__ = (
        sa.CheckConstraint("quarter BETWEEN 1 AND 4", name="quarter_range"),
        sa.CheckConstraint("k >= 1", name="k_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    year: Mapped[int]
    quarter: Mapped[int]
    rubric_id: Mapped[int] = mapped_column(sa.ForeignKey("review_rubric.id"), index=True)
    #: The unit that runs the round (the leader's unit); it scopes the round.
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"), index=True)
    mode: Mapped[RoundMode] = mapped_column(str_enum(RoundMode), default=RoundMode.peer)
    k: Mapped[int] = mapped_column(default=2)
    seed: Mapped[int] = mapped_column(default=0)
    has_self_assessment: Mapped[bool] = mapped_column(default=False)
    self_assessment_due: Mapped[date | None]
    review_due: Mapped[date | None]
    appeal_due: Mapped[date | None]
    rectification_due: Mapped[date | None]
    state: Mapped[RoundState] = mapped_column(str_enum(RoundState), default=RoundState.draft)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    rubric: Mapped[Rubric] = relationship(lazy="joined")
    unit: Mapped[OrgUnit] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}


class RoundUnit(db.Model):
    """A unit of the round's subtree: taking part, or excluded (with the reason)."""

    __tablename__ = "review_round_unit"
    __table_args__ = (sa.UniqueConstraint("round_id", "unit_id", name="uq_review_round_unit"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("review_round.id"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"), index=True)
    is_excluded: Mapped[bool] = mapped_column(default=False)

    unit: Mapped[OrgUnit] = relationship(lazy="joined")


class ReviewPair(db.Model):
    """The reviewer unit inspects and scores the reviewee unit in one round."""

    __tablename__ = "review_pair"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "reviewer_id", "reviewee_id", name="uq_review_pair"),
        sa.CheckConstraint("reviewer_id <> reviewee_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("review_round.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"), index=True)
    reviewee_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"), index=True)
    is_overridden: Mapped[bool] = mapped_column(default=False)
    override_reason: Mapped[str | None] = mapped_column(sa.Text)

    reviewer: Mapped[OrgUnit] = relationship(foreign_keys=[reviewer_id], lazy="joined")
    reviewee: Mapped[OrgUnit] = relationship(foreign_keys=[reviewee_id], lazy="joined")


class Scoresheet(db.Model):
    """One team's scores of one unit: a reviewer's sheet (pair) or the unit's self-assessment."""

    __tablename__ = "review_scoresheet"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "reviewer_unit_id", "reviewee_unit_id", name="uq_review_scoresheet"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("review_round.id"), index=True)
    pair_id: Mapped[int | None] = mapped_column(sa.ForeignKey("review_pair.id"), index=True)
    #: The unit whose team scores (the reviewee itself for a self-assessment); scopes evidence.
    reviewer_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"), index=True)
    reviewee_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"), index=True)
    team: Mapped[str | None] = mapped_column(sa.String(300))
    highlights: Mapped[str | None] = mapped_column(sa.Text)
    observations: Mapped[str | None] = mapped_column(sa.Text)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    excluded_reason: Mapped[str | None] = mapped_column(sa.Text)
    excluded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(default=1)

    round: Mapped[ReviewRound] = relationship(lazy="joined")
    reviewer_unit: Mapped[OrgUnit] = relationship(foreign_keys=[reviewer_unit_id], lazy="joined")
    reviewee_unit: Mapped[OrgUnit] = relationship(foreign_keys=[reviewee_unit_id], lazy="joined")
    scores: Mapped[list[Score]] = relationship(back_populates="sheet", lazy="selectin",
                                               cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    @property
    def unit_id(self) -> int:
        """Evidence and timeline rows belong to the scoring team's unit."""
        return self.reviewer_unit_id

    @property
    def is_self(self) -> bool:
        return self.pair_id is None

    @property
    def is_locked(self) -> bool:
        return self.submitted_at is not None

    @property
    def is_excluded(self) -> bool:
        return self.excluded_reason is not None

    def score_for(self, item_id: int) -> Score | None:
        return next((s for s in self.scores if s.item_id == item_id), None)


class Score(db.Model):
    """One indicator on one sheet: points (halves), the deduction note, or the veto mark."""

    __tablename__ = "review_score"
    __table_args__ = (
        sa.UniqueConstraint("sheet_id", "item_id", name="uq_review_score_sheet_item"),
        sa.CheckConstraint("points >= 0", name="points_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(sa.ForeignKey("review_scoresheet.id"), index=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("review_rubric_item.id"), index=True)
    points: Mapped[Decimal | None] = mapped_column(POINTS)
    note: Mapped[str | None] = mapped_column(sa.Text)
    is_veto: Mapped[bool] = mapped_column(default=False)

    sheet: Mapped[Scoresheet] = relationship(back_populates="scores")
    item: Mapped[RubricItem] = relationship(lazy="joined")


class AppealStatus(LabelledEnum):
    pending = "pending", _l("Awaiting answer")  #: 待答复
    upheld = "upheld", _l("Deduction upheld")  #: 维持原扣分
    adjusted = "adjusted", _l("Deduction adjusted")  #: 调整扣分


class Appeal(db.Model):
    """申诉: the reviewee contests one deduction (one score); a leader upholds or adjusts it."""

    __tablename__ = "review_appeal"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("review_round.id"), index=True)
    score_id: Mapped[int] = mapped_column(sa.ForeignKey("review_score.id"), index=True, unique=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"), index=True)
    reason: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[AppealStatus] = mapped_column(str_enum(AppealStatus), default=AppealStatus.pending)
    original_points: Mapped[Decimal | None] = mapped_column(POINTS)
    adjusted_points: Mapped[Decimal | None] = mapped_column(POINTS)
    answer: Mapped[str | None] = mapped_column(sa.Text)
    filed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    score: Mapped[Score] = relationship(lazy="joined")
    filed_by: Mapped[User | None] = relationship(foreign_keys=[filed_by_id], lazy="joined")

    __mapper_args__ = {"version_id_col": version}


class RoundResult(db.Model):
    """A unit's published place in a round: total, grade, rank and the per-indicator breakdown."""

    __tablename__ = "review_result"
    __table_args__ = (sa.UniqueConstraint("round_id", "unit_id", name="uq_review_result"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("review_round.id"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"), index=True)
    total: Mapped[Decimal | None] = mapped_column(TOTAL)
    grade: Mapped[str | None] = mapped_column(sa.String(16))
    rank: Mapped[int | None]
    bonus: Mapped[Decimal] = mapped_column(TOTAL, default=Decimal(0))
    is_vetoed: Mapped[bool] = mapped_column(default=False)
    #: {indicator id: mean} as strings, so the published breakdown is exact.
    breakdown: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    unit: Mapped[OrgUnit] = relationship(lazy="joined")


class LedgerLink(db.Model):
    """A published deduction (round, reviewee, indicator) and the ledger item it became.

    It keeps the deduction as last published, so a re-publication knows what changed: the item
    is updated, voided (通报更正) or, once closed, flagged — exactly once per change.
    """

    __tablename__ = "review_ledger_link"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "unit_id", "item_id", name="uq_review_ledger_link"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("review_round.id"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"), index=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("review_rubric_item.id"))
    #: The ledger's own id (no foreign key: the ledger is another feature's table).
    ledger_item_id: Mapped[int]
    #: Points deducted as last published (None for a veto).
    deduction: Mapped[Decimal | None] = mapped_column(TOTAL)
    #: The problem (the reviewers' deduction notes) as last published.
    problem: Mapped[str | None] = mapped_column(sa.Text)
    #: When a re-publication no longer listed the deduction (None while it stands).
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class VetoDecision(db.Model):
    """A leader applies or clears one unit's 一票否决 item in a round, with a reason.

    Needed when the reviewers split (one of two marked it): the round is not published until
    every such veto is decided. An appeal's answer on a veto decides it too (`appeal_id`).
    """

    __tablename__ = "review_veto_decision"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "unit_id", "item_id", name="uq_review_veto_decision"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("review_round.id"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"), index=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("review_rubric_item.id"))
    is_applied: Mapped[bool]
    reason: Mapped[str] = mapped_column(sa.Text)
    appeal_id: Mapped[int | None] = mapped_column(sa.ForeignKey("review_appeal.id"))
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[OrgUnit] = relationship(lazy="joined")
    item: Mapped[RubricItem] = relationship(lazy="joined")
    decided_by: Mapped[User | None] = relationship(lazy="joined")
