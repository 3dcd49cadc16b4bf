"""The daily schedule the worker runs: reminders and deadline notices at 08:00, recurring projects on
the first of each month. Each task does what a command does (`flask remind`, `flask generate-recurring`)."""

from __future__ import annotations

import logging
from datetime import date

from .clock import local_today
from .extensions import db
from .ledger import operations_reminders as ledger_reminders
from .projects import operations as project_operations
from .projects import operations_assignment as assignment
from .worker import local_crontab, periodic_task

log = logging.getLogger(__name__)


@periodic_task(local_crontab(minute="0", hour="8"))
def daily_reminders(today: date | None = None) -> int:
    """08:00 every day (what `flask remind` does): the 提醒 → 告诫 → 督办 escalation of overdue ledger
    items, and the notices of deadlines 7 and 3 days ahead (and passed) of ledger items, projects and
    checklist items."""
    today = today or local_today()
    sent = ledger_reminders.send_reminders(None, today)
    due = ledger_reminders.send_due_notices(None, today) + project_operations.send_due_notices(None, today)
    db.session.commit()
    log.info("daily reminders: %d recorded, %d deadline notices", len(sent), due)
    return len(sent)


def periods_starting(day: date) -> list[str]:
    """The recurrence periods that begin on `day`: 2026-04 on 1 April, with 2026Q2; 2027 with 2027Q1 and 2027-01."""
    if day.day != 1:
        return []
    periods = [f"{day.year}-{day.month:02d}"]
    if day.month in (1, 4, 7, 10):
        periods.append(f"{day.year}Q{(day.month - 1) // 3 + 1}")
    if day.month == 1:
        periods.append(f"{day.year}")
    return periods


@periodic_task(local_crontab(minute="10", hour="0", day="1"))
def recurring_projects(today: date | None = None) -> int:
    """00:10 on the first of each month: the projects recurring templates owe for the periods
    starting that day (what `flask generate-recurring --period …` does)."""
    created = 0
    for period in periods_starting(today or local_today()):
        created += len(assignment.generate_recurring(None, period))
    db.session.commit()
    log.info("recurring projects: %d created", created)
    return created
