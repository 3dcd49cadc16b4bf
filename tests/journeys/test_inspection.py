"""Journey (d): an inspection (巡察) by the higher unit, its problems rectified and closed.

Every step is performed through HTTP by the person who does it, each in a session of their own;
the days pass with the daily `remind` command run for a given date. The leader of the 机关党委
registers what the inspection found in two branches, the inspector of the 机关党委 verifies. One
owner asks for more time and gets it; the other item, left alone, climbs 提醒 → 告诫 → 督办.
Both owners then submit with evidence, and the inspector closes both (销号).
"""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest

from ledger.ledger_support import PNG
from support import Person
from tracker.clock import local_today
from tracker.models import Role

BATCH = "2026年机关党委第一轮巡察"


@pytest.fixture
def cast(make_unit, make_user):
    root = make_unit("示范机关党委")
    general = make_unit("机关第一党总支", root)
    office, records = make_unit("办公室党支部", general), make_unit("档案室党支部", general)
    return {
        "leader": make_user("leader", root, Role.leader),
        "inspector": make_user("inspector", root, Role.leader),  # the inspection team's leader (巡察组)
        "office": office, "records": records,
        "sec_office": make_user("sec1", office, Role.secretary),
        "sec_records": make_user("sec2", records, Role.secretary),
        "member_records": make_user("member2", records, Role.member),
    }


def _register(leader: Person, unit, problem: str, deadline, inspector, owner=None) -> str:
    """The leader registers one problem found; returns the item's page."""
    form = f"/ledger/new?unit_id={unit.id}"
    changes = {"problem": problem, "source": "inspection", "batch": BATCH, "category": "组织建设",
               "deadline_kind": "date", "deadline": deadline.isoformat(), "verifier_id": str(inspector.id),
               "measures": "对照巡察反馈逐项整改"}
    if owner is not None:
        changes["owner_id"] = str(owner.id)
    return leader.submit(form, "/ledger/new", changes).headers["Location"]


def _code(page: str) -> str:
    return re.search(r"ZG-\d{4}-\d{4}", page).group(0)


def _rectify(owner: Person, item: str, note: str) -> None:
    """The owner reports progress, uploads evidence and submits the item for verification."""
    owner.submit(item, f"{item}/progress", {"percent": "60", "text": "已召开支委会研究整改措施"})
    owner.submit(item, f"{item}/evidence", {"kind": "minutes", "file": (io.BytesIO(PNG), "支委会会议记录.png")},
                 content_type="multipart/form-data")
    page = owner.follow(owner.submit(item, f"{item}/submit", {"note": note}))
    assert "已提交验收。" in page and "待验收" in page


def test_an_inspection_rectified_one_item_extended_one_escalating_both_closed(app, runner, cast):
    leader, inspector = Person(app, cast["leader"]), Person(app, cast["inspector"])
    today = local_today()
    due = today + timedelta(days=10)

    # The leader registers the two problems; the inspector verifies both.
    office_item = _register(leader, cast["office"], "支部委员会会议记录不完整，缺少签到表", due, cast["inspector"])
    records_item = _register(leader, cast["records"], "党员发展档案材料不齐全", due, cast["inspector"],
                             owner=cast["member_records"])
    page = leader.get(office_item)
    assert "巡察督查" in page and BATCH in page
    office_code, records_code = _code(page), _code(leader.get(records_item))

    # The office's secretary owns hers (the unit's secretary by default) and asks for more time.
    office = Person(app, cast["sec_office"])
    assert office_code in office.get(f"/ledger/?owner={cast['sec_office'].id}")
    later = today + timedelta(days=40)
    office.submit(office_item, f"{office_item}/extensions",
                  {"new_deadline": later.isoformat(), "reason": "签到表需向参会党员逐一补签"})

    # The inspector approves the extension on the item's page.
    page = inspector.get(office_item)
    decide = re.search(r'action="(/ledger/\d+/extensions/\d+)"', page).group(1)
    page = inspector.follow(inspector.submit(office_item, decide, {"decision": "approve", "note": "同意延期"}))
    assert "已批准延期。" in page and later.isoformat() in page

    # The days pass: the item left alone climbs 提醒 → 告诫 → 督办; the extended one does not.
    levels = []
    for days_overdue in (1, 7, 15):
        on = due + timedelta(days=days_overdue)
        output = runner.invoke(args=["remind", "--date", on.isoformat()]).output
        assert office_code not in output
        levels.append(next(line for line in output.splitlines() if line.startswith(records_code)).split()[1])
    assert levels == ["remind", "warn", "supervise"]
    member = Person(app, cast["member_records"])
    timeline = member.get(records_item).split('id="timeline"', 1)[1]
    assert "提醒（责任人）" in timeline and "告诫（支部书记）" in timeline and "督办（上级领导）" in timeline

    # Both owners rectify, with evidence, and submit.
    _rectify(member, records_item, "已逐人核查发展档案，补齐政审材料")
    _rectify(office, office_item, "已补齐全年支委会签到表并建立会议记录模板")

    # The inspector verifies and closes both (销号).
    for item in (office_item, records_item):
        page = inspector.follow(inspector.submit(item, f"{item}/close", {"opinion": "整改到位，佐证材料齐全，同意销号"}))
        assert "已验收销号。" in page and 'id="item-status-label">已销号<' in page
    rollup = leader.get(f"/ledger/rollup?batch={BATCH}")
    assert "100.0%" in rollup.split("<tfoot>", 1)[1]
