"""Admin pages of the org tree."""

import pytest

from tracker.models import Role, UnitKind


@pytest.fixture
def world(make_unit, make_user):
    root = make_unit("机关党委")
    g1 = make_unit("一总支", root)
    b1 = make_unit("一支部", g1)
    admin = make_user("admin", root, Role.admin)
    return {"root": root, "g1": g1, "b1": b1, "admin": admin}


def test_tree_lists_units_in_order(client, login, world):
    login(world["admin"])
    page = client.get("/orgs/").get_data(as_text=True)
    assert page.index("机关党委") < page.index("一总支") < page.index("一支部")


def test_admin_creates_a_branch(client, login, world):
    login(world["admin"])
    response = client.post("/orgs/new", data={"parent_id": world["g1"].id, "name": "二支部",
                                              "kind": "branch", "sort_order": 2})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "二支部" in page and "一总支" in page


def test_empty_name_is_refused_beside_the_field(client, login, world):
    login(world["admin"])
    response = client.post("/orgs/new", data={"parent_id": world["g1"].id, "name": "  ",
                                              "kind": "branch", "sort_order": 0})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'class="field-error" id="name-error"' in page


def test_unit_of_wrong_kind_is_refused_beside_the_field(client, login, world):
    login(world["admin"])
    response = client.post("/orgs/new", data={"parent_id": world["b1"].id, "name": "总支",
                                              "kind": "general_branch", "sort_order": 0})
    assert response.status_code == 422
    assert "此类组织不能设在 一支部 之下。" in response.get_data(as_text=True)


def test_rename_with_a_stale_form_shows_the_newer_values(client, login, world):
    login(world["admin"])
    url = f"/orgs/{world['b1'].id}/edit"
    loaded = world["b1"].version  # two people open the form at this version
    assert f'value="{loaded}"' in client.get(url).get_data(as_text=True)
    first = client.post(url, data={"name": "第一支部", "kind": "branch", "sort_order": 0, "version": loaded})
    assert first.status_code == 302
    stale = client.post(url, data={"name": "一号支部", "kind": "branch", "sort_order": 0, "version": loaded})
    assert stale.status_code == 409
    page = stale.get_data(as_text=True)
    assert "已有其他人保存了修改" in page and "第一支部" in page
    assert 'value="一号支部"' in page  # what the user typed is not lost


def test_move_under_own_descendant_is_refused_with_reason(client, login, world):
    login(world["admin"])
    response = client.post(f"/orgs/{world['g1'].id}/move", data={"parent_id": world["b1"].id})
    assert response.status_code == 422
    assert "不能把组织移到它自己或它的下级组织之下。" in response.get_data(as_text=True)


def test_deactivate_and_reactivate(client, login, world):
    login(world["admin"])
    url = f"/orgs/{world['b1'].id}/active"
    assert client.post(url, data={"active": "0"}).status_code == 302
    assert "已停用" in client.get(f"/orgs/{world['b1'].id}").get_data(as_text=True)
    # With its only branch inactive, the general branch may go too; then bring both back.
    assert client.post(f"/orgs/{world['g1'].id}/active", data={"active": "0"}).status_code == 302
    assert client.post(f"/orgs/{world['g1'].id}/active", data={"active": "1"}).status_code == 302
    assert client.post(url, data={"active": "1"}).status_code == 302
    assert "已停用" not in client.get(f"/orgs/{world['b1'].id}").get_data(as_text=True).split("<main")[1]


def test_deactivating_a_unit_with_active_children_is_409(client, login, world):
    login(world["admin"])
    response = client.post(f"/orgs/{world['g1'].id}/active", data={"active": "0"})
    assert response.status_code == 409
    assert "请先停用其下 1 个在用的下级组织。" in response.get_data(as_text=True)


def test_kinds_have_chinese_names(client, login, world):
    login(world["admin"])
    page = client.get(f"/orgs/{world['root'].id}").get_data(as_text=True)
    assert "机关党委" in page and UnitKind.organ_committee.value not in page.split("<main")[1]


def test_unit_page_is_headed_by_its_own_name(client, login, world):
    # The user menu names the viewer's own unit; the page heading must still be the unit shown.
    login(world["admin"])
    page = client.get(f"/orgs/{world['b1'].id}").get_data(as_text=True)
    assert "<h1>一支部" in page


def test_a_units_page_adds_a_person_to_it(client, login, world):
    from support import form_data

    login(world["admin"])
    page = client.get(f"/orgs/{world['b1'].id}").get_data(as_text=True)
    link = page.split('id="add-person"', 1)[0].rsplit('href="', 1)[1].split('"', 1)[0]
    form = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    data = form_data(form, "/users/new")
    assert data["unit_id"] == str(world["b1"].id)  # the unit comes chosen
    data.update(username="member2", full_name="王芳", password="secret-pass-2")
    assert client.post("/users/new", data=data).status_code == 302
    assert "王芳" in client.get(f"/orgs/{world['b1'].id}").get_data(as_text=True)


def test_breadcrumb_links_only_to_units_the_reader_may_open(client, login, world, make_user):
    """A secretary's branch page names its general branch as text: a link there would only 404 for her."""
    secretary = make_user("sec_b1", world["b1"], Role.secretary)
    parent_link = f'href="/orgs/{world["g1"].id}"'

    login(secretary)
    page = client.get(f"/orgs/{world['b1'].id}").get_data(as_text=True)
    crumbs = page[page.index('class="breadcrumbs"'):page.index("</nav>", page.index('class="breadcrumbs"'))]
    assert "一总支" in crumbs and parent_link not in crumbs
    assert client.get(f"/orgs/{world['g1'].id}").status_code == 404

    login(world["admin"])
    page = client.get(f"/orgs/{world['b1'].id}").get_data(as_text=True)
    assert parent_link in page
