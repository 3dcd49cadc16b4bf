"""It must show: a 6-branch peer round with k = 2, from creation to the ledger, in the browser.

`leader` creates the round and generates the assignment; one secretary scores a sheet in the
browser (a wrong score and a missing note refused beside their fields, then a deduction with its
note); the other sheets are scored through the operations; `sec2` appeals the deduction and
`leader` adjusts it; `leader` publishes twice; the ranking is right and the deduction is in the
reviewed branch's ledger exactly once.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tracker.extensions import db
from tracker.models import ItemKind, LedgerItem, Membership, OrgUnit, ReviewRound, Role, RoundResult, Scoresheet, User
from tracker.reviews import operations as ops
from tracker.reviews import queries

pytestmark = pytest.mark.browser

ROUND_NAME = "2027年第一季度党支部互查互评"
NOTE = "党课本季度仅开展1次，书记未讲党课"


def _switch_user(page, log_in, username):
    page.context.clear_cookies()
    log_in(username)
    # Another test may have left this user in English; the checks below read Chinese.
    page.locator(".lang-switch button[value=zh_Hans_CN]").click()
    page.wait_for_load_state()


def _in_app(live_app, fn):
    with live_app.app_context():
        result = fn()
        db.session.commit()
        return result


def test_a_peer_round_from_assignment_to_the_ledger(page, live_server, live_app, log_in):
    page.on("dialog", lambda dialog: dialog.accept())
    log_in("leader")

    # The leader creates the round over the 机关党委's six branches and generates the assignment.
    page.goto(f"{live_server}/reviews/new")
    page.fill("#name", ROUND_NAME)
    page.fill("#year", "2027")
    page.select_option("#quarter", "1")
    page.select_option("#unit_id", label="示范市直机关党委")
    page.fill("#k", "2")
    page.fill("#rectification_due", "2027-04-30")
    page.locator("form[action$='/reviews/new'] button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text(ROUND_NAME)
    round_id = int(page.url.rstrip("/").split("/")[-1])
    page.locator("form[action$='/assignment'] button").click()
    expect(page.locator("tr[id^=pair-]")).to_have_count(12)

    def pairs():
        round_ = db.session.get(ReviewRound, round_id)
        units = {u.id: u.name for u in queries.participants(round_)}
        return [(p.reviewer_id, p.reviewee_id) for p in queries.pairs_of(round_)], units

    found, units = _in_app(live_app, pairs)
    assert len(units) == 6
    assert all(a != b for a, b in found), "no unit reviews itself"
    assert not [(a, b) for a, b in found if (b, a) in found], "no reciprocal pair"
    page.locator("form[action$='/state'] input[value=reviewing] ~ button").click()
    expect(page.locator("h1 .tag")).to_have_text("互评")

    # One reviewer of 组织人事党支部 (sec2's branch) scores it in the browser.
    def setup():
        branch = db.session.scalars(sa.select(OrgUnit).where(OrgUnit.name == "组织人事党支部")).one()
        sheet = db.session.scalars(sa.select(Scoresheet).where(
            Scoresheet.round_id == round_id, Scoresheet.reviewee_unit_id == branch.id,
            Scoresheet.pair_id.is_not(None)).order_by(Scoresheet.id)).first()
        reviewer = db.session.scalars(sa.select(User).join(Membership, Membership.user_id == User.id).where(
            Membership.unit_id == sheet.reviewer_unit_id, Membership.role == Role.secretary)).first()
        items = [(i.id, i.kind, i.points) for i in db.session.get(ReviewRound, round_id).rubric.indicators]
        return branch.id, sheet.id, reviewer.username, items

    branch_id, sheet_id, reviewer, items = _in_app(live_app, setup)
    _switch_user(page, log_in, reviewer)
    page.goto(f"{live_server}/reviews/sheets/{sheet_id}")
    lecture = items[5]  # 党课每年不少于4次: 5 points

    def enter(item_id, points, note=None):
        if note is not None:
            page.fill(f"#note-{item_id}", note)
        with page.expect_response(lambda r: f"/scores/{item_id}" in r.url):
            page.fill(f"#points-{item_id}", points)
            page.locator(f"#points-{item_id}").press("Tab")

    enter(lecture[0], "6")
    expect(page.locator(f"#points-{lecture[0]}-error")).to_contain_text("0 至 5 分")
    enter(lecture[0], "4")
    expect(page.locator(f"#note-{lecture[0]}-error")).to_contain_text("扣分说明")
    enter(lecture[0], "4", NOTE)
    expect(page.locator(f"#score-{lecture[0]} .saved")).to_be_visible()
    for item_id, kind, full in items:
        if kind is ItemKind.veto or item_id == lecture[0]:
            continue
        enter(item_id, str(full) if kind is ItemKind.normal else "0")
    with page.expect_response(lambda r: "/fields/highlights" in r.url):
        page.fill("#sheet-highlights", "党员活动室“五有”齐全，学习园地内容常换常新")
        page.locator("#sheet-highlights").press("Tab")
    page.locator("#submit-sheet button").click()
    expect(page.locator("h1 .tag")).to_have_text("已提交")

    # The other eleven sheets are scored through the operations: full points everywhere.
    def score_the_rest():
        for sheet in db.session.scalars(sa.select(Scoresheet).where(
                Scoresheet.round_id == round_id, Scoresheet.submitted_at.is_(None))):
            team = sheet.reviewer_unit.secretary  # each sheet by its own team: the leader is on none
            for item in sheet.round.rubric.indicators:
                if item.kind is not ItemKind.veto:
                    ops.save_score(team, sheet, item, points=str(item.points if item.kind is ItemKind.normal else 0),
                                   note=None)
            ops.submit_sheet(team, sheet)

    _in_app(live_app, score_the_rest)

    # Appeal window: sec2 contests the deduction, the leader adjusts it to 4.5.
    _switch_user(page, log_in, "leader")
    page.goto(f"{live_server}/reviews/{round_id}")
    page.locator("form[action$='/state'] input[value=appeal] ~ button").click()
    expect(page.locator("h1 .tag")).to_have_text("申诉")
    _switch_user(page, log_in, "sec2")
    page.goto(f"{live_server}/reviews/{round_id}/units/{branch_id}")
    deduction = page.locator(".deduction", has_text=NOTE)
    deduction.locator("summary").click()
    deduction.locator("textarea[name=reason]").fill("书记已于3月28日讲专题党课，记录附后")
    deduction.locator("form.appeal-form button").click()
    expect(page.locator(".deduction", has_text=NOTE).locator(".appeal")).to_contain_text("待答复")

    _switch_user(page, log_in, "leader")
    page.goto(f"{live_server}/reviews/{round_id}/units/{branch_id}")
    form = page.locator(".deduction", has_text=NOTE).locator("form.answer-form")
    form.locator("select[name=decision]").select_option("adjusted")
    form.locator("input[name=points]").fill("4.5")
    form.locator("textarea[name=answer]").fill("经核实书记讲党课记录，减半扣分")
    form.locator("button").click()
    expect(page.locator(".deduction", has_text=NOTE).locator(".appeal")).to_contain_text("已调整扣分")

    # Publish, then publish again.
    page.goto(f"{live_server}/reviews/{round_id}")
    page.locator("form[action$='/state'] input[value=published] ~ button").click()
    expect(page.locator("h1")).to_contain_text("通报")
    ranking = page.locator("table.ranking tbody tr")
    expect(ranking).to_have_count(6)
    expect(ranking.last).to_contain_text("组织人事党支部")
    expect(ranking.last).to_contain_text("99.75")  # one of two reviewers took 0.5 off
    expect(ranking.first.locator("td").first).to_have_text("1")
    expect(ranking.nth(4).locator("td").first).to_have_text("1")
    expect(page.locator("canvas.js-chart")).to_have_attribute("data-drawn", "1")
    page.goto(f"{live_server}/reviews/{round_id}")
    page.locator("form[action$='/state'] input[value=published] ~ button").click()
    expect(page.locator("h1")).to_contain_text("通报")

    def ledger():
        items = db.session.scalars(sa.select(LedgerItem).where(
            LedgerItem.origin_type == "review_round", LedgerItem.origin_id == round_id)).all()
        ranks = dict(db.session.execute(sa.select(RoundResult.unit_id, RoundResult.rank)
                                        .where(RoundResult.round_id == round_id)).all())
        return [(i.unit_id, i.problem, i.deduction, i.batch) for i in items], ranks

    items_, ranks = _in_app(live_app, ledger)
    assert items_ == [(branch_id, NOTE, Decimal("0.25"), ROUND_NAME)]
    assert ranks[branch_id] == 6 and sorted(ranks.values()) == [1, 1, 1, 1, 1, 6]
