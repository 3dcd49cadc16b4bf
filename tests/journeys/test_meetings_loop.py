"""Journey: a branch's 支部党员大会 recorded, returned, corrected and approved, and the loop it closes.

Every step is performed through HTTP by the person who does it, each in a session of their own.
The secretary of 办公室党支部 records the quarter's 支部党员大会 with its attendance and submits it;
the leader of the 机关党委 returns it (first without a reason, which is refused beside the field);
she reads the reason, corrects the record and submits it again; the leader approves it. The
branch's 三会一课 project for the quarter has its 支部党员大会 item ticked, and the leader's quarter
summary shows one more meeting held (已开).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from support import Person
from tracker.clock import local_today
from tracker.extensions import db
from tracker.models import ChecklistItem, Meeting, MeetingState, OrgUnit, ProjectTemplate, Role, Stage, User


@pytest.fixture
def cast(make_unit, make_user, in_db):
    from tracker.projects.catalogue import install_templates
    from tracker.projects.operations_assignment import instantiate

    root = make_unit("示范机关党委")
    general = make_unit("机关第一党总支", root)
    branch = make_unit("办公室党支部", general)
    make_unit("组织人事党支部", general)
    people = {
        "leader": make_user("leader", root, Role.leader),
        "sec": make_user("sec1", branch, Role.secretary),
        "member": make_user("member1", branch, Role.member),
        "member2": make_user("member2", branch, Role.member),
    }
    today = local_today()
    quarter = (today.month - 1) // 3 + 1
    start = date(today.year, 3 * quarter - 2, 1)
    end = (date(today.year + 1, 1, 1) if quarter == 4 else date(today.year, 3 * quarter + 1, 1)) - timedelta(days=1)

    def project():
        install_templates()
        template = db.session.scalar(sa.select(ProjectTemplate).where(ProjectTemplate.name == "三会一课季度计划"))
        return instantiate(None, template, db.session.get(OrgUnit, branch.id), db.session.get(User, people["sec"].id),
                           start_date=start, due_date=end, quarter=quarter,
                           assigning_unit=db.session.get(OrgUnit, root.id)).id

    return {"branch": branch, "project_id": in_db(project), "today": today, **people}


def held(page: str, unit_id: int) -> int:
    """The 已开 of the unit's 支部党员大会 on the summary page."""
    row = re.search(rf'<tr[^>]*id="summary-{unit_id}".*?</tr>', page, re.S).group(0)
    return int(re.search(r'kind=general_meeting">(\d+)</a>', row).group(1))


def test_a_general_meeting_is_returned_corrected_approved_and_counted(app, cast, in_db):
    leader, sec = Person(app, cast["leader"]), Person(app, cast["sec"])
    branch_id = cast["branch"].id
    before = held(leader.get("/meetings/summary"), branch_id)

    # The secretary records the meeting: everyone present, she hosts and keeps the minutes.
    page = sec.get("/meetings/new")
    assert "member1" in page or "测试用户" in page
    response = sec.submit("/meetings/new", "/meetings/new", {
        "kind": "general_meeting", "held_on": cast["today"].isoformat(), "place": "三楼党员活动室",
        "host_id": str(cast["sec"].id), "recorder_id": str(cast["sec"].id),
        "topics": "学习贯彻党的二十届三中全会精神；讨论发展党员", "content": "书记领学，党员交流发言",
        "decisions": "同意确定1名入党积极分子为发展对象"})
    url = response.headers["Location"]
    meeting_id = int(url.rstrip("/").split("/")[-1])
    assert "3 / 3 / 0" in sec.follow(response)
    sec.submit(url, f"/meetings/{meeting_id}/submit")

    # The leader returns it: without a reason the refusal sits beside the field.
    page = leader.get(url)
    assert f'action="/meetings/{meeting_id}/approve"' in page
    refused = leader.post(f"/meetings/{meeting_id}/return", {"return-reason": " "}, status=422)
    assert "Say why the record is returned." in refused.get_data(as_text=True) or "退回" in refused.get_data(
        as_text=True)
    leader.submit(url, f"/meetings/{meeting_id}/return", {"return-reason": "缺少请假人员的补学安排"})

    # She reads why, corrects the record and submits it again.
    page = sec.get(url)
    assert "缺少请假人员的补学安排" in page
    sec.submit(f"/meetings/{meeting_id}/edit", f"/meetings/{meeting_id}/edit", {
        f"att-{cast['member2'].id}": "leave", f"att-{cast['member2'].id}-reason": "外出培训",
        "decisions": "同意确定1名入党积极分子为发展对象；请假党员会后补学"})
    assert "3 / 2 / 1" in sec.get(url)
    sec.submit(url, f"/meetings/{meeting_id}/submit")

    # The leader approves.
    leader.submit(url, f"/meetings/{meeting_id}/approve")
    assert in_db(lambda: db.session.get(Meeting, meeting_id).state) is MeetingState.approved

    # The branch's 三会一课 project has its 支部党员大会 item ticked, by the leader's approval.
    ticked = in_db(lambda: [(i.text, i.done_by_id) for i in db.session.scalars(sa.select(ChecklistItem).where(
        ChecklistItem.project_id == cast["project_id"], ChecklistItem.stage == Stage.run,
        ChecklistItem.done_at.is_not(None)))])
    assert ticked == [("召开支部党员大会并形成会议记录", cast["leader"].id)]

    # …and the quarter summary counts one more meeting held.
    assert held(leader.get("/meetings/summary"), branch_id) == before + 1
    sheet = leader.client.get("/meetings/summary.xlsx")
    assert sheet.status_code == 200 and sheet.data[:2] == b"PK"
