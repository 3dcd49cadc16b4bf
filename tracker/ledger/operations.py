"""State changes of the rectification ledger: plain functions taking an explicit actor; they flush."""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from ..audit import changes, record_activity
from ..clock import local_today, local_zone
from ..extensions import db
from ..models import (Activity, Attachment, AttachmentKind, DeadlineKind, ExtensionRequest, ExtensionStatus,
                      ItemSource, LedgerItem, Membership, OrgUnit, ProgressEntry, Role, Severity, User, utcnow)
from ..domain_errors import N_, DomainError, NotAllowed, Reason, StaleEdit, refuse
from . import policy
from .workflow import (IMMEDIATE_DAYS, OPEN_STATES, Escalation, ItemStatus, close_reasons, ensure_transition,
                       extension_reasons, first_deadline, next_progress_due, path_to_submit, people_reasons,
                       reason_required, submit_reasons, verifying_reasons)

CODE_PREFIX = "ZG"


def immediate_days() -> int:
    """How many days a 立行立改 item has (LEDGER_IMMEDIATE_DAYS, default 7)."""
    from flask import current_app, has_app_context

    return current_app.config.get("LEDGER_IMMEDIATE_DAYS", IMMEDIATE_DAYS) if has_app_context() else IMMEDIATE_DAYS




def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def next_code(year: int) -> tuple[int, str]:
    """The next sequence number of `year` and its code, e.g. (7, "ZG-2026-0007")."""
    last = db.session.scalar(sa.select(sa.func.max(LedgerItem.seq)).where(LedgerItem.year == year)) or 0
    seq = last + 1
    return seq, f"{CODE_PREFIX}-{year}-{seq:04d}"


def find_by_dedupe_key(key: str) -> LedgerItem | None:
    return db.session.scalars(sa.select(LedgerItem).where(LedgerItem.dedupe_key == key)).first()


def _check_people(owner: User | None, verifier: User | None) -> None:
    reasons = people_reasons(owner.id if owner else None, verifier.id if verifier else None)
    if reasons:
        raise DomainError(*reasons, status=422)


def _check_deadline(kind: DeadlineKind, deadline: date | None) -> None:
    if kind is DeadlineKind.date and deadline is None:
        raise refuse(N_("Choose the deadline, or mark the item 立行立改 or 长期坚持."), "deadline")


def create_item(actor: User | None, *, unit: OrgUnit, problem: str, source: ItemSource,
                owner: User | None = None, verifier: User | None = None, deadline: date | None = None,
                deadline_kind: DeadlineKind = DeadlineKind.date, batch: str | None = None,
                category: str | None = None, indicator: str | None = None, deduction: Decimal | None = None,
                target: str | None = None, measures: str | None = None,
                responsible_leader: User | None = None, severity: Severity | None = None,
                origin_type: str | None = None, origin_id: int | None = None,
                dedupe_key: str | None = None, remark: str | None = None) -> LedgerItem:
    """Record one problem in the ledger (待整改) with the next code of the year; the caller commits.

    With a `dedupe_key` already in the ledger, returns that item unchanged (exactly once, however
    often a round is published or a sheet imported). `actor` None is the system (publishing,
    imports run by a command). Raises NotAllowed when `actor` may not record problems for `unit`,
    DomainError (422) for a missing problem, a date deadline without a date, or a verifier who is
    the owner.
    """
    if dedupe_key:
        existing = find_by_dedupe_key(dedupe_key)
        if existing is not None:
            return existing
    _check_new(actor, unit, problem, deadline_kind, deadline, owner, verifier)
    year = local_today().year
    seq, _code = next_code(year)
    item = _new_item(actor, year, seq, unit=unit, problem=problem, source=source, owner=owner, verifier=verifier,
                     deadline=deadline, deadline_kind=deadline_kind, batch=batch, category=category,
                     indicator=indicator, deduction=deduction, target=target, measures=measures,
                     responsible_leader=responsible_leader, severity=severity, origin_type=origin_type,
                     origin_id=origin_id, dedupe_key=dedupe_key, remark=remark)
    db.session.add(item)
    db.session.flush()
    record_activity(actor, item, "created", after=_created_after(item, unit, owner))
    db.session.flush()
    return item


