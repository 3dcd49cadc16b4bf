"""The configuration pages as an admin or a leader meets them: categories and the template editor."""

import re

import pytest
import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import ChecklistItem, Project, ProjectCategory, ProjectTemplate, Role, TemplateItem
from tracker.projects.catalogue import install_templates
from tracker.projects.workflow import Stage


@pytest.fixture
def world(make_unit, make_user):
    root = make_unit("机关党委")
    g = make_unit("一总支", root)
    b1, b2 = make_unit("一支部", g), make_unit("二支部", g)
    return {"root": root, "b1": b1, "b2": b2,
            "admin": make_user("adm", root, Role.admin), "leader": make_user("ldr", root, Role.leader),
            "sec": make_user("sec", b1, Role.secretary), "sec2": make_user("sec2", b2, Role.secretary)}


@pytest.fixture
def shipped(app):
    with app.app_context():
        ids = {t.name: t.id for t in install_templates()}
        db.session.commit()
    return ids


def _get(app, model, ident):
    with app.app_context():
        db.session().expire_on_commit = False
        return db.session.get(model, ident)


def _category(app, name):
    with app.app_context():
        return db.session.scalar(sa.select(ProjectCategory).where(ProjectCategory.name == name))


def test_the_templates_page_links_admins_to_the_categories(client, login, world, shipped):
    login(world["admin"])
    page = client.get("/projects/templates").get_data(as_text=True)
    assert "/projects/categories" in page and "/projects/templates/new" in page
    login(world["leader"])
    page = client.get("/projects/templates").get_data(as_text=True)
    assert "/projects/categories" not in page and f"/projects/templates/{shipped['主题党日']}/edit" in page
    login(world["sec"])
    page = client.get("/projects/templates").get_data(as_text=True)
    assert "/edit" not in page and "/projects/templates/new" not in page


def test_categories_list_with_usage_add_and_bad_names(client, login, world, shipped, make_project):
    party_day = _category(client.application, "主题党日")
    make_project(world["b1"], world["sec"], category_id=party_day.id)
    login(world["admin"])
    page = client.get("/projects/categories").get_data(as_text=True)
    row = re.search(rf'<tr id="category-{party_day.id}".*?</tr>', page, re.S).group(0)
    assert "主题党日" in row and ">1</td>" in row
    assert client.post("/projects/categories", data={"name": "基层治理"}).status_code == 302
    assert _category(client.application, "基层治理").is_active
    for bad in ("", "主题党日", "长" * 51):
        response = client.post("/projects/categories", data={"name": bad})
        assert response.status_code == 422
        body = response.get_data(as_text=True)
        assert 'id="new-category-error"' in body and 'aria-invalid="true"' in body
    duplicate = client.post("/projects/categories", data={"name": "主题党日"}, headers={"HX-Request": "true"})
    assert duplicate.status_code == 422 and "已存在" in duplicate.get_data(as_text=True)
    assert duplicate.get_data(as_text=True).lstrip().startswith('<section class="card" id="categories"')


def test_rename_reorder_and_a_stale_rename(client, login, world, shipped):
    login(world["admin"])
    category = _category(client.application, "书记项目")
    form = client.get(f"/projects/categories/{category.id}/edit", headers={"HX-Request": "true"})
    assert f'id="rename-{category.id}"' in form.get_data(as_text=True)
    url = f"/projects/categories/{category.id}/edit"
    assert client.post(url, data={"name": "书记抓党建项目", "version": category.version}).status_code == 302
    assert _category(client.application, "书记抓党建项目") is not None
    stale = client.post(url, data={"name": "又一个名字", "version": category.version})
    assert stale.status_code == 409 and "书记抓党建项目" in stale.get_data(as_text=True)
    empty = client.post(url, data={"name": "", "version": category.version + 1})
    assert empty.status_code == 422 and f'id="rename-{category.id}-error"' in empty.get_data(as_text=True)
    first = _category(client.application, "政治建设")
    client.post(f"/projects/categories/{first.id}/move", data={"direction": "down"})
    with client.application.app_context():
        names = db.session.scalars(sa.select(ProjectCategory.name).order_by(ProjectCategory.sort_order)).all()
    assert names[:2] == ["思想建设", "政治建设"]
    assert client.post(f"/projects/categories/{first.id}/move", data={"direction": "sideways"}).status_code == 400


