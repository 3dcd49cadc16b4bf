"""Operations on projects: moves through the gates, checklists, templates and recurrence."""

from datetime import date

import pytest
import sqlalchemy as sa

from tracker.extensions import db
from tracker.hooks import ProblemCounts
from tracker.models import Activity, ChecklistItem, GeneratedProject, OrgUnit, Project, Role, User
from tracker.projects import operations as ops, operations_assignment as assignment
from tracker.projects.periods import parse_period
from tracker.projects.queries import stage_items
from tracker.projects.catalogue import install_templates
from tracker.projects.workflow import Stage
from tracker.domain_errors import DomainError, NotAllowed, StaleEdit


@pytest.fixture
def branch(make_unit):
    root = make_unit("机关党委")
    return root, make_unit("一支部", make_unit("一总支", root))


@pytest.fixture
def people(branch, make_user):
    root, b1 = branch
    return {"leader": make_user("ldr", root, Role.leader), "sec": make_user("sec", b1, Role.secretary),
            "member": make_user("mem", b1, Role.member)}


def _fresh(project):
    return db.session.get(Project, project.id)


def _user(user):
    return db.session.get(User, user.id)


def test_codes_are_numbered_per_year(app, branch, people, make_project):
    a = make_project(branch[1], people["sec"])
    b = make_project(branch[1], people["sec"])
    c = make_project(branch[1], people["sec"], start_date=date(2027, 1, 5))
    assert (a.code, b.code, c.code) == ("XM-2026-0001", "XM-2026-0002", "XM-2027-0001")


@pytest.mark.parametrize("fields,code", [
    ({"title": "  "}, "title"),
    ({"start_date": date(2026, 10, 1), "due_date": date(2026, 9, 1)}, "due_date"),
])
def test_bad_input_is_refused_with_the_field(app, branch, people, make_project, fields, code):
    with pytest.raises(DomainError) as error:
        make_project(branch[1], people["sec"], **fields)
    assert error.value.status == 422 and error.value.reasons[0].code == code


def test_negative_targets_are_refused(app, branch, people):
    with app.app_context(), pytest.raises(DomainError) as error:
        ops.create_project(None, title="t", unit=db.session.get(OrgUnit, branch[1].id), owner=_user(people["sec"]),
                           start_date=date(2026, 1, 1), due_date=date(2026, 2, 1),
                           targets=[ops.TargetInput("x", "次", -1)])
    assert error.value.reasons[0].code == "targets"


def test_full_loop_with_rectification_raises_the_cycle(app, branch, people, make_project, problems):
    project = make_project(branch[1], people["sec"], items={Stage.plan: [("制定计划", True)], Stage.check: [("检查", True)]})
    with app.app_context():
        p, sec, leader = _fresh(project), _user(people["sec"]), _user(people["leader"])
        with pytest.raises(DomainError) as refused:
            ops.move_project(sec, p, Stage.run)
        assert [r.code for r in refused.value.reasons] == ["plan_items"]
        item = db.session.scalars(sa.select(ChecklistItem).where(ChecklistItem.stage == Stage.plan)).one()
        ops.tick_item(sec, p, item, True)
        assert item.done_by_id == sec.id and item.done_at is not None
        ops.move_project(sec, p, Stage.run)
        ops.move_project(sec, p, Stage.check)
        with pytest.raises(DomainError):
            ops.move_project(sec, p, Stage.rectify)
        problems[p.id] = ProblemCounts(open=2)
        ops.move_project(sec, p, Stage.rectify)
        with pytest.raises(DomainError) as open_items:
            ops.move_project(sec, p, Stage.check)
        assert open_items.value.reasons[0].params == {"count": 2}
        problems[p.id] = ProblemCounts(open=0, closed=2)
        ops.move_project(sec, p, Stage.check)
        assert p.cycle == 2
        with pytest.raises(DomainError) as not_done:
            ops.move_project(sec, p, Stage.done)
        assert {r.code for r in not_done.value.reasons} == {"check_items", "no_verdict"}
        with pytest.raises(NotAllowed):
            ops.record_verdict(sec, p, "自己验收")
        ops.record_verdict(leader, p, "同意验收")
        check_item = db.session.scalars(sa.select(ChecklistItem).where(ChecklistItem.stage == Stage.check)).one()
        ops.tick_item(leader, p, check_item, True)
        ops.move_project(sec, p, Stage.done)
        assert p.stage is Stage.done
        verbs = db.session.scalars(sa.select(Activity.verb).where(Activity.subject_id == p.id,
                                                                 Activity.subject_type == "project")).all()
        assert verbs.count("stage_moved") == 5 and "verdict_recorded" in verbs and "item_ticked" in verbs