def _check_new(actor: User | None, unit: OrgUnit, problem: str | None, deadline_kind: DeadlineKind,
               deadline: date | None, owner: User | None, verifier: User | None) -> None:
    if actor is not None and not policy.can_create_in(actor, unit):
        raise NotAllowed(Reason(N_("Only secretaries and leaders over the unit record its problems."),
                                code="create"))
    if not (problem or "").strip():
        raise refuse(N_("Describe the problem."), "problem")
    _check_deadline(deadline_kind, deadline)
    _check_people(owner, verifier)


def _new_item(actor: User | None, year: int, seq: int, *, unit: OrgUnit, problem: str, source: ItemSource,
              owner: User | None = None, verifier: User | None = None, deadline: date | None = None,
              deadline_kind: DeadlineKind = DeadlineKind.date, batch: str | None = None,
              category: str | None = None, indicator: str | None = None, deduction: Decimal | None = None,
              target: str | None = None, measures: str | None = None, responsible_leader: User | None = None,
              severity: Severity | None = None, origin_type: str | None = None, origin_id: int | None = None,
              dedupe_key: str | None = None, remark: str | None = None,
              status: ItemStatus = ItemStatus.open) -> LedgerItem:
    return LedgerItem(
        code=f"{CODE_PREFIX}-{year}-{seq:04d}", year=year, seq=seq, source=source, batch=_text(batch),
        category=_text(category), unit_id=unit.id, problem=problem.strip(), indicator=_text(indicator),
        deduction=deduction, target=_text(target), measures=_text(measures),
        responsible_leader_id=responsible_leader.id if responsible_leader else None,
        owner_id=owner.id if owner else None, verifier_id=verifier.id if verifier else None,
        deadline_kind=deadline_kind, severity=severity or Severity.normal,
        deadline=first_deadline(deadline_kind, deadline, local_today(), immediate_days()),
        status=status, progress=0, origin_type=origin_type, origin_id=origin_id,
        dedupe_key=dedupe_key, remark=_text(remark), created_by_id=actor.id if actor else None,
    )


def _created_after(item: LedgerItem, unit: OrgUnit, owner: User | None) -> dict[str, Any]:
    return {"code": item.code, "source": item.source.value, "unit": unit.name, "status": item.status.value,
            "owner": owner.display_name if owner else None,
            "deadline": item.deadline.isoformat() if item.deadline else None}


def existing_dedupe_keys(keys: list[str]) -> set[str]:
    """Which of `keys` are already in the ledger (in chunks, one query per 500)."""
    wanted = sorted({k for k in keys if k})
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        found.update(db.session.scalars(sa.select(LedgerItem.dedupe_key).where(
            LedgerItem.dedupe_key.in_(wanted[start:start + 500]))))
    return found


def create_items(actor: User | None, specs: list[dict[str, Any]]) -> list[LedgerItem]:
    """Record many problems at once (an Excel import): the rules of `create_item`, few statements.

    Each spec holds `create_item`'s keyword arguments, and may set `status` to 整改中 (in_progress).
    Specs whose dedupe_key is already in the ledger (or repeated) are left out. Raises like
    `create_item` on the first bad spec; the caller rolls back, so nothing is recorded.
    """
    seen = existing_dedupe_keys([spec.get("dedupe_key") for spec in specs])
    checked_units: set[int] = set()
    year = local_today().year
    seq, _code = next_code(year)
    pending = []
    for spec in specs:
        key = spec.get("dedupe_key")
        if key and key in seen:
            continue
        seen.add(key)
        spec = dict(spec)
        status = spec.pop("status", ItemStatus.open)
        if status not in (ItemStatus.open, ItemStatus.in_progress):
            raise refuse(N_("This cannot be done in the item's current state."), "status")
        unit = spec["unit"]
        if unit.id not in checked_units:
            _check_new(actor, unit, "-", DeadlineKind.ongoing, None, None, None)
            checked_units.add(unit.id)
        _check_new(None, unit, spec.get("problem"), spec.get("deadline_kind", DeadlineKind.date),
                   spec.get("deadline"), spec.get("owner"), spec.get("verifier"))
        pending.append((_new_item(actor, year, seq, status=status, **spec), unit, spec.get("owner")))
        seq += 1
    items = [item for item, _, _ in pending]
    db.session.add_all(items)
    db.session.flush()
    db.session.add_all([Activity(actor_id=actor.id if actor else None, subject_type=LedgerItem.__tablename__,
                                 subject_id=item.id, unit_id=item.unit_id, verb="created",
                                 after=_created_after(item, unit, owner), note=None)
                        for item, unit, owner in pending])
    db.session.flush()
    return items


