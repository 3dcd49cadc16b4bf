"""Bulk user import from Excel: template, dry run naming every bad cell, then every user or none."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from tracker.extensions import db
from tracker.models import Post, Role, User
from tracker.users.excel import HEADERS


@pytest.fixture
def org(make_unit, make_user):
    root = make_unit("机关党委")
    g1, g2 = make_unit("第一党总支", root), make_unit("第二党总支", root)
    units = {"root": root, "g1": g1, "g2": g2, "b1": make_unit("办公室党支部", g1),
             "b1x": make_unit("第一党支部", g1), "b2x": make_unit("第一党支部", g2)}
    other = make_unit("另一党委")
    return {**units, "other": other, "admin": make_user("imp_admin", root, Role.admin),
            "g2_admin": make_user("g2_admin", g2, Role.admin),
            "member": make_user("imp_member", units["b1"], Role.member), "taken": make_user("taken", other, Role.member)}


def sheet(*rows, headers=HEADERS) -> io.BytesIO:
    workbook = Workbook()
    workbook.active.append(list(headers))
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def upload(client, data, name="用户.xlsx"):
    return client.post("/users/import", data={"file": (data, name)}, content_type="multipart/form-data")


def token_of(page: str) -> str:
    return page.split('name="token" type="hidden" value="')[1].split('"')[0]


def count_users(in_db) -> int:
    return in_db(lambda: db.session.scalar(sa.select(sa.func.count(User.id))))


GOOD = [
    ("张伟", "zhangwei", "办公室党支部", "支部书记", "书记", "13812345678"),
    ("王芳", "WangFang", "第一党总支/第一党支部", "党员", "", ""),
    ("李娜", "lina", "第二党总支/第一党支部", "member", "organization", "010-12345678"),
]


def test_the_template_has_the_columns_and_the_units_one_may_fill_in(client, login, org):
    login(org["admin"])
    response = client.get("/users/import/template.xlsx")
    assert response.status_code == 200 and "filename*=UTF-8''" in response.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.data))
    assert [c.value for c in workbook["用户"][1]] == list(HEADERS)
    listed = [row[0] for row in workbook["填写说明"].iter_rows(values_only=True)]
    assert "办公室党支部" in listed and "第一党总支/第一党支部" in listed and "第二党总支/第一党支部" in listed
    assert "另一党委" not in listed


def test_every_bad_cell_is_named_by_row_column_value_and_what_is_accepted(client, login, org, in_db):
    before = count_users(in_db)
    login(org["admin"])
    response = upload(client, sheet(
        ("", "ok1", "办公室党支部", "党员", "", ""),
        ("赵一", "Zhao Yi", "办公室党支部", "党员", "", ""),
        ("钱二", "taken", "办公室党支部", "党员", "", ""),
        ("孙三", "sun", "办公室党支部", "党员", "", ""),
        ("李四", "sun", "不存在的支部", "党员", "", ""),
        ("周五", "zhou", "另一党委", "组长", "主任", "12345"),
        ("吴六", "wu", "第一党支部", "党员", "", ""),
    ))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    expected = [
        (2, "姓名", "—", "此列必须填写。"),
        (3, "用户名", "Zhao Yi", "小写字母"),
        (4, "用户名", "taken", "该用户名已被占用。"),
        (6, "用户名", "sun", "第5行也是这个用户名"),
        (6, "单位", "不存在的支部", "您管理的单位中没有这个名称"),
        (7, "单位", "另一党委", "您管理的单位中没有这个名称"),
        (7, "角色", "组长", "系统管理员、上级党组织、支部书记、党员"),
        (7, "职务", "主任", "书记、副书记、组织委员、宣传委员、纪检委员"),
        (7, "手机", "12345", "请填写手机号码"),
        (8, "单位", "第一党支部", "请连同上级单位一起填写，如 第一党总支/第一党支部"),
    ]
    rows = page.split('<table class="table bad-rows">')[1].split("</table>")[0].split("<tr>")[2:]
    assert len(rows) == len(expected)
    for row, (number, column, value, accepted) in zip(rows, expected, strict=True):
        assert f"第{number}行" in row and f">{column}<" in row and f">{value}<" in row and accepted in row
    assert 'name="token"' not in page and count_users(in_db) == before


def test_a_good_sheet_creates_everyone_with_a_password_shown_once(app, client, login, org, in_db):
    login(org["admin"])
    preview = upload(client, sheet(*GOOD))
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "创建这 3 个用户" in page
    assert count_users(in_db) == 4  # a dry run
    done = client.post("/users/import/confirm", data={"token": token_of(page), "password_mode": "generate"})
    result = done.get_data(as_text=True)
    assert done.status_code == 200 and "已创建 3 个用户" in result and done.headers["Cache-Control"] == "no-store"
    password = result.split('class="initial-password"><code>')[1].split("<")[0]
    assert len(password) == 10
    people = in_db(lambda: {u.username: (u.full_name, u.phone, [(m.unit.name, m.role, m.post) for m in u.memberships])
                            for u in db.session.scalars(sa.select(User).where(
                                User.username.in_(["zhangwei", "wangfang", "lina"])))})
    assert people["zhangwei"] == ("张伟", "13812345678", [("办公室党支部", Role.secretary, Post.secretary)])
    assert people["wangfang"] == ("王芳", None, [("第一党支部", Role.member, None)])
    assert people["lina"][2] == [("第一党支部", Role.member, Post.organization)]
    other = app.test_client()
    assert other.post("/login", data={"username": "lina", "password": password}).status_code == 302
    again = client.post("/users/import/confirm", data={"token": token_of(page), "password_mode": "generate"})
    assert again.status_code == 302 and count_users(in_db) == 7  # the sheet was used once


def test_a_chosen_password_is_checked_and_not_shown_again(client, login, org, in_db):
    login(org["admin"])
    token = token_of(upload(client, sheet(*GOOD)).get_data(as_text=True))
    short = client.post("/users/import/confirm", data={"token": token, "password_mode": "choose", "password": "short"})
    page = short.get_data(as_text=True)
    assert short.status_code == 422 and 'id="password-error"' in page and "至少 8 个字符。" in page
    assert count_users(in_db) == 4
    done = client.post("/users/import/confirm", data={"token": token, "password_mode": "choose",
                                                      "password": "chosen-pass-1"})
    assert done.status_code == 200 and "chosen-pass-1" not in done.get_data(as_text=True)
    assert count_users(in_db) == 7


def test_all_or_nothing_when_a_name_is_taken_after_the_preview(client, login, org, in_db, make_user):
    login(org["admin"])
    token = token_of(upload(client, sheet(*GOOD)).get_data(as_text=True))
    make_user("lina", org["other"], Role.member)  # someone else got there first
    refused = client.post("/users/import/confirm", data={"token": token, "password_mode": "generate"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "该用户名已被占用。" in page and "第4行" in page
    assert count_users(in_db) == 5  # nobody from the sheet


def test_the_password_is_hashed_once_outside_any_transaction(client, login, org, monkeypatch):
    import tracker.users.operations as ops

    calls = []
    real = ops.hash_password

    def watching(password):
        calls.append(db.session().in_transaction())
        return real(password)

    monkeypatch.setattr(ops, "hash_password", watching)
    login(org["admin"])
    token = token_of(upload(client, sheet(*GOOD)).get_data(as_text=True))
    assert client.post("/users/import/confirm", data={"token": token, "password_mode": "generate"}).status_code == 200
    assert calls == [False]


def test_only_admins_import_and_only_into_their_units(client, login, org, in_db):
    login(org["member"])
    assert client.get("/users/import").status_code == 403
    assert client.get("/users/import/template.xlsx").status_code == 403
    assert upload(client, sheet(*GOOD)).status_code == 403
    login(org["g2_admin"])
    page = upload(client, sheet(("张伟", "zhangwei", "办公室党支部", "党员", "", ""),
                                ("李娜", "lina", "第一党支部", "党员", "", ""))).get_data(as_text=True)
    assert "第2行" in page and "您管理的单位中没有这个名称" in page  # 办公室党支部 is not his
    assert "第3行" not in page  # his own 第一党支部 is unambiguous for him


@pytest.mark.parametrize("data, name, message", [
    (io.BytesIO(b"just text"), "用户.xlsx", "这不是Excel .xlsx文件"),
    (sheet(("张伟",), headers=("名字",)), "用户.xlsx", "没有找到包含 姓名 / 用户名 / 单位 / 角色 列的表头行"),
])
def test_a_file_that_is_no_user_sheet_is_refused_beside_the_field(client, login, org, data, name, message):
    login(org["admin"])
    response = upload(client, data, name)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="file-error"' in page and message in page


def test_english_headers_and_words_are_understood(client, login, org):
    login(org["admin"])
    page = upload(client, sheet(("Zhang Wei", "zw", "办公室党支部", "secretary", "deputy_secretary", ""),
                                headers=("Name", "Username", "Unit", "Role", "Post", "Phone"))).get_data(as_text=True)
    assert "创建这 1 个用户" in page


def test_the_operation_creates_everyone_or_nobody(app, org, make_user, in_db):
    from tracker.models import OrgUnit
    from tracker.domain_errors import DomainError
    from tracker.users.excel import NewUser
    from tracker.users.operations import import_users

    make_user("third", org["other"], Role.member)
    with app.app_context():
        actor = db.session.get(User, org["admin"].id)
        unit = db.session.get(OrgUnit, org["b1"].id)
        rows = [NewUser("first", "甲", unit, Role.member, row=2), NewUser("second", "乙", unit, Role.member, row=3),
                NewUser("third", "丙", unit, Role.member, row=4)]
        with pytest.raises(DomainError):
            import_users(actor, rows, "long-enough-1")
        db.session.rollback()
    assert in_db(lambda: db.session.scalars(sa.select(User.username).where(
        User.username.in_(["first", "second"]))).all()) == []
