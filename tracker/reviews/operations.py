"""Review rounds: rubrics, rounds, assignment, scoresheets, appeals and publication (通报).

Every function takes the acting user, checks the rules, writes the activity record and only
flushes; the caller commits.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa

from ..audit import changes, record_activity
from ..extensions import db
from ..models import (
    Appeal, AppealStatus, ItemKind, LedgerLink, Membership, Method, OrgUnit, Post, ReviewPair, ReviewRound, Role,
    RoundMode, RoundResult, RoundUnit, Rubric, RubricItem, Score, Scoresheet, UnitKind, User, VetoDecision, utcnow,
)
from ..domain_errors import N_, DomainError, NotAllowed, Reason, StaleEdit, refuse
from . import assignment as pairing
from . import scoring
from .policy import can_manage_round
from .workflow import (
    VETO_STATES, RoundFacts, RoundState, can_appeal, can_score, deadline_problems, ensure_transition, is_editable,
)

HALF = Decimal("0.5")
#: How many earlier rounds' pairs the assignment avoids repeating.
PREVIOUS_ROUNDS = 4
SHEET_TEXT_FIELDS = ("team", "highlights", "observations")




class FieldErrors(DomainError):
    """Input refused field by field (422): `errors` maps a field name to its reasons."""

    status = 422

    def __init__(self, errors: Mapping[str, list[Reason]]):
        self.errors = dict(errors)
        super().__init__(*(r for reasons in self.errors.values() for r in reasons))


# --- Rubrics -------------------------------------------------------------------------------------

def create_rubric(actor: User | None, unit: OrgUnit, name: str, *, bonus_cap: Decimal = Decimal(0),
                  grades: scoring.GradeScale | None = None) -> Rubric:
    """A new, empty rubric (first edition) kept by `unit`, graded by `grades` (default 90/80/60)."""
    grades = grades or scoring.GradeScale()
    rubric = Rubric(unit_id=unit.id, name=name.strip(), bonus_cap=bonus_cap, edition=1,
                    grade_excellent=grades.excellent, grade_good=grades.good, grade_fair=grades.fair)
    rubric.unit = unit
    db.session.add(rubric)
    db.session.flush()
    rubric.family_id = rubric.id
    record_activity(actor, rubric, "created", after={"name": rubric.name})
    db.session.flush()
    return rubric


def rubric_in_use(rubric: Rubric) -> bool:
    """True while a round past its draft scores with this rubric (its points must hold still)."""
    return db.session.scalar(sa.select(ReviewRound.id).where(
        ReviewRound.rubric_id == rubric.id, ReviewRound.state != RoundState.draft.value).limit(1)) is not None


def _ensure_editable(rubric: Rubric) -> None:
    if rubric.is_frozen:
        raise refuse(N_("This rubric was used by a published round and is frozen; "
                         "make a new version to change it."), "frozen", status=409)
    if rubric_in_use(rubric):
        raise refuse(N_("A round under way scores with this rubric; make a new version to change it."),
                      "in_use", status=409)


GRADE_FIELDS = ("grade_excellent", "grade_good", "grade_fair")


def grade_problems(excellent: Decimal | None, good: Decimal | None, fair: Decimal | None) -> dict[str, list[Reason]]:
    """Per threshold field, why the grade thresholds are refused: each is 0 … 1000 in steps of
    0.5, and 好 ≥ 较好 ≥ 一般."""
    problems: dict[str, list[Reason]] = defaultdict(list)
    values = dict(zip(GRADE_FIELDS, (excellent, good, fair)))
    for name, value in values.items():
        if value is None or value < 0 or value > 1000 or value % HALF:
            problems[name].append(Reason(N_("Points are 0 or more, in steps of 0.5."), code="points"))
    if not problems:
        if good > excellent:
            problems["grade_good"].append(Reason(N_("The threshold of 较好 cannot be above the threshold of 好 "
                                                    "(%(n)s)."), {"n": _plain(excellent)}, code="grade_order"))
        if fair > good:
            problems["grade_fair"].append(Reason(N_("The threshold of 一般 cannot be above the threshold of 较好 "
                                                    "(%(n)s)."), {"n": _plain(good)}, code="grade_order"))
    return dict(problems)


def update_rubric(actor: User, rubric: Rubric, *, version: int, name: str, bonus_cap: Decimal,
                  grade_excellent: Decimal | None = None, grade_good: Decimal | None = None,
                  grade_fair: Decimal | None = None) -> Rubric:
    """Rename the rubric, change its bonus cap or its grade thresholds (not once frozen).

    Thresholds left None keep their value. Raises FieldErrors (422) for thresholds out of order
    (好 ≥ 较好 ≥ 一般), StaleEdit for an old `version`.
    """
    _ensure_editable(rubric)
    if version != rubric.version:
        raise StaleEdit(rubric)
    grades = {"grade_excellent": rubric.grade_excellent if grade_excellent is None else grade_excellent,
              "grade_good": rubric.grade_good if grade_good is None else grade_good,
              "grade_fair": rubric.grade_fair if grade_fair is None else grade_fair}
    problems = grade_problems(*grades.values())
    if problems:
        raise FieldErrors(problems)
    values = {"name": name.strip(), "bonus_cap": bonus_cap, **grades}
    before, after = changes(rubric, values)
    for field_name, value in values.items():
        setattr(rubric, field_name, value)
    if after:
        record_activity(actor, rubric, "updated", before=before, after=after)
    db.session.flush()
    return rubric


def _check_points(points: Decimal | None) -> Decimal:
    if points is None or points < 0 or points % HALF:
        raise refuse(N_("Points are 0 or more, in steps of 0.5."), "points", status=422)
    return points


def add_rubric_item(actor: User | None, rubric: Rubric, *, title: str, points: Decimal,
                    parent: RubricItem | None = None, rule: str | None = None, method: Method | None = None,
                    kind: ItemKind = ItemKind.normal) -> RubricItem:
    """Add a category (no parent) or an indicator under a category, at the end."""
    _ensure_editable(rubric)
    if parent is not None and (parent.rubric_id != rubric.id or not parent.is_category):
        raise refuse(N_("Indicators sit under a category of the same rubric."), "parent", status=422)
    siblings = [i for i in rubric.items if i.parent_id == (parent.id if parent else None)]
    item = RubricItem(rubric=rubric, parent=parent, title=title.strip(), points=_check_points(points),
                      rule=(rule or "").strip() or None, method=method,
                      kind=kind if parent is not None else ItemKind.normal,
                      position=max((s.position for s in siblings), default=-1) + 1)
    db.session.add(item)
    db.session.flush()
    record_activity(actor, rubric, "item_added", after={"item": item.title, "points": str(item.points)},
                    unit_id=rubric.unit_id)
    return item


def update_rubric_item(actor: User, item: RubricItem, *, title: str, points: Decimal, rule: str | None,
                       method: Method | None, kind: ItemKind) -> RubricItem:
    _ensure_editable(item.rubric)
    values = {"title": title.strip(), "points": _check_points(points), "rule": (rule or "").strip() or None,
              "method": method, "kind": kind if not item.is_category else ItemKind.normal}
    before, after = changes(item, values)
    for name, value in values.items():
        setattr(item, name, value)
    if after:
        record_activity(actor, item.rubric, "item_updated", before=before, after=after,
                        note=item.title, unit_id=item.rubric.unit_id)
    db.session.flush()
    return item


def delete_rubric_item(actor: User, item: RubricItem) -> None:
    """Remove an indicator, or a category with its indicators, while nothing scored them."""
    rubric = item.rubric
    _ensure_editable(rubric)
    ids = [item.id] + [c.id for c in item.children]
    if db.session.scalar(sa.select(Score.id).where(Score.item_id.in_(ids)).limit(1)) is not None:
        raise refuse(N_("Scores were already given on this item; make a new version instead."), "scored", status=409)
    for child in list(item.children):
        rubric.items.remove(child)
        db.session.delete(child)
    rubric.items.remove(item)
    db.session.delete(item)
    record_activity(actor, rubric, "item_removed", before={"item": item.title}, unit_id=rubric.unit_id)
    db.session.flush()


def new_rubric_edition(actor: User, rubric: Rubric) -> Rubric:
    """Copy `rubric` into the next edition (editable); the copied one stops being current."""
    latest = db.session.scalar(sa.select(sa.func.max(Rubric.edition)).where(Rubric.family_id == rubric.family_id))
    copy = Rubric(unit_id=rubric.unit_id, name=rubric.name, family_id=rubric.family_id, edition=(latest or 0) + 1,
                  bonus_cap=rubric.bonus_cap, grade_excellent=rubric.grade_excellent, grade_good=rubric.grade_good,
                  grade_fair=rubric.grade_fair)
    copy.unit = rubric.unit
    db.session.add(copy)
    for category in rubric.categories:
        new_category = RubricItem(rubric=copy, title=category.title, points=category.points, rule=category.rule,
                                  method=category.method, kind=category.kind, position=category.position)
        db.session.add(new_category)
        for child in category.children:
            db.session.add(RubricItem(rubric=copy, parent=new_category, title=child.title, points=child.points,
                                      rule=child.rule, method=child.method, kind=child.kind, position=child.position))
    db.session.execute(sa.update(Rubric).where(Rubric.family_id == rubric.family_id, Rubric.id != copy.id)
                       .values(is_current=False).execution_options(synchronize_session=False))
    db.session.flush()
    db.session.expire(rubric, ["is_current"])
    db.session.expire(copy, ["items"])
    record_activity(actor, copy, "created", before={"edition": rubric.edition},
                    after={"name": copy.name, "edition": copy.edition})
    db.session.flush()
    return copy


def freeze_rubric(rubric: Rubric) -> None:
    if rubric.frozen_at is None:
        rubric.frozen_at = utcnow()


# --- Rounds --------------------------------------------------------------------------------------

def participating_kinds(root: OrgUnit) -> tuple[UnitKind, ...]:
    """Branches take part in a round over a committee or general branch; a branch's groups otherwise."""
    return (UnitKind.group,) if root.kind is UnitKind.branch else (UnitKind.branch,)


