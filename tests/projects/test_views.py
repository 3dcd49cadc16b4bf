"""Project pages as a user meets them: board, moves, forms with bad input, stale edits, checklists."""

import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import ChecklistItem, Project, Role
from tracker.projects.catalogue import install_templates
from tracker.projects.workflow import Stage


@pytest.fixture
def world(make_unit, make_user):
    root = make_unit("机关党委")
    g = make_unit("一总支", root)
    b1, b2 = make_unit("一支部", g), make_unit("二支部", g)
    return {
        "root": root, "g": g, "b1": b1, "b2": b2,
        "leader": make_user("ldr", root, Role.leader),
        "sec": make_user("sec", b1, Role.secretary),
        "sec2": make_user("sec2", b2, Role.secretary),
        "member": make_user("mem", b1, Role.member),
    }


def _project(app, project_id):
    with app.app_context():
        db.session().expire_on_commit = False
        return db.session.get(Project, project_id)


def test_board_shows_cards_per_stage_with_filters_in_the_url(client, login, world, make_project):
    today = date.today()
    make_project(world["b1"], world["sec"], title="按期项目", start_date=today, due_date=today + timedelta(days=30))
    make_project(world["b2"], world["sec2"], title="超期项目", start_date=today - timedelta(days=40),
                 due_date=today - timedelta(days=2))
    login(world["leader"])
    page = client.get("/board").get_data(as_text=True)
    assert "按期项目" in page and "超期项目" in page and "light-red" in page
    assert 'data-total-for="plan">2<' in page
    overdue = client.get("/board?overdue=1&lanes=unit").get_data(as_text=True)
    assert "超期项目" in overdue and "按期项目" not in overdue and 'class="lane-title">二支部<' in overdue
    by_unit = client.get(f"/board?unit={world['b1'].id}").get_data(as_text=True)
    assert "按期项目" in by_unit and "超期项目" not in by_unit
    login(world["sec2"])
    assert "按期项目" not in client.get("/board").get_data(as_text=True)


def test_a_refused_move_answers_409_with_the_reasons_in_the_flash(client, login, world, make_project, htmx_headers):
    project = make_project(world["b1"], world["sec"], targets=0, items={Stage.plan: [("制定计划", True)]})
    login(world["sec"])
    response = client.post(f"/projects/{project.id}/move", data={"to": "run", "view": "card"}, headers=htmx_headers)
    assert response.status_code == 409
    assert response.headers["HX-Retarget"] == "#flash"
    body = response.get_data(as_text=True)
    assert "计划阶段清单还有 1 项必办事项未完成" in body and "请至少设定一项量化目标" in body
    assert f"暂不能推进 {project.code}“党员积分制管理试点”" in body and "操作冲突" not in body
    assert _project(client.application, project.id).stage is Stage.plan


