"""In the browser: the unread count in the navigation rises when a leader's action tells the secretary,
without reloading the page, and falls when she marks the notice read."""

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tracker.extensions import db
from tracker.inbox.operations import notify
from tracker.models import Event, User


@pytest.fixture
def quick_polling(live_app):
    before = live_app.config["INBOX_POLL_SECONDS"]
    live_app.config["INBOX_POLL_SECONDS"] = 1
    yield
    live_app.config["INBOX_POLL_SECONDS"] = before


def unread(page) -> int:
    badge = page.locator("#inbox-count .badge")
    return int(badge.inner_text().split()[0]) if badge.count() else 0


def test_the_unread_count_follows_a_leaders_notice_and_her_reading(page, live_app, live_server, log_in, quick_polling):
    log_in("sec1")
    before = unread(page)
    with live_app.app_context():
        leader = db.session.scalar(sa.select(User).where(User.username == "leader"))
        sec1 = db.session.scalar(sa.select(User).where(User.username == "sec1"))
        notice, = notify(leader, [sec1], Event.assigned, sec1.primary_unit)
        notice_id = notice.id
        db.session.commit()
    expect(page.locator("#inbox-count .badge")).to_contain_text(str(before + 1), timeout=10_000)

    page.locator("#main-nav a[href='/inbox/']").click()
    row = page.locator(f"#notification-{notice_id}")
    expect(row).to_have_class("notice-row unread")
    row.get_by_role("button").click()
    expect(row).to_have_class("notice-row")
    if before:
        expect(page.locator("#inbox-count .badge")).to_contain_text(str(before))
    else:
        expect(page.locator("#inbox-count .badge")).to_have_count(0)
