"""Writes of the rectification ledger: the actor first, policy and workflow checked, activity recorded; flush only."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from ..audit import changes, record_activity
from ..clock import local_today, to_local
from ..domain_errors import N_, DomainError, NotAllowed, Reason, StaleEdit, refuse
from ..extensions import db
from ..inbox.operations import notify
from ..models import (Activity, Attachment, AttachmentKind, DeadlineKind, Event, ExtensionRequest, ExtensionStatus,
                      ItemSource, LedgerItem, OrgUnit, ProgressEntry, Role, Severity, User, utcnow)
from ..uploads import store_upload
from . import policy
from .excel import ImportPlan
from .queries import (by_id, evidence_count, existing_dedupe_keys, find_by_dedupe_key, immediate_days, item_code,
                      next_code, pending_extensions, person)
from .workflow import (OPEN_STATES, ItemStatus, close_reasons, ensure_transition, extension_reasons,
                       first_deadline, next_progress_due, path_to_submit, people_reasons, reason_required,
                       submit_reasons, verifying_reasons)


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _check(reasons: list[Reason]) -> None:
    """Refuse (422: the input is at fault) with `reasons`, when there are any."""
    if reasons:
        raise DomainError(*reasons, status=422)


def _check_people(owner: User | None, verifier: User | None) -> None:
    _check(people_reasons(owner.id if owner else None, verifier.id if verifier else None))


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
    notify(actor, [owner], Event.assigned, item)
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
        code=item_code(year, seq), year=year, seq=seq, source=source, batch=_text(batch),
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


def create_items(actor: User | None, specs: list[dict[str, Any]]) -> list[LedgerItem]:
    """Record many problems at once (bulk entry, an Excel import): the rules of `create_item`, few statements.

    Each spec holds `create_item`'s keyword arguments, and may set `status` to 整改中 (in_progress),
    or, `imported` from a sheet kept on paper, 待验收 or (for a leader over the unit) 已销号 with its
    `closed_at`; a `progress_note` is the 完成情况 the sheet gave (a progress entry, or the completion
    note). Imported items are marked so in their timeline.
    Specs whose dedupe_key is already in the ledger (or repeated) are left out. Raises like
    `create_item` on the first bad spec; the caller rolls back, so nothing is recorded.
    """
    seen = existing_dedupe_keys([spec.get("dedupe_key") for spec in specs])
    checked_units: set[int] = set()
    year = local_today().year
    seq, _code = next_code(year)
    pending = []
    notes: list[tuple[LedgerItem, str]] = []
    for spec in specs:
        key = spec.get("dedupe_key")
        if key and key in seen:
            continue
        seen.add(key)
        spec = dict(spec)
        status = spec.pop("status", ItemStatus.open)
        note, closed_at = spec.pop("progress_note", None), spec.pop("closed_at", None)
        imported = spec.pop("imported", False)
        unit = spec["unit"]
        if status not in (ItemStatus.open, ItemStatus.in_progress) and not (
                imported and _may_import_as(actor, unit, status)):
            raise refuse(N_("This cannot be done in the item's current state."), "status")
        if unit.id not in checked_units:
            _check_new(actor, unit, "-", DeadlineKind.ongoing, None, None, None)
            checked_units.add(unit.id)
        _check_new(None, unit, spec.get("problem"), spec.get("deadline_kind", DeadlineKind.date),
                   spec.get("deadline"), spec.get("owner"), spec.get("verifier"))
        item = _new_item(actor, year, seq, status=status, **spec)
        if status in (ItemStatus.submitted, ItemStatus.closed):  # from a sheet kept on paper
            item.completion_note, item.progress = _text(note), 100
            item.completed_at = closed_at or utcnow()
            item.closed_at = closed_at
        pending.append((item, unit, spec.get("owner"), imported))
        if note and status not in (ItemStatus.submitted, ItemStatus.closed):
            notes.append((item, note))
        seq += 1
    items = [item for item, _, _, _ in pending]
    db.session.add_all(items)
    db.session.flush()
    db.session.add_all([ProgressEntry(item_id=item.id, on_date=local_today(), percent=item.progress, text=note.strip(),
                                      author_id=actor.id if actor else None) for item, note in notes])
    db.session.add_all([Activity(actor_id=actor.id if actor else None, subject_type=LedgerItem.__tablename__,
                                 subject_id=item.id, unit_id=item.unit_id, verb="created",
                                 after=_created_after(item, unit, owner) | _imported_after(item, imported), note=None)
                        for item, unit, owner, imported in pending])
    for item, _unit, owner, _imported in pending:
        notify(actor, [owner], Event.assigned, item)
    db.session.flush()
    return items


def _imported_after(item: LedgerItem, imported: bool) -> dict[str, Any]:
    """How the timeline marks an item a sheet brought in (a closed one with the sheet's 销号时间)."""
    if not imported:
        return {}
    return {"imported": True} | ({"closed_at": to_local(item.closed_at).date().isoformat()} if item.closed_at else {})


def _may_import_as(actor: User | None, unit: OrgUnit, status: ItemStatus) -> bool:
    """A sheet migrated from paper brings 已完成 rows as 待验收, and 销号 rows as closed when a leader
    over the unit imports it (domain.md §2)."""
    if status is ItemStatus.submitted:
        return True
    return status is ItemStatus.closed and actor is not None and policy.is_leader_over(actor, unit)


def import_plan(actor: User, plan: ImportPlan) -> list[LedgerItem]:
    """Record the new rows of a checked sheet (`excel.plan_import`): all of them, or (raising) none.

    Raises DomainError (422) when the plan has bad rows, and like `create_items`; the caller
    commits once or rolls back.
    """
    if plan.bad:
        raise DomainError(Reason(N_("%(n)d rows have problems; fix the sheet and upload it again."),
                                 {"n": len(plan.bad)}, code="bad_rows"), status=422)
    units = by_id(OrgUnit, {r.values["unit_id"] for r in plan.new})
    people = by_id(User, {v for r in plan.new for k, v in r.values.items()
                          if k.endswith("_id") and k != "unit_id" and v})
    specs = []
    for row in plan.new:
        values = dict(row.values, imported=True)
        values["unit"] = units[values.pop("unit_id")]
        for key in ("owner", "verifier", "responsible_leader"):
            user_id = values.pop(f"{key}_id")
            values[key] = people.get(user_id) if user_id else None
        specs.append(values)
    return create_items(actor, specs)


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
    _check(people_reasons(fields.get("owner_id", item.owner_id), fields.get("verifier_id", item.verifier_id)))
    before, after = changes(item, fields)
    for name, value in fields.items():
        setattr(item, name, value)
    for name in set(after) & {"responsible_leader_id", "owner_id", "verifier_id"}:
        before[name], after[name] = _person_name(before[name]), _person_name(after[name])
    if after:
        record_activity(actor, item, "updated", before=before, after=after)
    if "owner_id" in after:
        notify(actor, [person(item.owner_id)], Event.assigned, item)
    db.session.flush()
    return item


def _person_name(user_id: int | None) -> str | None:
    user = person(user_id)
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
    _require(policy.can_work(actor, item), N_("Only the owner, or a secretary or leader over the unit, "
                                              "adds evidence to this item."), "evidence")
    return store_upload(actor, upload, owner=item, unit_id=item.unit_id, kind=kind)


def submit_item(actor: User, item: LedgerItem, *, note: str | None) -> LedgerItem:
    """Submit for verification (→ 待验收): needs a completion note and at least one evidence file.

    Sets 完成时间 and 100 %. Raises DomainError (422) listing what is missing.
    """
    _require(policy.can_submit(actor, item), N_("Only the owner, or a secretary or leader over the unit, "
                                                "submits this item."), "submit")
    _check(submit_reasons(note, evidence_count(item)))
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
    notify(actor, deciders(item), Event.submitted, item, params={"note": item.completion_note})
    db.session.flush()
    return item


def return_item(actor: User, item: LedgerItem, *, reason: str | None) -> LedgerItem:
    """Send a submitted item back to its owner (退回), with a reason; 完成时间 is cleared."""
    _step_back(actor, item, ItemStatus.returned, "returned", reason, clear=("completed_at",))
    notify(actor, [item.owner], Event.returned, item, params={"note": reason.strip()})
    db.session.flush()
    return item


def reopen_item(actor: User, item: LedgerItem, *, reason: str | None) -> LedgerItem:
    """Reopen a closed item for a follow-up check (回头看), with a reason; the 销号 is withdrawn."""
    return _step_back(actor, item, ItemStatus.reopened, "reopened", reason, clear=("closed_at", "completed_at"))


def _step_back(actor: User, item: LedgerItem, target: ItemStatus, verb: str, reason: str | None, *,
               clear: tuple[str, ...]) -> LedgerItem:
    """The verifier's step back (return, reopen), with a written reason: the times in `clear` are undone."""
    _require_verifier(actor, item, N_("Only the verifier or a leader over the unit verifies this item, "
                                      "and never its owner."), "verify")
    _ensure(item, target)
    _check(reason_required(reason))
    for name in clear:
        setattr(item, name, None)
    _move(actor, item, target, verb, note=reason.strip())
    db.session.flush()
    return item


def close_item(actor: User, item: LedgerItem, *, opinion: str | None) -> LedgerItem:
    """Verify and close (销号): the verifier or a leader over the unit, never the owner, with an opinion.

    Sets 销号时间 apart from 完成时间. Raises NotAllowed (403) for anyone else, the owner included.
    """
    _require_verifier(actor, item, N_("Only the verifier or a leader over the unit verifies this item, "
                                      "and never its owner."), "verify", owner_code="owner_closes")
    _ensure(item, ItemStatus.closed)
    _check(close_reasons(opinion, actor_is_owner=False))
    item.verification_opinion = opinion.strip()
    item.closed_at = utcnow()
    if item.completed_at is None:
        item.completed_at = item.closed_at
    _move(actor, item, ItemStatus.closed, "closed", extra_after={"verification_opinion": item.verification_opinion})
    notify(actor, [item.owner, *item.unit.nearest_holders(Role.secretary)], Event.closed, item,
           params={"note": item.verification_opinion})
    db.session.flush()
    return item


def void_item(actor: User, item: LedgerItem, *, reason: str | None) -> LedgerItem:
    """Withdraw an item (作废): a leader over the unit only, with a reason. Nothing is deleted."""
    _require(policy.is_leader_over(actor, item.unit), N_("Only a leader over the unit voids an item."), "void")
    _ensure(item, ItemStatus.void)
    _check(reason_required(reason))
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
    if pending_extensions(item):
        raise DomainError(Reason(N_("An extension request for this item is already waiting for a decision."),
                                 code="pending"), title=_title(N_("Cannot ask to extend %(code)s now"), item))
    _check(extension_reasons(item.deadline, new_deadline, reason, local_today()))
    request = ExtensionRequest(item_id=item.id, old_deadline=item.deadline, new_deadline=new_deadline,
                               reason=reason.strip(), requested_by_id=actor.id)
    db.session.add(request)
    record_activity(actor, item, "extension_requested", after={"deadline": new_deadline.isoformat()},
                    note=reason.strip())
    notify(actor, deciders(item), Event.extension_asked, item,
           params={"note": reason.strip(), "deadline": new_deadline.isoformat()})
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
        _check(reason_required(note))
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
    notify(actor, [item.owner, person(request.requested_by_id)], Event.extension_decided, item,
           params={"approved": approve, "deadline": request.new_deadline.isoformat(), "note": request.decision_note})
    db.session.flush()
    return request


def deciders(item: LedgerItem) -> list[User]:
    """Who verifies an item and decides on its extensions: its verifier, else the nearest leaders above."""
    return [item.verifier] if item.verifier is not None else item.unit.nearest_holders(Role.leader)