def test_a_deactivated_category_is_not_offered_for_new_projects_but_stays_on_old_ones(
        client, login, world, shipped, make_project):
    category = _category(client.application, "纪律建设")
    project = make_project(world["b1"], world["sec"], category_id=category.id)
    login(world["admin"])
    response = client.post(f"/projects/categories/{category.id}/active", data={"active": "0"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and "重新启用" in response.get_data(as_text=True)
    assert not _category(client.application, "纪律建设").is_active
    login(world["sec"])
    new_form = client.get("/projects/new").get_data(as_text=True)
    assert f'value="{category.id}"' not in new_form.split('id="category_id"')[1].split("</select>")[0]
    edit_form = client.get(f"/projects/{project.id}/edit").get_data(as_text=True)
    assert f'<option selected value="{category.id}">纪律建设</option>' in edit_form
    saved = client.post(f"/projects/{project.id}/edit", data={
        "title": "改了标题", "category_id": category.id, "type": "promotion", "owner_id": world["sec"].id,
        "start_date": "2026-10-01", "due_date": "2026-11-30", "quarter": 0, "version": 1,
        "target_rows-0-indicator": "指标0", "target_rows-0-measure": "次", "target_rows-0-target_value": "4"})
    assert saved.status_code == 302
    assert _get(client.application, Project, project.id).category_id == category.id


def test_create_a_template_then_fill_its_checklists_and_targets(client, login, world, shipped):
    login(world["leader"])
    assert client.get("/projects/templates/new").status_code == 200
    bad = client.post("/projects/templates/new", data={"name": "", "category_id": 0, "type": "innovation",
                                                       "recurrence": "none", "duration_days": 0})
    assert bad.status_code == 422 and bad.get_data(as_text=True).count('class="field-error"') == 2
    taken = client.post("/projects/templates/new", data={"name": "主题党日", "category_id": 0, "type": "innovation",
                                                         "recurrence": "none", "duration_days": 30})
    assert taken.status_code == 422 and "已存在" in taken.get_data(as_text=True)
    category = _category(client.application, "书记项目")
    created = client.post("/projects/templates/new", data={
        "name": "书记项目", "category_id": category.id, "type": "innovation", "recurrence": "yearly",
        "duration_days": 365, "needs_approval": "y", "description": "每位支部书记领办一个项目"})
    assert created.status_code == 302
    with client.application.app_context():
        template_id = db.session.scalar(sa.select(ProjectTemplate.id).where(ProjectTemplate.name == "书记项目"))
    base = f"/projects/templates/{template_id}"
    hx = {"HX-Request": "true"}
    fragment = client.post(f"{base}/items", data={"stage": "plan", "text": "确定领办项目", "is_required": "y"}, headers=hx)
    assert fragment.status_code == 200 and 'id="template-parts"' in fragment.get_data(as_text=True)
    assert client.post(f"{base}/items", data={"stage": "run", "text": "按月推进"}).status_code == 302
    empty = client.post(f"{base}/items", data={"stage": "plan", "text": ""}, headers=hx)
    assert empty.status_code == 422 and 'id="new-item-plan-error"' in empty.get_data(as_text=True)
    assert client.post(f"{base}/items", data={"stage": "nowhere", "text": "x"}).status_code == 400
    negative = client.post(f"{base}/targets", data={"indicator": "形成经验材料", "target_value": "-1"}, headers=hx)
    assert negative.status_code == 422 and 'id="new-target-target_value-error"' in negative.get_data(as_text=True)
    assert "不能为负数" in negative.get_data(as_text=True)
    no_js = client.post(f"{base}/targets", data={"indicator": "形成经验材料", "measure": "篇", "target_value": "1"})
    assert no_js.status_code == 302 and no_js.headers["Location"].endswith(f"{base}/edit#template-targets")
    page = client.get(f"{base}/edit").get_data(as_text=True)
    assert "确定领办项目" in page and "按月推进" in page and "形成经验材料" in page


def test_edit_reorder_and_remove_template_items_and_targets(client, login, world, shipped):
    login(world["admin"])
    template_id = shipped["主题党日"]
    base = f"/projects/templates/{template_id}"
    with client.application.app_context():
        items = db.session.scalars(sa.select(TemplateItem).where(TemplateItem.template_id == template_id,
                                                                 TemplateItem.stage == Stage.plan)
                                   .order_by(TemplateItem.position)).all()
        first, second = items[0].id, items[1].id
        target_id = db.session.get(ProjectTemplate, template_id).targets[0].id
    form = client.get(f"{base}/items/{first}/edit")  # without JS: the whole page, that row as a form
    assert form.status_code == 200 and f'id="edit-item-{first}"' in form.get_data(as_text=True)
    assert client.post(f"{base}/items/{first}/edit", data={"text": ""}).status_code == 422
    assert client.post(f"{base}/items/{first}/edit", data={"text": "确定主题"}).status_code == 302
    assert client.post(f"{base}/items/{second}/reorder", data={"direction": "up"}).status_code == 302
    assert client.post(f"{base}/targets/{target_id}/edit", data={"indicator": "开展主题党日活动",
                                                                  "target_value": "-3"}).status_code == 422
    assert client.post(f"{base}/targets/{target_id}/edit", data={"indicator": "开展主题党日活动", "measure": "次",
                                                                  "target_value": "2"}).status_code == 302
    assert client.post(f"{base}/items/{first}/delete").status_code == 302
    with client.application.app_context():
        template = db.session.get(ProjectTemplate, template_id)
        plan = [(i.text, i.is_required) for i in template.items if i.stage == Stage.plan]
        assert plan == [("提前三天通知全体党员", True)]
        assert template.targets[0].target_value == 2
    other = shipped["示范点创建"]
    assert client.post(f"/projects/templates/{other}/items/{second}/delete").status_code == 404


def test_a_stale_template_form_keeps_the_input_and_shows_the_saved_values(client, login, world, shipped):
    login(world["leader"])
    url = f"/projects/templates/{shipped['主题党日']}/edit"
    data = {"name": "主题党日活动", "category_id": 0, "type": "promotion", "recurrence": "monthly",
            "duration_days": 30, "version": 1}
    assert client.post(url, data=data).status_code == 302
    stale = client.post(url, data={**data, "name": "我的旧表单"})
    body = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "我的旧表单" in body and "主题党日活动" in body


def test_assigning_an_edited_template_gives_the_new_checklist(client, login, world, shipped):
    login(world["leader"])
    template_id = shipped["主题党日"]
    client.post(f"/projects/templates/{template_id}/items", data={"stage": "check", "text": "撰写活动简报",
                                                                    "is_required": "y"})
    response = client.post(f"/projects/templates/{template_id}/assign", data={
        "unit_ids": [world["b1"].id, world["b2"].id], "start_date": "2026-10-01"})
    assert response.status_code == 302
    with client.application.app_context():
        projects = db.session.scalars(sa.select(Project.id).where(Project.template_id == template_id)).all()
        assert len(projects) == 2
        for project_id in projects:
            assert db.session.scalar(sa.select(ChecklistItem.id).where(
                ChecklistItem.project_id == project_id, ChecklistItem.text == "撰写活动简报")) is not None
    page = client.get("/projects/templates").get_data(as_text=True)
    assert "2" in re.search(r'class="tag tag-active">([^<]*)<', page).group(1)


def test_a_deactivated_template_is_not_offered_for_assignment(client, login, world, shipped):
    login(world["leader"])
    template_id = shipped["示范点创建"]
    assert client.post(f"/projects/templates/{template_id}/active", data={"active": "0"}).status_code == 302
    assert client.get(f"/projects/templates/{template_id}/assign").status_code == 404
    assert f"/projects/templates/{template_id}/assign" not in client.get("/projects/templates").get_data(as_text=True)
    login(world["sec"])
    assert "示范点创建" not in client.get("/projects/templates").get_data(as_text=True)


def test_the_template_timeline_names_the_changes(client, login, world, shipped):
    login(world["leader"])
    template_id = shipped["示范点创建"]
    category = _category(client.application, "书记项目")
    client.post(f"/projects/templates/{template_id}/edit", data={
        "name": "示范点创建", "category_id": category.id, "type": "demonstration", "recurrence": "none",
        "duration_days": 200, "needs_approval": "y", "version": 1})
    page = client.get(f"/projects/templates/{template_id}/edit").get_data(as_text=True)
    timeline = page.split('id="timeline"')[1]
    assert "修改了模板" in timeline and "类别" in timeline and "书记项目" in timeline and "200" in timeline


def test_the_board_still_filters_by_a_deactivated_category(client, login, world, shipped):
    category = _category(client.application, "作风建设")
    login(world["admin"])
    client.post(f"/projects/categories/{category.id}/active", data={"active": "0"})
    board = client.get("/board").get_data(as_text=True)
    assert f'value="{category.id}"' in board