def create_round(actor: User, *, name: str, year: int, quarter: int, rubric: Rubric, unit: OrgUnit,
                 root: OrgUnit | None = None, excluded: Iterable[int] = (), mode: RoundMode = RoundMode.peer,
                 k: int = 2, has_self_assessment: bool = False, self_assessment_due: date | None = None,
                 review_due: date | None = None, appeal_due: date | None = None,
                 rectification_due: date | None = None, seed: int | None = None) -> ReviewRound:
    """A draft round run by `unit` over the active branches of `root`'s subtree (default `unit`'s).

    `excluded` unit ids are recorded as excluded. Raises FieldErrors (422, by form field) when
    the rubric has no indicator, `root` lies outside `unit`'s subtree, the deadlines are out of
    order (自评 ≤ 互评 ≤ 申诉 ≤ 整改), fewer than two units would take part, or (peer mode) `k`
    exceeds the reviewers the participants can give each unit.
    """
    root = root or unit
    if mode is RoundMode.leader:
        k = 1
    errors: dict[str, list[Reason]] = defaultdict(list)
    if not name.strip():
        errors["name"].append(Reason(N_("Give the round a name."), code="name"))
    if not root.is_within(unit):
        errors["unit_id"].append(Reason(N_("The units must lie within the unit running the round."), code="root"))
    if not rubric.indicators:
        errors["rubric_id"].append(Reason(N_("The rubric has no indicators yet."), code="rubric"))
    for field_name, reasons in deadline_problems({
            "self_assessment_due": self_assessment_due if has_self_assessment else None, "review_due": review_due,
            "appeal_due": appeal_due, "rectification_due": rectification_due}).items():
        errors[field_name].extend(reasons)
    excluded = set(excluded)
    candidates = _candidate_units(root)
    if not errors.get("unit_id"):
        for field_name, reasons in _participant_problems(
                [u for u in candidates if u.id not in excluded], k, mode, "excluded" if excluded else "unit_id").items():
            errors[field_name].extend(reasons)
    if errors:
        raise FieldErrors(errors)
    round_ = ReviewRound(name=name.strip(), year=year, quarter=quarter, rubric_id=rubric.id, unit_id=unit.id,
                         mode=mode, k=k, seed=seed if seed is not None else random.randrange(1, 1 << 30),
                         has_self_assessment=has_self_assessment, self_assessment_due=self_assessment_due,
                         review_due=review_due, appeal_due=appeal_due, rectification_due=rectification_due,
                         state=RoundState.draft, created_by_id=actor.id if actor else None)
    round_.unit, round_.rubric = unit, rubric
    db.session.add(round_)
    db.session.flush()
    db.session.add_all(RoundUnit(round_id=round_.id, unit_id=u.id, is_excluded=u.id in excluded)
                       for u in candidates)
    record_activity(actor, round_, "created", after={
        "name": round_.name, "units": len([u for u in candidates if u.id not in excluded])})
    db.session.flush()
    return round_


def _candidate_units(root: OrgUnit) -> list[OrgUnit]:
    """The active units of `root`'s subtree that take part in a round over it."""
    return list(db.session.scalars(
        sa.select(OrgUnit).where(OrgUnit.path.startswith(root.path), OrgUnit.is_active.is_(True),
                                 OrgUnit.kind.in_(participating_kinds(root))).order_by(OrgUnit.path)
    ))


