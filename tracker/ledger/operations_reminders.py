"""Writes of the ledger's daily round: reminders and escalation of overdue items (提醒 → 告诫 → 督办)
and the notices of deadlines coming near. Run by the worker at 08:00 and by `flask remind`."""

from __future__ import annotations

from datetime import date, datetime, time, timezone

from ..audit import record_activity
from ..clock import local_today, local_zone
from ..extensions import db
from ..inbox.operations import notify
from ..models import Event, LedgerItem, User
from .queries import due_soon_items, escalation_recipients, overdue_items, reminded_since
from .workflow import Escalation


#: The notices an overdue item sends at each level of escalation.
_ESCALATION_EVENTS = {Escalation.remind: Event.remind, Escalation.warn: Event.warn, Escalation.supervise: Event.supervise}


def send_reminders(actor: User | None, today: date | None = None) -> list[tuple[LedgerItem, Escalation, list[User]]]:
    """Record today's reminder for every overdue item, at its escalation level (提醒 → 告诫 → 督办),
    once a day per item, and tell its people: the owner (提醒), the secretary (告诫), the leader above
    (督办) — each once per item, deadline and level however often this runs (the levels below
    today's too, when they were never sent). `actor` None is the
    system: the daily `remind` command and the worker's 08:00 task.

    Running it twice on one day records nothing more (idempotent). Returns what was recorded.
    """
    today = today or local_today()
    already = reminded_since(datetime.combine(today, time.min, local_zone()).astimezone(timezone.utc))
    sent = []
    for item, level in overdue_items(today):
        if item.id in already or level is Escalation.none:
            continue
        recipients = escalation_recipients(item, level)
        record_activity(actor, item, "reminded", after={
            "level": level.value, "recipients": "、".join(u.display_name for u in recipients) or None})
        # Every level up to today's, each once: an item first seen far overdue (the worker was
        # stopped, the sheet imported late) still reminds its owner and warns its secretary.
        for step in _ESCALATION_EVENTS:
            notify(actor, recipients if step is level else escalation_recipients(item, step),
                   _ESCALATION_EVENTS[step], item,
                   params={"days": (today - item.deadline).days, "deadline": item.deadline.isoformat()},
                   dedupe_key=f"ledger_item:{item.id}:{item.deadline.isoformat()}:{step.value}")
            if step is level:
                break
        sent.append((item, level, recipients))
    db.session.flush()
    return sent


def send_due_notices(actor: User | None, today: date | None = None) -> int:
    """Tell the owner of every item still being rectified that its deadline is near: once within 7
    days of it, once more within 3 (each once per deadline, however often this runs). Overdue items
    are told by `send_reminders` (提醒 from the first day). Returns how many notices were written.
    """
    today = today or local_today()
    written = 0
    for item, days_left in due_soon_items(today):
        mark = "due3" if days_left <= 3 else "due7"
        written += len(notify(actor, [item.owner], Event.due_soon, item,
                              params={"days": days_left, "deadline": item.deadline.isoformat()},
                              dedupe_key=f"ledger_item:{item.id}:{item.deadline.isoformat()}:{mark}"))
    db.session.flush()
    return written