#: Fields `update_item` edits (the deadline changes only through an approved extension).
EDITABLE = ("source", "batch", "category", "problem", "indicator", "deduction", "target", "measures",
            "responsible_leader_id", "owner_id", "verifier_id", "severity", "lessons", "remark")


def update_item(actor: User, item: LedgerItem, *, version: int, **fields: Any) -> LedgerItem:
    """Edit an item's description and people; refuses a stale form (StaleEdit) and closed items."""
    if not policy.can_manage_unit(actor, item.unit):
        raise NotAllowed(Reason(N_("Only secretaries and leaders over the unit edit its items."), code="edit"))
    if version != item.version:
        raise StaleEdit(item)
    if item.status not in OPEN_STATES:
        raise DomainError(Reason(N_("A closed or void item can no longer be edited."), code="edit_state"),
                          title=_title(N_("Cannot edit %(code)s now"), item))
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    for name in ("batch", "category", "indicator", "target", "measures", "lessons", "remark"):
        if name in fields:
            fields[name] = _text(fields[name])
    if "problem" in fields and not (fields["problem"] or "").strip():
        raise refuse(N_("Describe the problem."), "problem")
    reasons = people_reasons(fields.get("owner_id", item.owner_id), fields.get("verifier_id", item.verifier_id))
    if reasons:
        raise DomainError(*reasons, status=422)
    before, after = changes(item, fields)
    for name, value in fields.items():
        setattr(item, name, value)
    for name in set(after) & {"responsible_leader_id", "owner_id", "verifier_id"}:
        before[name], after[name] = _person_name(before[name]), _person_name(after[name])
    if after:
        record_activity(actor, item, "updated", before=before, after=after)
    db.session.flush()
    return item


def _person_name(user_id: int | None) -> str | None:
    user = db.session.get(User, user_id) if user_id else None
    return user.display_name if user else None


#: What a refused move is called, naming the item (the title above its reasons).
_REFUSAL_TITLES = {
    ItemStatus.in_progress: N_("Cannot start rectifying %(code)s now"),
    ItemStatus.submitted: N_("Cannot submit %(code)s for verification now"),
    ItemStatus.returned: N_("Cannot return %(code)s now"),
    ItemStatus.closed: N_("Cannot close %(code)s now"),
    ItemStatus.reopened: N_("Cannot reopen %(code)s now"),
    ItemStatus.void: N_("Cannot void %(code)s now"),
}


def _title(message: str, item: LedgerItem) -> Reason:
    return Reason(message, {"code": item.code})


def _ensure(item: LedgerItem, target: ItemStatus) -> None:
    """`ensure_transition` for this item: its refusal (409) is titled by the step and names the item."""
    try:
        ensure_transition(item.status, target)
    except DomainError as error:
        raise error.titled(_title(_REFUSAL_TITLES[target], item)) from None


def _move(actor: User | None, item: LedgerItem, target: ItemStatus, verb: str, *, note: str | None = None,
          extra_after: dict[str, Any] | None = None) -> None:
    _ensure(item, target)
    before = {"status": item.status.value}
    item.status = target
    record_activity(actor, item, verb, before=before, after={"status": target.value, **(extra_after or {})},
                    note=note)


def _require(allowed: bool, message: str, code: str) -> None:
    if not allowed:
        raise NotAllowed(Reason(message, code=code))


def _require_verifier(actor: User, item: LedgerItem, message: str, code: str,
                      owner_code: str = "owner_verifies") -> None:
    """NotAllowed unless `actor` may verify the item; its owner is told the one rule that stops them."""
    reasons = verifying_reasons(policy.owns(actor, item), owner_code)
    if reasons:
        raise NotAllowed(*reasons)
    _require(policy.can_verify(actor, item), message, code)


def start_item(actor: User, item: LedgerItem) -> LedgerItem:
    """Begin rectification (待整改 / 退回 / 回头看 → 整改中)."""
    _require(policy.can_work(actor, item), N_("Only the owner, or a secretary or leader over the unit, "
                                              "works on this item."), "work")
    _move(actor, item, ItemStatus.in_progress, "started")
    db.session.flush()
    return item