def _participant_problems(units: list[OrgUnit], k: int, mode: RoundMode, field_name: str) -> dict[str, list[Reason]]:
    """Why these units cannot make a round: fewer than two, or (peer mode) fewer reviewers than `k`
    available to some unit (on `k`; the others on `field_name`)."""
    if len(units) < 2:
        return {field_name: [Reason(N_("At least two units must take part; %(n)d would."), {"n": len(units)},
                                    code="too_few_units")]}
    if mode is RoundMode.peer:
        most = pairing.max_reviewers({u.id: u.path for u in units})
        if k > most:
            return {"k": [Reason(N_("With these %(n)d units, each can be reviewed by at most %(max)d others."),
                                 {"n": len(units), "max": most}, code="k_too_large")]}
    return {}


ROUND_FIELDS = ("name", "self_assessment_due", "review_due", "appeal_due", "rectification_due")


def update_round(actor: User, round_: ReviewRound, *, version: int, name: str,
                 self_assessment_due: date | None, review_due: date | None, appeal_due: date | None,
                 rectification_due: date | None, k: int | None = None,
                 excluded: Iterable[int] | None = None) -> ReviewRound:
    """Change a round until it is published: its name and deadlines, and (before the assignment
    is generated) its reviewers per unit `k` and the units left out (`excluded`; None keeps them).

    Raises 409 once published or closed, StaleEdit for an old `version`, and FieldErrors (422,
    by field) for a blank name, deadlines out of order, `k` or units the participants cannot
    carry, or `k` / units changed after the assignment.
    """
    if not is_editable(RoundState(round_.state)):
        raise refuse(N_("A published round can no longer be edited."), "state", status=409)
    if version != round_.version:
        raise StaleEdit(round_)
    errors: dict[str, list[Reason]] = defaultdict(list)
    if not name.strip():
        errors["name"].append(Reason(N_("Give the round a name."), code="name"))
    for field_name, reasons in deadline_problems({
            "self_assessment_due": self_assessment_due if round_.has_self_assessment else None,
            "review_due": review_due, "appeal_due": appeal_due, "rectification_due": rectification_due}).items():
        errors[field_name].extend(reasons)
    rows = db.session.scalars(sa.select(RoundUnit).where(RoundUnit.round_id == round_.id)
                              .order_by(RoundUnit.id)).all()
    was_excluded = {r.unit_id for r in rows if r.is_excluded}
    new_k = round_.k if k is None or round_.mode is RoundMode.leader else k
    new_excluded = was_excluded if excluded is None else set(excluded) & {r.unit_id for r in rows}
    assigned = RoundState(round_.state) is not RoundState.draft or db.session.scalar(
        sa.select(ReviewPair.id).where(ReviewPair.round_id == round_.id).limit(1)) is not None
    if assigned:
        frozen = N_("The assignment is made: the units and reviewers per unit can no longer change.")
        if new_k != round_.k:
            errors["k"].append(Reason(frozen, code="assigned"))
        if new_excluded != was_excluded:
            errors["excluded"].append(Reason(frozen, code="assigned"))
    elif new_k != round_.k or new_excluded != was_excluded:
        units = [r.unit for r in rows if r.unit_id not in new_excluded]
        for field_name, reasons in _participant_problems(units, new_k, round_.mode, "excluded").items():
            errors[field_name].extend(reasons)
    if errors:
        raise FieldErrors(errors)
    values = {"name": name.strip(), "self_assessment_due": self_assessment_due, "review_due": review_due,
              "appeal_due": appeal_due, "rectification_due": rectification_due, "k": new_k}
    before, after = changes(round_, values)
    for field_name, value in values.items():
        setattr(round_, field_name, value)
    if new_excluded != was_excluded:
        for row in rows:
            row.is_excluded = row.unit_id in new_excluded
        before["units"], after["units"] = len(rows) - len(was_excluded), len(rows) - len(new_excluded)
    if after:
        record_activity(actor, round_, "updated", before=before, after=after)
    db.session.flush()
    return round_


def participants(round_: ReviewRound) -> list[OrgUnit]:
    return list(db.session.scalars(
        sa.select(OrgUnit).join(RoundUnit, RoundUnit.unit_id == OrgUnit.id)
        .where(RoundUnit.round_id == round_.id, RoundUnit.is_excluded.is_(False)).order_by(OrgUnit.path)
    ))


def pairs_of(round_: ReviewRound) -> list[ReviewPair]:
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


def generate_assignment(actor: User, round_: ReviewRound) -> pairing.Assignment:
    """(Re)build the round's pairs and blank sheets, in draft only.

    Peer mode uses the pure balanced assignment (avoiding the previous rounds' pairs); leader
    mode has the running unit's team review every unit. Raises 409 outside draft and the
    assignment's own DomainError when no assignment keeps the hard rules.
    """
    if RoundState(round_.state) is not RoundState.draft:
        raise refuse(N_("The assignment can only be generated while the round is a draft."), "state", status=409)
    units = participants(round_)
    if len(units) < 2:
        raise refuse(N_("At least two units must take part."), "too_few_units", status=422)
    if round_.mode is RoundMode.peer:
        result = pairing.assign({u.id: u.path for u in units}, round_.k, previous_pairs(round_), seed=round_.seed)
    else:
        result = pairing.Assignment(tuple((round_.unit_id, u.id) for u in units))
    _clear_assignment(round_)
    pairs = [ReviewPair(round_id=round_.id, reviewer_id=a, reviewee_id=b) for a, b in result.pairs]
    db.session.add_all(pairs)
    db.session.flush()
    db.session.add_all(Scoresheet(round_id=round_.id, pair_id=p.id, reviewer_unit_id=p.reviewer_id,
                                  reviewee_unit_id=p.reviewee_id) for p in pairs)
    if round_.has_self_assessment:
        db.session.add_all(Scoresheet(round_id=round_.id, reviewer_unit_id=u.id, reviewee_unit_id=u.id)
                           for u in units)
    # Counts only: the timeline names no unit ids, and the pairs table shows each problem by name.
    after = {"pairs": len(pairs)}
    if result.problems:
        after["flagged_pairs"] = len(result.flagged_pairs)
    record_activity(actor, round_, "assigned", after=after)
    db.session.flush()
    return result


def _clear_assignment(round_: ReviewRound) -> None:
    sheet_ids = sa.select(Scoresheet.id).where(Scoresheet.round_id == round_.id)
    db.session.execute(sa.delete(Score).where(Score.sheet_id.in_(sheet_ids)))
    db.session.execute(sa.delete(Scoresheet).where(Scoresheet.round_id == round_.id))
    db.session.execute(sa.delete(ReviewPair).where(ReviewPair.round_id == round_.id))
    db.session.expire_all()


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
        reasons = pairing.validate_pair(p.reviewer_id, p.reviewee_id, paths, others, previous)
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


