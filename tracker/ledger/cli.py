"""`flask --app tracker remind`: the daily escalation of overdue ledger items."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import with_appcontext

from ..clock import DATE, local_today
from ..extensions import db
from ..models import DeadlineKind
from ..projects.operations import send_due_notices as send_project_due_notices
from . import operations_reminders as reminders


@click.command("remind")
@with_appcontext
@click.option("--date", "on_date", type=DATE, default=None, help="Run as if today were this date (YYYY-MM-DD).")
def remind_command(on_date: date | None) -> None:
    """Record today's reminders for overdue items (提醒 → 告诫 → 督办) and tell their people, and send the
    notices of deadlines near or passed; safe to run twice a day: each notice goes once.

    Overdue means past the date, past a 立行立改 item's window, or a 长期坚持 item a month without progress.
    """
    today = on_date or local_today()
    sent = reminders.send_reminders(None, today)
    due = reminders.send_due_notices(None, today) + send_project_due_notices(None, today)
    db.session.commit()
    for item, level, recipients in sent:
        names = "、".join(u.display_name for u in recipients) or "-"
        why = {DeadlineKind.immediate: "  立行立改", DeadlineKind.ongoing: "  长期坚持·逾期未报进展"}.get(
            item.deadline_kind, "")
        click.echo(f"{item.code}  {level.value:<9}  {item.unit.name}  → {names}{why}")
    if due:
        click.echo(f"{due} deadline notices sent.")
    click.echo(f"{len(sent)} reminders recorded for {today.isoformat()}.")
