"""Operations of the configuration pages: the category list and the template editor."""

from datetime import date

import pytest
import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import (
    Activity, ChecklistItem, OrgUnit, Project, ProjectCategory, ProjectTemplate, ProjectType, Recurrence, Role, User,
)
from tracker.projects import operations_assignment as assignment, operations_catalogue as catalogue
from tracker.projects.operations_catalogue import TemplateFields
from tracker.projects.queries import categories, category_choices, category_usage, template_stage_items, template_usage
from tracker.projects.catalogue import install_templates
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
        added = catalogue.add_category(admin, "  基层治理  ")
        assert added.name == "基层治理" and added.is_active
        for bad in ("", "   ", "长" * 51, "基层治理"):
            error = _refusal(catalogue.add_category, admin, bad)
            assert error.status == 422 and error.reasons[0].code == "name"
        assert catalogue.add_category(admin, "长" * 50).name == "长" * 50
        verbs = db.session.scalars(sa.select(Activity.verb).where(Activity.subject_type == "project_category")).all()
        assert verbs == ["category_added", "category_added"]


def test_a_new_category_goes_to_the_end_and_moves_up_and_down(app, world):
    with app.app_context():
        admin = _user(world["admin"])
        a, b, c = (catalogue.add_category(admin, n) for n in ("甲", "乙", "丙"))
        catalogue.move_category(admin, c, "up")
        assert [x.name for x in categories(include_inactive=True)] == ["甲", "丙", "乙"]
        catalogue.move_category(admin, a, "up")  # already first: nothing moves
        catalogue.move_category(admin, a, "down")
        assert [x.name for x in categories(include_inactive=True)] == ["丙", "甲", "乙"]
        assert [x.name for x in categories()] == ["丙", "甲", "乙"]


def test_renaming_a_category_keeps_it_on_its_projects_and_refuses_stale_forms(app, world, make_project):
    with app.app_context():
        category = catalogue.add_category(_user(world["admin"]), "基层治理")
        db.session.commit()
        category_id, version = category.id, category.version
    project = make_project(world["b1"], world["s1"], category_id=category_id)
    with app.app_context():
        category, admin = db.session.get(ProjectCategory, category_id), _user(world["admin"])
        catalogue.rename_category(admin, category, "基层社会治理", version=version)
        assert db.session.get(Project, project.id).category.name == "基层社会治理"
        with pytest.raises(StaleEdit):
            catalogue.rename_category(admin, category, "别的名字", version=version)
        other = catalogue.add_category(admin, "其他")
        error = _refusal(catalogue.rename_category, admin, other, "基层社会治理", version=other.version)
        assert error.status == 422
        assert catalogue.rename_category(admin, other, "其他", version=other.version).name == "其他"  # its own name is fine


def test_a_deactivated_category_stays_on_projects_but_is_not_offered(app, world, make_project):
    with app.app_context():
        category = catalogue.add_category(_user(world["admin"]), "基层治理")
        db.session.commit()
        category_id = category.id
    project = make_project(world["b1"], world["s1"], category_id=category_id)
    with app.app_context():
        catalogue.set_category_active(_user(world["admin"]), db.session.get(ProjectCategory, category_id), False)
        assert category_id not in [c.id for c in categories()]
        assert category_id not in dict(category_choices())
        assert category_id in dict(category_choices(keep=category_id))
        assert db.session.get(Project, project.id).category_id == category_id
        assert category_usage() == {category_id: 1}
        catalogue.set_category_active(_user(world["admin"]), db.session.get(ProjectCategory, category_id), True)
        assert category_id in [c.id for c in categories()]


# --- Templates -------------------------------------------------------------------------------


def test_create_and_update_a_template_with_bad_input_and_stale_forms(app, world):
    with app.app_context():
        leader = _user(world["leader"])
        install_templates()
        template = catalogue.create_template(leader, TemplateFields(name="  书记项目  ", recurrence=Recurrence.yearly,
                                                              type=ProjectType.innovation, duration_days=365))
        assert template.name == "书记项目" and template.items == [] and template.is_active
        for fields in (TemplateFields(name=""), TemplateFields(name="主题党日"), TemplateFields(name="x" * 101),
                       TemplateFields(name="新模板", duration_days=0)):
            assert _refusal(catalogue.create_template, leader, fields).status == 422
        version = template.version
        catalogue.update_template(leader, template, TemplateFields(name="书记抓党建项目", duration_days=200,
                                                             needs_approval=True), version=version)
        assert (template.name, template.duration_days, template.needs_approval) == ("书记抓党建项目", 200, True)
        with pytest.raises(StaleEdit):
            catalogue.update_template(leader, template, TemplateFields(name="旧表单"), version=version)


