"""Operations of the configuration pages: the category list and the template editor."""

from datetime import date

import pytest
import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import (
    Activity, ChecklistItem, OrgUnit, Project, ProjectCategory, ProjectTemplate, ProjectType, Recurrence, Role, User,
)
from tracker.projects import operations as ops
from tracker.projects.operations import TemplateFields
from tracker.projects.queries import categories, category_choices, category_usage, template_usage
from tracker.projects.templates_data import install_templates
from tracker.projects.workflow import Stage
from tracker.domain_errors import DomainError, StaleEdit


@pytest.fixture
def world(make_unit, make_user):
    root = make_unit("机关党委")
    g = make_unit("总支", root)
    b1, b2 = make_unit("一支部", g), make_unit("二支部", g)
    return {"root": root, "b1": b1, "b2": b2, "admin": make_user("adm", root, Role.admin),
            "leader": make_user("ldr", root, Role.leader),
            "s1": make_user("s1", b1, Role.secretary), "s2": make_user("s2", b2, Role.secretary)}


def _user(user):
    return db.session.get(User, user.id)


def _refusal(fn, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as error:
        fn(*args, **kwargs)
    return error.value


# --- Categories ------------------------------------------------------------------------------


def test_a_category_name_must_be_non_empty_short_and_unique(app, world):
    with app.app_context():
        admin = _user(world["admin"])
        added = ops.add_category(admin, "  基层治理  ")
        assert added.name == "基层治理" and added.is_active
        for bad in ("", "   ", "长" * 51, "基层治理"):
            error = _refusal(ops.add_category, admin, bad)
            assert error.status == 422 and error.reasons[0].code == "name"
        assert ops.add_category(admin, "长" * 50).name == "长" * 50
        verbs = db.session.scalars(sa.select(Activity.verb).where(Activity.subject_type == "project_category")).all()
        assert verbs == ["category_added", "category_added"]


def test_a_new_category_goes_to_the_end_and_moves_up_and_down(app, world):
    with app.app_context():
        admin = _user(world["admin"])
        a, b, c = (ops.add_category(admin, n) for n in ("甲", "乙", "丙"))
        ops.move_category(c, admin, "up")
        assert [x.name for x in ops.ordered_categories()] == ["甲", "丙", "乙"]
        ops.move_category(a, admin, "up")  # already first: nothing moves
        ops.move_category(a, admin, "down")
        assert [x.name for x in ops.ordered_categories()] == ["丙", "甲", "乙"]
        assert [x.name for x in categories()] == ["丙", "甲", "乙"]


def test_renaming_a_category_keeps_it_on_its_projects_and_refuses_stale_forms(app, world, make_project):
    with app.app_context():
        category = ops.add_category(_user(world["admin"]), "基层治理")
        db.session.commit()
        category_id, version = category.id, category.version
    project = make_project(world["b1"], world["s1"], category_id=category_id)
    with app.app_context():
        category, admin = db.session.get(ProjectCategory, category_id), _user(world["admin"])
        ops.rename_category(category, admin, "基层社会治理", version=version)
        assert db.session.get(Project, project.id).category.name == "基层社会治理"
        with pytest.raises(StaleEdit):
            ops.rename_category(category, admin, "别的名字", version=version)
        other = ops.add_category(admin, "其他")
        error = _refusal(ops.rename_category, other, admin, "基层社会治理", version=other.version)
        assert error.status == 422
        assert ops.rename_category(other, admin, "其他", version=other.version).name == "其他"  # its own name is fine


def test_a_deactivated_category_stays_on_projects_but_is_not_offered(app, world, make_project):
    with app.app_context():
        category = ops.add_category(_user(world["admin"]), "基层治理")
        db.session.commit()
        category_id = category.id
    project = make_project(world["b1"], world["s1"], category_id=category_id)
    with app.app_context():
        ops.set_category_active(db.session.get(ProjectCategory, category_id), _user(world["admin"]), False)
        assert category_id not in [c.id for c in categories()]
        assert category_id not in dict(category_choices())
        assert category_id in dict(category_choices(keep=category_id))
        assert db.session.get(Project, project.id).category_id == category_id
        assert category_usage() == {category_id: 1}
        ops.set_category_active(db.session.get(ProjectCategory, category_id), _user(world["admin"]), True)
        assert category_id in [c.id for c in categories()]


# --- Templates -------------------------------------------------------------------------------


def test_create_and_update_a_template_with_bad_input_and_stale_forms(app, world):
    with app.app_context():
        leader = _user(world["leader"])
        install_templates()
        template = ops.create_template(leader, TemplateFields(name="  书记项目  ", recurrence=Recurrence.yearly,
                                                              type=ProjectType.innovation, duration_days=365))
        assert template.name == "书记项目" and template.items == [] and template.is_active
        for fields in (TemplateFields(name=""), TemplateFields(name="主题党日"), TemplateFields(name="x" * 101),
                       TemplateFields(name="新模板", duration_days=0)):
            assert _refusal(ops.create_template, leader, fields).status == 422
        version = template.version
        ops.update_template(template, leader, TemplateFields(name="书记抓党建项目", duration_days=200,
                                                             needs_approval=True), version=version)
        assert (template.name, template.duration_days, template.needs_approval) == ("书记抓党建项目", 200, True)
        with pytest.raises(StaleEdit):
            ops.update_template(template, leader, TemplateFields(name="旧表单"), version=version)


def test_template_items_are_added_edited_reordered_and_removed_per_stage(app, world):
    with app.app_context():
        leader = _user(world["leader"])
        template = ops.create_template(leader, TemplateFields(name="书记项目"))
        a = ops.add_template_item(template, leader, stage=Stage.plan, text="确定项目选题")
        b = ops.add_template_item(template, leader, stage=Stage.plan, text="制定实施方案", is_required=False)
        ops.add_template_item(template, leader, stage=Stage.run, text="按月推进")
        assert _refusal(ops.add_template_item, template, leader, stage=Stage.plan, text="  ").status == 422
        ops.reorder_template_item(b, template, leader, "up")
        assert [i.text for i in ops._stage_template_items(template, Stage.plan)] == ["制定实施方案", "确定项目选题"]
        ops.edit_template_item(a, template, leader, text="确定项目选题并报备", is_required=False)
        assert (a.text, a.is_required) == ("确定项目选题并报备", False)
        ops.remove_template_item(b, template, leader)
        db.session.commit()
        stored = db.session.get(ProjectTemplate, template.id)
        db.session.refresh(stored)
        assert [(i.stage, i.text) for i in stored.items] == [(Stage.plan, "确定项目选题并报备"), (Stage.run, "按月推进")]


def test_template_targets_refuse_negative_values(app, world):
    with app.app_context():
        leader = _user(world["leader"])
        template = ops.create_template(leader, TemplateFields(name="书记项目"))
        target = ops.add_template_target(template, leader, indicator="形成经验材料", measure="篇", target_value="1")
        for indicator, value in (("形成经验材料", -1), ("", 1), ("形成经验材料", None)):
            assert _refusal(ops.add_template_target, template, leader, indicator=indicator, measure="",
                            target_value=value).status == 422
        assert _refusal(ops.edit_template_target, target, template, leader, indicator="x", measure="",
                        target_value=-0.5).reasons[0].code == "target_value"
        ops.edit_template_target(target, template, leader, indicator="形成经验材料", measure="篇", target_value=0)
        assert target.target_value == 0
        ops.remove_template_target(target, template, leader)
        assert template.targets == []


def test_an_edited_template_shapes_the_projects_assigned_after_the_edit(app, world):
    with app.app_context():
        leader = _user(world["leader"])
        template = next(t for t in install_templates() if t.name == "主题党日")
        before = ops.assign_template(template, [db.session.get(OrgUnit, world["b1"].id)], leader,
                                     start_date=date(2026, 10, 1))[0]
        plan = ops._stage_template_items(template, Stage.plan)
        ops.remove_template_item(plan[0], template, leader)
        added = ops.add_template_item(template, leader, stage=Stage.plan, text="征求党员对活动主题的意见",
                                      is_required=False)
        ops.reorder_template_item(added, template, leader, "up")
        ops.add_template_target(template, leader, indicator="志愿服务时长", measure="小时", target_value=4)
        after = ops.assign_template(template, [db.session.get(OrgUnit, world["b2"].id)], leader,
                                    start_date=date(2026, 10, 1))[0]
        plan_texts = db.session.scalars(sa.select(ChecklistItem.text).where(
            ChecklistItem.project_id == after.id, ChecklistItem.stage == Stage.plan).order_by(ChecklistItem.position)).all()
        assert plan_texts == ["征求党员对活动主题的意见", "提前三天通知全体党员"]
        assert db.session.scalar(sa.select(ChecklistItem.is_required).where(
            ChecklistItem.project_id == after.id, ChecklistItem.text == "征求党员对活动主题的意见")) is False
        assert [t.indicator for t in after.targets][-1] == "志愿服务时长"
        old_plan = db.session.scalars(sa.select(ChecklistItem.text).where(
            ChecklistItem.project_id == before.id, ChecklistItem.stage == Stage.plan)).all()
        assert "确定活动主题和方案，报支委会研究" in old_plan  # projects made earlier keep their checklist
        assert template_usage() == {template.id: 2}


def test_recurring_generation_uses_the_edited_template_and_skips_a_deactivated_one(app, world):
    with app.app_context():
        leader = _user(world["leader"])
        template = next(t for t in install_templates() if t.name == "三会一课季度计划")
        ops.assign_template(template, [db.session.get(OrgUnit, world["b1"].id)], leader,
                            start_date=date(2026, 7, 1), recurring=True)
        ops.add_template_item(template, leader, stage=Stage.check, text="上级党组织抽查会议记录")
        created = ops.generate_recurring("2026Q4")
        assert len(created) == 1
        assert "上级党组织抽查会议记录" in db.session.scalars(sa.select(ChecklistItem.text).where(
            ChecklistItem.project_id == created[0].id)).all()
        ops.set_template_active(template, leader, False)
        assert ops.generate_recurring("2027Q1") == []
