"""Journey (c): a round re-published after its appeals, and the ledger that follows the circular.

The round is scored and published: 组织人事党支部 loses points on 支委会 (both reviewers) and on
its 活动室 (one reviewer), 业务二处党支部 on 党费公示. 周书记 reopens the appeal window;
组织人事党支部's secretary appeals both of her first reviewer's deductions. 周书记 adjusts the
支委会 one (4 → 4.5) and restores the 活动室 one to full points, then publishes again, twice.
The secretary's ledger follows: the 支委会 item now says 0.75 points (1 → 0.75 in its timeline,
通报更正), the 活动室 item is void with the reason 通报更正, and the items still open are exactly
the circular's deductions.
"""

from __future__ import annotations

import re

from journeys.review_story import (
    Person, cast, create_and_assign, fact, indicators, ledger_rows, my_sheets, score_sheet, sheets_about,
)

__all__ = ["cast"]  # the fixture, imported for this module's tests

LATE_1 = "10月支委会未召开，会议记录缺失"
LATE_2 = "支委会议事记录不规范"
ROOM = "活动室制度未上墙"
FEES = "党费收缴情况本季度未公示"


def _circular_units(person: Person, round_id: int) -> list[str]:
    """The unit of each deduction the circular lists, in its order."""
    page = person.get(f"/reviews/{round_id}/results")
    section = page[page.index("扣分情况 <span"):]
    section = section[:section.index("</table>")]
    return re.findall(r'<tr><td data-label="组织">([^<]+)</td>', section)


def _answer_action(page: str, note: str) -> str:
    """The answer form's address of the appeal on the deduction whose note is `note`."""
    article = next(a for a in re.findall(r'<article class="deduction".*?</article>', page, flags=re.S) if note in a)
    return re.search(r'action="(/reviews/appeals/\d+)"', article).group(1)


def test_republication_after_appeals_updates_voids_and_matches_the_circular(app, cast):
    items = indicators(app, cast)
    by_title = {title: item_id for item_id, _kind, _p, title in items}
    late = next(i for t, i in by_title.items() if t.startswith("三会一课：支委会"))
    room = next(i for t, i in by_title.items() if t.startswith("党员活动室"))
    fees = next(i for t, i in by_title.items() if t.startswith("党费收缴情况定期公示"))
    reviewed, other = cast.branch_ids[1], cast.branch_ids[4]  # 组织人事党支部, 业务二处党支部

    # The leader creates and assigns the round; every secretary scores her team's sheets.
    leader = Person(app, "leader")
    round_id = create_and_assign(leader, cast)
    first, second = sheets_about(app, round_id, reviewed)
    plans = {first: {late: ("4", LATE_1), room: ("3.5", ROOM)}, second: {late: ("4", LATE_2)},
             sheets_about(app, round_id, other)[0]: {fees: ("2", FEES)}}
    for unit_id in cast.branch_ids:
        secretary = Person(app, cast.secretary(unit_id))
        for sheet_id in my_sheets(secretary, round_id):
            score_sheet(secretary, sheet_id, items, plans.get(sheet_id))

    # Published: three deductions in the circular, three items in the ledger.
    leader.post(f"/reviews/{round_id}/state", {"to": "published"})
    assert len(_circular_units(leader, round_id)) == 3
    assert [status for _id, status in ledger_rows(leader, round_id)] == ["open"] * 3

    # The leader reopens the appeal window; the reviewed branch's secretary appeals two deductions.
    leader.post(f"/reviews/{round_id}/state", {"to": "appeal"})
    secretary = Person(app, cast.secretary(reviewed))
    report = secretary.get(f"/reviews/{round_id}/units/{reviewed}")
    for note, reason in ((LATE_1, "10月18日召开了支委会，会议记录补充提交"), (ROOM, "制度已于检查次日上墙，照片附后")):
        article = next(a for a in re.findall(r'<article class="deduction" id="deduction-(\d+)">(.*?)</article>',
                                             report, flags=re.S) if note in a[1])
        secretary.post(f"/reviews/{round_id}/units/{reviewed}/appeals", {"score_id": article[0], "reason": reason})

    # The leader adjusts one and restores the other to full points, then publishes again — twice.
    page = leader.get(f"/reviews/{round_id}/units/{reviewed}")
    leader.post(_answer_action(page, LATE_1), {"decision": "adjusted", "points": "4.5",
                                              "answer": "会议已召开但记录归档不及时，减少扣分"})
    leader.post(_answer_action(page, ROOM), {"decision": "adjusted", "points": "4",
                                            "answer": "经核实照片，制度已上墙，撤销扣分"})
    leader.post(f"/reviews/{round_id}/state", {"to": "published"})
    leader.post(f"/reviews/{round_id}/state", {"to": "published"})

    # The answers stay visible to the secretary, even the one that restored full points.
    report = secretary.get(f"/reviews/{round_id}/units/{reviewed}")
    assert "经核实照片，制度已上墙，撤销扣分" in report and "申诉后恢复满分" in report

    # Her ledger: the 支委会 item updated (1 → 0.75, 通报更正), the 活动室 item void (通报更正).
    mine = dict(ledger_rows(secretary, round_id, reviewed))
    assert sorted(mine.values()) == ["open", "void"]
    pages = {item_id: secretary.get(f"/ledger/{item_id}") for item_id in mine}
    late_page = next(p for p in pages.values() if LATE_1 in p)
    room_page = next(p for p in pages.values() if ROOM in p)
    assert "扣0.75分" in fact(late_page, "对应指标/扣分")
    late_timeline = late_page[late_page.index('id="timeline"'):]
    assert "<del>1.00</del> → <ins>0.75</ins>" in late_timeline and "通报更正" in late_timeline
    assert "status-void" in room_page
    room_timeline = room_page[room_page.index('id="timeline"'):]
    assert "作废" in room_timeline and "通报更正" in room_timeline

    # The items still open are exactly the circular's deductions: hers, and the whole round's.
    circular = _circular_units(secretary, round_id)
    assert circular.count("组织人事党支部") == list(mine.values()).count("open") == 1
    assert len(circular) == 2
    assert [status for _id, status in ledger_rows(leader, round_id)].count("open") == len(circular)
    assert len(ledger_rows(leader, round_id)) == 3  # nothing created twice
