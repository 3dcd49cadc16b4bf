"""The rectification item's state machine and its guards (pure: no Flask, no database)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l

from ..deadlines import YELLOW_DAYS, DueLight, due_light  # noqa: F401  (the ledger's lights)
from ..domain_errors import N_, DomainError, Reason
from ..models.base import LabelledEnum
from ..models.ledger import ItemStatus

#: States in which the item is still a problem (the project gate and the counters use them).
OPEN_STATES = frozenset({ItemStatus.open, ItemStatus.in_progress, ItemStatus.submitted,
                         ItemStatus.returned, ItemStatus.reopened})
#: States in which the owner is expected to work, so the deadline runs (due lights, overdue).
WORKING_STATES = frozenset({ItemStatus.open, ItemStatus.in_progress, ItemStatus.returned,
                            ItemStatus.reopened})

#: Allowed moves: from → {to}. Any state but void may be voided.
TRANSITIONS: dict[ItemStatus, frozenset[ItemStatus]] = {
    ItemStatus.open: frozenset({ItemStatus.in_progress, ItemStatus.void}),
    ItemStatus.in_progress: frozenset({ItemStatus.submitted, ItemStatus.void}),
    ItemStatus.submitted: frozenset({ItemStatus.returned, ItemStatus.closed, ItemStatus.void}),
    ItemStatus.returned: frozenset({ItemStatus.in_progress, ItemStatus.void}),
    ItemStatus.closed: frozenset({ItemStatus.reopened, ItemStatus.void}),
    ItemStatus.reopened: frozenset({ItemStatus.in_progress, ItemStatus.void}),
    ItemStatus.void: frozenset(),
}

#: Why a move to each state is refused when the current state does not allow it.
_REFUSALS = {
    ItemStatus.in_progress: N_("Only an open, returned or reopened item can be started."),
    ItemStatus.submitted: N_("Only an item being rectified can be submitted for verification."),
    ItemStatus.returned: N_("Only an item awaiting verification can be returned."),
    ItemStatus.closed: N_("Only an item awaiting verification can be closed."),
    ItemStatus.reopened: N_("Only a closed item can be reopened for a follow-up check (回头看)."),
    ItemStatus.void: N_("This item is already void."),
}
_VOID_REFUSAL = N_("This item is void and can no longer change.")
_GENERIC_REFUSAL = N_("This cannot be done in the item's current state.")


def can_transition(current: ItemStatus, target: ItemStatus) -> bool:
    return target in TRANSITIONS[current]


def ensure_transition(current: ItemStatus, target: ItemStatus) -> None:
    """Raise DomainError (409) with the reason when `current` may not move to `target`."""
    if can_transition(current, target):
        return
    message = _VOID_REFUSAL if current is ItemStatus.void else _REFUSALS.get(target, _GENERIC_REFUSAL)
    raise DomainError(Reason(message, code=f"transition:{current.value}->{target.value}"))


def path_to_submit(current: ItemStatus) -> list[ItemStatus]:
    """The states an item passes through to reach 待验收 (an open or returned item starts first)."""
    if current is ItemStatus.in_progress:
        return [ItemStatus.submitted]
    if ItemStatus.in_progress in TRANSITIONS[current]:
        return [ItemStatus.in_progress, ItemStatus.submitted]
    return [ItemStatus.submitted]  # refused by ensure_transition


# --- Guards: they return the reasons a step is refused (empty: allowed) -------------------------

def submit_reasons(completion_note: str | None, evidence_count: int) -> list[Reason]:
    """Submitting needs a completion note and at least one piece of evidence (佐证材料)."""
    reasons = []
    if not (completion_note or "").strip():
        reasons.append(Reason(N_("Describe how the problem was rectified."), code="note"))
    if evidence_count < 1:
        reasons.append(Reason(N_("Upload at least one piece of evidence before submitting."), code="evidence"))
    return reasons


def reason_required(text: str | None, code: str = "reason") -> list[Reason]:
    """Returning, reopening, voiding and refusing need a written reason."""
    if (text or "").strip():
        return []
    return [Reason(N_("Give a reason."), code=code)]


# The one rule of an item's two people: its verifier (验收人) is never its owner. It holds when the
# people are named (creating, editing, importing) and when someone verifies (returning, closing,
# reopening, deciding on an extension), whoever holds the role — a leader who owns an item too.

def people_reasons(owner_id: int | None, verifier_id: int | None) -> list[Reason]:
    """Naming the people of an item: the verifier cannot be its owner."""
    if owner_id is not None and owner_id == verifier_id:
        return [Reason(N_("The verifier cannot be the owner of the item."), code="verifier_is_owner")]
    return []


_OWNER_VERIFIES = {
    "owner_closes": N_("The owner of an item cannot verify and close it."),
    "owner_verifies": N_("The owner of an item cannot verify it: its verifier or another leader over the unit "
                         "returns, closes and decides on it."),
}


def verifying_reasons(actor_is_owner: bool, code: str = "owner_verifies") -> list[Reason]:
    """Verifying an item (return, close, reopen, decide on an extension): never by its owner.

    `code` "owner_closes" words it for closing (销号).
    """
    return [Reason(_OWNER_VERIFIES[code], code=code)] if actor_is_owner else []


def close_reasons(opinion: str | None, actor_is_owner: bool) -> list[Reason]:
    """Closing needs a verification opinion, from someone other than the owner."""
    reasons = verifying_reasons(actor_is_owner, code="owner_closes")
    if not (opinion or "").strip():
        reasons.append(Reason(N_("Write the verification opinion."), code="opinion"))
    return reasons


def extension_reasons(current_deadline: date | None, new_deadline: date | None, reason: str | None,
                      today: date) -> list[Reason]:
    """An extension asks for a later date than the current deadline (and not in the past)."""
    reasons = []
    if new_deadline is None:
        reasons.append(Reason(N_("Choose the new deadline."), code="new_deadline"))
    elif new_deadline < today or (current_deadline is not None and new_deadline <= current_deadline):
        reasons.append(Reason(N_("The new deadline must be later than the current one and not in the past."),
                              code="new_deadline"))
    reasons += reason_required(reason)
    return reasons


# --- Deadlines of the three kinds -----------------------------------------------------------------

#: Days a 立行立改 item has when nothing else is configured (LEDGER_IMMEDIATE_DAYS).
IMMEDIATE_DAYS = 7


def add_months(day: date, months: int = 1) -> date:
    """The same day `months` later, or the month's last day when it is shorter (1-31 → 2-28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def first_deadline(kind, deadline: date | None, registered: date, immediate_days: int = IMMEDIATE_DAYS) -> date | None:
    """The date an item's time limit runs to when it is registered on `registered`.

    By a date: that date. 立行立改: the date given (a sheet may carry one), else `immediate_days`
    after registration. 长期坚持: the first monthly progress entry is due a month after registration.
    The due lights, countdowns and escalation then treat every kind alike.
    """
    if kind == "immediate":
        return deadline or registered + timedelta(days=immediate_days)
    if kind == "ongoing":
        return add_months(registered, 1)
    return deadline


