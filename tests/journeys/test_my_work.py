""""My work" on each person's home page: every open thing waiting for her, most urgent first, each
one click from acting — for a member, her secretary, a verifier in another branch and the leader."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask_babel import force_locale

from support import Person
from tracker.clock import local_today
from tracker.extensions import db
from tracker.ledger import operations as ledger
from tracker.models import AttachmentKind, ItemSource, OrgUnit, Role, Stage, User
from tracker.projects import operations as projects

from ledger.ledger_support import png


@pytest.fixture
def story(in_db, make_unit, make_user):
    root = make_unit("机关党委")
    general = make_unit("第一党总支", root)
    branch, other = make_unit("办公室党支部", general), make_unit("信息中心党支部", general)
    cast = {"leader": make_user("mw_leader", root, Role.leader), "sec": make_user("mw_sec", branch, Role.secretary),
            "member": make_user("mw_member", branch, Role.member),
            "verifier": make_user("mw_verifier", other, Role.secretary)}
    today = local_today()

    def build():
        get = db.session.get
        leader, sec, member, verifier = (get(User, cast[k].id) for k in ("leader", "sec", "member", "verifier"))
        unit = get(OrgUnit, branch.id)

        def item(problem, days, **kw):
            return ledger.create_item(leader, unit=unit, problem=problem, source=ItemSource.self_check, owner=member,
                                      verifier=verifier, deadline=today + timedelta(days=days), **kw)

        soon = item("党员信息库未及时更新", 2)
        later = item("支部学习记录缺页", 20)
        submitted = item("主题党日签到表缺失", 10)
        ledger.add_evidence(member, submitted, png(), AttachmentKind.photo)
        ledger.submit_item(member, submitted, note="已补齐签到表")
        ledger.request_extension(member, later, new_deadline=today + timedelta(days=40), reason="需系统升级")
        supervised = item("发展党员档案不全", 30)
        supervised.deadline = today - timedelta(days=15)
        reminded = item("会议记录不规范", 30)
        reminded.deadline = today - timedelta(days=2)
        project = projects.create_project(
            leader, title="书记项目：学习型支部", unit=unit, owner=sec, start_date=today - timedelta(days=30),
            due_date=today + timedelta(days=60), assigning_unit=get(OrgUnit, root.id), needs_approval=True,
            targets=[projects.TargetInput("党课", "次", 4)])
        tick = projects.add_item(sec, project, stage=Stage.plan, text="起草学习计划", assignee=member,
                                 due_date=today - timedelta(days=1))
        return {"soon": soon.id, "later": later.id, "submitted": submitted.id, "project": project.id,
                "tick": tick.id, "supervised": supervised.code, "reminded": reminded.code,
                "supervised_id": supervised.id, "reminded_id": reminded.id,
                "codes": {soon.id: soon.code, later.id: later.code, submitted.id: submitted.code}}

    return cast, in_db(build)


def _my_work(page: str) -> str:
    return page.split('id="my-work"', 1)[1].split("</section>", 1)[0]


def _rows(section: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)">', section)


def test_a_member_sees_her_items_and_checklist_most_urgent_first(app, story):
    cast, ids = story
    member = Person(app, cast["member"])
    section = _my_work(member.get("/home"))
    links = _rows(section)
    # The most overdue first, then by deadline; nothing she waits on others for.
    assert links[:5] == [f"/ledger/{ids['supervised_id']}", f"/ledger/{ids['reminded_id']}",
                         f"/projects/{ids['project']}#item-{ids['tick']}", f"/ledger/{ids['soon']}",
                         f"/ledger/{ids['later']}"]
    assert f"/ledger/{ids['submitted']}" not in links
    assert "light-red" in section and "light-yellow" in section
    assert "起草学习计划" in section and "我的清单事项" in section
    for link in links:  # one click from acting: each row opens for her
        member.get(link.split("#")[0])


def test_her_secretary_sees_the_project_she_carries(app, story):
    cast, ids = story
    section = _my_work(Person(app, cast["sec"]).get("/home"))
    assert f"/projects/{ids['project']}" in section and "书记项目：学习型支部" in section
    assert f"/ledger/{ids['soon']}" not in section  # the member's items are hers, not the secretary's


def test_a_verifier_in_another_branch_sees_what_waits_for_her_decision(app, story):
    cast, ids = story
    verifier = Person(app, cast["verifier"])
    section = _my_work(verifier.get("/home"))
    assert f'href="/ledger/{ids["submitted"]}"' in section and "待我验收" in section
    assert f'href="/ledger/{ids["later"]}#extensions"' in section and "待我审批的延期申请" in section
    page = verifier.get(f"/ledger/{ids['submitted']}")
    assert f"/ledger/{ids['submitted']}/close" in page  # one click from closing it


def test_the_leader_sees_approvals_and_her_supervise_list(app, story):
    cast, ids = story
    leader = Person(app, cast["leader"])
    home = leader.get("/home")
    section = _my_work(home)
    assert f"/projects/{ids['project']}" in section and "待我审批的立项" in section
    assert 'id="supervise-list"' in home and "/ledger/?escalation=supervise" in home
    supervised = leader.get("/ledger/?escalation=supervise")
    assert ids["supervised"] in supervised and ids["reminded"] not in supervised


def test_nothing_waiting_says_so(app, in_db, make_unit, make_user):
    lonely = make_user("mw_lonely", make_unit("独立党支部"), Role.member)
    assert "没有等待你处理的事项" in _my_work(Person(app, lonely).get("/home"))
