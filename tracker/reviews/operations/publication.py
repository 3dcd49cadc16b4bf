"""Moving a round through its states and publishing its circular (通报): the stored results, the
frozen rubric, and the rectification ledger kept in step with every (re-)publication."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from ...audit import record_activity
from ...domain_errors import StaleEdit
from ...extensions import db
from ...inbox.operations import notify
from ...ledger.operations import correct_item
from ...ledger.operations import create_item as create_ledger_item
from ...models import (Event, ItemStatus, LedgerItem, LedgerLink, OrgUnit, ReviewRound, Role, RoundResult, User,
                       utcnow)
from ...models.ledger import ItemSource
from ..queries import participants, round_facts, sheets_opening
from ..queries_results import Deduction, compute_results, counted_scores, deductions_of, full_points, stored_breakdown
from ..workflow import RoundState, ensure_transition
from .rounds import ensure_manager
from .rubrics import freeze_rubric

#: The reason a re-published circular gives its ledger items (void reason, timeline note, remark).
CORRECTION = "通报更正"


def move_round(actor: User, round_: ReviewRound, to: RoundState, *, version: int | None = None) -> ReviewRound:
    """Move the round to `to` if its guard allows (409 with every reason otherwise); NotAllowed
    unless `actor` runs the round.

    Moving to published (again) publishes: see `publish_round`.
    """
    ensure_manager(actor, round_)
    if version is not None and version != round_.version:
        raise StaleEdit(round_)
    to = RoundState(to)
    ensure_transition(round_facts(round_), to)
    if to is RoundState.published:
        return publish_round(actor, round_)
    before = round_.state
    round_.state = to
    record_activity(actor, round_, "state_changed", before={"state": str(before)}, after={"state": to.value})
    for sheet in sheets_opening(round_, to):
        # The reviewing team's secretary (the reviewed unit's own, for a self-assessment).
        notify(actor, sheet.reviewer_unit.nearest_holders(Role.secretary), Event.sheet_assigned, sheet,
               unit_id=sheet.reviewer_unit_id, dedupe_key=f"review_scoresheet:{sheet.id}:assigned")
    db.session.flush()
    return round_


def publish_round(actor: User, round_: ReviewRound) -> ReviewRound:
    """Publish (or re-publish) the circular: store every unit's result, freeze the rubric and put
    each deduction in the rectification ledger exactly once.

    The guard is checked by `move_round`. Publishing again (after an appeal window) refreshes the
    stored results and reconciles the ledger with the new circular (see `reconcile_ledger`).
    NotAllowed unless `actor` runs the round.
    """
    ensure_manager(actor, round_)
    ensure_transition(round_facts(round_), RoundState.published)
    rows = counted_scores(round_)
    results = compute_results(round_, rows)
    existing = {r.unit_id: r for r in db.session.scalars(sa.select(RoundResult).where(RoundResult.round_id == round_.id))}
    full = full_points(round_.rubric)
    for result in results:
        row = existing.pop(result.unit_id, None)
        values = dict(total=result.total, grade=result.grade.value if result.grade else None, rank=result.rank,
                      bonus=result.bonus, is_vetoed=result.vetoed,
                      breakdown=stored_breakdown(result, full))
        if row is None:
            db.session.add(RoundResult(round_id=round_.id, unit_id=result.unit_id, **values))
        else:
            for name, value in values.items():
                setattr(row, name, value)
    for stale in existing.values():
        db.session.delete(stale)
    freeze_rubric(None, round_.rubric)  # the system's doing: the publisher need not keep the rubric
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
    for unit in participants(round_):
        notify(actor, unit.nearest_holders(Role.secretary), Event.round_published, round_, unit_id=unit.id,
               params={"republished": again} if again else None)
    db.session.flush()
    return round_


def reconcile_ledger(actor: User | None, round_: ReviewRound, deductions: list[Deduction]) -> dict[str, int]:
    """Make the ledger say what the circular says, each deduction exactly once (key
    review:<round>:<unit>:<item>), however often the round is published.

    A new deduction creates an item (owner the unit's secretary, verifier a reviewing unit's
    secretary, deadline the round's). A deduction whose points or problem changed since the last
    publication updates its item (old → new in its timeline); one no longer listed voids its item
    with the reason 通报更正; a closed item is flagged instead (see the ledger's `correct_item`).
    A deduction back after its item was voided gets a new item. Returns the counts {"created", "updated", "voided", "flagged"}.
    """
    counts = {"created": 0, "updated": 0, "voided": 0, "flagged": 0}
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
    secretaries = _secretaries({d.unit_id for d in todo} | {r for d in todo for r in d.reviewer_ids})
    for d in todo:
        verifier = next((secretaries[r] for r in d.reviewer_ids if r in secretaries), None)
        owner = secretaries.get(d.unit_id)
        if verifier is not None and owner is not None and verifier.id == owner.id:
            verifier = None
        link = links.get((d.unit_id, d.item.id))
        key = f"review:{round_.id}:{d.unit_id}:{d.item.id}"
        if link is not None:  # back after its item was voided: a new item, keyed after the void one
            key = f"{key}:after:{link.ledger_item_id}"
        item = create_ledger_item(
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


def _secretaries(unit_ids: set[int]) -> dict[int, User]:
    """The secretary of each unit (see `OrgUnit.secretary`), where it has one."""
    units = db.session.scalars(sa.select(OrgUnit).where(OrgUnit.id.in_(unit_ids))) if unit_ids else []
    return {unit.id: secretary for unit in units if (secretary := unit.secretary) is not None}
