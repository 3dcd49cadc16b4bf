"""Journey (b) in the browser: the secretary of the reviewing branch verifies a peer round's item
that sits in another branch, outside her scope — found on her home page, returned, then closed."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tracker.extensions import db
from tracker.models import ItemStatus, LedgerItem, User

pytestmark = pytest.mark.browser


def _submitted_to_a_secretary(live_app):
    """The first demo item from a review round waiting for a branch secretary's verification."""
    with live_app.app_context():
        row = db.session.execute(
            sa.select(LedgerItem.id, LedgerItem.code, User.username, LedgerItem.owner_id)
            .join(User, User.id == LedgerItem.verifier_id)
            .where(LedgerItem.status == ItemStatus.submitted, LedgerItem.origin_type == "review_round",
                   User.username.like("sec%")).order_by(LedgerItem.id)).first()
        owner = db.session.get(User, row.owner_id).username
    assert row is not None, "the demo has a review item waiting for another branch's secretary"
    return row.id, row.code, row.username, owner


def _log_out(page):
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_label("用户名")).to_be_visible()


def test_the_reviewing_secretary_returns_and_closes_an_item_of_another_branch(page, live_app, live_server, log_in):
    item_id, code, verifier, owner = _submitted_to_a_secretary(live_app)

    # Her home page counts what waits for her; the card opens the list of those items.
    log_in(verifier)
    page.get_by_role("link", name=re.compile("待我验收")).click()
    expect(page).to_have_url(re.compile(r"mine=verify"))
    page.locator("#ledger-table").get_by_role("link", name=code).click()
    expect(page.locator("#item-status-label")).to_have_text("待验收")
    returning = page.locator("#return-form")
    returning.get_by_label("理由").fill("佐证材料不全，请补充会议签到表")
    returning.get_by_role("button", name="退回").click()
    expect(page.locator("#item-status-label")).to_have_text("退回")
    _log_out(page)

    # The reviewed branch's secretary resubmits.
    log_in(owner)
    page.goto(f"{live_server}/ledger/{item_id}")
    page.locator("#submit-form").get_by_role("button", name="提交验收").click()
    expect(page.locator("#item-status-label")).to_have_text("待验收")
    _log_out(page)

    # The reviewing secretary closes it (销号).
    log_in(verifier)
    page.goto(f"{live_server}/ledger/{item_id}")
    closing = page.locator("#close-form")
    closing.get_by_label("验收意见").fill("材料已补齐，同意销号")
    closing.get_by_role("button", name="验收销号").click()
    expect(page.locator("#item-status-label")).to_have_text("已销号")
    expect(page.locator("#timeline").get_by_text("验收销号").first).to_be_visible()
