"""Reading review rounds: the scoped loaders, lists and choices, a round's units, pairs, vetoes and sheets.

A round exists for a user who covers its running unit or one of its participating units; a
scoresheet for those `policy.can_see_sheet` lets see it; a rubric for those covering the unit that
keeps it or a unit below it. Anything else is a 404. The results and the circular are read in
`queries_results`, the half-year and annual ranking in `queries_combined`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import abort
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..deadlines import due_light
from ..domain_errors import N_, Reason
from ..extensions import db
from ..hooks import WorkItem
from ..models import (
    Appeal, AppealStatus, ItemKind, OrgUnit, ReviewPair, ReviewRound, RoundMode, RoundUnit, Rubric, RubricItem, Score,
    Role, Scoresheet, UnitKind, User, VetoDecision,
)
from ..orgs.labels import indented_choices
from ..scoping import int_or_404, scoped_units, units_in_scope
from . import assignment, scoring
from .policy import MANAGERS, can_edit_sheet, can_see_sheet
from .workflow import RoundFacts, RoundState

T = TypeVar("T")

#: How many earlier rounds' pairs the assignment avoids repeating.
PREVIOUS_ROUNDS = 4


# --- Scoped loaders ------------------------------------------------------------------------------

def visible_rounds(user: User) -> sa.Select:
    """SELECT the rounds a user can see: run by a unit they cover, or covering one of their units."""
    scope = units_in_scope(user)
    taking_part = sa.select(RoundUnit.round_id).where(RoundUnit.unit_id.in_(scope))
    return sa.select(ReviewRound).where(sa.or_(ReviewRound.unit_id.in_(scope), ReviewRound.id.in_(taking_part)))


def get_round_or_404(ident: Any, user: User) -> ReviewRound:
    """A round the user sees (see `visible_rounds`); otherwise 404."""
    round_ = db.session.scalars(visible_rounds(user).where(ReviewRound.id == int_or_404(ident))).first()
    if round_ is None:
        abort(404)
    return round_


def _get_in_round_or_404(model: type[T], ident: Any, user: User) -> T:
    """A sheet or an appeal (`model`) by id, in a round the user sees; otherwise 404."""
    record = db.session.get(model, int_or_404(ident))
    if record is None:
        abort(404)
    get_round_or_404(record.round_id, user)  # type: ignore[attr-defined]
    return record


def get_sheet_or_404(ident: Any, user: User) -> Scoresheet:
    """A sheet the user may see (its team, the round's leaders, or anyone in scope once public)."""
    sheet = _get_in_round_or_404(Scoresheet, ident, user)
    if not can_see_sheet(user, sheet):
        abort(404)
    return sheet


def visible_rubrics(user: User) -> sa.Select:
    """SELECT the rubrics kept by a unit the user covers or by a unit above one of their units."""
    above = {i for m in user.memberships for i in m.unit.ancestor_ids}
    return sa.select(Rubric).where(sa.or_(Rubric.unit_id.in_(units_in_scope(user)), Rubric.unit_id.in_(above)))


def get_rubric_or_404(ident: Any, user: User) -> Rubric:
    """A rubric the user sees (see `visible_rubrics`); otherwise 404."""
    rubric = db.session.scalars(visible_rubrics(user).where(Rubric.id == int_or_404(ident))).first()
    if rubric is None:
        abort(404)
    return rubric


def get_rubric_item_or_404(rubric: Rubric, ident: Any) -> RubricItem:
    """A category or indicator of `rubric`; otherwise 404."""
    item = next((i for i in rubric.items if i.id == int_or_404(ident)), None)
    if item is None:
        abort(404)
    return item


def get_round_item_or_404(round_: ReviewRound, ident: Any, *, indicator: bool = False) -> RubricItem:
    """An item of the round's rubric (with `indicator`, not a category); otherwise 404."""
    item = db.session.get(RubricItem, int_or_404(ident))
    if item is None or item.rubric_id != round_.rubric_id or (indicator and item.is_category):
        abort(404)
    return item


def get_participant_or_404(round_: ReviewRound, ident: Any) -> OrgUnit:
    """A unit taking part in the round (not left out); otherwise 404."""
    unit = db.session.get(OrgUnit, int_or_404(ident))
    if unit is None or unit.id not in {u.id for u in participants(round_)}:
        abort(404)
    return unit


def get_pair_or_404(round_: ReviewRound, ident: Any) -> ReviewPair:
    """A pair of the round's assignment; otherwise 404."""
    pair = db.session.scalars(sa.select(ReviewPair).where(ReviewPair.id == int_or_404(ident),
                                                          ReviewPair.round_id == round_.id)).first()
    if pair is None:
        abort(404)
    return pair


def get_score_or_404(round_: ReviewRound, unit: OrgUnit, ident: Any) -> Score:
    """A score given in the round about `unit`; otherwise 404."""
    score = db.session.get(Score, int(ident)) if str(ident or "").isdigit() else None
    if score is None or score.sheet.round_id != round_.id or score.sheet.reviewee_unit_id != unit.id:
        abort(404)
    return score


def get_appeal_or_404(ident: Any, user: User) -> Appeal:
    """An appeal in a round the user sees; otherwise 404."""
    return _get_in_round_or_404(Appeal, ident, user)


# --- Lists and choices ---------------------------------------------------------------------------

def rounds_of(user: User) -> list[ReviewRound]:
    """The rounds the user sees, newest first."""
    return list(db.session.scalars(visible_rounds(user).order_by(
        ReviewRound.year.desc(), ReviewRound.quarter.desc(), ReviewRound.id.desc())))


def rubrics_of(user: User) -> list[Rubric]:
    """The rubrics the user sees, each family's newest version first."""
    return list(db.session.scalars(visible_rubrics(user).order_by(Rubric.family_id, Rubric.edition.desc())))


def manager_units(user: User) -> list[OrgUnit]:
    """The active units the user leads (or administers), in tree order."""
    return scoped_units(user, *MANAGERS, active_only=True)


def running_unit_choices(user: User) -> list[tuple[int, str]]:
    """The units above branch level the user leads: who may run a round or keep a rubric."""
    return indented_choices(u for u in manager_units(user) if u.kind.level < 2)


def left_out_choices(user: User) -> list[tuple[int, str]]:
    """The branches and groups the user leads, as the units a new round may leave out."""
    return [(u.id, u.name) for u in manager_units(user) if u.kind.level >= 2]


def current_rubric_choices(user: User) -> list[tuple[int, str]]:
    """The current version of every rubric the user sees, by name."""
    rubrics = db.session.scalars(visible_rubrics(user).where(Rubric.is_current.is_(True)).order_by(Rubric.name))
    return [(r.id, f"{r.name}（{_('version %(n)d', n=r.edition)}）") for r in rubrics]


def rubric_in_use(rubric: Rubric) -> bool:
    """True while a round past its draft scores with this rubric (its points must hold still)."""
    return db.session.scalar(sa.select(ReviewRound.id).where(
        ReviewRound.rubric_id == rubric.id, ReviewRound.state != RoundState.draft.value).limit(1)) is not None


# --- A round's units, pairs and sheets -----------------------------------------------------------

def participating_kinds(root: OrgUnit) -> tuple[UnitKind, ...]:
    """Branches take part in a round over a committee or general branch; a branch's groups otherwise."""
    return (UnitKind.group,) if root.kind is UnitKind.branch else (UnitKind.branch,)


def candidate_units(root: OrgUnit) -> list[OrgUnit]:
    """The active units of `root`'s subtree that take part in a round over it."""
    return list(db.session.scalars(
        sa.select(OrgUnit).where(OrgUnit.path.startswith(root.path), OrgUnit.is_active.is_(True),
                                 OrgUnit.kind.in_(participating_kinds(root))).order_by(OrgUnit.path)
    ))


def participants(round_: ReviewRound) -> list[OrgUnit]:
    """The units taking part in the round (not left out), in tree order."""
    return list(db.session.scalars(
        sa.select(OrgUnit).join(RoundUnit, RoundUnit.unit_id == OrgUnit.id)
        .where(RoundUnit.round_id == round_.id, RoundUnit.is_excluded.is_(False)).order_by(OrgUnit.path)
    ))


def excluded_units(round_: ReviewRound) -> list[OrgUnit]:
    """The units the round leaves out."""
    return list(db.session.scalars(sa.select(OrgUnit).join(RoundUnit, RoundUnit.unit_id == OrgUnit.id).where(
        RoundUnit.round_id == round_.id, RoundUnit.is_excluded.is_(True))))


def round_units(round_: ReviewRound) -> list[RoundUnit]:
    """Every unit of the round's subtree, taking part or left out, in the order they were added."""
    return list(db.session.scalars(sa.select(RoundUnit).where(RoundUnit.round_id == round_.id)
                                   .order_by(RoundUnit.id)))


def is_assigned(round_: ReviewRound) -> bool:
    """Whether the assignment is made: pairs exist, or the round is past its draft."""
    return round_.state is not RoundState.draft or db.session.scalar(
        sa.select(ReviewPair.id).where(ReviewPair.round_id == round_.id).limit(1)) is not None


def pairs_of(round_: ReviewRound) -> list[ReviewPair]:
    """The round's pairs, by reviewer and reviewee."""
    return list(db.session.scalars(
        sa.select(ReviewPair).where(ReviewPair.round_id == round_.id).order_by(ReviewPair.reviewer_id,
                                                                                ReviewPair.reviewee_id)
    ))


def previous_pairs(round_: ReviewRound) -> list[set[tuple[int, int]]]:
    """The pairs of the same unit's previous peer rounds (most recent first, at most PREVIOUS_ROUNDS).

    Leader-mode rounds are no peer history: there the higher unit's team reviewed everyone.
    """
    earlier = db.session.scalars(
        sa.select(ReviewRound.id).where(
            ReviewRound.unit_id == round_.unit_id, ReviewRound.id != round_.id,
            ReviewRound.mode == RoundMode.peer,
            sa.or_(ReviewRound.year < round_.year,
                   sa.and_(ReviewRound.year == round_.year, ReviewRound.quarter < round_.quarter),
                   sa.and_(ReviewRound.year == round_.year, ReviewRound.quarter == round_.quarter,
                           ReviewRound.id < round_.id)))
        .order_by(ReviewRound.year.desc(), ReviewRound.quarter.desc(), ReviewRound.id.desc())
        .limit(PREVIOUS_ROUNDS)
    ).all()
    rows = db.session.execute(sa.select(ReviewPair.round_id, ReviewPair.reviewer_id, ReviewPair.reviewee_id)
                              .where(ReviewPair.round_id.in_(earlier))).all() if earlier else []
    by_round: dict[int, set[tuple[int, int]]] = {rid: set() for rid in earlier}
    for rid, a, b in rows:
        by_round[rid].add((a, b))
    return [by_round[rid] for rid in earlier]


def pair_warnings(round_: ReviewRound, pairs: list[ReviewPair] | None = None) -> dict[int, list[Reason]]:
    """Per pair id, what the assignment could not avoid (reciprocal or repeated pairs), and loads
    an override left unbalanced (a unit reviewing, or reviewed by, other than k units)."""
    pairs = pairs if pairs is not None else pairs_of(round_)
    if round_.mode is RoundMode.leader:
        return {}
    paths = {u.id: u.path for u in participants(round_)}
    current = {(p.reviewer_id, p.reviewee_id) for p in pairs}
    previous = previous_pairs(round_)
    reviews: dict[int, int] = defaultdict(int)
    reviewed: dict[int, int] = defaultdict(int)
    for a, b in current:
        reviews[a] += 1
        reviewed[b] += 1
    k = round_.k
    warnings = {}
    for p in pairs:
        others = current - {(p.reviewer_id, p.reviewee_id)}
        reasons = assignment.validate_pair(p.reviewer_id, p.reviewee_id, paths, others, previous)
        if reviews[p.reviewer_id] != k:
            reasons.append(Reason(N_("%(a)s reviews %(count)s units instead of %(k)s."),
                                  {"a": p.reviewer_id, "count": reviews[p.reviewer_id], "k": k}, code="unbalanced"))
        if reviewed[p.reviewee_id] != k:
            reasons.append(Reason(N_("%(a)s is reviewed by %(count)s units instead of %(k)s."),
                                  {"a": p.reviewee_id, "count": reviewed[p.reviewee_id], "k": k}, code="unbalanced"))
        if reasons:
            warnings[p.id] = reasons
    return warnings


def load_warnings(round_: ReviewRound, pairs: list[ReviewPair] | None = None) -> list[Reason]:
    """Units whose load is not k (after an override), including a unit left with no pair at all."""
    if round_.mode is RoundMode.leader:
        return []
    pairs = pairs if pairs is not None else pairs_of(round_)
    if not pairs:
        return []
    reviews: dict[int, int] = defaultdict(int)
    reviewed: dict[int, int] = defaultdict(int)
    for p in pairs:
        reviews[p.reviewer_id] += 1
        reviewed[p.reviewee_id] += 1
    found = []
    for unit in participants(round_):
        if reviews[unit.id] != round_.k:
            found.append(Reason(N_("%(a)s reviews %(count)s units instead of %(k)s."),
                                {"a": unit.id, "count": reviews[unit.id], "k": round_.k}, code="unbalanced"))
        if reviewed[unit.id] != round_.k:
            found.append(Reason(N_("%(a)s is reviewed by %(count)s units instead of %(k)s."),
                                {"a": unit.id, "count": reviewed[unit.id], "k": round_.k}, code="unbalanced"))
    return found


def sheets_of(round_: ReviewRound) -> list[Scoresheet]:
    """The round's review sheets, then its self-assessments."""
    return list(db.session.scalars(sa.select(Scoresheet).where(Scoresheet.round_id == round_.id)
                                   .order_by(Scoresheet.pair_id.is_(None), Scoresheet.id)))


def sheet_name(sheet: Scoresheet) -> str:
    """How a sheet reads in the timeline and the guard's reasons: "一支部 → 二支部"."""
    return f"{sheet.reviewer_unit.name} → {sheet.reviewee_unit.name}"


def round_facts(round_: ReviewRound) -> RoundFacts:
    sheets = db.session.scalars(
        sa.select(Scoresheet).where(Scoresheet.round_id == round_.id, Scoresheet.pair_id.is_not(None),
                                    Scoresheet.submitted_at.is_(None), Scoresheet.excluded_reason.is_(None))
        .order_by(Scoresheet.id)
    ).all()
    pending = db.session.scalars(
        sa.select(Appeal).where(Appeal.round_id == round_.id, Appeal.status == AppealStatus.pending)
    ).all()
    return RoundFacts(
        state=round_.state, has_self_assessment=round_.has_self_assessment,
        units=len(participants(round_)),
        pairs=db.session.scalar(sa.select(sa.func.count()).where(ReviewPair.round_id == round_.id)) or 0,
        unsubmitted=[sheet_name(s) for s in sheets],
        pending_appeals=[f"{a.score.sheet.reviewee_unit.name} · {a.score.item.title}" for a in pending],
        has_rectification_due=round_.rectification_due is not None,
        undecided_vetoes=[f"{v.unit.name} · {v.item.title}（{v.marked}/{v.counted}）"
                          for v in veto_marks(round_) if v.is_pending],
    )


# --- Vetoes (一票否决) -----------------------------------------------------------------------------

@dataclass
class VetoMarks:
    """How the counted reviewers marked one veto item of one unit, and the leader's decision."""

    unit: OrgUnit
    item: RubricItem
    marks: list[bool] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    decision: VetoDecision | None = None

    @property
    def marked(self) -> int:
        return sum(1 for m in self.marks if m)

    @property
    def counted(self) -> int:
        return len(self.marks)

    @property
    def applies(self) -> bool:
        return scoring.veto_applies(self.marks, self.decision.is_applied if self.decision else None)

    @property
    def is_pending(self) -> bool:
        """Split between the reviewers and not decided: it blocks publication."""
        return self.decision is None and scoring.split_veto(self.marks)


def veto_decisions(round_: ReviewRound) -> dict[tuple[int, int], VetoDecision]:
    """The round's decisions by (unit id, veto item id)."""
    return {(d.unit_id, d.item_id): d for d in db.session.scalars(
        sa.select(VetoDecision).where(VetoDecision.round_id == round_.id))}


def veto_marks(round_: ReviewRound, unit_id: int | None = None) -> list[VetoMarks]:
    """Every veto item at least one counted reviewer marked, or a leader decided, by unit."""
    vetoes = {i.id: i for i in round_.rubric.indicators if i.kind is ItemKind.veto}
    if not vetoes:
        return []
    # Every counted sheet gives each veto item a mark: a sheet that never ticked it says "no".
    stmt = (sa.select(Scoresheet.id, Scoresheet.reviewee_unit_id, Score.item_id, Score.is_veto, Score.note)
            .outerjoin(Score, sa.and_(Score.sheet_id == Scoresheet.id, Score.item_id.in_(vetoes)))
            .where(Scoresheet.round_id == round_.id, Scoresheet.pair_id.is_not(None),
                   Scoresheet.submitted_at.is_not(None), Scoresheet.excluded_reason.is_(None))
            .order_by(Scoresheet.id))
    if unit_id is not None:
        stmt = stmt.where(Scoresheet.reviewee_unit_id == unit_id)
    sheets: dict[int, int] = {}
    given: dict[tuple[int, int], tuple[bool, str | None]] = {}
    for sheet_id, unit, item_id, is_veto, note in db.session.execute(stmt):
        sheets[sheet_id] = unit
        if item_id is not None:
            given[(sheet_id, item_id)] = (bool(is_veto), note)
    by_unit: dict[int, list[int]] = defaultdict(list)
    for sheet_id, unit in sheets.items():
        by_unit[unit].append(sheet_id)
    decisions = veto_decisions(round_)
    found = []
    for unit, sheet_ids in by_unit.items():
        for item_id, item in vetoes.items():
            marks = [given.get((sheet_id, item_id), (False, None)) for sheet_id in sheet_ids]
            decision = decisions.get((unit, item_id))
            if decision is None and not any(mark for mark, _ in marks):
                continue
            found.append(VetoMarks(db.session.get(OrgUnit, unit), item, [mark for mark, _ in marks],
                                   [note for mark, note in marks if mark and note], decision))
    return sorted(found, key=lambda v: (v.unit.path, v.item.position, v.item.id))


# --- Sheets, deductions and appeals --------------------------------------------------------------

def sheet_problems(sheet: Scoresheet) -> list[Reason]:
    """What keeps a sheet from being submitted: indicators unscored, deductions without notes."""
    problems = []
    for item in sheet.round.rubric.indicators:
        score = sheet.score_for(item.id)
        if item.kind is ItemKind.veto:
            continue
        if score is None or score.points is None:
            problems.append(Reason(N_("%(item)s is not scored."), {"item": item.title}, code="unscored"))
        elif item.kind is ItemKind.normal and score.points < item.points and not score.note:
            problems.append(Reason(N_("%(item)s: points were deducted without a note."), {"item": item.title},
                                   code="note_required"))
    return problems


def is_deduction(score: Score) -> bool:
    """A triggered veto, or a regular indicator scored below its points."""
    if score.item.kind is ItemKind.veto:
        return score.is_veto
    return score.item.kind is ItemKind.normal and score.points is not None and score.points < score.item.points


def self_sheet_of(round_: ReviewRound, unit: OrgUnit) -> Scoresheet | None:
    """The unit's self-assessment in the round, if it has one."""
    return db.session.scalars(sa.select(Scoresheet).where(
        Scoresheet.round_id == round_.id, Scoresheet.reviewee_unit_id == unit.id,
        Scoresheet.pair_id.is_(None))).first()


def submitted_self_sheet(sheet: Scoresheet) -> Scoresheet | None:
    """The reviewed unit's submitted self-assessment, shown beside a review sheet (a draft stays the
    unit's own until it submits it)."""
    if sheet.is_self or not sheet.round.has_self_assessment:
        return None
    own = self_sheet_of(sheet.round, sheet.reviewee_unit)
    return own if own is not None and own.is_locked else None


def unit_deductions(round_: ReviewRound, unit: OrgUnit) -> list[tuple[int, Scoresheet, Score]]:
    """A unit's deductions in the counted sheets, as (reviewer team number, sheet, score), and the
    scores that were appealed even when the answer restored full points (the answer stays shown).
    """
    sheets = db.session.scalars(sa.select(Scoresheet).where(
        Scoresheet.round_id == round_.id, Scoresheet.reviewee_unit_id == unit.id,
        Scoresheet.submitted_at.is_not(None), Scoresheet.excluded_reason.is_(None),
        Scoresheet.pair_id.is_not(None)).order_by(Scoresheet.id)).all()
    appealed = set(db.session.scalars(sa.select(Appeal.score_id).where(Appeal.round_id == round_.id,
                                                                     Appeal.unit_id == unit.id)))
    return [(index, sheet, score) for index, sheet in enumerate(sheets, start=1) for score in sheet.scores
            if is_deduction(score) or score.id in appealed]


def appeals_of(round_: ReviewRound, unit: OrgUnit) -> dict[int, Appeal]:
    """The unit's appeals in the round, by the score they contest."""
    return {a.score_id: a for a in db.session.scalars(
        sa.select(Appeal).where(Appeal.round_id == round_.id, Appeal.unit_id == unit.id))}


def sheets_to_fill(user: User) -> list[Scoresheet]:
    """Sheets the user's own units still have to fill in rounds that are open for scoring (the
    home page's widget)."""
    units = {m.unit_id for m in user.memberships}
    if not units:
        return []
    sheets = db.session.scalars(
        sa.select(Scoresheet).join(ReviewRound, ReviewRound.id == Scoresheet.round_id)
        .where(Scoresheet.reviewer_unit_id.in_(units), Scoresheet.submitted_at.is_(None),
               Scoresheet.excluded_reason.is_(None),
               ReviewRound.state.in_([RoundState.self_assessment.value, RoundState.reviewing.value]))
        .order_by(ReviewRound.id, Scoresheet.id).limit(20)).all()
    return [s for s in sheets if can_edit_sheet(user, s)]


def sheets_opening(round_: ReviewRound, state: RoundState) -> list[Scoresheet]:
    """The sheets a round entering `state` opens for scoring: the self-assessments on entering
    自评, the reviewers' sheets on entering 互评 (left-out sheets neither)."""
    stmt = sa.select(Scoresheet).where(Scoresheet.round_id == round_.id, Scoresheet.excluded_reason.is_(None),
                                       Scoresheet.submitted_at.is_(None))
    is_self = Scoresheet.reviewer_unit_id == Scoresheet.reviewee_unit_id
    if state is RoundState.self_assessment:
        stmt = stmt.where(is_self)
    elif state is RoundState.reviewing:
        stmt = stmt.where(sa.not_(is_self))
    else:
        return []
    return list(db.session.scalars(stmt.order_by(Scoresheet.id)))


def sheet_names(ids: set[int]) -> dict[int, str]:
    """{id: "round: 一支部 → 二支部"} of the sheets among `ids` (how a notice names them)."""
    if not ids:
        return {}
    sheets = db.session.scalars(sa.select(Scoresheet).where(Scoresheet.id.in_(ids)))
    return {s.id: f"{s.round.name}：{sheet_name(s)}" for s in sheets}


def my_work(user: User, today: date) -> list[WorkItem]:
    """The review rounds' part of `user`'s work: the scoresheets her units' teams still fill, and the
    appeals waiting for an answer in the rounds she runs."""
    rows: list[WorkItem] = []
    for s in sheets_to_fill(user):
        due = s.round.self_assessment_due if s.is_self else s.round.review_due
        rows.append(WorkItem(_l("Scoresheet to fill"), f"{s.round.name}：{sheet_name(s)}", "reviews.sheet",
                             {"sheet_id": s.id}, _l("Score"), due, due_light(due, today).value, s.reviewee_unit.name))
    leads = units_in_scope(user, Role.leader, Role.admin)
    pending = sa.select(Appeal, ReviewRound).join(ReviewRound, ReviewRound.id == Appeal.round_id).where(
        Appeal.status == AppealStatus.pending, ReviewRound.state == RoundState.appeal.value,
        ReviewRound.unit_id.in_(leads))
    for appeal, round_ in db.session.execute(pending.order_by(Appeal.id).limit(50)):
        unit = db.session.get(OrgUnit, appeal.unit_id)
        rows.append(WorkItem(_l("Appeal to answer"), f"{round_.name}：{unit.name}", "reviews.unit_report",
                             {"round_id": round_.id, "unit_id": unit.id}, _l("Answer"), round_.appeal_due,
                             due_light(round_.appeal_due, today).value, appeal.reason[:60]))
    return rows