def report_progress(actor: User, item: LedgerItem, *, percent: int, text: str,
                    on_date: date | None = None) -> ProgressEntry:
    """Add a dated progress entry (整改进展); an item not yet in progress starts.

    For a 长期坚持 item the next monthly entry falls due a month after this one's date.
    """
    _require(policy.can_work(actor, item), N_("Only the owner, or a secretary or leader over the unit, "
                                              "works on this item."), "work")
    if not (text or "").strip():
        raise refuse(N_("Describe the progress."), "text")
    if not 0 <= int(percent) <= 100:
        raise refuse(N_("The percentage must be between 0 and 100."), "percent")
    if item.status is not ItemStatus.in_progress:
        _move(actor, item, ItemStatus.in_progress, "started")
    entry = ProgressEntry(item_id=item.id, on_date=on_date or local_today(), percent=int(percent),
                          text=text.strip(), author_id=actor.id)
    db.session.add(entry)
    before, after = {"progress": item.progress}, {"progress": int(percent)}
    item.progress = int(percent)
    if item.deadline_kind is DeadlineKind.ongoing:
        # 长期坚持: each entry sets when the next monthly one is due (never earlier than it was).
        due = next_progress_due(entry.on_date)
        if item.deadline is None or due > item.deadline:
            before["deadline"] = item.deadline.isoformat() if item.deadline else None
            after["deadline"] = due.isoformat()
            item.deadline = due
    record_activity(actor, item, "progress_reported", before=before, after=after, note=text.strip())
    db.session.flush()
    return entry


def add_evidence(actor: User, item: LedgerItem, upload: Any, kind: AttachmentKind) -> Attachment:
    """Attach one file of evidence (佐证材料); refused files raise DomainError (422) with the reason."""
    from ..uploads import store_upload

    _require(policy.can_work(actor, item), N_("Only the owner, or a secretary or leader over the unit, "
                                              "adds evidence to this item."), "evidence")
    return store_upload(actor, upload, owner=item, unit_id=item.unit_id, kind=kind)


def evidence_count(item: LedgerItem) -> int:
    return db.session.scalar(sa.select(sa.func.count(Attachment.id)).where(
        Attachment.owner_type == LedgerItem.__tablename__, Attachment.owner_id == item.id)) or 0


def submit_item(actor: User, item: LedgerItem, *, note: str | None) -> LedgerItem:
    """Submit for verification (→ 待验收): needs a completion note and at least one evidence file.

    Sets 完成时间 and 100 %. Raises DomainError (422) listing what is missing.
    """
    _require(policy.can_submit(actor, item), N_("Only the owner, or a secretary or leader over the unit, "
                                                "submits this item."), "submit")
    reasons = submit_reasons(note, evidence_count(item))
    if reasons:
        raise DomainError(*reasons, status=422)
    for target in path_to_submit(item.status):
        _ensure(item, target)
        if target is ItemStatus.in_progress:
            _move(actor, item, target, "started")
    before = {"status": item.status.value, "completion_note": item.completion_note}
    item.status = ItemStatus.submitted
    item.completion_note = note.strip()
    item.completed_at = utcnow()
    item.progress = 100
    record_activity(actor, item, "submitted", before=before,
                    after={"status": item.status.value, "completion_note": item.completion_note})
    db.session.flush()
    return item


def return_item(actor: User, item: LedgerItem, *, reason: str | None) -> LedgerItem:
    """Send a submitted item back to its owner (退回), with a reason; 完成时间 is cleared."""
    _require_verifier(actor, item, N_("Only the verifier or a leader over the unit verifies this item, "
                                      "and never its owner."), "verify")
    _ensure(item, ItemStatus.returned)
    reasons = reason_required(reason)
    if reasons:
        raise DomainError(*reasons, status=422)
    item.completed_at = None
    _move(actor, item, ItemStatus.returned, "returned", note=reason.strip())
    db.session.flush()
    return item


def close_item(actor: User, item: LedgerItem, *, opinion: str | None) -> LedgerItem:
    """Verify and close (销号): the verifier or a leader over the unit, never the owner, with an opinion.

    Sets 销号时间 apart from 完成时间. Raises NotAllowed (403) for anyone else, the owner included.
    """
    _require_verifier(actor, item, N_("Only the verifier or a leader over the unit verifies this item, "
                                      "and never its owner."), "verify", owner_code="owner_closes")
    _ensure(item, ItemStatus.closed)
    reasons = close_reasons(opinion, actor_is_owner=False)
    if reasons:
        raise DomainError(*reasons, status=422)
    item.verification_opinion = opinion.strip()
    item.closed_at = utcnow()
    if item.completed_at is None:
        item.completed_at = item.closed_at
    _move(actor, item, ItemStatus.closed, "closed", extra_after={"verification_opinion": item.verification_opinion})
    db.session.flush()
    return item


