"""Every write operation checks the policy itself (NotAllowed), whoever calls it: views, the CLI, the demo."""

from datetime import date

import pytest

from tracker.domain_errors import NotAllowed
from tracker.extensions import db
from tracker.models import OrgUnit, Project, ProjectCategory, Role, User
from tracker.projects import operations as ops, operations_assignment as assignment, operations_catalogue as catalogue
from tracker.projects.catalogue import install_templates
from tracker.projects.operations_catalogue import TemplateFields
from tracker.projects.queries import stage_items
from tracker.projects.workflow import Stage


@pytest.fixture
def world(make_unit, make_user):
    root = make_unit("机关党委")
    g = make_unit("总支", root)
    b1, b2 = make_unit("一支部", g), make_unit("二支部", g)
    return {"root": root, "b1": b1, "b2": b2, "admin": make_user("adm", root, Role.admin),
            "leader": make_user("ldr", root, Role.leader), "sec": make_user("sec", b1, Role.secretary),
            "sec2": make_user("sec2", b2, Role.secretary), "member": make_user("mem", b1, Role.member)}


def _get(model, record):
    return db.session.get(model, record.id)


@pytest.fixture
def project(world, make_project):
    return make_project(world["b1"], world["sec"], items={Stage.plan: [("制定计划", True)]})


@pytest.mark.parametrize("call", [
    lambda u, p, item: ops.update_project(u, p, version=p.version, title="x", description="", category_id=None,
                                          type=p.type, owner=p.owner, start_date=p.start_date, due_date=p.due_date,
                                          quarter=None, needs_approval=False, participants=[], targets=[]),
    lambda u, p, item: ops.move_project(u, p, Stage.run),
    lambda u, p, item: ops.approve_project(u, p),
    lambda u, p, item: ops.add_item(u, p, stage=Stage.run, text="新事项"),
    lambda u, p, item: ops.edit_item(u, p, item, text="改", is_required=True, assignee=None, due_date=None),
    lambda u, p, item: ops.reorder_item(u, p, item, "down"),
    lambda u, p, item: ops.tick_item(u, p, item, True),
    lambda u, p, item: ops.reassign_owners(u, [p], u),
    lambda u, p, item: ops.record_verdict(u, p, "同意"),
], ids=["update", "move", "approve", "add_item", "edit_item", "reorder_item", "tick_item", "reassign", "verdict"])
def test_a_secretary_of_another_branch_changes_nothing(app, world, project, call):
    with app.app_context():
        p = _get(Project, project)
        with pytest.raises(NotAllowed):
            call(_get(User, world["sec2"]), p, stage_items(p, Stage.plan)[0])


def test_a_member_cannot_start_a_project_or_take_over_owners(app, world, project):
    with app.app_context():
        member, p = _get(User, world["member"]), _get(Project, project)
        with pytest.raises(NotAllowed):
            ops.create_project(member, title="t", unit=_get(OrgUnit, world["b1"]), owner=member,
                               start_date=date(2026, 1, 1), due_date=date(2026, 2, 1))
        with pytest.raises(NotAllowed):
            ops.reassign_owners(member, [p], member)


def test_the_catalogue_is_kept_by_admins_and_leaders_only(app, world):
    with app.app_context():
        sec, leader = _get(User, world["sec"]), _get(User, world["leader"])
        category = catalogue.add_category(_get(User, world["admin"]), "基层治理")
        template = catalogue.create_template(leader, TemplateFields(name="书记项目"))
        item = catalogue.add_template_item(leader, template, stage=Stage.plan, text="确定项目选题")
        for call in (lambda: catalogue.add_category(leader, "别的"),
                     lambda: catalogue.set_category_active(sec, _get(ProjectCategory, category), False),
                     lambda: catalogue.create_template(sec, TemplateFields(name="我的模板")),
                     lambda: catalogue.set_template_active(sec, template, False),
                     lambda: catalogue.remove_template_item(sec, template, item)):
            with pytest.raises(NotAllowed):
                call()


def test_templates_are_assigned_by_leaders_within_their_subtree(app, world, make_unit, make_user):
    other = make_unit("二总支", make_unit("另一党委"))
    make_user("sec3", other, Role.secretary)
    with app.app_context():
        template = next(t for t in install_templates() if t.name == "主题党日")
        b1 = _get(OrgUnit, world["b1"])
        with pytest.raises(NotAllowed):
            assignment.assign_template(_get(User, world["sec"]), template, [b1], start_date=date(2026, 10, 1))
        with pytest.raises(NotAllowed):
            assignment.assign_template(_get(User, world["leader"]), template, [b1, _get(OrgUnit, other)],
                                       start_date=date(2026, 10, 1))
        made = assignment.assign_template(_get(User, world["leader"]), template, [b1], start_date=date(2026, 10, 1))
        assert [p.unit_id for p in made] == [world["b1"].id]
