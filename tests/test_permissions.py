"""The permission matrix of the foundation's routes: route × role × in/out of scope.

Out of scope, every record is a 404 (it does not exist for the user); in scope, a role that may
not act gets 403; anonymous users are sent to the login page. Features add their own matrices
with the same `perm_world` and `access` fixtures.
"""

import pytest

from matrix import DENY, MISSING, OK, ROLES, check

# (name, method, url(world, scope), {role: expected in scope})
ROUTES = [
    ("unit page", "GET", lambda w, s: f"/orgs/{w.unit(s).id}",
     {"admin": OK, "leader": OK, "secretary": OK, "member": OK}),
    ("unit edit form", "GET", lambda w, s: f"/orgs/{w.unit(s).id}/edit",
     {"admin": OK, "leader": DENY, "secretary": DENY, "member": DENY}),
    ("unit edit", "POST", lambda w, s: f"/orgs/{w.unit(s).id}/edit",
     {"admin": OK, "leader": DENY, "secretary": DENY, "member": DENY}),
    ("unit move form", "GET", lambda w, s: f"/orgs/{w.unit(s).id}/move",
     {"admin": OK, "leader": DENY, "secretary": DENY, "member": DENY}),
    ("unit move", "POST", lambda w, s: f"/orgs/{w.unit(s).id}/move",
     {"admin": OK, "leader": DENY, "secretary": DENY, "member": DENY}),
    ("unit deactivate", "POST", lambda w, s: f"/orgs/{w.unit(s).id}/active",
     {"admin": OK, "leader": DENY, "secretary": DENY, "member": DENY}),
    ("user page", "GET", lambda w, s: f"/users/{w.person(s).id}",
     {"admin": OK, "leader": OK, "secretary": OK, "member": OK}),
    ("user edit", "POST", lambda w, s: f"/users/{w.person(s).id}",
     {"admin": OK, "leader": DENY, "secretary": DENY, "member": DENY}),
    ("user grant role", "POST", lambda w, s: f"/users/{w.person(s).id}/roles",
     {"admin": OK, "leader": DENY, "secretary": DENY, "member": DENY}),
    ("user reset password", "POST", lambda w, s: f"/users/{w.person(s).id}/password",
     {"admin": OK, "leader": DENY, "secretary": DENY, "member": DENY}),
    ("user deactivate", "POST", lambda w, s: f"/users/{w.person(s).id}/active",
     {"admin": OK, "leader": DENY, "secretary": DENY, "member": DENY}),
]

# Pages that are not about one record: who may open them at all.
PAGES = [
    ("/home", {"admin": OK, "leader": OK, "secretary": OK, "member": OK}),
    ("/orgs/", {"admin": OK, "leader": OK, "secretary": OK, "member": OK}),
    ("/orgs/new", {"admin": OK, "leader": DENY, "secretary": DENY, "member": DENY}),
    ("/users/", {"admin": OK, "leader": OK, "secretary": OK, "member": OK}),
    ("/users/new", {"admin": OK, "leader": DENY, "secretary": DENY, "member": DENY}),
    ("/search?q=支部", {"admin": OK, "leader": OK, "secretary": OK, "member": OK}),
    ("/activity/", {"admin": OK, "leader": OK, "secretary": MISSING, "member": MISSING}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name,method,url,expected", ROUTES, ids=[r[0] for r in ROUTES])
def test_in_scope(perm_world, access, role, name, method, url, expected):
    check(access(role, method, url(perm_world, "in")), expected[role], role, name)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name,method,url,expected", ROUTES, ids=[r[0] for r in ROUTES])
def test_out_of_scope_is_404(perm_world, access, role, name, method, url, expected):
    assert access(role, method, url(perm_world, "out")) == MISSING


@pytest.mark.parametrize("name,method,url,expected", ROUTES, ids=[r[0] for r in ROUTES])
def test_anonymous_is_sent_to_login(perm_world, access, name, method, url, expected):
    assert access(None, method, url(perm_world, "in")) == 302


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url,expected", PAGES, ids=[p[0] for p in PAGES])
def test_pages(perm_world, access, role, url, expected):
    check(access(role, "GET", url), expected[role], role, url)


def test_leader_does_not_see_a_sibling_subtree(perm_world, access):
    # The leader holds the role at 一总支; 三支部 sits under 二总支.
    assert access("leader", "GET", f"/orgs/{perm_world.units['b3'].id}") == MISSING
    assert access("admin", "GET", f"/orgs/{perm_world.units['b3'].id}") == 200


def test_outsider_sees_only_their_own_tree(perm_world, access):
    assert access("outsider", "GET", f"/orgs/{perm_world.units['bx'].id}") == 200
    assert access("outsider", "GET", f"/orgs/{perm_world.units['b1'].id}") == MISSING
