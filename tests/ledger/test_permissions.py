"""The ledger's permission matrix: every route × role × in scope / participant / neither.

Out of scope an item is a 404 unless the user takes part in it; in scope a role that may not act
gets 403; anonymous users go to the login page. The in-scope item's owner is the matrix world's
member; it has no named verifier, so leaders over the unit verify. A participant's item sits in
the stranger's branch, outside every matrix role's scope, and names the role's user as its owner,
verifier or responsible leader: each part opens the item and does exactly what that part does.
"""

from datetime import timedelta

import pytest

from tracker.extensions import db
from tracker.ledger import operations as ops
from tracker.models import DeadlineKind, ExtensionRequest, ItemSource, ItemStatus, OrgUnit, User

from matrix import DENY, MISSING, OK, ROLES, check
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


#: What each part may do, by route name (every other route answers 403 to that part).
PART_RIGHTS = {
    "owner": {"item page", "start", "progress", "evidence", "submit", "extension request"},
    "verifier": {"item page", "return", "close", "reopen", "extension decision"},
    "responsible_leader": {"item page"},
}


@pytest.fixture
def part_items(in_db, perm_world):
    """`part_items(role, part)`: items in the stranger's branch, one per state, in which the matrix
    user of `role` is the `part` (the stranger owns them when the part is not the owner)."""

    def make(role: str, part: str):
        def create():
            unit = db.session.get(OrgUnit, perm_world.unit("out").id)
            user = db.session.get(User, perm_world.users[role].id)
            stranger = db.session.get(User, perm_world.person("out").id)
            people = {"owner": stranger, part: user}
            result = {}
            for state in (ItemStatus.open, ItemStatus.in_progress, ItemStatus.submitted, ItemStatus.closed):
                item = ops.create_item(None, unit=unit, problem=f"{part}-{state.value}", source=ItemSource.other,
                                       deadline=ops.local_today() + timedelta(days=10),
                                       deadline_kind=DeadlineKind.date, **people)
                item.status = state
                ext = ExtensionRequest(item_id=item.id, old_deadline=item.deadline,
                                       new_deadline=item.deadline + timedelta(days=5), reason="需要更多时间")
                db.session.add(ext)
                db.session.flush()
                result[state] = (item.id, ext.id)
            return {"out": result}

        return in_db(create)

    return make


def _url(items, scope, state, path):
    item_id, ext_id = items[scope][state]
    return f"/ledger/{item_id}" + path.format(ext=ext_id)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name,method,path,state,expected", ITEM_ROUTES, ids=[r[0] for r in ITEM_ROUTES])
def test_item_routes_in_scope(items, access, role, name, method, path, state, expected):
    check(access(role, method, _url(items, "in", state, path)), expected[role], role, name)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name,method,path,state,expected", ITEM_ROUTES, ids=[r[0] for r in ITEM_ROUTES])
def test_item_routes_out_of_scope_are_404(items, access, role, name, method, path, state, expected):
    assert access(role, method, _url(items, "out", state, path)) == MISSING


@pytest.mark.parametrize("part", sorted(PART_RIGHTS))
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name,method,path,state,expected", ITEM_ROUTES, ids=[r[0] for r in ITEM_ROUTES])
def test_item_routes_for_participants(part_items, access, role, part, name, method, path, state, expected):
    status = access(role, method, _url(part_items(role, part), "out", state, path))
    check(status, OK if name in PART_RIGHTS[part] else DENY, f"{role} as {part}", name)


@pytest.mark.parametrize("name,method,path,state,expected", ITEM_ROUTES, ids=[r[0] for r in ITEM_ROUTES])
def test_item_routes_send_anonymous_users_to_login(items, access, name, method, path, state, expected):
    assert access(None, method, _url(items, "in", state, path)) == 302


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method,url,expected", PAGES, ids=[f"{p[0]} {p[1]}" for p in PAGES])
def test_pages(perm_world, access, role, method, url, expected):
    check(access(role, method, url), expected[role], role, f"{method} {url}")


@pytest.mark.parametrize("method,url,expected", PAGES, ids=[f"{p[0]} {p[1]}" for p in PAGES])
def test_pages_send_anonymous_users_to_login(perm_world, access, method, url, expected):
    assert access(None, method, url) == 302


def test_lists_show_only_items_in_scope(items, access, app, perm_world):
    client = app.test_client()
    client.post("/login", data={"username": "m_outsider", "password": "secret-pass-1"})
    page = client.get("/ledger/").get_data(as_text=True)
    assert "out-open" in page and "in-open" not in page
    assert "in-open" not in client.get("/ledger/print").get_data(as_text=True)


@pytest.mark.parametrize("part", sorted(PART_RIGHTS))
def test_lists_and_counts_show_the_items_i_take_part_in(part_items, access, app, perm_world, part):
    part_items("secretary", part)
    client = app.test_client()
    client.post("/login", data={"username": "m_sec", "password": "secret-pass-1"})
    assert f"{part}-open" in client.get("/ledger/").get_data(as_text=True)
    waiting = client.get("/ledger/?mine=verify").get_data(as_text=True)
    assert (f"{part}-submitted" in waiting) is (part == "verifier")
    assert f"{part}-open" not in waiting
    mine = client.get("/ledger/?mine=own").get_data(as_text=True)
    assert (f"{part}-open" in mine) is (part == "owner")


def test_the_home_page_counts_what_waits_for_my_verification(part_items, app):
    part_items("secretary", "verifier")
    client = app.test_client()
    client.post("/login", data={"username": "m_sec", "password": "secret-pass-1"})
    page = client.get("/home").get_data(as_text=True)
    assert "/ledger/?mine=verify" in page
    count = page.split("/ledger/?mine=verify", 1)[1].split("stat-value", 1)[1].split("</span>", 1)[0]
    assert count.endswith(">1")


def test_a_decision_on_another_items_extension_is_404(items, access):
    item_id, _ = items["in"][ItemStatus.in_progress]
    _, other_ext = items["in"][ItemStatus.open]
    assert access("leader", "POST", f"/ledger/{item_id}/extensions/{other_ext}") == MISSING


@pytest.mark.parametrize("part", sorted(PART_RIGHTS))
def test_evidence_downloads_follow_the_item(part_items, access, app, part):
    import io

    from werkzeug.datastructures import FileStorage

    from tracker.models import LedgerItem
    from tracker.uploads import store_upload

    item_id, _ = part_items("secretary", part)["out"][ItemStatus.submitted]
    with app.test_request_context():
        item = db.session.get(LedgerItem, item_id)
        upload = FileStorage(stream=io.BytesIO("整改报告".encode()), filename="整改报告.txt")
        attachment_id = store_upload(None, upload, owner=item, unit_id=item.unit_id).id
        db.session.commit()
    assert access("secretary", "GET", f"/files/{attachment_id}") == 200
    assert access("member", "GET", f"/files/{attachment_id}") == MISSING
