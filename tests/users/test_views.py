"""User administration: creating users, roles at units, deactivation, passwords."""

import pytest

from tracker.models import Role


@pytest.fixture
def world(make_unit, make_user):
    root = make_unit("机关党委")
    g1 = make_unit("一总支", root)
    b1 = make_unit("一支部", g1)
    other_root = make_unit("另一党委")
    return {
        "root": root, "g1": g1, "b1": b1, "other_root": other_root,
        "admin": make_user("admin", root, Role.admin),
        "sec": make_user("sec", b1, Role.secretary),
        "stranger": make_user("stranger", other_root, Role.member),
    }


def test_admin_creates_a_user_with_a_role(client, login, world):
    login(world["admin"])
    response = client.post("/users/new", data={"username": "Wang", "full_name": "王五", "password": "long-enough-1",
                                               "unit_id": world["b1"].id, "role": "member", "post": ""})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "王五" in page and "@wang" in page and "一支部" in page
    client.post("/logout")
    assert client.post("/login", data={"username": "wang", "password": "long-enough-1"}).status_code == 302


def test_bad_fields_are_shown_beside_them_and_input_kept(client, login, world):
    login(world["admin"])
    response = client.post("/users/new", data={"username": "sec", "full_name": "重名", "password": "short",
                                               "unit_id": world["b1"].id, "role": "member"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="password-error"' in page and "至少 8 个字符。" in page
    assert 'value="重名"' in page
    taken = client.post("/users/new", data={"username": "sec", "full_name": "重名", "password": "long-enough-1",
                                            "unit_id": world["b1"].id, "role": "member"})
    assert taken.status_code == 422 and "该用户名已被占用。" in taken.get_data(as_text=True)


def test_user_list_is_scoped(client, login, world):
    login(world["admin"])
    page = client.get("/users/").get_data(as_text=True)
    assert "sec" in page and "stranger" not in page


def test_user_search_answers_htmx_with_the_table_only(client, login, world):
    login(world["admin"])
    response = client.get("/users/?q=sec", headers={"HX-Request": "true"})
    page = response.get_data(as_text=True)
    assert page.lstrip().startswith('<div id="user-table"') and "<html" not in page
    assert "sec" in page and "admin</a>" not in page


def test_grant_and_revoke_a_role_with_htmx(client, login, world, htmx_headers):
    login(world["admin"])
    sec = world["sec"]
    granted = client.post(f"/users/{sec.id}/roles", data={"unit_id": world["g1"].id, "role": "leader", "post": ""},
                          headers=htmx_headers)
    assert granted.status_code == 200
    fragment = granted.get_data(as_text=True)
    assert fragment.lstrip().startswith('<section class="card" id="user-roles">')
    assert "上级党组织/考核组" in fragment and 'hx-swap-oob="true"' in fragment
    again = client.post(f"/users/{sec.id}/roles", data={"unit_id": world["g1"].id, "role": "leader"},
                        headers=htmx_headers)
    assert again.status_code == 422 and "已在 一总支 担任该角色" in again.get_data(as_text=True)


def test_last_role_cannot_be_revoked(client, login, world, in_db):
    login(world["admin"])
    sec = world["sec"]
    membership_id = sec.memberships[0].id
    response = client.post(f"/users/{sec.id}/roles/{membership_id}/revoke")
    assert response.status_code == 409
    assert "用户至少要保留一个角色" in response.get_data(as_text=True)


def test_deactivated_user_cannot_log_in(client, login, world):
    login(world["admin"])
    assert client.post(f"/users/{world['sec'].id}/active", data={"active": "0"}).status_code == 302
    client.post("/logout")
    assert client.post("/login", data={"username": "sec", "password": "secret-pass-1"}).status_code == 422


def test_admin_resets_a_password(client, login, world):
    login(world["admin"])
    assert client.post(f"/users/{world['sec'].id}/password", data={"password": "brand-new-pass"}).status_code == 302
    login("sec", password="brand-new-pass")


def test_stale_edit_of_a_user_is_refused(client, login, world):
    login(world["admin"])
    sec = world["sec"]
    version = sec.version
    assert client.post(f"/users/{sec.id}", data={"full_name": "李四", "version": version}).status_code == 302
    stale = client.post(f"/users/{sec.id}", data={"full_name": "李五", "version": version})
    assert stale.status_code == 409
    assert "李四" in stale.get_data(as_text=True)


def test_out_of_scope_user_is_404(client, login, world):
    login(world["admin"])
    assert client.get(f"/users/{world['stranger'].id}").status_code == 404
    assert client.post(f"/users/{world['stranger'].id}/active", data={"active": "0"}).status_code == 404
