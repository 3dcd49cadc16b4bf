"""The permission matrix of every project route: route × role × in scope / participant / neither.

The project sits in 一支部 (in scope) or in the stranger's branch (out of scope), owned by that
branch's secretary / member; a plan-stage item is assigned to nobody. A participant's project
sits in the stranger's branch and names the role's user as its owner, a participant, or the
assignee of its checklist item: each part does exactly what that part does.
"""

import io

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from tracker.extensions import db
from tracker.models import ChecklistItem, Project, Role
from tracker.projects.catalogue import install_templates
from tracker.projects.workflow import Stage
from tracker.uploads import store_upload

from matrix import DENY, MISSING, OK, ROLES, check
ALL = {"admin": OK, "leader": OK, "secretary": OK, "member": OK}
RUNNERS = {"admin": OK, "leader": OK, "secretary": OK, "member": DENY}
LEADERS = {"admin": OK, "leader": OK, "secretary": DENY, "member": DENY}


@pytest.fixture
def projects(perm_world, make_project, make_user):
    w = perm_world
    in_scope = make_project(w.units["b1"], make_user("m_owner", w.units["b1"], Role.secretary), needs_approval=True,
                            items={Stage.plan: [("制定计划", True)]})
    out_scope = make_project(w.units["bx"], w.users["stranger"], items={Stage.plan: [("制定计划", True)]})
    return {"in": in_scope, "out": out_scope}


def _item(app, project):
    with app.app_context():
        return db.session.scalar(sa.select(ChecklistItem.id).where(ChecklistItem.project_id == project.id))


# (name, method, path(project, item id), data, {role: expected in scope})
ROUTES = [
    ("project page", "GET", lambda p, i: f"/projects/{p.id}", None, ALL),
    ("edit form", "GET", lambda p, i: f"/projects/{p.id}/edit", None, RUNNERS),
    ("edit", "POST", lambda p, i: f"/projects/{p.id}/edit", {}, RUNNERS),
    ("move", "POST", lambda p, i: f"/projects/{p.id}/move", {"to": "run"}, RUNNERS),
    ("approve", "POST", lambda p, i: f"/projects/{p.id}/approve", {}, LEADERS),
    ("refuse approval", "POST", lambda p, i: f"/projects/{p.id}/approval/refuse", {"reason": "目标不具体"}, LEADERS),
    ("ask for approval again", "POST", lambda p, i: f"/projects/{p.id}/approval/request", {}, RUNNERS),
    ("verdict", "POST", lambda p, i: f"/projects/{p.id}/verdict", {"verdict": "同意"}, RUNNERS),
    ("upload", "POST", lambda p, i: f"/projects/{p.id}/attachments", {}, RUNNERS),
    ("add item", "POST", lambda p, i: f"/projects/{p.id}/items", {"stage": "plan", "text": "新事项"}, RUNNERS),
    ("edit item form", "GET", lambda p, i: f"/projects/{p.id}/items/{i}/edit", None, RUNNERS),
    ("edit item", "POST", lambda p, i: f"/projects/{p.id}/items/{i}/edit", {"text": "改"}, RUNNERS),
    ("reorder item", "POST", lambda p, i: f"/projects/{p.id}/items/{i}/reorder", {"direction": "up"}, RUNNERS),
    ("tick item", "POST", lambda p, i: f"/projects/{p.id}/items/{i}/tick", {"done": "1"}, RUNNERS),
]


#: What each part may do, by route name (every other route answers 403 to that part).
PART_RIGHTS = {
    "owner": {r[0] for r in ROUTES} - {"approve", "refuse approval", "verdict"},
    "participant": {"project page"},
    "assignee": {"project page", "tick item", "edit item form", "edit item"},  # their own item only
}


@pytest.fixture
def part_project(perm_world, make_project):
    """`part_project(role, part)`: a project in the stranger's branch in which the matrix user of
    `role` is the `part`."""

    def make(role: str, part: str):
        w = perm_world
        user = w.users[role]
        owner = user if part == "owner" else w.users["stranger"]
        return make_project(w.units["bx"], owner, needs_approval=True,
                            participants=[user] if part == "participant" else [],
                            items={Stage.plan: [("制定计划", True, user if part == "assignee" else None)]})

    return make


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name,method,path,data,expected", ROUTES, ids=[r[0] for r in ROUTES])
def test_in_scope(app, projects, access, role, name, method, path, data, expected):
    project = projects["in"]
    check(access(role, method, path(project, _item(app, project)), data), expected[role], role, name)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name,method,path,data,expected", ROUTES, ids=[r[0] for r in ROUTES])
