"""Project pages as a user meets them: board, moves, forms with bad input, stale edits, checklists."""

import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import ChecklistItem, Project, Role
from tracker.projects.templates_data import install_templates
from tracker.projects.workflow import Stage


@pytest.fixture
def world(make_unit, make_user):
    root = make_unit("机关党委")
    g = make_unit("一总支", root)
    b1, b2 = make_unit("一支部", g), make_unit("二支部", g)
    return {
        "root": root, "b1": b1, "b2": b2,
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
    assert response.status_code == 409  # sending back needs a reason
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
    assert f'class="field-error"' in body and message in body
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
        ops.move_project(p, Stage.run, sec)
        ops.move_project(p, Stage.check, sec)
        db.session.commit()
    from tracker.links import ProblemCounts

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
