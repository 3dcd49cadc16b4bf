"""Journey (e): a 一票否决 marked by one of the two reviewers of a branch is not dropped.

周书记 (the 机关党委's leader) creates a peer round and assigns it; every branch secretary scores
the two branches her team reviews, and one of 财务审计党支部's two reviewers ticks 意识形态工作
出现重大问题. Publishing is refused while nobody has decided the veto, and 周书记 sees why; she
applies it with a reason and publishes. 财务审计党支部's secretary finds her branch graded 差 and
the problem in her ledger, with herself as owner.
"""

from __future__ import annotations

import re

from journeys.review_story import (
    ROUND_NAME, Person, cast, create_and_assign, fact, indicators, ledger_rows, my_sheets, reviewer_of, score_sheet,
    sheets_about, unit_name,
)
from tracker.models import ItemKind

__all__ = ["cast"]  # the fixture, imported for this module's tests

VETO_NOTE = "支部微信工作群转发错误言论，支部书记未及时制止和处置"
REASON = "经调阅聊天记录并约谈支部书记，情况属实，按细则认定一票否决"


def test_a_veto_one_reviewer_marked_is_decided_by_the_leader_and_reaches_the_ledger(app, cast):
    items = indicators(app, cast)
    veto_id = next(i for i, kind, _p, title in items if kind is ItemKind.veto and title.startswith("意识形态"))
    reviewed = cast.branch_ids[2]  # 财务审计党支部

    # The leader creates the round, generates the assignment and opens peer review.
    leader = Person(app, "leader")
    round_id = create_and_assign(leader, cast)

    # Every reviewing secretary scores her team's two sheets; the first reviewer of 财务审计党支部
    # ticks the veto, the second does not.
    marker = sheets_about(app, round_id, reviewed)[0]
    for unit_id in cast.branch_ids:
        secretary = Person(app, cast.secretary(unit_id))
        for sheet_id in my_sheets(secretary, round_id):
            marks = {veto_id: (None, VETO_NOTE)} if sheet_id == marker else None
            score_sheet(secretary, sheet_id, items, marks)

    # Publishing is refused while the veto is undecided; the leader sees why, on the round's page.
    refused = leader.post(f"/reviews/{round_id}/state", {"to": "published"}, status=409)
    page = refused.get_data(as_text=True)
    refusal = page[page.index('id="refusal"'):]
    assert "财务审计党支部" in refusal and "仅有部分检查组勾选" in refusal
    veto_card = page[page.index('id="vetoes"'):]
    assert VETO_NOTE in veto_card and "2 个检查组中 1 个勾选" in veto_card and "待上级党组织认定" in veto_card

    # The leader applies it, with a reason; the decision is shown and recorded.
    leader.post(f"/reviews/{round_id}/vetoes/{reviewed}/{veto_id}", {"decision": "apply", "reason": REASON})
    page = leader.get(f"/reviews/{round_id}")
    assert "已认定一票否决" in page and REASON in page
    assert "认定了一票否决" in page[page.index('id="timeline"'):]

    # She publishes.
    leader.post(f"/reviews/{round_id}/state", {"to": "published"})

    # 财务审计党支部's secretary sees her branch graded 差, last, and why.
    secretary = Person(app, cast.secretary(reviewed))
    results = secretary.get(f"/reviews/{round_id}/results")
    ranking = results[results.index('class="table ranking keep"'):]
    row = ranking[ranking.index(">财务审计党支部<"):]
    row = row[:row.index("</tr>")]
    assert "grade-poor" in row and ">差<" in row and "一票否决" in row
    assert re.findall(r"<tr>\s*<td>(\d+)</td>", ranking)[-1] == "6"
    report = secretary.get(f"/reviews/{round_id}/units/{reviewed}")
    assert VETO_NOTE in report and "已认定一票否决" in report and REASON in report

    # … and the problem in her ledger, hers to rectify.
    [(item_id, status)] = ledger_rows(secretary, round_id, reviewed)
    assert status == "open"
    item = secretary.get(f"/ledger/{item_id}")
    assert VETO_NOTE in item and fact(item, "责任人") == "财务审计党支部书记"
    assert fact(item, "检查批次/轮次") == ROUND_NAME
    assert fact(item, "验收人") == unit_name(app, reviewer_of(app, marker)) + "书记"  # the reviewer who saw it
