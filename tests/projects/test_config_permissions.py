"""The permission matrix of the configuration routes: route × role × in/out of scope.

Categories and templates belong to the whole tracker, not to a unit, so "out of scope" here means
users whose roles sit in another tree: `outsider` leads 外单位党委 (a leader elsewhere still edits the
shared templates, but is not an admin), `stranger` is a member there. Records that do not exist, or
an item of another template, are 404 for everyone.
"""

import pytest
import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import ProjectCategory
from tracker.projects.catalogue import install_templates

from matrix import DENY, MISSING, OK, check

ROLES = ["admin", "leader", "secretary", "member", "outsider", "stranger"]
ADMINS = {"admin": OK, "leader": DENY, "secretary": DENY, "member": DENY, "outsider": DENY, "stranger": DENY}
EDITORS = {"admin": OK, "leader": OK, "secretary": DENY, "member": DENY, "outsider": OK, "stranger": DENY}


@pytest.fixture
def ids(app, perm_world):
    with app.app_context():
        templates = install_templates()
        db.session.commit()
        template, other = templates[0], templates[1]
        category = db.session.scalar(sa.select(ProjectCategory).order_by(ProjectCategory.sort_order))
        return {"c": category.id, "t": template.id, "i": template.items[0].id, "g": template.targets[0].id,
                "other_t": other.id, "other_i": other.items[0].id, "other_g": other.targets[0].id}


# (name, method, path template, data, {role: expected})
ROUTES = [
    ("categories", "GET", "/projects/categories", None, ADMINS),
    ("add category", "POST", "/projects/categories", {"name": "新类别"}, ADMINS),
    ("rename form", "GET", "/projects/categories/{c}/edit", None, ADMINS),
    ("rename", "POST", "/projects/categories/{c}/edit", {"name": "改名", "version": 1}, ADMINS),
    ("move category", "POST", "/projects/categories/{c}/move", {"direction": "down"}, ADMINS),
    ("deactivate category", "POST", "/projects/categories/{c}/active", {"active": "0"}, ADMINS),
    ("new template form", "GET", "/projects/templates/new", None, EDITORS),
    ("new template", "POST", "/projects/templates/new", {"name": ""}, EDITORS),
    ("edit template form", "GET", "/projects/templates/{t}/edit", None, EDITORS),
    ("edit template", "POST", "/projects/templates/{t}/edit", {"name": ""}, EDITORS),
    ("template active", "POST", "/projects/templates/{t}/active", {"active": "1"}, EDITORS),
    ("add item", "POST", "/projects/templates/{t}/items", {"stage": "plan", "text": "新事项"}, EDITORS),
    ("edit item form", "GET", "/projects/templates/{t}/items/{i}/edit", None, EDITORS),
    ("edit item", "POST", "/projects/templates/{t}/items/{i}/edit", {"text": "改"}, EDITORS),
    ("reorder item", "POST", "/projects/templates/{t}/items/{i}/reorder", {"direction": "down"}, EDITORS),
    ("remove item", "POST", "/projects/templates/{t}/items/{i}/delete", {}, EDITORS),
    ("add target", "POST", "/projects/templates/{t}/targets", {"indicator": "指标", "target_value": "1"}, EDITORS),
    ("edit target form", "GET", "/projects/templates/{t}/targets/{g}/edit", None, EDITORS),
    ("edit target", "POST", "/projects/templates/{t}/targets/{g}/edit", {"indicator": "指标", "target_value": "2"},
     EDITORS),
    ("remove target", "POST", "/projects/templates/{t}/targets/{g}/delete", {}, EDITORS),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name,method,path,data,expected", ROUTES, ids=[r[0] for r in ROUTES])
def test_matrix(ids, access, role, name, method, path, data, expected):
    check(access(role, method, path.format(**ids), data), expected[role], role, name)


@pytest.mark.parametrize("name,method,path,data,expected", ROUTES, ids=[r[0] for r in ROUTES])
def test_anonymous_is_sent_to_login(ids, access, name, method, path, data, expected):
    assert access(None, method, path.format(**ids), data) == 302


MISSING_RECORDS = [
    ("admin", "GET", "/projects/categories/999999/edit"),
    ("admin", "POST", "/projects/categories/999999/move"),
    ("admin", "POST", "/projects/categories/999999/active"),
    ("leader", "GET", "/projects/templates/999999/edit"),
    ("leader", "POST", "/projects/templates/999999/items"),
    ("leader", "POST", "/projects/templates/{t}/items/999999/delete"),
    ("leader", "GET", "/projects/templates/{t}/items/{other_i}/edit"),
    ("leader", "POST", "/projects/templates/{t}/items/{other_i}/reorder"),
    ("leader", "POST", "/projects/templates/{t}/targets/{other_g}/edit"),
    ("leader", "POST", "/projects/templates/{t}/targets/{other_g}/delete"),
]


@pytest.mark.parametrize("role,method,path", MISSING_RECORDS)
def test_missing_records_and_parts_of_another_template_are_404(ids, access, role, method, path):
    assert access(role, method, path.format(**ids), {"direction": "up", "text": "x"}) == MISSING


def test_an_admin_of_any_unit_keeps_the_categories(app, perm_world, make_user):
    from support import PASSWORD
    from tracker.models import Role

    make_user("branch_admin", perm_world.units["bx"], Role.admin)
    client = app.test_client()
    assert client.post("/login", data={"username": "branch_admin", "password": PASSWORD}).status_code == 302
    assert client.get("/projects/categories").status_code == 200