def reopen_item(actor: User, item: LedgerItem, *, reason: str | None) -> LedgerItem:
    """Reopen a closed item for a follow-up check (回头看), with a reason; the 销号 is withdrawn."""
    _require_verifier(actor, item, N_("Only the verifier or a leader over the unit verifies this item, "
                                      "and never its owner."), "verify")
    _ensure(item, ItemStatus.reopened)
    reasons = reason_required(reason)
    if reasons:
        raise DomainError(*reasons, status=422)
    item.closed_at = None
    item.completed_at = None
    _move(actor, item, ItemStatus.reopened, "reopened", note=reason.strip())
    db.session.flush()
    return item


def void_item(actor: User, item: LedgerItem, *, reason: str | None) -> LedgerItem:
    """Withdraw an item (作废): a leader over the unit only, with a reason. Nothing is deleted."""
    _require(policy.is_leader_over(actor, item.unit), N_("Only a leader over the unit voids an item."), "void")
    _ensure(item, ItemStatus.void)
    reasons = reason_required(reason)
    if reasons:
        raise DomainError(*reasons, status=422)
    _move(actor, item, ItemStatus.void, "voided", note=reason.strip())
    db.session.flush()
    return item


#: Fields a corrected source record (a re-published circular) can change on its item.
CORRECTABLE = ("problem", "deduction")


def correct_item(actor: User | None, item: LedgerItem, *, note: str, withdraw: bool = False,
                 **fields: Any) -> str:
    """Bring an item in line with the corrected record it came from (a re-published circular: 通报更正).

    An item still open takes the new `fields` (old → new in its timeline, `note` beside them), or
    is voided with `note` as the reason when `withdraw`. A closed item keeps what was verified and
    is flagged instead: the change goes in its timeline and a dated 【`note`】 in its remark, so the
    item page, the print and the Excel show it. A void item is left alone. Returns "updated",
    "voided", "flagged" or "" (nothing to change). Raises NotAllowed when `actor` is not a leader
    over the unit (None is the system).
    """
    if actor is not None and not policy.is_leader_over(actor, item.unit):
        raise NotAllowed(Reason(N_("Only a leader over the unit voids an item."), code="void"))
    unknown = set(fields) - set(CORRECTABLE)
    if unknown:
        raise ValueError(f"not correctable: {sorted(unknown)}")
    if item.status is ItemStatus.void:
        return ""
    before, after = changes(item, fields)
    if not after and not withdraw:
        return ""
    if withdraw:
        after["withdrawn"] = True
    if item.status is ItemStatus.closed:
        marker = f"【{note} {local_today().isoformat()}】"
        item.remark = f"{item.remark}\n{marker}" if item.remark else marker
        record_activity(actor, item, "flagged", before=before or None, after=after, note=note)
        db.session.flush()
        return "flagged"
    if withdraw:
        _move(actor, item, ItemStatus.void, "voided", note=note)
        db.session.flush()
        return "voided"
    for name, value in fields.items():
        setattr(item, name, value)
    record_activity(actor, item, "corrected", before=before, after=after, note=note)
    db.session.flush()
    return "updated"


def request_extension(actor: User, item: LedgerItem, *, new_deadline: date | None,
                      reason: str | None) -> ExtensionRequest:
    """Ask for a later deadline (延期申请); the deadline itself does not change until approved."""
    _require(policy.can_request_extension(actor, item), N_("Only the owner, or a secretary or leader over the "
                                                           "unit, asks to extend this item's deadline."), "extend")
    pending = db.session.scalar(sa.select(sa.func.count(ExtensionRequest.id)).where(
        ExtensionRequest.item_id == item.id, ExtensionRequest.status == ExtensionStatus.pending))
    if pending:
        raise DomainError(Reason(N_("An extension request for this item is already waiting for a decision."),
                                 code="pending"), title=_title(N_("Cannot ask to extend %(code)s now"), item))
    reasons = extension_reasons(item.deadline, new_deadline, reason, local_today())
    if reasons:
        raise DomainError(*reasons, status=422)
    request = ExtensionRequest(item_id=item.id, old_deadline=item.deadline, new_deadline=new_deadline,
                               reason=reason.strip(), requested_by_id=actor.id)
    db.session.add(request)
    record_activity(actor, item, "extension_requested", after={"deadline": new_deadline.isoformat()},
                    note=reason.strip())
    db.session.flush()
    return request


