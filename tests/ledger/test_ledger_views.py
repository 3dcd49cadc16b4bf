"""Ledger pages: filters in the URL, htmx partials, the item page's steps and their refusals."""

import io
from datetime import timedelta

import pytest

from tracker.extensions import db
from tracker.clock import local_today
from tracker.models import Attachment, ItemStatus, LedgerItem, OrgUnit, User

from ledger.ledger_support import PNG, get, load

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


def test_the_ledger_lists_items_with_lights_and_keeps_filters_in_the_url(client, login, world, new_item):
    new_item(problem="党费收缴不及时", deadline=local_today() - timedelta(days=2))
    new_item(problem="宣传栏未更新", deadline=local_today() + timedelta(days=40))
    login(world.leader)
    page = client.get("/ledger/").get_data(as_text=True)
    assert "党费收缴不及时" in page and "宣传栏未更新" in page and "light-red" in page
    overdue = client.get("/ledger/?countdown=overdue").get_data(as_text=True)
    assert "党费收缴不及时" in overdue and "宣传栏未更新" not in overdue
    assert 'value="overdue" selected' in overdue  # the filter form keeps the choice
    assert "20天以上" in client.get("/ledger/?countdown=over_20").get_data(as_text=True)


def test_htmx_filter_answers_the_table_partial(client, login, world, new_item, htmx_headers):
    new_item()
    login(world.leader)
    response = client.get("/ledger/?status=open", headers=htmx_headers)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.lstrip().startswith('<div id="ledger-table"')
    assert "<html" not in body and "HX-Request" in response.headers["Vary"]


@pytest.mark.parametrize("view", ["problems", "tasks", "responsibility", "deadlines"])
def test_groupings_show_their_columns(client, login, world, new_item, view):
    new_item(target="会议记录要素齐全")
    login(world.leader)
    page = client.get(f"/ledger/?view={view}").get_data(as_text=True)
    assert {"problems": "问题类别", "tasks": "会议记录要素齐全", "responsibility": "验收人",
            "deadlines": "倒计时"}[view] in page


def test_origin_filter_lists_a_projects_items(client, login, world, new_item):
    new_item(problem="项目检查发现的问题", origin_type="project", origin_id=5)
    new_item(problem="别的问题")
    login(world.leader)
    page = client.get("/ledger/?origin_type=project&origin_id=5").get_data(as_text=True)
    assert "项目检查发现的问题" in page and "别的问题" not in page


def test_rollup_counts_per_unit(client, login, world, new_item, in_db):
    new_item(deadline=local_today() - timedelta(days=1))
    item_id = new_item()
    in_db(lambda: setattr(load(item_id), "status", ItemStatus.void))
    login(world.leader)
    page = client.get("/ledger/rollup").get_data(as_text=True)
    assert "办公室党支部" in page and "整改率" in page
    row = page.split("办公室党支部</a></td>")[1].split("</tr>")[0]
    assert row.startswith("\n        <td>1</td>")  # total 1: the void item counts nowhere


def test_new_item_prefilled_from_a_project_is_linked(client, login, world, in_db):
    login(world.secretary)
    form = client.get(f"/ledger/new?origin_type=project&origin_id=12&unit_id={world.branch.id}").get_data(as_text=True)
    assert '<option selected value="project_check">' in form
    response = client.post("/ledger/new", data={
        "unit_id": world.branch.id, "problem": "项目检查发现：活动记录缺少照片", "source": "project_check",
        "owner_id": world.owner.id, "verifier_id": world.leader.id, "responsible_leader_id": "None",
        "severity": "normal", "deadline_kind": "date", "deadline": (local_today() + timedelta(days=10)).isoformat(),
        "origin_type": "project", "origin_id": "12"})
    assert response.status_code == 302
    item = in_db(lambda: db.session.scalars(db.select(LedgerItem)).one())
    assert (item.origin_type, item.origin_id, item.source.value) == ("project", 12, "project_check")


def test_new_item_with_the_owner_as_verifier_is_refused_beside_the_field(client, login, world):
    login(world.leader)
    response = client.post("/ledger/new", data={
        "unit_id": world.branch.id, "problem": "问题", "source": "other", "owner_id": world.owner.id,
        "verifier_id": world.owner.id, "responsible_leader_id": "None", "severity": "normal",
        "deadline_kind": "immediate"})
    assert response.status_code == 422
    assert 'id="verifier_id-error"' in response.get_data(as_text=True)