def override_pair(actor: User, pair: ReviewPair, reviewer: OrgUnit, reviewee: OrgUnit, reason: str) -> list[Reason]:
    """A leader replaces one pair; the new pair is re-validated (self or same line refused, 422).

    Only before the pair's sheet has any score. Returns the warnings (reciprocal, repeated,
    unbalanced load), which the leader accepted by overriding.
    """
    round_ = db.session.get(ReviewRound, pair.round_id)
    if RoundState(round_.state) not in (RoundState.draft, RoundState.self_assessment, RoundState.reviewing):
        raise refuse(N_("Pairs can no longer change in this round."), "state", status=409)
    sheet = db.session.scalars(sa.select(Scoresheet).where(Scoresheet.pair_id == pair.id)).first()
    if sheet is not None and (sheet.scores or sheet.is_locked):
        raise refuse(N_("This team has already started scoring; the pair can no longer change."), "scored", status=409)
    if not reason.strip():
        raise refuse(N_("Give the reason for the change."), "reason", status=422)
    paths = {u.id: u.path for u in participants(round_)}
    current = [(p.reviewer_id, p.reviewee_id) for p in pairs_of(round_)]
    try:
        _, warnings = pairing.override_pair(current, (pair.reviewer_id, pair.reviewee_id),
                                            (reviewer.id, reviewee.id), paths, previous_pairs(round_), k=round_.k)
    except DomainError as error:
        raise DomainError(*error.reasons, status=422) from error
    before = {"pair": f"{pair.reviewer.name} → {pair.reviewee.name}"}
    pair.reviewer_id, pair.reviewee_id = reviewer.id, reviewee.id
    pair.reviewer, pair.reviewee = reviewer, reviewee
    pair.is_overridden, pair.override_reason = True, reason.strip()
    if sheet is not None:
        sheet.reviewer_unit_id, sheet.reviewee_unit_id = reviewer.id, reviewee.id
    record_activity(actor, round_, "pair_overridden", before=before,
                    after={"pair": f"{reviewer.name} → {reviewee.name}"}, note=reason.strip())
    db.session.flush()
    return warnings


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
        state=RoundState(round_.state), has_self_assessment=round_.has_self_assessment,
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


def decide_veto(actor: User | None, round_: ReviewRound, unit: OrgUnit, item: RubricItem, *, apply: bool,
                reason: str, appeal: Appeal | None = None) -> VetoDecision:
    """A leader applies (the grade drops to the lowest) or clears a veto marked on `unit`, with a
    reason; the decision overrides the reviewers' marks, and a later one replaces it.

    Only while reviewing or appealing, once every sheet about the unit is submitted or excluded,
    and for a veto item at least one counted reviewer marked. Raises NotAllowed for someone who
    does not run the round, FieldErrors (reason) without a reason, 409 otherwise.
    """
    if actor is not None and not can_manage_round(actor, round_):
        raise NotAllowed(Reason(N_("Only the leaders running the round decide a veto."), code="veto_manager"))
    if RoundState(round_.state) not in VETO_STATES:
        raise refuse(N_("A veto is decided while reviewing or in the appeal window."), "state", status=409)
    if item.rubric_id != round_.rubric_id or item.kind is not ItemKind.veto:
        raise refuse(N_("This is not a veto item of the round's rubric."), "item", status=422)
    waiting = db.session.scalar(sa.select(sa.func.count()).where(
        Scoresheet.round_id == round_.id, Scoresheet.reviewee_unit_id == unit.id, Scoresheet.pair_id.is_not(None),
        Scoresheet.submitted_at.is_(None), Scoresheet.excluded_reason.is_(None)))
    if waiting:
        raise refuse(N_("Wait until every scoresheet about %(unit)s is submitted or left out."), "waiting",
                      unit=unit.name, status=409)
    marks = next((v for v in veto_marks(round_, unit.id) if v.item.id == item.id), None)
    if marks is None or not marks.marked:
        raise refuse(N_("No reviewer marked this veto for %(unit)s."), "not_marked", status=422, unit=unit.name)
    if not (reason or "").strip():
        raise FieldErrors({"reason": [Reason(N_("Give the reason for the decision."), code="reason")]})
    decision = marks.decision
    before = {"decision": "applied" if decision.is_applied else "cleared"} if decision else None
    if decision is None:
        decision = VetoDecision(round_id=round_.id, unit_id=unit.id, item_id=item.id, is_applied=apply,
                                reason=reason.strip())
        db.session.add(decision)
    decision.is_applied, decision.reason = apply, reason.strip()
    decision.appeal_id = appeal.id if appeal is not None else None
    decision.decided_by_id, decision.decided_at = (actor.id if actor else None), utcnow()
    record_activity(actor, round_, "veto_decided", before=before,
                    after={"unit": unit.name, "item": item.title, "decision": "applied" if apply else "cleared"},
                    note=reason.strip())
    db.session.flush()
    return decision


def sheet_name(sheet: Scoresheet) -> str:
    return f"{sheet.reviewer_unit.name} → {sheet.reviewee_unit.name}"


def move_round(actor: User, round_: ReviewRound, to: RoundState, *, version: int | None = None) -> ReviewRound:
    """Move the round to `to` if its guard allows (409 with every reason otherwise).

    Moving to published (again) publishes: see `publish_round`.
    """
    if version is not None and version != round_.version:
        raise StaleEdit(round_)
    to = RoundState(to)
    ensure_transition(round_facts(round_), to)
    if to is RoundState.published:
        return publish_round(actor, round_)
    before = round_.state
    round_.state = to
    record_activity(actor, round_, "state_changed", before={"state": str(before)}, after={"state": to.value})
    db.session.flush()
    return round_


def exclude_sheet(actor: User, sheet: Scoresheet, reason: str) -> Scoresheet:
    """A leader leaves an unsubmitted sheet out of the results, with a reason (e.g. 因公出差未参加)."""
    if sheet.is_locked:
        raise refuse(N_("A submitted scoresheet counts; it cannot be excluded."), "submitted", status=409)
    if not reason.strip():
        raise refuse(N_("Give the reason for the exclusion."), "reason", status=422)
    sheet.excluded_reason, sheet.excluded_by_id = reason.strip(), actor.id
    record_activity(actor, sheet.round, "sheet_excluded", after={"sheet": sheet_name(sheet)}, note=reason.strip(),
                    unit_id=sheet.round.unit_id)
    db.session.flush()
    return sheet


# --- Scoresheets ---------------------------------------------------------------------------------

def _ensure_sheet_editable(sheet: Scoresheet) -> None:
    if sheet.is_excluded:
        raise refuse(N_("This scoresheet was excluded from the round."), "excluded", status=409)
    if sheet.is_locked:
        raise refuse(N_("This scoresheet is submitted and locked."), "locked", status=409)
    if not can_score(RoundState(sheet.round.state), sheet.is_self):
        raise refuse(N_("Scoring is not open in this round now."), "state", status=409)


