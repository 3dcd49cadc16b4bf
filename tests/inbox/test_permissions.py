"""The permission matrix: a person only ever sees and marks her own notices; anyone else's is a 404."""

import pytest

from tracker.extensions import db
from tracker.inbox.operations import notify
from tracker.models import Event, OrgUnit, User

from matrix import MISSING, OK, ROLES, check
from support import PASSWORD


@pytest.fixture
def notices(perm_world, in_db):
    """One unread notice for each person of the matrix world, about her own branch."""
    def write():
        ids = {}
        for role, user in perm_world.users.items():
            unit = db.session.get(OrgUnit, user.memberships[0].unit_id)
            ids[role], = [n.id for n in notify(None, [db.session.get(User, user.id)], Event.assigned, unit)]
        return ids
    return in_db(write)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("whose", ["own", "other"])
@pytest.mark.parametrize("method, action", [("POST", "read")])
def test_marking_a_notice(access, notices, role, whose, method, action):
    owner = role if whose == "own" else ("stranger" if role != "stranger" else "member")
    status = access(role, method, f"/inbox/{notices[owner]}/{action}")
    check(status, OK if whose == "own" else MISSING, role, f"{action} a notice ({whose})")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method, url", [("GET", "/inbox/"), ("GET", "/inbox/count"), ("GET", "/inbox/settings"),
                                         ("POST", "/inbox/settings"), ("POST", "/inbox/read-all")])
def test_everyone_has_an_inbox(access, notices, role, method, url):
    check(access(role, method, url, {"email": ""}), OK, role, f"{method} {url}")


@pytest.mark.parametrize("role", ROLES)
def test_the_inbox_shows_only_ones_own(access, app, perm_world, notices, role):
    client = app.test_client()
    user = perm_world.users[role]
    client.post("/login", data={"username": user.username, "password": PASSWORD})
    page = client.get("/inbox/").get_data(as_text=True)
    assert f'id="notification-{notices[role]}"' in page
    assert not any(f'id="notification-{nid}"' in page for other, nid in notices.items() if other != role)


def test_marking_all_read_leaves_others_unread(access, app, notices):
    access("secretary", "POST", "/inbox/read-all")
    with app.app_context():
        from tracker.models import Notification

        unread = {n.id for n in db.session.query(Notification).filter(Notification.read_at.is_(None))}
    assert notices["secretary"] not in unread and unread == set(notices.values()) - {notices["secretary"]}


ROBOT_EXPECTED = {  # the in-scope branch: only its administrators choose its robot
    ("admin", "in"): OK, ("leader", "in"): 403, ("secretary", "in"): 403, ("member", "in"): 403,
    **{(role, "out"): MISSING for role in ROLES},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("scope", ["in", "out"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_units_group_robot(access, perm_world, role, scope, method):
    url = f"/inbox/units/{perm_world.unit(scope).id}/robot"
    check(access(role, method, url, {"kind": ""}), ROBOT_EXPECTED[role, scope], role, f"{method} {url} ({scope})")
