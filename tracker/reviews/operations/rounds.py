"""Writing review rounds: a new round and its settings, the assignment of reviewers and a leader's
change to one pair."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa

from ...audit import changes, record_activity
from ...domain_errors import N_, DomainError, Reason, StaleEdit, refuse
from ...extensions import db
from ...models import OrgUnit, ReviewPair, ReviewRound, RoundMode, RoundUnit, Rubric, Score, Scoresheet, User
from .. import assignment
from ..policy import can_create_round, can_manage_round
from ..queries import candidate_units, is_assigned, pairs_of, participants, previous_pairs, round_units
from ..workflow import RoundState, deadline_problems, is_editable
from .checks import FieldErrors, ensure_allowed


def ensure_manager(actor: User | None, round_: ReviewRound) -> None:
    """Only the leaders running the round change it; `actor` None is the system (the demo)."""
    ensure_allowed(actor is None or can_manage_round(actor, round_), "round_manager")


def create_round(actor: User, *, name: str, year: int, quarter: int, rubric: Rubric, unit: OrgUnit,
                 root: OrgUnit | None = None, excluded: Iterable[int] = (), mode: RoundMode = RoundMode.peer,
                 k: int = 2, has_self_assessment: bool = False, self_assessment_due: date | None = None,
                 review_due: date | None = None, appeal_due: date | None = None,
                 rectification_due: date | None = None, seed: int | None = None) -> ReviewRound:
    """A draft round run by `unit` over the active branches of `root`'s subtree (default `unit`'s).

    `excluded` unit ids are recorded as excluded. Raises FieldErrors (422, by form field) when
    the rubric has no indicator, `root` lies outside `unit`'s subtree, the deadlines are out of
    order (自评 ≤ 互评 ≤ 申诉 ≤ 整改), fewer than two units would take part, or (peer mode) `k`
    exceeds the reviewers the participants can give each unit; NotAllowed unless `actor` leads `unit`.
    """
    ensure_allowed(actor is None or can_create_round(actor, unit), "round_manager")
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
    candidates = candidate_units(root)
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


def _participant_problems(units: list[OrgUnit], k: int, mode: RoundMode, field_name: str) -> dict[str, list[Reason]]:
    """Why these units cannot make a round: fewer than two, or (peer mode) fewer reviewers than `k`
    available to some unit (on `k`; the others on `field_name`)."""
    if len(units) < 2:
        return {field_name: [Reason(N_("At least two units must take part; %(n)d would."), {"n": len(units)},
                                    code="too_few_units")]}
    if mode is RoundMode.peer:
        most = assignment.max_reviewers({u.id: u.path for u in units})
        if k > most:
            return {"k": [Reason(N_("With these %(n)d units, each can be reviewed by at most %(max)d others."),
                                 {"n": len(units), "max": most}, code="k_too_large")]}
    return {}


def update_round(actor: User, round_: ReviewRound, *, version: int, name: str,
                 self_assessment_due: date | None, review_due: date | None, appeal_due: date | None,
                 rectification_due: date | None, k: int | None = None,
                 excluded: Iterable[int] | None = None) -> ReviewRound:
    """Change a round until it is published: its name and deadlines, and (before the assignment
    is generated) its reviewers per unit `k` and the units left out (`excluded`; None keeps them).

    Raises 409 once published or closed, StaleEdit for an old `version`, and FieldErrors (422,
    by field) for a blank name, deadlines out of order, `k` or units the participants cannot
    carry, or `k` / units changed after the assignment; NotAllowed unless `actor` runs the round.
    """
    ensure_manager(actor, round_)
    if not is_editable(round_.state):
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
    rows = round_units(round_)
    was_excluded = {r.unit_id for r in rows if r.is_excluded}
    new_k = round_.k if k is None or round_.mode is RoundMode.leader else k
    new_excluded = was_excluded if excluded is None else set(excluded) & {r.unit_id for r in rows}
    if is_assigned(round_):
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


def generate_assignment(actor: User, round_: ReviewRound) -> assignment.Assignment:
    """(Re)build the round's pairs and blank sheets, in draft only.

    Peer mode uses the pure balanced assignment (avoiding the previous rounds' pairs); leader
    mode has the running unit's team review every unit. Raises 409 outside draft and the
    assignment's own DomainError when no assignment keeps the hard rules.
    """
    ensure_manager(actor, round_)
    if round_.state is not RoundState.draft:
        raise refuse(N_("The assignment can only be generated while the round is a draft."), "state", status=409)
    units = participants(round_)
    if len(units) < 2:
        raise refuse(N_("At least two units must take part."), "too_few_units", status=422)
    if round_.mode is RoundMode.peer:
        result = assignment.assign({u.id: u.path for u in units}, round_.k, previous_pairs(round_), seed=round_.seed)
    else:
        result = assignment.Assignment(tuple((round_.unit_id, u.id) for u in units))
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


def override_pair(actor: User, pair: ReviewPair, reviewer: OrgUnit, reviewee: OrgUnit, reason: str) -> list[Reason]:
    """A leader replaces one pair; the new pair is re-validated (self or same line refused, 422).

    Only before the pair's sheet has any score. Returns the warnings (reciprocal, repeated,
    unbalanced load), which the leader accepted by overriding.
    """
    round_ = db.session.get(ReviewRound, pair.round_id)
    ensure_manager(actor, round_)
    if round_.state not in (RoundState.draft, RoundState.self_assessment, RoundState.reviewing):
        raise refuse(N_("Pairs can no longer change in this round."), "state", status=409)
    sheet = db.session.scalars(sa.select(Scoresheet).where(Scoresheet.pair_id == pair.id)).first()
    if sheet is not None and (sheet.scores or sheet.is_locked):
        raise refuse(N_("This team has already started scoring; the pair can no longer change."), "scored", status=409)
    if not reason.strip():
        raise refuse(N_("Give the reason for the change."), "reason", status=422)
    paths = {u.id: u.path for u in participants(round_)}
    current = [(p.reviewer_id, p.reviewee_id) for p in pairs_of(round_)]
    try:
        _, warnings = assignment.override_pair(current, (pair.reviewer_id, pair.reviewee_id),
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
