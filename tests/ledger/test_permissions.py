"""The ledger's permission matrix: every route × role × in/out of scope.

Out of scope an item is a 404; in scope a role that may not act gets 403; anonymous users go to
the login page. The in-scope item's owner is the matrix world's member; it has no named
verifier, so leaders over the unit verify.
"""

from datetime import timedelta

import pytest

from tracker.extensions import db
from tracker.ledger import operations as ops
from tracker.models import DeadlineKind, ExtensionRequest, ItemSource, ItemStatus, OrgUnit, User

OK, DENY, MISSING = "ok", 403, 404
ALL = {"admin": OK, "leader": OK, "secretary": OK, "member": OK}
MANAGERS = {"admin": OK, "leader": OK, "secretary": OK, "member": DENY}
VERIFIERS = {"admin": OK, "leader": OK, "secretary": DENY, "member": DENY}

# (name, method, path after /ledger/<id>, state the item is in, {role: expected in scope})
ITEM_ROUTES = [
    ("item page", "GET", "", ItemStatus.open, ALL),
    ("edit form", "GET", "/edit", ItemStatus.open, MANAGERS),
    ("edit", "POST", "/edit", ItemStatus.open, MANAGERS),
    ("start", "POST", "/start", ItemStatus.open, ALL),
    ("progress", "POST", "/progress", ItemStatus.in_progress, ALL),
    ("evidence", "POST", "/evidence", ItemStatus.in_progress, ALL),
    ("submit", "POST", "/submit", ItemStatus.in_progress, ALL),
    ("return", "POST", "/return", ItemStatus.submitted, VERIFIERS),
    ("close", "POST", "/close", ItemStatus.submitted, VERIFIERS),
    ("reopen", "POST", "/reopen", ItemStatus.closed, VERIFIERS),
    ("void", "POST", "/void", ItemStatus.open, VERIFIERS),
    ("extension request", "POST", "/extensions", ItemStatus.in_progress, ALL),
    ("extension decision", "POST", "/extensions/{ext}", ItemStatus.in_progress, VERIFIERS),
]

PAGES = [
    ("GET", "/ledger/", ALL),
    ("GET", "/ledger/?view=tasks&countdown=overdue", ALL),
    ("GET", "/ledger/rollup", ALL),
    ("GET", "/ledger/print", ALL),
    ("GET", "/ledger/export.xlsx", ALL),
    ("GET", "/ledger/new", MANAGERS),
    ("POST", "/ledger/new", MANAGERS),
    ("GET", "/ledger/bulk", MANAGERS),
    ("POST", "/ledger/bulk", MANAGERS),
    ("GET", "/ledger/import", MANAGERS),
    ("POST", "/ledger/import", MANAGERS),
    ("POST", "/ledger/import/confirm", MANAGERS),
]


@pytest.fixture
def items(in_db, perm_world):
    """One item per scope and state: items[scope][state] = (item id, pending extension id)."""

    def create():
        result = {}
        for scope in ("in", "out"):
            unit = db.session.get(OrgUnit, perm_world.unit(scope).id)
            owner = db.session.get(User, perm_world.person(scope).id)
            result[scope] = {}
            for state in (ItemStatus.open, ItemStatus.in_progress, ItemStatus.submitted, ItemStatus.closed):
                item = ops.create_item(None, unit=unit, problem=f"{scope}-{state.value}", source=ItemSource.other,
                                       owner=owner, deadline=ops.local_today() + timedelta(days=10),
                                       deadline_kind=DeadlineKind.date)
                item.status = state
                ext = ExtensionRequest(item_id=item.id, old_deadline=item.deadline,
                                       new_deadline=item.deadline + timedelta(days=5), reason="需要更多时间")
                db.session.add(ext)
                db.session.flush()
                result[scope][state] = (item.id, ext.id)
        return result

    return in_db(create)


def _url(items, scope, state, path):
    item_id, ext_id = items[scope][state]
    return f"/ledger/{item_id}" + path.format(ext=ext_id)


def _allowed(status: int) -> bool:
    return status in (200, 302, 409, 422)


@pytest.mark.parametrize("role", ["admin", "leader", "secretary", "member"])
@pytest.mark.parametrize("name,method,path,state,expected", ITEM_ROUTES, ids=[r[0] for r in ITEM_ROUTES])
def test_item_routes_in_scope(items, access, role, name, method, path, state, expected):
    status = access(role, method, _url(items, "in", state, path))
    if expected[role] == OK:
        assert _allowed(status), f"{role} should reach {name}, got {status}"
    else:
        assert status == expected[role], f"{role} on {name}: {status}"


@pytest.mark.parametrize("role", ["admin", "leader", "secretary", "member"])
@pytest.mark.parametrize("name,method,path,state,expected", ITEM_ROUTES, ids=[r[0] for r in ITEM_ROUTES])
def test_item_routes_out_of_scope_are_404(items, access, role, name, method, path, state, expected):
    assert access(role, method, _url(items, "out", state, path)) == MISSING


@pytest.mark.parametrize("name,method,path,state,expected", ITEM_ROUTES, ids=[r[0] for r in ITEM_ROUTES])
def test_item_routes_send_anonymous_users_to_login(items, access, name, method, path, state, expected):
    assert access(None, method, _url(items, "in", state, path)) == 302


@pytest.mark.parametrize("role", ["admin", "leader", "secretary", "member"])
@pytest.mark.parametrize("method,url,expected", PAGES, ids=[f"{p[0]} {p[1]}" for p in PAGES])
def test_pages(perm_world, access, role, method, url, expected):
    status = access(role, method, url)
    assert _allowed(status) if expected[role] == OK else status == expected[role], f"{role} {method} {url}: {status}"


@pytest.mark.parametrize("method,url,expected", PAGES, ids=[f"{p[0]} {p[1]}" for p in PAGES])
def test_pages_send_anonymous_users_to_login(perm_world, access, method, url, expected):
    assert access(None, method, url) == 302


def test_lists_show_only_items_in_scope(items, access, app, perm_world):
    client = app.test_client()
    client.post("/login", data={"username": "m_outsider", "password": "secret-pass-1"})
    page = client.get("/ledger/").get_data(as_text=True)
    assert "out-open" in page and "in-open" not in page
    assert "in-open" not in client.get("/ledger/print").get_data(as_text=True)


def test_a_decision_on_another_items_extension_is_404(items, access):
    item_id, _ = items["in"][ItemStatus.in_progress]
    _, other_ext = items["in"][ItemStatus.open]
    assert access("leader", "POST", f"/ledger/{item_id}/extensions/{other_ext}") == MISSING