def test_out_of_scope_is_404(app, projects, access, role, name, method, path, data, expected):
    project = projects["out"]
    assert access(role, method, path(project, _item(app, project)), data) == MISSING


@pytest.mark.parametrize("part", sorted(PART_RIGHTS))
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name,method,path,data,expected", ROUTES, ids=[r[0] for r in ROUTES])
def test_participants(app, part_project, access, role, part, name, method, path, data, expected):
    project = part_project(role, part)
    status = access(role, method, path(project, _item(app, project)), data)
    check(status, OK if name in PART_RIGHTS[part] else DENY, f"{role} as {part}", name)


@pytest.mark.parametrize("part", sorted(PART_RIGHTS))
def test_the_board_and_list_show_the_projects_i_take_part_in(app, part_project, access, part):
    project = part_project("member", part)
    client = app.test_client()
    client.post("/login", data={"username": "m_member", "password": "secret-pass-1"})
    assert project.title in client.get("/board").get_data(as_text=True)
    assert project.code in client.get("/projects").get_data(as_text=True)


@pytest.mark.parametrize("name,method,path,data,expected", ROUTES, ids=[r[0] for r in ROUTES])
def test_anonymous_is_sent_to_login(app, projects, access, name, method, path, data, expected):
    project = projects["in"]
    assert access(None, method, path(project, _item(app, project)), data) == 302


def test_an_item_of_another_project_is_a_404(app, projects, access):
    other_item = _item(app, projects["out"])
    assert access("admin", "POST", f"/projects/{projects['in'].id}/items/{other_item}/tick", {"done": "1"}) == MISSING


@pytest.fixture
def template_id(app):
    with app.app_context():
        template_id = install_templates()[0].id
        db.session.commit()
    return template_id


PAGES = [
    ("board", "GET", lambda t: "/board", None, ALL),
    ("list", "GET", lambda t: "/projects", None, ALL),
    ("new form", "GET", lambda t: "/projects/new", None, RUNNERS),
    ("create", "POST", lambda t: "/projects/new", {}, RUNNERS),
    ("templates", "GET", lambda t: "/projects/templates", None, RUNNERS),
    ("assign form", "GET", lambda t: f"/projects/templates/{t}/assign", None, LEADERS),
    ("assign", "POST", lambda t: f"/projects/templates/{t}/assign", {}, LEADERS),
    ("reassign", "POST", lambda t: "/projects/reassign", {}, RUNNERS),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name,method,path,data,expected", PAGES, ids=[p[0] for p in PAGES])
def test_pages(perm_world, template_id, access, role, name, method, path, data, expected):
    check(access(role, method, path(template_id), data), expected[role], role, name)


@pytest.mark.parametrize("name,method,path,data,expected", PAGES, ids=[p[0] for p in PAGES])
def test_pages_need_a_login(perm_world, template_id, access, name, method, path, data, expected):
    assert access(None, method, path(template_id), data) == 302


def test_a_missing_template_is_a_404(perm_world, access):
    assert access("leader", "GET", "/projects/templates/999999/assign") == MISSING


def test_a_unit_filter_outside_the_scope_is_a_404(perm_world, access):
    assert access("leader", "GET", f"/board?unit={perm_world.units['bx'].id}") == MISSING
    assert access("leader", "GET", f"/board?unit={perm_world.units['b3'].id}") == MISSING


def test_the_stranger_does_not_see_in_scope_projects(perm_world, projects, access):
    assert access("outsider", "GET", f"/projects/{projects['in'].id}") == MISSING


@pytest.mark.parametrize("part", sorted(PART_RIGHTS))
def test_evidence_downloads_follow_the_project(app, part_project, access, part):
    """Whoever takes part in a project downloads its files, wherever it sits; nobody else finds them."""
    project = part_project("member", part)
    with app.test_request_context():
        attachment = store_upload(None, FileStorage(stream=io.BytesIO("签到表".encode()), filename="签到表.txt"),
                                  owner=db.session.get(Project, project.id), unit_id=project.unit_id)
        db.session.commit()
        url = f"/files/{attachment.id}"
    assert access("member", "GET", url) == 200
    assert access("secretary", "GET", url) == MISSING  # her branch's member takes part; she does not