def parse_points(raw: str | None) -> Decimal | None:
    """Points typed by a person ("8", "8.5", "８.５"); None when blank; raises ValueError."""
    text = (raw or "").strip().translate(str.maketrans("０１２３４５６７８９．", "0123456789."))
    if not text:
        return None
    if not re.fullmatch(r"\d{1,4}(\.\d{1,2})?", text):
        raise ValueError(text)
    try:
        return Decimal(text)
    except InvalidOperation as error:  # pragma: no cover - the pattern already holds
        raise ValueError(text) from error


def check_score(item: RubricItem, raw_points: str | None, note: str | None, veto: bool) -> tuple[Decimal | None, str | None]:
    """Validate one indicator's input; returns (points, note) or raises FieldErrors."""
    note = (note or "").strip() or None
    errors: dict[str, list[Reason]] = defaultdict(list)
    if item.kind is ItemKind.veto:
        if veto and not note:
            errors["note"].append(Reason(N_("Say what triggered the veto."), code="note_required"))
        if errors:
            raise FieldErrors(errors)
        return None, note
    try:
        points = parse_points(raw_points)
    except ValueError:
        points = None
        errors["points"].append(Reason(N_("Enter a number of points such as 8 or 8.5."), code="points_format"))
    else:
        if points is None:
            errors["points"].append(Reason(N_("Enter the points."), code="points_required"))
        elif points > item.points or points % HALF:
            errors["points"].append(Reason(N_("Give 0 to %(max)s points, in steps of 0.5."),
                                           {"max": _plain(item.points)}, code="points_range"))
        elif item.kind is ItemKind.normal and points < item.points and not note:
            errors["note"].append(Reason(N_("Points were deducted: say why (扣分说明)."), code="note_required"))
    if errors:
        raise FieldErrors(errors)
    return points, note


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def save_score(actor: User, sheet: Scoresheet, item: RubricItem, *, points: str | None, note: str | None,
               veto: bool = False) -> Score:
    """Save one indicator of an open sheet (created on first save); FieldErrors on bad input."""
    _ensure_sheet_editable(sheet)
    if item.rubric_id != sheet.round.rubric_id or item.is_category:
        raise refuse(N_("This indicator is not in the round's rubric."), "item", status=422)
    value, note = check_score(item, points, note, veto)
    score = sheet.score_for(item.id)
    if score is None:
        score = Score(sheet=sheet, item_id=item.id, item=item)
        db.session.add(score)
    score.points, score.note, score.is_veto = value, note, bool(veto) if item.kind is ItemKind.veto else False
    db.session.flush()
    return score


def save_sheet_text(actor: User, sheet: Scoresheet, name: str, value: str | None) -> Scoresheet:
    """Save the team, highlights (亮点) or observations of an open sheet."""
    if name not in SHEET_TEXT_FIELDS:
        raise refuse(N_("Unknown field."), "field", status=422)
    _ensure_sheet_editable(sheet)
    value = (value or "").strip() or None
    if name == "team" and value and len(value) > 300:
        raise FieldErrors({name: [Reason(N_("At most %(n)d characters."), {"n": 300}, code="too_long")]})
    if value and len(value) > 5000:
        raise FieldErrors({name: [Reason(N_("At most %(n)d characters."), {"n": 5000}, code="too_long")]})
    setattr(sheet, name, value)
    db.session.flush()
    return sheet


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


def submit_sheet(actor: User, sheet: Scoresheet) -> Scoresheet:
    """Submit and lock a complete sheet (422 listing what is missing)."""
    _ensure_sheet_editable(sheet)
    problems = sheet_problems(sheet)
    if problems:
        raise DomainError(*problems, status=422)
    sheet.submitted_at, sheet.submitted_by_id = utcnow(), actor.id
    record_activity(actor, sheet, "submitted", after={"sheet": sheet_name(sheet)})
    db.session.flush()
    return sheet


# --- Appeals -------------------------------------------------------------------------------------

def is_deduction(score: Score) -> bool:
    if score.item.kind is ItemKind.veto:
        return score.is_veto
    return score.item.kind is ItemKind.normal and score.points is not None and score.points < score.item.points


def file_appeal(actor: User, score: Score, reason: str) -> Appeal:
    """The reviewed unit contests one deduction during the appeal window; one appeal per deduction."""
    sheet = score.sheet
    if not can_appeal(RoundState(sheet.round.state)):
        raise refuse(N_("Appeals are only possible during the appeal window."), "state", status=409)
    if sheet.is_self or not is_deduction(score) or not sheet.is_locked or sheet.is_excluded:
        raise refuse(N_("Only a deduction in a submitted scoresheet can be appealed."), "not_deduction", status=409)
    if db.session.scalar(sa.select(Appeal.id).where(Appeal.score_id == score.id)) is not None:
        raise refuse(N_("This deduction was already appealed."), "duplicate", status=409)
    if not reason.strip():
        raise FieldErrors({"reason": [Reason(N_("Give the reason for the appeal."), code="reason")]})
    appeal = Appeal(round_id=sheet.round_id, score_id=score.id, unit_id=sheet.reviewee_unit_id,
                    reason=reason.strip(), original_points=score.points, filed_by_id=actor.id)
    appeal.score = score
    db.session.add(appeal)
    db.session.flush()
    record_activity(actor, sheet.round, "appeal_filed", after={"unit": sheet.reviewee_unit.name,
                                                               "item": score.item.title},
                    note=appeal.reason, unit_id=sheet.reviewee_unit_id)
    db.session.flush()
    return appeal


def answer_appeal(actor: User, appeal: Appeal, *, adjust: bool, answer: str, points: str | None = None) -> Appeal:
    """A leader upholds the deduction or adjusts its points (0 … the indicator's points).

    On a veto mark, upholding applies the veto and adjusting clears it: the answer decides the
    veto for the unit (see `decide_veto`), whatever the other reviewers marked.
    """
    score = appeal.score
    round_ = score.sheet.round
    if RoundState(round_.state) is not RoundState.appeal:
        raise refuse(N_("Appeals are only answered during the appeal window."), "state", status=409)
    if appeal.status is not AppealStatus.pending:
        raise refuse(N_("This appeal was already answered."), "answered", status=409)
    errors: dict[str, list[Reason]] = defaultdict(list)
    if not answer.strip():
        errors["answer"].append(Reason(N_("Write the answer to the appeal."), code="answer"))
    value = None
    if adjust and score.item.kind is ItemKind.normal:
        try:
            value = parse_points(points)
        except ValueError:
            value = None
        if value is None or value > score.item.points or value % HALF:
            errors["points"].append(Reason(N_("Give 0 to %(max)s points, in steps of 0.5."),
                                           {"max": _plain(score.item.points)}, code="points_range"))
    if errors:
        raise FieldErrors(errors)
    appeal.answer, appeal.answered_by_id, appeal.answered_at = answer.strip(), actor.id, utcnow()
    appeal.status = AppealStatus.adjusted if adjust else AppealStatus.upheld
    if score.item.kind is ItemKind.veto:
        # The reviewer's mark stays as given; the decision says whether the veto counts.
        decide_veto(actor, round_, score.sheet.reviewee_unit, score.item, apply=not adjust, reason=answer,
                    appeal=appeal)
    elif adjust:
        appeal.adjusted_points = value
        score.points = value
    record_activity(actor, round_, "appeal_answered",
                    before={"points": _plain(appeal.original_points) if appeal.original_points is not None else None},
                    after={"points": _plain(score.points) if score.points is not None else None,
                           "status": appeal.status.value},
                    note=appeal.answer)
    db.session.flush()
    return appeal


