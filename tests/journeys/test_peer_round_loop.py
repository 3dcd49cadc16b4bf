"""Journey (b): a peer round's deduction closed across branches — 互查 → 台账 → 销号.

周书记 (the 机关党委's leader) creates the fourth-quarter round and assigns it; every branch
secretary scores the sheets of her team. 组织人事党支部's secretary appeals one deduction and
周书记 upholds it; the round is published. The deduction is now a ledger item of 组织人事党支部,
its verifier the secretary of a branch that reviewed it — in another 党总支 or beside it, outside
her scope. The reviewed secretary rectifies with evidence and submits; the reviewing secretary
finds it waiting for her, returns it once, and closes it when it comes back. The roll-up's
整改率 for 组织人事党支部 moves from 0 to 100 %.
"""

from __future__ import annotations

import io
import re

from journeys.review_story import Person, cast, create_and_assign, indicators, my_sheets, score_sheet, sheets_about
from tracker.extensions import db
from tracker.models import LedgerItem, Scoresheet

__all__ = ["cast"]  # the fixture, imported for this module's tests

PROBLEM = "支委会会议记录缺少10月议题和表决情况"


def _rate(page: str, unit: str) -> str:
    row = next(r for r in re.findall(r"<tr[^>]*>(.*?)</tr>", page, flags=re.S) if f">{unit}</a>" in r)
    return re.search(r"(\d+\.\d)%", row).group(1)


def test_a_deduction_is_rectified_by_the_reviewed_branch_and_closed_by_the_reviewing_one(app, cast):
    items = indicators(app, cast)
    late = next(item_id for item_id, _k, _p, title in items if title.startswith("三会一课：支委会"))
    reviewed = cast.branch_ids[1]  # 组织人事党支部

    leader = Person(app, "leader")
    round_id = create_and_assign(leader, cast)
    deducting_sheet, _other_sheet = sheets_about(app, round_id, reviewed)
    with app.app_context():
        reviewing_unit = db.session.get(Scoresheet, deducting_sheet).reviewer_unit_id
    for unit_id in cast.branch_ids:
        secretary = Person(app, cast.secretary(unit_id))
        for sheet_id in my_sheets(secretary, round_id):
            score_sheet(secretary, sheet_id, items, {late: ("4", PROBLEM)} if sheet_id == deducting_sheet else None)

    # The appeal window: the reviewed secretary contests the deduction; the leader upholds it.
    leader.post(f"/reviews/{round_id}/state", {"to": "appeal"})
    owner = Person(app, cast.secretary(reviewed))
    report = owner.get(f"/reviews/{round_id}/units/{reviewed}")
    score_id = re.search(r'<article class="deduction" id="deduction-(\d+)">', report).group(1)
    owner.post(f"/reviews/{round_id}/units/{reviewed}/appeals", {"score_id": score_id, "reason": "会议已召开，记录在补"})
    answer = re.search(r'action="(/reviews/appeals/\d+)"', leader.get(f"/reviews/{round_id}/units/{reviewed}")).group(1)
    leader.post(answer, {"decision": "upheld", "answer": "记录缺失属实，维持扣分"})
    leader.post(f"/reviews/{round_id}/state", {"to": "published"})
    assert "0.0%" == _rate(leader.get("/ledger/rollup"), "组织人事党支部") + "%"

    # The item: the reviewed branch's, verified by the reviewing branch's secretary.
    with app.app_context():
        item = db.session.query(LedgerItem).filter_by(origin_type="review_round", origin_id=round_id).one()
        item_id, verifier = item.id, item.verifier.username
    assert verifier == cast.secretary(reviewing_unit) != owner.username
    page = owner.get(f"/ledger/{item_id}")
    assert PROBLEM in page

    # She rectifies: starts, reports progress, uploads the minutes, submits.
    owner.post(f"/ledger/{item_id}/start")
    owner.post(f"/ledger/{item_id}/progress", {"percent": "100", "text": "补齐10月支委会议题和表决记录"})
    owner.client.post(f"/ledger/{item_id}/evidence", data={
        "kind": "minutes", "file": (io.BytesIO("10月支委会会议记录（补）".encode()), "支委会记录.txt")},
        content_type="multipart/form-data")
    owner.post(f"/ledger/{item_id}/submit", {"note": "会议记录已补齐并归档"})

    # The reviewing branch's secretary — outside the reviewed branch's tree — finds it waiting for her.
    checker = Person(app, verifier)
    assert f'href="/ledger/{item_id}"' in checker.get("/ledger/?mine=verify")
    page = checker.get(f"/ledger/{item_id}")
    evidence = re.search(r'href="(/files/\d+)"', page).group(1)
    assert checker.client.get(evidence).status_code == 200
    checker.post(f"/ledger/{item_id}/return", {"return-reason": "缺少表决情况的签字页"})
    assert "退回" in owner.get(f"/ledger/{item_id}")

    # Back to the owner, then closed (销号) by the reviewing secretary.
    owner.post(f"/ledger/{item_id}/progress", {"percent": "100", "text": "补充签字页"})
    owner.post(f"/ledger/{item_id}/submit", {"note": "签字页已补充"})
    assert f'href="/ledger/{item_id}"' in checker.get("/ledger/?mine=verify")
    checker.post(f"/ledger/{item_id}/close", {"opinion": "记录完整，同意销号"})
    assert "已销号" in owner.get(f"/ledger/{item_id}")
    assert f'href="/ledger/{item_id}"' not in checker.get("/ledger/?mine=verify")

    # The roll-up's 整改率 for the branch moved.
    assert _rate(leader.get("/ledger/rollup"), "组织人事党支部") == "100.0"