def test_sending_back_needs_a_reason_and_is_recorded(app, branch, people, make_project):
    project = make_project(branch[1], people["sec"])
    with app.app_context():
        p, sec = _fresh(project), _user(people["sec"])
        ops.move_project(sec, p, Stage.run)
        with pytest.raises(DomainError) as error:
            ops.move_project(sec, p, Stage.plan, reason=" ")
        assert error.value.reasons[0].code == "reason_required"
        ops.move_project(sec, p, Stage.plan, reason="目标需重新论证")
        last = db.session.scalars(sa.select(Activity).order_by(Activity.id.desc())).first()
        assert (last.verb, last.note, last.before["stage"], last.after["stage"]) == (
            "stage_returned", "目标需重新论证", "run", "plan")


def test_approval_gates_the_plan(app, branch, people, make_project):
    project = make_project(branch[1], people["sec"], needs_approval=True)
    with app.app_context():
        p = _fresh(project)
        with pytest.raises(DomainError) as error:
            ops.move_project(_user(people["sec"]), p, Stage.run)
        assert error.value.reasons[0].code == "not_approved"
        ops.approve_project(_user(people["leader"]), p)
        ops.move_project(_user(people["sec"]), p, Stage.run)


def test_stale_edit_is_refused(app, branch, people, make_project):
    make_project(branch[1], people["sec"])
    with app.app_context():
        p = db.session.scalars(sa.select(Project).options(sa.orm.selectinload(Project.participants),
                                                          sa.orm.selectinload(Project.targets))).one()
        with pytest.raises(StaleEdit):
            ops.update_project(_user(people["sec"]), p, version=p.version + 1, title="新名称", description="",
                               category_id=None, type=p.type, owner=p.owner, start_date=p.start_date,
                               due_date=p.due_date, quarter=None, needs_approval=False, participants=[],
                               targets=[])


def test_checklist_reorder(app, branch, people, make_project):
    project = make_project(branch[1], people["sec"], items={Stage.run: [("一", True), ("二", True), ("三", False)]})
    with app.app_context():
        p = _fresh(project)
        items = stage_items(p, Stage.run)
        ops.reorder_item(_user(people["sec"]), p, items[2], "up")
        assert [i.text for i in stage_items(p, Stage.run)] == ["一", "三", "二"]
        ops.reorder_item(_user(people["sec"]), p, items[0], "up")  # already first: nothing moves
        assert [i.text for i in stage_items(p, Stage.run)] == ["一", "三", "二"]


def test_assign_template_to_many_branches_is_one_transaction(app, make_unit, make_user):
    root = make_unit("机关党委")
    g = make_unit("总支", root)
    b1, b2, b3 = make_unit("一支部", g), make_unit("二支部", g), make_unit("三支部", g)
    leader = make_user("ldr", root, Role.leader)
    s1, s2 = make_user("s1", b1, Role.secretary), make_user("s2", b2, Role.secretary)
    with app.app_context():
        template = next(t for t in install_templates() if t.name == "三会一课季度计划")
        units = [db.session.get(OrgUnit, u.id) for u in (b1, b2, b3)]
        with pytest.raises(DomainError) as error:
            assignment.assign_template(_user(leader), template, units, start_date=date(2026, 10, 1))
        assert "三支部" in str(error.value)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Project)) == 0
        projects = assignment.assign_template(_user(leader), template, units[:2], start_date=date(2026, 10, 1),
                                       assigning_unit=db.session.get(OrgUnit, root.id), recurring=True)
        assert [p.owner_id for p in projects] == [s1.id, s2.id]
        assert all(p.assigning_unit_id == root.id for p in projects)
        items = db.session.scalar(sa.select(sa.func.count()).where(ChecklistItem.project_id == projects[0].id))
        assert items == len(template.items) and len(projects[0].targets) == len(template.targets)


def test_generate_recurring_is_idempotent(app, runner, make_unit, make_user):
    root = make_unit("机关党委")
    b1 = make_unit("一支部", make_unit("总支", root))
    leader = make_user("ldr", root, Role.leader)
    make_user("s1", b1, Role.secretary)
    with app.app_context():
        template = next(t for t in install_templates() if t.name == "三会一课季度计划")
        assignment.assign_template(_user(leader), template, [db.session.get(OrgUnit, b1.id)], start_date=date(2026, 7, 1),
                            recurring=True)
        db.session.commit()
    result = runner.invoke(args=["generate-recurring", "--period", "2026Q4"])
    assert result.exit_code == 0 and "1 projects created" in result.output and "2026年第4季度" in result.output
    again = runner.invoke(args=["generate-recurring", "--period", "2026Q4"])
    assert "0 projects created" in again.output
    with app.app_context():
        # The assignment in Q3 is that period's project (recorded too); Q4 has exactly one.
        assert db.session.scalar(sa.select(sa.func.count()).select_from(GeneratedProject)
                                 .where(GeneratedProject.period == "2026Q4")) == 1
        generated = db.session.scalars(sa.select(Project).where(Project.quarter == 4)).one()
        assert (generated.start_date, generated.due_date) == (date(2026, 10, 1), date(2026, 12, 31))
    bad = runner.invoke(args=["generate-recurring", "--period", "2026Q5"])
    assert bad.exit_code != 0


