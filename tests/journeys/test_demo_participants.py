"""On the demo data, every person named on a record can open it and do their part.

Checked from outside, as each person: log in, open the record, see the action their part allows.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import ItemStatus, LedgerItem, User

DEMO_PASSWORD = "demo12345"


@pytest.fixture
def demo(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output


def _log_in(app, username):
    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": DEMO_PASSWORD}).status_code == 302
    return client


def test_every_demo_item_opens_for_its_verifier(app, demo):
    with app.app_context():
        rows = db.session.execute(
            sa.select(LedgerItem.id, LedgerItem.code, LedgerItem.status, User.username)
            .join(User, User.id == LedgerItem.verifier_id)).all()
    assert len(rows) >= 40
    cross_branch = 0
    clients = {}
    for item_id, code, status, username in rows:
        client = clients.get(username) or clients.setdefault(username, _log_in(app, username))
        response = client.get(f"/ledger/{item_id}")
        assert response.status_code == 200, f"{username} cannot open {code}, which they verify"
        page = response.get_data(as_text=True)
        if status is ItemStatus.submitted:
            assert f"/ledger/{item_id}/close" in page, f"{username} is not offered to close {code}"
        cross_branch += username.startswith("sec")
    assert cross_branch, "the demo has items verified by the secretary of another branch"


def test_a_verifier_in_another_branch_finds_the_items_waiting_for_her(app, demo):
    with app.app_context():
        row = db.session.execute(
            sa.select(LedgerItem.code, User.username).join(User, User.id == LedgerItem.verifier_id)
            .where(LedgerItem.status == ItemStatus.submitted, User.username.like("sec%"))).first()
    if row is None:
        pytest.fail("the demo has an item submitted to a secretary of another branch for verification")
    client = _log_in(app, row.username)
    assert row.code in client.get("/ledger/?mine=verify").get_data(as_text=True)