def decide_extension(actor: User, request: ExtensionRequest, *, approve: bool,
                     note: str | None = None) -> ExtensionRequest:
    """Approve (the deadline moves) or refuse (with a reason) a pending extension request."""
    item = db.session.get(LedgerItem, request.item_id)
    _require_verifier(actor, item, N_("Only the verifier or a leader over the unit decides on "
                                      "extensions, and never the item's owner."), "decide")
    if request.status is not ExtensionStatus.pending:
        raise DomainError(Reason(N_("This extension request has already been decided."), code="decided"),
                          title=_title(N_("Cannot decide on this extension of %(code)s"), item))
    if not approve:
        reasons = reason_required(note)
        if reasons:
            raise DomainError(*reasons, status=422)
    request.status = ExtensionStatus.approved if approve else ExtensionStatus.refused
    request.decided_by_id = actor.id
    request.decided_at = utcnow()
    request.decision_note = _text(note)
    if approve:
        before = {"deadline": item.deadline.isoformat() if item.deadline else None}
        item.deadline = request.new_deadline
        if item.deadline_kind is not DeadlineKind.date:
            item.deadline_kind = DeadlineKind.date
        record_activity(actor, item, "extension_approved", before=before,
                        after={"deadline": request.new_deadline.isoformat()}, note=request.decision_note)
    else:
        record_activity(actor, item, "extension_refused", after={"deadline": request.new_deadline.isoformat()},
                        note=request.decision_note)
    db.session.flush()
    return request




# --- Escalation of overdue items (提醒 → 告诫 → 督办) ------------------------------------------

def _nearest_holders(unit: OrgUnit, role: Role) -> list[User]:
    """Users holding `role` at `unit`, or else at the nearest unit above it that has one."""
    chain = [*unit.ancestor_ids, unit.id]
    rows = db.session.execute(
        sa.select(Membership.unit_id, User).join(User, User.id == Membership.user_id)
        .where(Membership.unit_id.in_(chain), Membership.role == role, User.is_active_flag.is_(True))
    ).all()
    for unit_id in reversed(chain):
        found = [user for holder_unit, user in rows if holder_unit == unit_id]
        if found:
            return found
    return []


def escalation_recipients(item: LedgerItem, level: Escalation) -> list[User]:
    """Who hears of an overdue item: the owner (提醒), the secretary (告诫), the leader (督办)."""
    if level is Escalation.remind and item.owner is not None:
        return [item.owner]
    if level in (Escalation.remind, Escalation.warn):
        return _nearest_holders(item.unit, Role.secretary)
    if item.responsible_leader is not None:
        return [item.responsible_leader]
    return _nearest_holders(item.unit, Role.leader)


def send_reminders(today: date | None = None) -> list[tuple[LedgerItem, Escalation, list[User]]]:
    """Record today's reminder for every overdue item, at its escalation level; once a day per item.

    Running it twice on one day records nothing more (idempotent). Returns what was recorded.
    """
    from .queries import escalation_expr, overdue_clause

    today = today or local_today()
    start_of_day = datetime.combine(today, time.min, local_zone()).astimezone(timezone.utc)
    already = set(db.session.scalars(sa.select(Activity.subject_id).where(
        Activity.subject_type == LedgerItem.__tablename__, Activity.verb == "reminded",
        Activity.created_at >= start_of_day)))
    rows = db.session.execute(sa.select(LedgerItem, escalation_expr(today)).where(overdue_clause(today))
                              .order_by(LedgerItem.id)).all()
    sent = []
    for item, level in rows:
        level = Escalation(level)
        if item.id in already or level is Escalation.none:
            continue
        recipients = escalation_recipients(item, level)
        record_activity(None, item, "reminded", after={
            "level": level.value, "recipients": "、".join(u.display_name for u in recipients) or None})
        sent.append((item, level, recipients))
    db.session.flush()
    return sent