# --- Aggregation and publication -----------------------------------------------------------------

def scale_of(rubric: Rubric) -> scoring.GradeScale:
    return scoring.GradeScale(rubric.grade_excellent, rubric.grade_good, rubric.grade_fair)


def _indicators(rubric: Rubric) -> list[scoring.Indicator]:
    return [scoring.Indicator(i.id, i.points, scoring.Kind(i.kind.value)) for i in rubric.indicators]


def counted_scores(round_: ReviewRound):
    """Rows (reviewee, reviewer, item, points, veto, note, sheet id) of the sheets that count."""
    return db.session.execute(
        sa.select(Scoresheet.reviewee_unit_id, Scoresheet.reviewer_unit_id, Score.item_id, Score.points,
                  Score.is_veto, Score.note, Scoresheet.id)
        .join(Score, Score.sheet_id == Scoresheet.id)
        .where(Scoresheet.round_id == round_.id, Scoresheet.pair_id.is_not(None),
               Scoresheet.submitted_at.is_not(None), Scoresheet.excluded_reason.is_(None))
        .order_by(Scoresheet.id)
    ).all()


def compute_results(round_: ReviewRound, rows=None) -> list[scoring.UnitResult]:
    """Every participating unit's total, grade and rank from the sheets that count, now."""
    rubric = round_.rubric
    kinds = {i.id: i.kind for i in rubric.indicators}
    scores: dict[int, dict[int, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    sheets: dict[int, dict[int, set[int]]] = defaultdict(dict)  # reviewee -> sheet -> veto items ticked
    for reviewee, _reviewer, item_id, points, veto, _note, sheet in (rows if rows is not None else counted_scores(round_)):
        ticked = sheets[reviewee].setdefault(sheet, set())
        if kinds.get(item_id) is ItemKind.veto:
            if veto:
                ticked.add(item_id)
        elif points is not None:
            scores[reviewee][item_id].append(Decimal(points))
    # Every counted sheet marks each veto item: one it never ticked counts as "not triggered".
    veto_ids = [i for i, kind in kinds.items() if kind is ItemKind.veto]
    vetoes = {reviewee: {item_id: [item_id in ticked for ticked in by_sheet.values()] for item_id in veto_ids}
              for reviewee, by_sheet in sheets.items()}
    decided: dict[int, dict[int, bool]] = defaultdict(dict)
    for (unit_id, item_id), decision in veto_decisions(round_).items():
        if kinds.get(item_id) is ItemKind.veto:
            decided[unit_id][item_id] = decision.is_applied
    units = [scoring.UnitScores(u.id, scores.get(u.id, {}), vetoes.get(u.id, {}), decided.get(u.id, {}))
             for u in participants(round_)]
    return scoring.aggregate(_indicators(rubric), units, scale_of(rubric), rubric.bonus_cap)


@dataclass
class Deduction:
    """A published deduction of one unit on one indicator: what the ledger item is made of."""

    unit_id: int
    item: RubricItem
    points: Decimal | None  #: points deducted (None for a triggered veto)
    notes: list[str] = field(default_factory=list)
    reviewer_ids: list[int] = field(default_factory=list)

    @property
    def problem(self) -> str:
        return "；".join(dict.fromkeys(self.notes))


def deductions_of(round_: ReviewRound, results: list[scoring.UnitResult], rows) -> list[Deduction]:
    """Per unit and normal indicator whose published mean is below full points, or triggered veto."""
    items = {i.id: i for i in round_.rubric.indicators}
    notes: dict[tuple[int, int], list[tuple[int, str]]] = defaultdict(list)
    for reviewee, reviewer, item_id, points, veto, note, _sheet in rows:
        item = items.get(item_id)
        if item is None:
            continue
        deducted = veto if item.kind is ItemKind.veto else (
            item.kind is ItemKind.normal and points is not None and Decimal(points) < item.points)
        if deducted and note:
            notes[(reviewee, item_id)].append((reviewer, note))
    found = []
    for result in results:
        for item_id, mean in result.breakdown.items():
            item = items[item_id]
            if item.kind is ItemKind.normal and mean < item.points:
                given = notes.get((result.unit_id, item_id), [])
                found.append(Deduction(result.unit_id, item, item.points - mean, [n for _, n in given],
                                       [r for r, _ in given]))
        for item_id in result.vetoed_by:
            given = notes.get((result.unit_id, item_id), [])
            found.append(Deduction(result.unit_id, items[item_id], None, [n for _, n in given],
                                   [r for r, _ in given]))
    return found


def publish_round(actor: User, round_: ReviewRound) -> ReviewRound:
    """Publish (or re-publish) the circular: store every unit's result, freeze the rubric and put
    each deduction in the rectification ledger exactly once.

    The guard is checked by `move_round`. Publishing again (after an appeal window) refreshes the
    stored results and reconciles the ledger with the new circular (see `reconcile_ledger`).
    """
    ensure_transition(round_facts(round_), RoundState.published)
    rows = counted_scores(round_)
    results = compute_results(round_, rows)
    existing = {r.unit_id: r for r in db.session.scalars(sa.select(RoundResult).where(RoundResult.round_id == round_.id))}
    full = _full_points(round_.rubric)
    for result in results:
        row = existing.pop(result.unit_id, None)
        values = dict(total=result.total, grade=result.grade.value if result.grade else None, rank=result.rank,
                      bonus=result.bonus, is_vetoed=result.vetoed,
                      breakdown=_stored_breakdown(result, full))
        if row is None:
            db.session.add(RoundResult(round_id=round_.id, unit_id=result.unit_id, **values))
        else:
            for name, value in values.items():
                setattr(row, name, value)
    for stale in existing.values():
        db.session.delete(stale)
    freeze_rubric(round_.rubric)
    again = round_.published_at is not None
    before = round_.state
    round_.state = RoundState.published
    round_.published_at = utcnow()
    db.session.flush()
    counts = reconcile_ledger(actor, round_, deductions_of(round_, results, rows))
    after = {"state": RoundState.published.value, "ledger_items": counts["created"]}
    after.update({f"ledger_{k}": n for k, n in counts.items() if k != "created" and n})
    record_activity(actor, round_, "republished" if again else "published",
                    before=None if before == RoundState.published else {"state": str(before)}, after=after)
    db.session.flush()
    return round_


def secretaries_of(unit_ids: Iterable[int]) -> dict[int, User]:
    """The secretary (书记 first) of each unit, where it has one."""
    rows = db.session.scalars(
        sa.select(Membership).where(Membership.unit_id.in_(set(unit_ids)), Membership.role == Role.secretary)
        .options(sa.orm.joinedload(Membership.user))
        .order_by(Membership.unit_id, (Membership.post == Post.secretary).desc(), Membership.id)
    ).unique().all()
    found: dict[int, User] = {}
    for m in rows:
        found.setdefault(m.unit_id, m.user)
    return found


def ledger_available() -> bool:
    try:
        from ..ledger import operations  # noqa: F401
    except ImportError:
        return False
    return True


#: The reason a re-published circular gives its ledger items (void reason, timeline note, remark).
CORRECTION = "通报更正"


def reconcile_ledger(actor: User | None, round_: ReviewRound, deductions: list[Deduction]) -> dict[str, int]:
    """Make the ledger say what the circular says, each deduction exactly once (key
    review:<round>:<unit>:<item>), however often the round is published.

    A new deduction creates an item (owner the unit's secretary, verifier a reviewing unit's
    secretary, deadline the round's). A deduction whose points or problem changed since the last
    publication updates its item (old → new in its timeline); one no longer listed voids its item
    with the reason 通报更正; a closed item is flagged instead (see the ledger's `correct_item`).
    A deduction back after its item was voided gets a new item. Does nothing while the ledger
    feature is absent. Returns the counts {"created", "updated", "voided", "flagged"}.
    """
    counts = {"created": 0, "updated": 0, "voided": 0, "flagged": 0}
    if not ledger_available():
        return counts
    from ..ledger.operations import correct_item, create_item
    from ..models import ItemStatus, LedgerItem
    from ..models.ledger import ItemSource

    links = {(link.unit_id, link.item_id): link for link in db.session.scalars(
        sa.select(LedgerLink).where(LedgerLink.round_id == round_.id).order_by(LedgerLink.id))}
    items = {i.id: i for i in db.session.scalars(
        sa.select(LedgerItem).where(LedgerItem.id.in_([link.ledger_item_id for link in links.values()])))} \
        if links else {}
    current = {(d.unit_id, d.item.id): d for d in deductions}
    todo = [d for key, d in current.items()
            if key not in links or (links[key].is_withdrawn and items.get(links[key].ledger_item_id) is not None
                                    and items[links[key].ledger_item_id].status is ItemStatus.void)]
    units = {u.id: u for u in db.session.scalars(
        sa.select(OrgUnit).where(OrgUnit.id.in_({d.unit_id for d in todo})))} if todo else {}
    secretaries = secretaries_of({d.unit_id for d in todo} | {r for d in todo for r in d.reviewer_ids}) \
        if todo else {}
    for d in todo:
        verifier = next((secretaries[r] for r in d.reviewer_ids if r in secretaries), None)
        owner = secretaries.get(d.unit_id)
        if verifier is not None and owner is not None and verifier.id == owner.id:
            verifier = None
        link = links.get((d.unit_id, d.item.id))
        key = f"review:{round_.id}:{d.unit_id}:{d.item.id}"
        if link is not None:  # back after its item was voided: a new item, keyed after the void one
            key = f"{key}:after:{link.ledger_item_id}"
        item = create_item(
            actor, unit=units[d.unit_id], problem=d.problem or d.item.title, source=ItemSource.review,
            owner=owner, verifier=verifier, deadline=round_.rectification_due, batch=round_.name,
            category=d.item.parent.title if d.item.parent else None, indicator=d.item.title,
            deduction=d.points, target=d.item.rule, origin_type="review_round", origin_id=round_.id,
            dedupe_key=key,
        )
        if link is None:
            link = LedgerLink(round_id=round_.id, unit_id=d.unit_id, item_id=d.item.id, ledger_item_id=item.id)
            db.session.add(link)
            links[(d.unit_id, d.item.id)] = link
        link.ledger_item_id, link.withdrawn_at = item.id, None
        link.deduction, link.problem = d.points, d.problem or d.item.title
        counts["created"] += 1
    done = {(d.unit_id, d.item.id) for d in todo}
    for key, link in links.items():
        if key in done:
            continue
        item = items.get(link.ledger_item_id)
        d = current.get(key)
        if d is None:
            if link.is_withdrawn:
                continue
            link.withdrawn_at = utcnow()
            outcome = correct_item(actor, item, note=CORRECTION, withdraw=True, deduction=None) if item else ""
        else:
            problem = d.problem or d.item.title
            if not link.is_withdrawn and _same_points(link.deduction, d.points) and link.problem == problem:
                continue
            changed = {"problem": problem, "deduction": d.points}
            link.withdrawn_at, link.deduction, link.problem = None, d.points, problem
            outcome = correct_item(actor, item, note=CORRECTION, **changed) if item else ""
        if outcome:
            counts[outcome] += 1
    db.session.flush()
    return counts


def _same_points(a: Decimal | None, b: Decimal | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and Decimal(a) == Decimal(b))


# --- Import, and what the pages read -------------------------------------------------------------

def import_rubric(actor: User, unit: OrgUnit, name: str, stream) -> Rubric:
    """Create a rubric from a 考评表 workbook (422 listing the bad rows; nothing is created then)."""
    from .xlsx import parse_rubric

    categories, bonus_cap, grades = parse_rubric(stream)
    scale = None
    if grades is not None and not grade_problems(*grades):
        scale = scoring.GradeScale(*grades)
    rubric = create_rubric(actor, unit, name, bonus_cap=bonus_cap, grades=scale)
    for parsed in categories:
        total = parsed.points if parsed.points is not None else sum((i["points"] for i in parsed.indicators), Decimal(0))
        category = add_rubric_item(None, rubric, title=parsed.title, points=total)
        for values in parsed.indicators:
            add_rubric_item(None, rubric, parent=category, **values)
    db.session.flush()
    db.session.refresh(rubric)
    return rubric


def results_table(round_: ReviewRound) -> list[dict]:
    """The ranking, best first: stored results once published, computed from the sheets before."""
    from .workflow import is_public

    if is_public(RoundState(round_.state)):
        rows = db.session.execute(
            sa.select(RoundResult.unit_id, OrgUnit.name, RoundResult.total, RoundResult.grade, RoundResult.rank,
                      RoundResult.bonus, RoundResult.is_vetoed, RoundResult.breakdown)
            .join(OrgUnit, OrgUnit.id == RoundResult.unit_id)
            .where(RoundResult.round_id == round_.id)
            .order_by(RoundResult.rank.is_(None), RoundResult.rank, OrgUnit.path)
        ).all()
        bonus_ids = [str(i.id) for i in round_.rubric.indicators if i.kind is ItemKind.bonus]
        return [{"unit_id": uid, "name": name, "total": total, "grade": grade, "rank": rank, "bonus": bonus,
                 "vetoed": vetoed, "breakdown": breakdown or {}, "veto_pending": (),
                 "bonus_scored": sum((Decimal(breakdown[k]) for k in bonus_ids if k in (breakdown or {})),
                                     Decimal(0))}
                for uid, name, total, grade, rank, bonus, vetoed, breakdown in rows]
    names = {u.id: u.name for u in participants(round_)}
    full = _full_points(round_.rubric)
    return [{"unit_id": r.unit_id, "name": names.get(r.unit_id, ""), "total": r.total,
             "grade": r.grade.value if r.grade else None, "rank": r.rank, "bonus": r.bonus, "vetoed": r.vetoed,
             "breakdown": _stored_breakdown(r, full), "veto_pending": r.veto_pending,
             "bonus_scored": r.bonus_scored} for r in compute_results(round_)]


def _stored_breakdown(result: scoring.UnitResult, full: Mapping[int, Decimal]) -> dict[str, Any]:
    """{indicator id: mean} as strings (exact), plus "deducted": the normal indicators below full
    points, and "veto": the veto items that triggered (so the circular reads its deductions off)."""
    stored: dict[str, Any] = {str(k): str(v) for k, v in result.breakdown.items()}
    stored["deducted"] = [k for k, v in result.breakdown.items() if k in full and v < full[k]]
    if result.vetoed_by:
        stored["veto"] = list(result.vetoed_by)
    return stored


def _full_points(rubric: Rubric) -> dict[int, Decimal]:
    return {i.id: i.points for i in rubric.indicators if i.kind is ItemKind.normal}


def deduction_rows(round_: ReviewRound, table: list[dict], unit_id: int | None = None,
                   notes_for: int | None = None) -> list[dict]:
    """Deductions as the circular lists them: unit, indicator, points deducted (full points minus
    the published mean, or a triggered veto) and the reviewers' notes.

    Read off the ranking's breakdown; the notes are fetched for the first `notes_for` deductions
    only (all when None), so a page listing a few hundred of thousands stays fast.
    """
    items = round_.rubric.indicators
    normal = {i.id: i for i in items if i.kind is ItemKind.normal}
    vetoes = {i.id: i for i in items if i.kind is ItemKind.veto}
    rows = []
    for result in table:
        if result["total"] is None or (unit_id is not None and result["unit_id"] != unit_id):
            continue
        breakdown = result["breakdown"]
        for item_id in breakdown.get("deducted", ()):
            item = normal.get(item_id)
            if item is not None:
                rows.append({"unit_id": result["unit_id"], "unit": result["name"], "item_id": item.id,
                             "item": item.title, "category": item.parent.title if item.parent else "",
                             "points": item.points - Decimal(breakdown[str(item_id)]), "problem": "",
                             "veto": False})
        if result["vetoed"]:
            for item in (vetoes[i] for i in breakdown.get("veto", []) if i in vetoes):
                rows.append({"unit_id": result["unit_id"], "unit": result["name"], "item_id": item.id,
                             "item": item.title, "category": item.parent.title if item.parent else "",
                             "points": None, "problem": "", "veto": True})
    wanted = rows if notes_for is None else rows[:notes_for]
    if wanted:
        units = {r["unit_id"] for r in wanted}
        stmt = (
            sa.select(Scoresheet.reviewee_unit_id, Score.item_id, Score.note)
            .join(Score, Score.sheet_id == Scoresheet.id).join(RubricItem, RubricItem.id == Score.item_id)
            .where(Scoresheet.round_id == round_.id, Scoresheet.pair_id.is_not(None),
                   Scoresheet.submitted_at.is_not(None), Scoresheet.excluded_reason.is_(None),
                   Score.note.is_not(None),
                   sa.or_(sa.and_(RubricItem.kind == ItemKind.normal, Score.points < RubricItem.points),
                          Score.is_veto.is_(True)))
            .order_by(Scoresheet.id)
        )
        if len(units) <= 500:
            stmt = stmt.where(Scoresheet.reviewee_unit_id.in_(units))
        notes: dict[tuple[int, int], list[str]] = defaultdict(list)
        for unit, item_id, note in db.session.execute(stmt):
            if note not in notes[(unit, item_id)]:
                notes[(unit, item_id)].append(note)
        for row in wanted:
            found = notes.get((row["unit_id"], row["item_id"]), [])
            row["problem"] = "；".join(found)
    return rows


def highlight_rows(round_: ReviewRound, limit: int | None = None) -> list[dict]:
    stmt = (sa.select(OrgUnit.name, Scoresheet.highlights).join(OrgUnit, OrgUnit.id == Scoresheet.reviewee_unit_id)
            .where(Scoresheet.round_id == round_.id, Scoresheet.pair_id.is_not(None),
                   Scoresheet.submitted_at.is_not(None), Scoresheet.excluded_reason.is_(None),
                   Scoresheet.highlights.is_not(None))
            .order_by(OrgUnit.path, Scoresheet.id))
    if limit:
        stmt = stmt.limit(limit)
    return [{"unit": name, "text": text} for name, text in db.session.execute(stmt)]


def unit_history(unit: OrgUnit, limit: int = 12) -> list[dict]:
    """The unit's published results, oldest first (for its trend line)."""
    rows = db.session.execute(
        sa.select(RoundResult, ReviewRound).join(ReviewRound, ReviewRound.id == RoundResult.round_id)
        .where(RoundResult.unit_id == unit.id, RoundResult.total.is_not(None),
               ReviewRound.state.in_([RoundState.published.value, RoundState.closed.value]))
        .order_by(ReviewRound.year.desc(), ReviewRound.quarter.desc(), ReviewRound.id.desc()).limit(limit)
    ).all()
    return [{"round": rnd, "total": r.total, "grade": r.grade, "rank": r.rank} for r, rnd in reversed(rows)]


def combined_totals(history: list[dict], weights: Mapping[int, Decimal | int]) -> list[dict]:
    """Half-year and annual scores per year: rounds combined by their quarter's weight; two rounds
    in one quarter both count, as their mean."""
    years: dict[int, dict[int, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    for h in history:
        years[h["round"].year][h["round"].quarter].append(h["total"])
    out = []
    for year in sorted(years):
        totals = {q: scoring.mean_total(values) for q, values in years[year].items()}

        def combine(quarters):
            return scoring.combine_rounds([totals.get(q) for q in quarters], [weights.get(q, 1) for q in quarters])

        out.append({"year": year, "first_half": combine((1, 2)), "second_half": combine((3, 4)),
                    "annual": combine((1, 2, 3, 4))})
    return out
