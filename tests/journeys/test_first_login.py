"""The first day of a new installation, told as the people who live it.

The operator creates the administrator from the command line; the administrator logs in, builds
the organisation tree, imports the branch's people from Excel and hands out the initial password;
the secretary logs in with it, changes it, and sees her members' phone numbers; a member sees
her own number and not her neighbour's.
"""

from __future__ import annotations

import io

import sqlalchemy as sa
from openpyxl import Workbook

from tracker.extensions import db
from tracker.models import OrgUnit, UnitKind, User


def _sheet(rows) -> io.BytesIO:
    workbook = Workbook()
    workbook.active.append(["姓名", "用户名", "单位", "角色", "职务", "手机"])
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def _unit_id(app, name):
    with app.app_context():
        return db.session.scalars(sa.select(OrgUnit.id).where(OrgUnit.name == name)).one()


def test_from_create_admin_to_a_secretary_at_work(app, runner):
    # The operator: one command, the unit's kind from its name, the password rule stated first.
    made = runner.invoke(args=["create-admin", "--username", "office", "--unit-name", "市直机关工委"],
                         input="long-enough-1\nlong-enough-1\n")
    assert made.exit_code == 0, made.output
    assert "Password (at least 8 characters)" in made.output

    # The administrator builds the tree under the 工委.
    admin = app.test_client()
    assert admin.post("/login", data={"username": "office", "password": "long-enough-1"}).status_code == 302
    root = _unit_id(app, "市直机关工委")
    with app.app_context():
        assert db.session.get(OrgUnit, root).kind is UnitKind.work_committee
    assert admin.post("/orgs/new", data={"name": "机关第一党总支", "kind": "general_branch", "parent_id": root,
                                         "sort_order": 0}).status_code == 302
    general = _unit_id(app, "机关第一党总支")
    assert admin.post("/orgs/new", data={"name": "办公室党支部", "kind": "branch", "parent_id": general,
                                         "sort_order": 0}).status_code == 302

    # … imports the branch's people, checks the preview, creates them all and notes the password.
    people = [("刘书记", "liushuji", "办公室党支部", "支部书记", "书记", "13912345678"),
              ("陈党员", "chendy", "办公室党支部", "党员", "", "13812345678"),
              ("黄党员", "huangdy", "办公室党支部", "党员", "", "13712345678")]
    preview = admin.post("/users/import", data={"file": (_sheet(people), "办公室党支部.xlsx")},
                         content_type="multipart/form-data").get_data(as_text=True)
    assert "创建这 3 个用户" in preview
    token = preview.split('name="token" type="hidden" value="')[1].split('"')[0]
    done = admin.post("/users/import/confirm", data={"token": token, "password_mode": "generate"})
    password = done.get_data(as_text=True).split('class="initial-password"><code>')[1].split("<")[0]

    # The secretary logs in with it, changes it, and sees her members' numbers.
    secretary = app.test_client()
    assert secretary.post("/login", data={"username": "liushuji", "password": password}).status_code == 302
    assert secretary.post("/password", data={"current_password": password, "new_password": "my-own-pass-1",
                                             "confirm": "my-own-pass-1"}).status_code == 302
    with app.app_context():
        chen, huang = (db.session.scalars(sa.select(User.id).where(User.username == n)).one()
                       for n in ("chendy", "huangdy"))
    assert "13812345678" in secretary.get(f"/users/{chen}").get_data(as_text=True)

    # A member sees her own number, and not her neighbour's.
    member = app.test_client()
    assert member.post("/login", data={"username": "chendy", "password": password}).status_code == 302
    assert "13812345678" in member.get(f"/users/{chen}").get_data(as_text=True)
    neighbour = member.get(f"/users/{huang}")
    assert neighbour.status_code == 200 and "13712345678" not in neighbour.get_data(as_text=True)