def next_progress_due(on_date: date) -> date:
    """长期坚持: after a progress entry of `on_date`, the next one is due a month later."""
    return add_months(on_date, 1)


# --- Due lights and escalation ------------------------------------------------------------------

class Escalation(LabelledEnum):
    """How far an overdue item has climbed the tree."""

    none = "none", ""  #: not overdue
    remind = "remind", _l("Reminder to the owner")  #: 提醒: the owner is reminded
    warn = "warn", _l("Warning to the secretary")  #: 告诫: the branch secretary is warned
    supervise = "supervise", _l("Supervised by the leader")  #: 督办: the leader supervises


#: Days overdue from which each escalation level applies.
ESCALATION_DAYS = ((Escalation.supervise, 14), (Escalation.warn, 7), (Escalation.remind, 1))


class Countdown(LabelledEnum):
    """The countdown filter of the ledger (剩余天数)."""

    overdue = "overdue", _l("Overdue")  #: 已超期
    within_10 = "within_10", _l("10 days or fewer left")  #: 剩余≤10天
    within_20 = "within_20", _l("20 days or fewer left")  #: 剩余≤20天
    over_20 = "over_20", _l("More than 20 days left")  #: 20天以上


def countdown_bounds(choice: Countdown, today: date) -> tuple[date | None, date | None]:
    """The inclusive deadline range (low, high) a countdown choice selects, None for open-ended."""
    if choice is Countdown.overdue:
        return None, today - timedelta(days=1)
    if choice is Countdown.within_10:
        return today, today + timedelta(days=10)
    if choice is Countdown.within_20:
        return today, today + timedelta(days=20)
    return today + timedelta(days=21), None


def item_light(status: ItemStatus, deadline: date | None, today: date) -> DueLight:
    """The due light of one item: its deadline runs while the owner is expected to work on it."""
    return due_light(deadline, today, running=status in WORKING_STATES)


def escalation(status: ItemStatus, deadline: date | None, today: date) -> Escalation:
    if deadline is None or status not in WORKING_STATES:
        return Escalation.none
    overdue = (today - deadline).days
    for level, days in ESCALATION_DAYS:
        if overdue >= days:
            return level
    return Escalation.none