def test_reassign_owners(app, branch, people, make_project):
    a, b = make_project(branch[1], people["sec"]), make_project(branch[1], people["sec"])
    with app.app_context():
        changed = ops.reassign_owners(_user(people["leader"]), [_fresh(a), _fresh(b)], _user(people["member"]))
        assert changed == 2 and _fresh(a).owner_id == people["member"].id


@pytest.mark.parametrize("period,expected", [
    ("2026Q4", ("quarterly", date(2026, 10, 1), date(2026, 12, 31), 4)),
    ("2026-02", ("monthly", date(2026, 2, 1), date(2026, 2, 28), 1)),
    ("2026", ("yearly", date(2026, 1, 1), date(2026, 12, 31), None)),
])
def test_periods(period, expected):
    recurrence, start, end, quarter = parse_period(period)
    assert (recurrence.value, start, end, quarter) == expected


@pytest.mark.parametrize("period", ["2026Q0", "26Q1", "2026-13", "Q4"])
def test_bad_periods(period):
    with pytest.raises(DomainError):
        parse_period(period)


@pytest.fixture
def three_branches(make_unit, make_user):
    root = make_unit("机关党委")
    g = make_unit("总支", root)
    units = [make_unit(name, g) for name in ("一支部", "二支部", "三支部")]
    for i, unit in enumerate(units):
        make_user(f"s{i + 1}", unit, Role.secretary)
    return root, units, make_user("ldr", root, Role.leader)


def _titles():
    return sorted(db.session.scalars(sa.select(Project.title)))


def test_assigning_a_recurring_template_and_generating_its_period_make_one_project_each(app, runner, three_branches):
    root, units, leader = three_branches
    with app.app_context():
        template = next(t for t in install_templates() if t.name == "主题党日")
        assignment.assign_template(_user(leader), template, [db.session.get(OrgUnit, u.id) for u in units],
                            start_date=date(2026, 12, 3), assigning_unit=db.session.get(OrgUnit, root.id),
                            recurring=True)
        db.session.commit()
    result = runner.invoke(args=["generate-recurring", "--period", "2026-12"])
    assert result.exit_code == 0 and "0 projects created" in result.output
    with app.app_context():
        assert _titles() == ["一支部主题党日（2026年12月）", "三支部主题党日（2026年12月）", "二支部主题党日（2026年12月）"]
    result = runner.invoke(args=["generate-recurring", "--period", "2027-01"])
    assert "3 projects created" in result.output
    with app.app_context():
        assert "一支部主题党日（2027年1月）" in _titles() and len(_titles()) == 6


def test_assigning_after_generation_adds_nothing_for_the_period(app, runner, three_branches):
    root, units, leader = three_branches
    with app.app_context():
        template = next(t for t in install_templates() if t.name == "三会一课季度计划")
        assignment.assign_template(_user(leader), template, [db.session.get(OrgUnit, units[0].id)],
                            start_date=date(2026, 7, 1), recurring=True)
        db.session.commit()
    assert "1 projects created" in runner.invoke(args=["generate-recurring", "--period", "2026Q4"]).output
    with app.app_context():
        template = db.session.scalars(sa.select(ops.ProjectTemplate).where(
            ops.ProjectTemplate.name == "三会一课季度计划")).one()
        made = assignment.assign_template(_user(leader), template, [db.session.get(OrgUnit, u.id) for u in units],
                                   start_date=date(2026, 11, 15))
        assert [p.unit_id for p in made] == [units[1].id, units[2].id]
        titles = _titles()
        assert titles.count("一支部三会一课季度计划（2026年第4季度）") == 1
        assert "二支部三会一课季度计划（2026年第4季度）" in titles


def test_approval_can_be_refused_with_a_reason_and_asked_again(app, branch, people, make_project):
    project = make_project(branch[1], people["sec"], needs_approval=True)
    with app.app_context():
        p, leader, sec = _fresh(project), _user(people["leader"]), _user(people["sec"])
        with pytest.raises(DomainError) as error:
            ops.refuse_approval(leader, p, "  ")
        assert error.value.status == 422 and error.value.reasons[0].code == "reason"
        with pytest.raises(NotAllowed):
            ops.refuse_approval(sec, p, "自己不批")
        ops.refuse_approval(leader, p, "量化目标不够具体")
        with pytest.raises(DomainError) as error:
            ops.move_project(sec, p, Stage.run)
        assert [r.code for r in error.value.reasons] == ["approval_refused"]
        assert "量化目标不够具体" in str(error.value)
        with pytest.raises(DomainError):
            ops.approve_project(leader, p)  # the owner revises and asks first
        ops.request_approval(sec, p)
        assert p.approval_refusal is None
        ops.approve_project(leader, p)
        ops.move_project(sec, p, Stage.run)
        verbs = db.session.scalars(sa.select(Activity.verb).where(Activity.subject_id == p.id,
                                                                  Activity.subject_type == "project")
                                   .order_by(Activity.id)).all()
        assert verbs[-4:] == ["approval_refused", "approval_requested", "approved", "stage_moved"]
        note = db.session.scalar(sa.select(Activity.note).where(Activity.verb == "approval_refused"))
        assert note == "量化目标不够具体"
