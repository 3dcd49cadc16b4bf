"""Writing scoresheets: scores, a sheet's texts and its submission, a sheet left out; the reviewed
unit's appeals and their answers; a leader's decision on a veto (一票否决)."""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa

from ...audit import changes, record_activity
from ...domain_errors import N_, DomainError, Reason, refuse
from ...extensions import db
from ...inbox.operations import notify
from ...models import (
    Appeal, AppealStatus, Event, ItemKind, OrgUnit, ReviewRound, Role, RubricItem, Score, Scoresheet, User, VetoDecision,
    utcnow,
)
from ..policy import can_file_appeal, can_manage_round, is_on_team
from ..queries import is_deduction, sheet_name, sheet_problems, veto_marks
from ..workflow import VETO_STATES, RoundState, can_appeal, can_score
from .checks import HALF, FieldErrors, ensure_allowed, plain

SHEET_TEXT_FIELDS = ("team", "highlights", "observations")


def _ensure_team(actor: User | None, sheet: Scoresheet) -> None:
    """Only the sheet's scoring team fills it in; `actor` None is the system (the demo)."""
    ensure_allowed(actor is None or is_on_team(actor, sheet), "sheet_team")


def _ensure_manager(actor: User | None, round_: ReviewRound) -> None:
    """Only the leaders running the round leave a sheet out or answer an appeal."""
    ensure_allowed(actor is None or can_manage_round(actor, round_), "round_manager")


def _ensure_sheet_editable(sheet: Scoresheet) -> None:
    if sheet.is_excluded:
        raise refuse(N_("This scoresheet was excluded from the round."), "excluded", status=409)
    if sheet.is_locked:
        raise refuse(N_("This scoresheet is submitted and locked."), "locked", status=409)
    if not can_score(sheet.round.state, sheet.is_self):
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
                                           {"max": plain(item.points)}, code="points_range"))
        elif item.kind is ItemKind.normal and points < item.points and not note:
            errors["note"].append(Reason(N_("Points were deducted: say why (扣分说明)."), code="note_required"))
    if errors:
        raise FieldErrors(errors)
    return points, note


def save_score(actor: User, sheet: Scoresheet, item: RubricItem, *, points: str | None, note: str | None,
               veto: bool = False) -> Score:
    """Save one indicator of an open sheet (created on first save) and record what changed on the
    sheet's timeline; FieldErrors on bad input, NotAllowed for someone not on its team."""
    _ensure_team(actor, sheet)
    _ensure_sheet_editable(sheet)
    if item.rubric_id != sheet.round.rubric_id or item.is_category:
        raise refuse(N_("This indicator is not in the round's rubric."), "item", status=422)
    value, note = check_score(item, points, note, veto)
    score = sheet.score_for(item.id)
    if score is None:
        score = Score(sheet=sheet, item_id=item.id, item=item)
        db.session.add(score)
    values = {"points": value, "note": note} | ({"is_veto": bool(veto)} if item.kind is ItemKind.veto else {})
    before, after = changes(score, values)
    score.points, score.note, score.is_veto = value, note, values.get("is_veto", False)
    if after:
        record_activity(actor, sheet, "updated", before=before, after=after, note=item.title)
    db.session.flush()
    return score


def save_sheet_text(actor: User, sheet: Scoresheet, name: str, value: str | None) -> Scoresheet:
    """Save the team, highlights (亮点) or observations of an open sheet, recording the change."""
    if name not in SHEET_TEXT_FIELDS:
        raise refuse(N_("Unknown field."), "field", status=422)
    _ensure_team(actor, sheet)
    _ensure_sheet_editable(sheet)
    value = (value or "").strip() or None
    if name == "team" and value and len(value) > 300:
        raise FieldErrors({name: [Reason(N_("At most %(n)d characters."), {"n": 300}, code="too_long")]})
    if value and len(value) > 5000:
        raise FieldErrors({name: [Reason(N_("At most %(n)d characters."), {"n": 5000}, code="too_long")]})
    before, after = changes(sheet, {name: value})
    setattr(sheet, name, value)
    if after:
        record_activity(actor, sheet, "updated", before=before, after=after)
    db.session.flush()
    return sheet


def submit_sheet(actor: User, sheet: Scoresheet) -> Scoresheet:
    """Submit and lock a complete sheet (422 listing what is missing)."""
    _ensure_team(actor, sheet)
    _ensure_sheet_editable(sheet)
    problems = sheet_problems(sheet)
    if problems:
        raise DomainError(*problems, status=422)
    sheet.submitted_at, sheet.submitted_by_id = utcnow(), actor.id
    record_activity(actor, sheet, "submitted", after={"sheet": sheet_name(sheet)})
    db.session.flush()
    return sheet


def exclude_sheet(actor: User, sheet: Scoresheet, reason: str) -> Scoresheet:
    """A leader leaves an unsubmitted sheet out of the results, with a reason (e.g. 因公出差未参加)."""
    _ensure_manager(actor, sheet.round)
    if sheet.is_locked:
        raise refuse(N_("A submitted scoresheet counts; it cannot be excluded."), "submitted", status=409)
    if not reason.strip():
        raise refuse(N_("Give the reason for the exclusion."), "reason", status=422)
    sheet.excluded_reason, sheet.excluded_by_id = reason.strip(), actor.id
    record_activity(actor, sheet.round, "sheet_excluded", after={"sheet": sheet_name(sheet)}, note=reason.strip(),
                    unit_id=sheet.round.unit_id)
    db.session.flush()
    return sheet


# --- Appeals and vetoes --------------------------------------------------------------------------

def file_appeal(actor: User, score: Score, reason: str) -> Appeal:
    """The reviewed unit contests one deduction during the appeal window; one appeal per deduction.

    Raises 409 outside the window, NotAllowed for anyone but the reviewed unit's secretary.
    """
    sheet = score.sheet
    if not can_appeal(sheet.round.state):
        raise refuse(N_("Appeals are only possible during the appeal window."), "state", status=409)
    ensure_allowed(can_file_appeal(actor, sheet.round, sheet.reviewee_unit), "unit_secretary")
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
    _ensure_manager(actor, round_)
    if round_.state is not RoundState.appeal:
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
                                           {"max": plain(score.item.points)}, code="points_range"))
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
                    before={"points": plain(appeal.original_points) if appeal.original_points is not None else None},
                    after={"points": plain(score.points) if score.points is not None else None,
                           "status": appeal.status.value},
                    note=appeal.answer)
    appellant = score.sheet.reviewee_unit
    notify(actor, [*appellant.nearest_holders(Role.secretary), appeal.filed_by],
           Event.appeal_answered, round_, unit_id=appellant.id,
           params={"note": appeal.answer, "item": score.item.title, "status": appeal.status.value})
    db.session.flush()
    return appeal


def decide_veto(actor: User | None, round_: ReviewRound, unit: OrgUnit, item: RubricItem, *, apply: bool,
                reason: str, appeal: Appeal | None = None) -> VetoDecision:
    """A leader applies (the grade drops to the lowest) or clears a veto marked on `unit`, with a
    reason; the decision overrides the reviewers' marks, and a later one replaces it.

    Only while reviewing or appealing, once every sheet about the unit is submitted or excluded,
    and for a veto item at least one counted reviewer marked. Raises NotAllowed for someone who
    does not run the round, FieldErrors (reason) without a reason, 409 otherwise.
    """
    ensure_allowed(actor is None or can_manage_round(actor, round_), "veto_manager",
                   N_("Only the leaders running the round decide a veto."))
    if round_.state not in VETO_STATES:
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
