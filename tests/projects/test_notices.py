"""Projects tell their people: assigned (owner, participants, checklist assignees), approval asked
and decided, sent back; and the daily notices of due dates near and passed, each once."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import ChecklistItem, Notification, OrgUnit, Project, Role, Stage, User
from tracker.projects import operations as ops


def events(in_db, user) -> list[str]:
    return in_db(lambda: [n.event.value for n in db.session.scalars(
        sa.select(Notification).where(Notification.recipient_id == user.id).order_by(Notification.id))])


def _people(make_unit, make_user):
    root = make_unit("机关党委")
    branch = make_unit("一支部", make_unit("一总支", root))
    return (root, branch, make_user("pn_leader", root, Role.leader), make_user("pn_leader2", root, Role.leader),
            make_user("pn_sec", branch, Role.secretary), make_user("pn_member", branch, Role.member))


def test_an_assigned_project_reaches_its_owner_participants_assignees_and_approvers(in_db, make_unit, make_user):
    root, branch, leader, leader2, sec, member = _people(make_unit, make_user)
    get = db.session.get

    def create():
        project = ops.create_project(
            get(User, leader.id), title="书记项目", unit=get(OrgUnit, branch.id), owner=get(User, sec.id),
            start_date=date(2026, 10, 1), due_date=date(2026, 12, 31), assigning_unit=get(OrgUnit, root.id),
            needs_approval=True, participants=[get(User, member.id)], targets=[ops.TargetInput("党课", "次", 4)])
        return project.id

    project_id = in_db(create)
    assert events(in_db, sec) == ["assigned"] and events(in_db, member) == ["assigned"]
    assert events(in_db, leader) == [] and events(in_db, leader2) == ["approval_asked"]

    in_db(lambda: ops.add_item(get(User, sec.id), get(Project, project_id), stage=Stage.plan, text="制定方案",
                               assignee=get(User, member.id)))
    assert events(in_db, member) == ["assigned", "assigned"]

    in_db(lambda: ops.refuse_approval(get(User, leader2.id), get(Project, project_id), "目标不够具体"))
    assert events(in_db, sec)[-1] == "approval_decided"
    in_db(lambda: ops.request_approval(get(User, sec.id), get(Project, project_id)))
    assert events(in_db, leader2) == ["approval_asked", "approval_asked"] and events(in_db, leader) == ["approval_asked"]
    in_db(lambda: ops.approve_project(get(User, leader.id), get(Project, project_id)))
    assert events(in_db, sec)[-1] == "approval_decided"
    notice = in_db(lambda: db.session.scalars(sa.select(Notification).where(
        Notification.recipient_id == sec.id).order_by(Notification.id.desc())).first())
    assert notice.params == {"approved": True} and notice.subject_type == "project"


def test_a_project_sent_back_tells_its_owner_with_the_reason(in_db, make_unit, make_user, make_project):
    root, branch, leader, _leader2, sec, _member = _people(make_unit, make_user)
    project = make_project(branch, sec)

    def run():
        p = db.session.get(Project, project.id)
        p.stage = Stage.run
        ops.move_project(db.session.get(User, leader.id), p, Stage.plan, reason="方案需细化")

    in_db(run)
    assert events(in_db, sec) == ["assigned", "returned"]


def test_due_dates_near_and_passed_are_told_once_each(in_db, make_unit, make_user, make_project):
    root, branch, leader, _leader2, sec, member = _people(make_unit, make_user)
    today = date(2026, 11, 1)
    make_project(branch, sec, start_date=date(2026, 10, 1), due_date=today + timedelta(days=10),
                 items={Stage.plan: [("制定方案", True, member)]})
    # The checklist item falls due with the project.
    in_db(lambda: db.session.execute(sa.update(ChecklistItem).values(
        due_date=today + timedelta(days=4))))
    for day in range(0, 16):
        for _twice in range(2):
            in_db(lambda: ops.send_due_notices(None, today + timedelta(days=day)))
    assert events(in_db, sec) == ["assigned", "due_soon", "due_soon", "overdue"]  # made by the system: told
    assert events(in_db, member) == ["assigned", "due_soon", "due_soon", "overdue"]


def test_the_inbox_names_the_checklist_item_and_its_due_date(app, in_db, make_unit, make_user, make_project):
    from support import Person

    root, branch, leader, _leader2, sec, member = _people(make_unit, make_user)
    today = date(2026, 11, 1)
    make_project(branch, sec, start_date=date(2026, 10, 1), due_date=today + timedelta(days=30),
                 items={Stage.plan: [("制定方案", True, member)]})
    in_db(lambda: db.session.execute(sa.update(ChecklistItem).values(due_date=today + timedelta(days=3))))
    in_db(lambda: ops.send_due_notices(None, today))
    inbox = Person(app, member).get("/inbox/")
    assert "清单事项：制定方案" in inbox and "截止 2026-11-04" in inbox and "即将到期" in inbox