def test_bulk_entry_records_one_item_per_line(client, login, world, in_db):
    login(world.leader)
    response = client.post("/ledger/bulk", data={
        "unit_id": world.branch.id, "source": "inspection", "batch": "2026年机关党委巡察", "owner_id": world.owner.id,
        "verifier_id": "None", "deadline": (local_today() + timedelta(days=30)).isoformat(),
        "lines": "1. 学习制度执行不严\n\n- 支委分工不明确\n谈心谈话记录简单"})
    assert response.status_code == 302
    problems = in_db(lambda: sorted(db.session.scalars(db.select(LedgerItem.problem))))
    assert len(problems) == 3 and "支委分工不明确" in problems


def test_submit_without_evidence_shows_the_message_beside_the_field(client, login, world, new_item):
    item_id = new_item()
    login(world.owner)
    response = client.post(f"/ledger/{item_id}/submit", data={"note": "已整改"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="file-error"' in page and "至少上传一份佐证材料" in page


def test_the_owner_closing_gets_403_with_the_reason(client, login, world, new_item, in_db):
    item_id = new_item()
    in_db(lambda: setattr(load(item_id), "status", ItemStatus.submitted))
    login(world.owner)
    response = client.post(f"/ledger/{item_id}/close", data={"opinion": "同意"})
    assert response.status_code == 403
    assert "责任人不能验收销号自己的事项" in response.get_data(as_text=True)


@pytest.mark.parametrize("data,name,message", [
    (b"", "空.png", "文件为空"),
    (EXE, "照片.png", "不接受"),
    (PNG + b"\x00" * (1024 * 1024 + 10), "大图.png", "MB"),
])
def test_bad_uploads_are_refused_with_the_reason(client, login, world, new_item, app, in_db, data, name, message):
    item_id = new_item()
    login(world.owner)
    app.config["MAX_UPLOAD_MB"] = 1
    try:
        response = client.post(f"/ledger/{item_id}/evidence", data={"kind": "photo", "file": (io.BytesIO(data), name)},
                               content_type="multipart/form-data")
    finally:
        app.config["MAX_UPLOAD_MB"] = 20
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="file-error"' in page
    assert in_db(lambda: db.session.scalar(db.select(db.func.count(Attachment.id)))) == 0


def test_evidence_upload_then_submit(client, login, world, new_item, in_db):
    item_id = new_item()
    login(world.owner)
    response = client.post(f"/ledger/{item_id}/evidence", data={"kind": "photo", "file": (io.BytesIO(PNG), "整改照片.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    assert client.post(f"/ledger/{item_id}/submit", data={"note": "已补齐"}).status_code == 302
    assert in_db(lambda: load(item_id).status) is ItemStatus.submitted
    assert "整改照片.png" in client.get(f"/ledger/{item_id}").get_data(as_text=True)


def test_a_concurrent_edit_is_refused_with_the_newer_values(client, login, world, new_item, in_db):
    from tracker.ledger import operations as ops

    item_id = new_item(category="组织建设")
    login(world.secretary)
    client.get(f"/ledger/{item_id}/edit")
    in_db(lambda: ops.update_item(get(User, world.leader), load(item_id), version=1, category="纪律建设"))
    response = client.post(f"/ledger/{item_id}/edit", data={
        "version": "1", "source": "self_check", "problem": "我的修改", "owner_id": world.owner.id,
        "verifier_id": world.verifier.id, "responsible_leader_id": "None", "severity": "normal",
        "category": "思想建设"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "纪律建设" in page and "我的修改" in page  # the newer value shown, the user's input kept
    assert in_db(lambda: load(item_id).category) == "纪律建设"


def test_the_item_page_shows_only_allowed_buttons(client, login, world, new_item):
    item_id = new_item()
    login(world.owner)
    page = client.get(f"/ledger/{item_id}").get_data(as_text=True)
    assert "报告进展" in page and "作废该事项" not in page and "验收销号" not in page
    login(world.leader)
    page = client.get(f"/ledger/{item_id}").get_data(as_text=True)
    assert "作废该事项" in page


def test_an_item_outside_scope_is_404(client, login, world, new_item, make_unit, make_user):
    from tracker.models import Role

    item_id = new_item()
    login(make_user("ledger_stranger", make_unit("外单位党委"), Role.leader))
    assert client.get(f"/ledger/{item_id}").status_code == 404
    assert "三会一课" not in client.get("/ledger/").get_data(as_text=True)


def test_home_widget_and_unit_panel(client, login, world, new_item):
    new_item(deadline=local_today() - timedelta(days=3))
    login(world.owner)
    home = client.get("/home").get_data(as_text=True)
    assert 'id="ledger-widget"' in home and "我的未销号事项" in home
    login(world.leader)
    unit_page = client.get(f"/orgs/{world.branch.id}").get_data(as_text=True)
    assert 'id="ledger-unit-panel"' in unit_page and "整改率" in unit_page


def test_print_view_has_the_office_columns(client, login, world, new_item):
    new_item()
    login(world.leader)
    page = client.get("/ledger/print").get_data(as_text=True)
    assert "建章立制/举一反三" in page and "ZG-" in page


def test_two_steps_at_the_same_moment_answer_409(client, login, world, new_item, app, monkeypatch):
    from sqlalchemy.orm.exc import StaleDataError

    from tracker.ledger import operations as ops

    item_id = new_item()
    login(world.owner)

    def racing(*args, **kwargs):
        raise StaleDataError("UPDATE statement on table 'ledger_item' expected to update 1 row(s); 0 were matched.")

    monkeypatch.setattr(ops, "start_item", racing)
    response = client.post(f"/ledger/{item_id}/start")
    assert response.status_code == 409 and "同一时刻" in response.get_data(as_text=True)


def test_rollup_counts_each_column_per_unit(app, world, new_item, in_db):
    from datetime import datetime, timezone

    from tracker.ledger.queries import LedgerFilter
    from tracker.ledger.queries_rollup import rollup

    overdue = new_item(deadline=local_today() - timedelta(days=3))
    new_item()  # open, not yet due
    closed = new_item()
    void = new_item(unit=world.other_branch)  # the other branch has only a void item: no row

    def close_and_void():
        item = load(closed)
        item.status = ItemStatus.closed
        item.created_at = datetime(2026, 1, 1, tzinfo=timezone.utc)
        item.closed_at = datetime(2026, 1, 11, 12, tzinfo=timezone.utc)
        load(void).status = ItemStatus.void

    in_db(close_and_void)
    assert overdue

    def rows():
        with app.test_request_context():
            leader = db.session.get(User, world.leader.id)
            return [(r.name, r.total, r.closed, r.open, r.overdue, r.avg_days_to_close, r.rate)
                    for r in rollup(LedgerFilter(), leader, local_today())]

    assert rows() == [("办公室党支部", 3, 1, 2, 1, 10.5, 33.3)]


def test_a_refused_step_is_titled_by_what_it_is_and_names_the_item(client, login, world, new_item, in_db):
    item_id = new_item()
    code = in_db(lambda: load(item_id).code)
    login(world.leader)
    response = client.post(f"/ledger/{item_id}/close", data={"opinion": "同意销号"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert f"暂不能销号 {code}" in page and "操作冲突" not in page


def test_an_immediate_item_shows_its_due_date_light_and_countdown(client, login, world, new_item):
    from tracker.models import DeadlineKind

    new_item(problem="立行立改的问题", deadline=None, deadline_kind=DeadlineKind.immediate)
    item_id = new_item(problem="长期坚持的问题", deadline=None, deadline_kind=DeadlineKind.ongoing)
    due = (local_today() + timedelta(days=7)).isoformat()
    login(world.leader)
    table = client.get("/ledger/?countdown=within_10").get_data(as_text=True)
    assert f"立行立改（截止 {due}）" in table and "长期坚持的问题" not in table
    ongoing = client.get(f"/ledger/{item_id}").get_data(as_text=True)
    assert "长期坚持（下次报告进展截止" in ongoing and "light-green" in ongoing
    assert 'id="extension-form"' not in ongoing  # a monthly report moves it, not an extension


def test_registering_a_problem_offers_the_units_people_and_its_secretary_first(client, login, world):
    from support import form_data

    login(world.leader)
    page = client.get(f"/ledger/new?unit_id={world.branch.id}").get_data(as_text=True)
    owner_select = page.split('name="owner_id"', 1)[1].split("</select>", 1)[0]
    assert f'<option selected value="{world.secretary.id}">' in owner_select
    assert "lw_owner" in owner_select and "lw_verifier" not in owner_select and "lw_leader" not in owner_select
    verifier_select = page.split('name="verifier_id"', 1)[1].split("</select>", 1)[0]
    assert "lw_verifier" in verifier_select and "lw_leader" in verifier_select
    # Choosing another unit (htmx) offers its people instead, its secretary first.
    other = client.get(f"/ledger/new?unit_id={world.other_branch.id}", headers={"HX-Request": "true"})
    owner_select = other.get_data(as_text=True).split('id="owner-field"', 1)[1].split("</select>", 1)[0]
    assert "lw_sec2" in owner_select and "lw_owner" not in owner_select
    data = form_data(page, "/ledger/new")
    data.update(problem="会议记录不规范", deadline="2027-01-31")
    response = client.post("/ledger/new", data=data)
    assert response.status_code == 302
    item = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "会议记录不规范" in item and "测试用户" in item


def test_registering_a_problem_from_a_project_names_it_and_prefills_category_and_batch(
        client, login, world, in_db):
    from tracker.projects import operations as projects

    def project():
        from tracker.models import ProjectCategory

        category = ProjectCategory(name="三会一课", sort_order=1)
        db.session.add(category)
        db.session.flush()
        return projects.create_project(
            None, title="党员先锋岗创建", unit=get(OrgUnit, world.branch), owner=get(User, world.secretary),
            start_date=local_today(), due_date=local_today() + timedelta(days=30), category_id=category.id)

    made = in_db(project)
    login(world.leader)
    page = client.get(f"/ledger/new?origin_type=project&origin_id={made.id}&unit_id={world.branch.id}")
    body = page.get_data(as_text=True)
    assert f"项目 {made.code}“党员先锋岗创建”" in body
    assert 'name="category" type="text" value="三会一课"' in body
    assert f'name="batch" type="text" value="{made.code} 检查"' in body
    assert '<option selected value="project_check">' in body


def test_people_are_offered_in_natural_order(client, login, world, make_user, in_db):
    from tracker.models import Role

    for name in ("member10", "member2", "member1"):
        make_user(name, world.branch, Role.member)
    login(world.secretary)
    page = client.get(f"/ledger/new?unit_id={world.branch.id}").get_data(as_text=True)
    for select in ("owner_id", "verifier_id"):
        options = page.split(f'name="{select}"', 1)[1].split("</select>", 1)[0]
        assert options.index("member1）") < options.index("member2）") < options.index("member10）")


def test_the_rollup_adds_up_each_general_branch_and_all_units(client, login, world, new_item, make_unit, make_user):
    from tracker.models import Role

    second = make_unit("第二党总支", world.root)
    far = make_unit("综合党支部", second)
    make_user("lw_sec3", far, Role.secretary)
    new_item(deadline=local_today() - timedelta(days=1))
    new_item()
    new_item(unit=world.other_branch, owner=world.other_secretary, verifier=None)
    new_item(unit=far, owner=None, verifier=None)
    login(world.leader)
    page = client.get("/ledger/rollup").get_data(as_text=True)
    first = page.split('id="rollup-group-', 1)[1].split("</tbody>", 1)[0]
    assert "第一党总支" in first and "办公室党支部" in first and "信息中心党支部" in first
    subtotal = first.split("第一党总支小计", 1)[1].split("</tr>", 1)[0]
    assert subtotal.startswith("</th>\n        <td>3</td><td>0</td><td>3</td>")  # 2 + 1 items, none closed
    assert "<td>0.0%</td><td>1</td>" in subtotal  # one of them overdue
    assert "第二党总支小计" in page and page.index("第一党总支小计") < page.index("第二党总支小计")
    total = page.split("<tfoot>", 1)[1]
    assert "合计" in total and "<td>4</td>" in total
