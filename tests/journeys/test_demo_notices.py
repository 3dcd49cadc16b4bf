"""On the demo data, the loop runs itself: a month of daily reminders later, the owner of the most
ledger items finds her notices in /inbox, each linking to its record."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from support import Person
from tracker.clock import local_today
from tracker.extensions import db
from tracker.models import LedgerItem, Notification, User

DEMO_PASSWORD = "demo12345"


def test_after_a_month_of_reminders_the_busiest_owner_has_notices(app, runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    later = local_today() + timedelta(days=30)
    for _twice in range(2):
        result = runner.invoke(args=["remind", "--date", later.isoformat()])
        assert result.exit_code == 0, result.output
    with app.app_context():
        owner_id, _count = db.session.execute(
            sa.select(LedgerItem.owner_id, sa.func.count()).where(LedgerItem.owner_id.is_not(None))
            .group_by(LedgerItem.owner_id).order_by(sa.func.count().desc())).first()
        owner = db.session.get(User, owner_id)
        reminders = db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
            Notification.recipient_id == owner_id, Notification.event == "remind"))
        keys = db.session.execute(sa.select(Notification.recipient_id, Notification.dedupe_key).where(
            Notification.dedupe_key.is_not(None))).all()
    assert reminders > 0 and len(keys) == len(set(keys))  # twice run, each notice once
    inbox = Person(app, owner.username, DEMO_PASSWORD).get("/inbox/")
    assert "提醒" in inbox
    assert re.search(r'href="/ledger/\d+"', inbox)