def test_template_items_are_added_edited_reordered_and_removed_per_stage(app, world):
    with app.app_context():
        leader = _user(world["leader"])
        template = catalogue.create_template(leader, TemplateFields(name="书记项目"))
        a = catalogue.add_template_item(leader, template, stage=Stage.plan, text="确定项目选题")
        b = catalogue.add_template_item(leader, template, stage=Stage.plan, text="制定实施方案", is_required=False)
        catalogue.add_template_item(leader, template, stage=Stage.run, text="按月推进")
        assert _refusal(catalogue.add_template_item, leader, template, stage=Stage.plan, text="  ").status == 422
        catalogue.reorder_template_item(leader, template, b, "up")
        assert [i.text for i in template_stage_items(template, Stage.plan)] == ["制定实施方案", "确定项目选题"]
        catalogue.edit_template_item(leader, template, a, text="确定项目选题并报备", is_required=False)
        assert (a.text, a.is_required) == ("确定项目选题并报备", False)
        catalogue.remove_template_item(leader, template, b)
        db.session.commit()
        stored = db.session.get(ProjectTemplate, template.id)
        db.session.refresh(stored)
        assert [(i.stage, i.text) for i in stored.items] == [(Stage.plan, "确定项目选题并报备"), (Stage.run, "按月推进")]


def test_template_targets_refuse_negative_values(app, world):
    with app.app_context():
        leader = _user(world["leader"])
        template = catalogue.create_template(leader, TemplateFields(name="书记项目"))
        target = catalogue.add_template_target(leader, template, indicator="形成经验材料", measure="篇", target_value="1")
        for indicator, value in (("形成经验材料", -1), ("", 1), ("形成经验材料", None)):
            assert _refusal(catalogue.add_template_target, leader, template, indicator=indicator, measure="",
                            target_value=value).status == 422
        assert _refusal(catalogue.edit_template_target, leader, template, target, indicator="x", measure="",
                        target_value=-0.5).reasons[0].code == "target_value"
        catalogue.edit_template_target(leader, template, target, indicator="形成经验材料", measure="篇", target_value=0)
        assert target.target_value == 0
        catalogue.remove_template_target(leader, template, target)
        assert template.targets == []


def test_an_edited_template_shapes_the_projects_assigned_after_the_edit(app, world):
    with app.app_context():
        leader = _user(world["leader"])
        template = next(t for t in install_templates() if t.name == "主题党日")
        before = assignment.assign_template(leader, template, [db.session.get(OrgUnit, world["b1"].id)],
                                     start_date=date(2026, 10, 1))[0]
        plan = template_stage_items(template, Stage.plan)
        catalogue.remove_template_item(leader, template, plan[0])
        added = catalogue.add_template_item(leader, template, stage=Stage.plan, text="征求党员对活动主题的意见",
                                      is_required=False)
        catalogue.reorder_template_item(leader, template, added, "up")
        catalogue.add_template_target(leader, template, indicator="志愿服务时长", measure="小时", target_value=4)
        after = assignment.assign_template(leader, template, [db.session.get(OrgUnit, world["b2"].id)],
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
        assignment.assign_template(leader, template, [db.session.get(OrgUnit, world["b1"].id)],
                            start_date=date(2026, 7, 1), recurring=True)
        catalogue.add_template_item(leader, template, stage=Stage.check, text="上级党组织抽查会议记录")
        created = assignment.generate_recurring(None, "2026Q4")
        assert len(created) == 1
        assert "上级党组织抽查会议记录" in db.session.scalars(sa.select(ChecklistItem.text).where(
            ChecklistItem.project_id == created[0].id)).all()
        catalogue.set_template_active(leader, template, False)
        assert assignment.generate_recurring(None, "2027Q1") == []