def test_a_refused_move_without_javascript_returns_to_the_board_with_the_reasons(client, login, world,
                                                                                 make_project):
    project = make_project(world["b1"], world["sec"], targets=0)
    login(world["sec"])
    response = client.post(f"/projects/{project.id}/move", data={"to": "run", "next": "/board?lanes=unit"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/board?lanes=unit")
    board = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'class="flash flash-error"' in board
    assert f"暂不能推进 {project.code}“党员积分制管理试点”" in board and "请至少设定一项量化目标" in board
    assert _project(client.application, project.id).stage is Stage.plan


def test_an_unknown_stage_is_a_400(client, login, world, make_project):
    project = make_project(world["b1"], world["sec"])
    login(world["sec"])
    assert client.post(f"/projects/{project.id}/move", data={"to": "nowhere"}).status_code == 400


def test_a_drag_answers_the_updated_card(client, login, world, make_project, htmx_headers):
    project = make_project(world["b1"], world["sec"])
    login(world["sec"])
    response = client.post(f"/projects/{project.id}/move", data={"to": "run", "view": "card", "next": "/board"},
                           headers=htmx_headers)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert f'id="card-{project.id}"' in body and 'value="check"' in body and 'hx-swap-oob' in body


def test_the_move_form_without_js_redirects_back(client, login, world, make_project):
    project = make_project(world["b1"], world["sec"])
    login(world["sec"])
    response = client.post(f"/projects/{project.id}/move", data={"to": "run", "next": "/board?lanes=unit"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/board?lanes=unit")
    response = client.post(f"/projects/{project.id}/move", data={"to": "plan", "next": "https://evil.example/"})
    # Sending back needs a reason: refused, back on the project page (never the foreign `next`), said why.
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/projects/{project.id}")
    assert "退回到之前的阶段须写明理由" in client.get(response.headers["Location"]).get_data(as_text=True)
    response = client.post(f"/projects/{project.id}/move", data={"to": "plan", "reason": "重新论证",
                                                                  "next": "https://evil.example/"})
    assert response.headers["Location"].endswith(f"/projects/{project.id}")
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "退回了项目" in page and "重新论证" in page


def _form(world, **overrides):
    data = {"title": "党员先锋岗创建", "description": "", "unit_id": world["b1"].id, "assigning_unit_id": 0,
            "category_id": 0, "type": "demonstration", "owner_id": world["sec"].id, "start_date": "2026-10-01",
            "due_date": "2026-12-31", "quarter": 4, "target_rows-0-indicator": "设立先锋岗",
            "target_rows-0-measure": "个", "target_rows-0-target_value": "4"}
    data.update(overrides)
    return data


@pytest.mark.parametrize("overrides,message", [
    ({"title": ""}, "请填写项目名称。"),
    ({"due_date": "2026-09-01"}, "完成时限不能早于开始日期。"),
    ({"target_rows-0-target_value": "-3"}, "目标值和完成值不能为负数。"),
])
def test_bad_input_is_shown_beside_the_field(client, login, world, overrides, message):
    login(world["sec"])
    response = client.post("/projects/new", data=_form(world, **overrides))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'class="field-error"' in body and message in body
    assert "党员先锋岗创建" in body or overrides.get("title") == ""


def test_create_then_show(client, login, world):
    login(world["sec"])
    response = client.post("/projects/new", data=_form(world))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "XM-2026-0001" in page and "设立先锋岗" in page and "4个" in page


def test_a_stale_edit_is_refused_and_keeps_the_input(client, login, world, make_project):
    project = make_project(world["b1"], world["sec"])
    login(world["sec"])
    data = _form(world, title="我的新标题", version=project.version)
    data.pop("unit_id")
    assert client.post(f"/projects/{project.id}/edit", data={**data, "title": "别人先保存"}).status_code == 302
    response = client.post(f"/projects/{project.id}/edit", data=data)
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "别人先保存" in body and 'value="我的新标题"' in body
    # The saved owner reads as a person, not as a database id.
    assert f"<dd>{world['sec'].id}</dd>" not in body and "<dd>测试用户" in body


def test_checklist_inline_tick_add_and_bad_add(client, login, world, make_project, htmx_headers):
    project = make_project(world["b1"], world["sec"], items={Stage.plan: [("制定计划", True)]})
    with client.application.app_context():
        item_id = db.session.scalar(sa.select(ChecklistItem.id))
    login(world["sec"])
    response = client.post(f"/projects/{project.id}/items/{item_id}/tick", data={"done": "1"}, headers=htmx_headers)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.startswith('<section class="card checklist" id="checklist-plan"')
    assert 'aria-pressed="true"' in body and "测试用户 于" in body
    response = client.post(f"/projects/{project.id}/items", data={"stage": "run", "text": " "}, headers=htmx_headers)
    assert response.status_code == 422 and "请填写事项内容" in response.get_data(as_text=True)
    response = client.post(f"/projects/{project.id}/items", data={"stage": "run", "text": "召开动员会", "is_required": "y"},
                           headers=htmx_headers)
    assert "召开动员会" in response.get_data(as_text=True)
    assert client.post(f"/projects/{project.id}/items", data={"stage": "later", "text": "x"}).status_code == 400
    edit = client.get(f"/projects/{project.id}/items/{item_id}/edit", headers=htmx_headers).get_data(as_text=True)
    assert f'id="edit-text-{item_id}"' in edit


def test_a_member_ticks_only_items_assigned_to_them(client, login, world, make_project):
    project = make_project(world["b1"], world["sec"],
                           items={Stage.plan: [("整理记录", True, world["member"]), ("写方案", True)]})
    with client.application.app_context():
        mine, other = db.session.scalars(sa.select(ChecklistItem.id).order_by(ChecklistItem.id)).all()
    login(world["member"])
    assert client.post(f"/projects/{project.id}/items/{mine}/tick", data={"done": "1"}).status_code == 302
    assert client.post(f"/projects/{project.id}/items/{other}/tick", data={"done": "1"}).status_code == 403
    assert client.post(f"/projects/{project.id}/items/{mine}/edit", data={"text": "整理会议记录"}).status_code == 302
    assert client.post(f"/projects/{project.id}/items/{other}/edit", data={"text": "改"}).status_code == 403
    assert client.post(f"/projects/{project.id}/move", data={"to": "run"}).status_code == 403


def test_the_owner_cannot_record_the_verdict(client, login, world, make_project):
    project = make_project(world["b1"], world["sec"])
    login(world["sec"])
    assert client.post(f"/projects/{project.id}/verdict", data={"verdict": "好"}).status_code == 403
    login(world["leader"])
    assert client.post(f"/projects/{project.id}/verdict", data={"verdict": ""}).status_code == 422


def test_leader_assigns_a_template_to_branches(client, login, world):
    with client.application.app_context():
        template_id = next(t.id for t in install_templates() if t.name == "主题党日")
        db.session.commit()
    login(world["leader"])
    form = client.get(f"/projects/templates/{template_id}/assign").get_data(as_text=True)
    assert "一支部" in form and "二支部" in form
    assert client.post(f"/projects/templates/{template_id}/assign", data={"start_date": "2026-11-01"}).status_code == 422
    response = client.post(f"/projects/templates/{template_id}/assign",
                           data={"unit_ids": [world["b1"].id, world["b2"].id], "start_date": "2026-11-01"})
    assert response.status_code == 302
    board = client.get("/board").get_data(as_text=True)
    assert "一支部主题党日" in board and "二支部主题党日" in board


def test_list_search_sort_and_bulk_reassign(client, login, world, make_project):
    a = make_project(world["b1"], world["sec"], title="廉政风险点排查")
    make_project(world["b1"], world["sec"], title="智慧党建推广")
    login(world["sec"])
    page = client.get("/projects?q=廉政&sort=title").get_data(as_text=True)
    assert "廉政风险点排查" in page and "智慧党建推广" not in page
    response = client.post("/projects/reassign", data={"project_ids": [a.id], "owner_id": world["member"].id})
    assert response.status_code == 302
    assert _project(client.application, a.id).owner_id == world["member"].id
    login(world["sec2"])
    assert client.post("/projects/reassign", data={"project_ids": [a.id], "owner_id": world["sec2"].id}).status_code == 404


def test_home_widget_lists_my_and_overdue_projects(client, login, world, make_project):
    today = date.today()
    make_project(world["b1"], world["sec"], title="逾期的项目", start_date=today - timedelta(days=30),
                 due_date=today - timedelta(days=1))
    login(world["sec"])
    page = client.get("/home").get_data(as_text=True)
    assert "我负责的项目" in page and "超期项目" in page and "逾期的项目" in page


def test_check_stage_shows_the_linked_problem_counts(client, login, world, make_project, problems):
    project = make_project(world["b1"], world["sec"])
    with client.application.app_context():
        from tracker.projects import operations as ops
        from tracker.models import User

        p = db.session.get(Project, project.id)
        sec = db.session.get(User, world["sec"].id)
        ops.move_project(sec, p, Stage.run)
        ops.move_project(sec, p, Stage.check)
        db.session.commit()
    from tracker.hooks import ProblemCounts

    problems[project.id] = ProblemCounts(open=2, closed=1)
    login(world["sec"])
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "关联整改事项：未销号 2 项，已销号 1 项。" in page
    assert client.post(f"/projects/{project.id}/move", data={"to": "rectify"}).status_code == 302


def test_the_unit_page_shows_its_projects_per_stage(client, login, world, make_project):
    make_project(world["b1"], world["sec"])
    login(world["leader"])
    page = client.get(f"/orgs/{world['b1'].id}").get_data(as_text=True)
    assert 'id="unit-projects"' in page and "计划 1" in page


def test_the_board_runs_the_same_queries_for_3_or_30_cards(client, login, world, make_project):
    from tracker.projects.workflow import ORDER

    def board_queries():
        counted = []
        with client.application.app_context():
            engine = db.engine
        listener = lambda *args, **kwargs: counted.append(1)  # noqa: E731
        sa.event.listen(engine, "before_cursor_execute", listener)
        try:
            assert client.get("/board?lanes=unit").status_code == 200
        finally:
            sa.event.remove(engine, "before_cursor_execute", listener)
        return len(counted)

    login(world["leader"])
    for i in range(3):
        make_project(world["b1" if i % 2 else "b2"], world["sec"], items={ORDER[0]: [("事项", True)]})
    few = board_queries()
    for i in range(27):
        make_project(world["b1" if i % 2 else "b2"], world["sec"], items={ORDER[0]: [("事项", True)]})
    assert 0 < few <= 15 and board_queries() == few


def _assigned(app, world, template_name="主题党日"):
    """A template assigned by the 机关党委 (above the branch) to 一支部, as a leader does it."""
    from tracker.models import OrgUnit, User
    from tracker.projects import operations_assignment as assignment

    with app.app_context():
        template = next(t for t in install_templates() if t.name == template_name)
        project = assignment.assign_template(db.session.get(User, world["leader"].id), template,
                                      [db.session.get(OrgUnit, world["b1"].id)], start_date=date(2026, 11, 1),
                                      assigning_unit=db.session.get(OrgUnit, world["root"].id))[0]
        db.session.commit()
        return project.id


def test_the_owner_saves_an_assigned_project_with_actual_values(client, login, world):
    from support import form_data

    project_id = _assigned(client.application, world)
    login(world["sec"])
    page = client.get(f"/projects/{project_id}/edit").get_data(as_text=True)
    assert "机关党委" in page  # the assigning unit, shown, not offered for a change
    data = form_data(page, f"/projects/{project_id}/edit")
    data["target_rows-0-actual_value"] = "1"
    data["target_rows-1-actual_value"] = "96.5"
    response = client.post(f"/projects/{project_id}/edit", data=data)
    assert response.status_code == 302
    shown = client.get(f"/projects/{project_id}").get_data(as_text=True)
    assert "96.5%" in shown and "机关党委" in shown
    with client.application.app_context():
        project = db.session.get(Project, project_id)
        assert project.assigning_unit_id == world["root"].id


def test_a_refused_project_save_says_why_beside_the_field(client, login, world):
    from support import form_data

    project_id = _assigned(client.application, world)
    login(world["sec"])
    data = form_data(client.get(f"/projects/{project_id}/edit").get_data(as_text=True), f"/projects/{project_id}/edit")
    data["target_rows-0-actual_value"] = "-1"
    response = client.post(f"/projects/{project_id}/edit", data=data)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'class="field-error"' in body and "目标值和完成值不能为负数。" in body
    assert 'value="-1"' in body  # nothing typed is lost


def test_a_stale_project_edit_shows_the_saved_targets(client, login, world, make_project):
    from support import form_data

    project = make_project(world["b1"], world["sec"], targets=1)
    login(world["sec"])
    page = client.get(f"/projects/{project.id}/edit").get_data(as_text=True)
    first, second = form_data(page, f"/projects/{project.id}/edit"), form_data(page, f"/projects/{project.id}/edit")
    first["target_rows-0-actual_value"] = "3"
    assert client.post(f"/projects/{project.id}/edit", data=first).status_code == 302
    second["target_rows-0-actual_value"] = "2"
    response = client.post(f"/projects/{project.id}/edit", data=second)
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "量化目标" in body and "指标0：目标 4次，完成 3次" in body


def test_the_assign_form_offers_branches_with_a_secretary_and_selects_all(client, login, world, make_unit):
    from support import form_data

    make_unit("三支部（无书记）", world["g"])
    with client.application.app_context():
        template_id = next(t.id for t in install_templates() if t.name == "主题党日")
        db.session.commit()
    login(world["leader"])
    url = f"/projects/templates/{template_id}/assign"
    page = client.get(url).get_data(as_text=True)
    assert "全部可选支部" in page
    offered = form_data(page.replace(" checked", ""), url)
    assert 'value="%d"' % world["b1"].id in page
    not_offered = page.split("没有人担任支部书记", 1)[1]
    assert "三支部（无书记）" in not_offered and "一总支" in not_offered
    assert "三支部（无书记）" not in page.split("没有人担任支部书记", 1)[0]
    response = client.post(url, data={**offered, "all_units": "y", "start_date": "2026-12-03"})
    assert response.status_code == 302
    follow = client.get("/board").get_data(as_text=True)
    assert "一支部主题党日（2026年12月）" in follow and "二支部主题党日（2026年12月）" in follow
    again = client.post(url, data={"unit_ids": [world["b1"].id], "start_date": "2026-12-20"}, follow_redirects=True)
    assert "一支部 已有本周期由该模板生成的项目" in again.get_data(as_text=True)


def test_a_checklist_edit_records_only_what_changed(client, login, world, make_project):
    project = make_project(world["b1"], world["sec"], items={Stage.plan: [("制定计划", True)]})
    with client.application.app_context():
        item_id = db.session.scalar(sa.select(ChecklistItem.id))
    login(world["sec"])
    data = {"text": "制定计划", "is_required": "y", "assignee_id": world["member"].id, "due_date": "", "version": "1"}
    assert client.post(f"/projects/{project.id}/items/{item_id}/edit", data=data).status_code == 302
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    edited = page.split("修改了清单事项", 1)[1].split("</li>", 1)[0]
    assert "制定计划" in edited and "<del>制定计划</del>" not in edited  # named, not "A → A"
    assert "责任人: " in edited and "<ins>测试用户</ins>" in edited and "必办" not in edited


def test_checklist_saves_crossing_refuse_the_second_with_the_newer_values(client, login, world, make_project,
                                                                          htmx_headers):
    project = make_project(world["b1"], world["sec"], items={Stage.plan: [("制定计划", True)]})
    with client.application.app_context():
        item_id = db.session.scalar(sa.select(ChecklistItem.id))
    login(world["sec"])
    url = f"/projects/{project.id}/items/{item_id}/edit"
    form = client.get(url, headers=htmx_headers).get_data(as_text=True)
    assert 'name="version" value="1"' in form
    first = {"text": "制定活动方案", "is_required": "y", "assignee_id": 0, "version": "1"}
    assert client.post(url, data=first, headers=htmx_headers).status_code == 200
    second = {"text": "制定学习计划", "is_required": "y", "assignee_id": 0, "version": "1"}
    response = client.post(url, data=second, headers=htmx_headers)
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "制定活动方案" in body and 'value="制定学习计划"' in body  # theirs shown, mine kept
    assert 'name="version" value="2"' in body  # saving again now overwrites knowingly
    page = client.post(url, data=second)  # the same without JavaScript: the item's own page
    assert page.status_code == 409 and "制定活动方案" in page.get_data(as_text=True)


def test_a_leader_refuses_approval_with_a_reason_and_the_owner_asks_again(client, login, world, make_project):
    project = make_project(world["b1"], world["sec"], needs_approval=True)
    login(world["leader"])
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "不予批准" in page
    response = client.post(f"/projects/{project.id}/approval/refuse", data={"reason": ""})
    assert response.status_code == 422 and "请写明不予批准的理由" in response.get_data(as_text=True)
    assert client.post(f"/projects/{project.id}/approval/refuse",
                       data={"reason": "量化目标不够具体"}).status_code == 302
    login(world["sec"])
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "量化目标不够具体" in page and "重新申请审批" in page
    refused = client.post(f"/projects/{project.id}/move", data={"to": "run"}, follow_redirects=True)
    assert "立项审批未通过：量化目标不够具体" in refused.get_data(as_text=True)
    assert client.post(f"/projects/{project.id}/approval/request").status_code == 302
    login(world["leader"])
    assert client.post(f"/projects/{project.id}/approve").status_code == 302
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "不予批准了项目" in page and "重新申请了审批" in page and "批准了项目" in page


def _order(page: str, select_name: str, names: list[str]) -> list[str]:
    options = page.split(f'name="{select_name}"', 1)[1].split("</select>", 1)[0]
    return sorted(names, key=options.index)


def test_people_are_listed_in_natural_order(client, login, world, make_user, make_project):
    from tracker.extensions import db as _db
    from tracker.models import User

    for name in ("member10", "member2", "member1"):
        make_user(name, world["b1"], Role.member)
    with client.application.app_context():
        for user in _db.session.scalars(sa.select(User).where(User.username.like("member%"))):
            user.full_name = user.username  # the names people read
        _db.session.commit()
    login(world["sec"])
    names = ["member1", "member2", "member10"]
    assert _order(client.get("/projects/new").get_data(as_text=True), "owner_id", names) == names
    project = make_project(world["b1"], world["sec"])
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert _order(page, "assignee_id", names) == names


def test_the_project_upload_says_why_beside_the_field(client, login, make_unit, make_user, make_project):
    branch = make_unit("一支部", make_unit("一总支", make_unit("机关党委")))
    secretary = make_user("upl_psec", branch, Role.secretary)
    project = make_project(branch, secretary)
    login(secretary)
    response = client.post(f"/projects/{project.id}/attachments", data={"file": (io.BytesIO(b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), "evil.svg")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="file-error"' in page and "网页或 XML 标记" in page and 'aria-invalid="true"' in page
