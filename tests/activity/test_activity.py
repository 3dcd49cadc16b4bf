"""The audit view as each person sees it: leaders and admins their scope's record, nobody else anything."""

from datetime import timedelta

import pytest

from tracker.clock import local_today
from tracker.extensions import db
from tracker.models import Activity, OrgUnit, UnitKind, User
from tracker.orgs import operations as org_ops


@pytest.fixture
def history(perm_world, in_db):
    """The admin creates a 党小组 under 一支部 and one under 三支部; a command creates one in the stranger's tree."""
    w = perm_world

    def make():
        admin = db.session.get(User, w.users["admin"].id)
        org_ops.create_unit(admin, "第一党小组", UnitKind.group, db.session.get(OrgUnit, w.units["b1"].id))
        org_ops.create_unit(admin, "第二党小组", UnitKind.group, db.session.get(OrgUnit, w.units["b3"].id))
        org_ops.create_unit(None, "外单位党小组", UnitKind.group, db.session.get(OrgUnit, w.units["bx"].id))

    in_db(make)
    return w


def rows(client, url="/activity/"):
    """The status and the rows section of the audit view (the filters' unit names left out)."""
    response = client.get(url)
    page = response.get_data(as_text=True)
    start = page.find('<section id="activity-rows"')
    return response.status_code, page[start:] if start >= 0 else page


@pytest.fixture
def as_user(app):
    def login(username):
        client = app.test_client()
        assert client.post("/login", data={"username": username, "password": "secret-pass-1"}).status_code == 302
        return client

    return login


def test_the_leader_reads_what_was_done_in_her_subtree_and_nothing_outside(history, as_user):
    status, page = rows(as_user("m_leader"))  # the leader of 一总支
    assert status == 200
    assert "第一党小组" in page  # created under 一支部, inside 一总支
    assert "第二党小组" not in page and "外单位党小组" not in page
    assert 'href="/orgs/' in page  # each record links to its page


def test_the_admin_reads_her_whole_tree(history, as_user):
    _, page = rows(as_user("m_admin"))
    assert "第一党小组" in page and "第二党小组" in page and "外单位党小组" not in page


@pytest.mark.parametrize("username", ["m_sec", "m_member", "m_stranger"])
def test_secretaries_and_members_do_not_find_it(history, as_user, username):
    client = as_user(username)
    assert client.get("/activity/").status_code == 404
    assert 'href="/activity/"' not in client.get("/home").get_data(as_text=True)


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get("/activity/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_filters_by_person_unit_kind_and_date(history, as_user, perm_world):
    admin = as_user("m_admin")
    _, page = rows(admin, "/activity/?person=m_adm")
    assert "第一党小组" in page
    _, page = rows(admin, "/activity/?person=nobody-like-this")
    assert "第一党小组" not in page and "没有" in page
    _, page = rows(admin, f"/activity/?unit={perm_world.units['g2'].id}")
    assert "第二党小组" in page and "第一党小组" not in page
    _, page = rows(admin, "/activity/?kind=user_account")
    assert "第一党小组" not in page
    today = local_today()
    _, page = rows(admin, f"/activity/?since={today}&until={today}")
    assert "第一党小组" in page
    _, page = rows(admin, f"/activity/?until={today - timedelta(days=1)}")
    assert "第一党小组" not in page


def test_bad_filters_are_refused_beside_their_fields(history, as_user, perm_world):
    admin = as_user("m_admin")
    today = local_today()
    response = admin.get(f"/activity/?since={today}&until={today - timedelta(days=3)}")
    assert response.status_code == 422 and 'id="until-error"' in response.get_data(as_text=True)
    response = admin.get(f"/activity/?unit={perm_world.units['bx'].id}")  # a unit outside her tree
    assert response.status_code == 422 and 'id="unit-error"' in response.get_data(as_text=True)
    status, _ = rows(admin, "/activity/?since=yesterday")
    assert status == 422


def test_older_entries_follow_on_the_next_page(app, history, as_user, perm_world):
    with app.app_context():
        unit = db.session.get(OrgUnit, perm_world.units["b1"].id)
        for n in range(55):
            db.session.add(Activity(subject_type="org_unit", subject_id=unit.id, unit_id=unit.id, verb="updated",
                                    note=f"第{n}次"))
        db.session.commit()
    admin = as_user("m_admin")
    _, page = rows(admin)
    assert "第54次" in page and "第3次" not in page and 'rel="next"' in page
    older = page.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    _, page = rows(admin, older)
    assert "第3次" in page and "第54次" not in page


def test_the_view_reads_in_english(history, as_user):
    admin = as_user("m_admin")
    admin.post("/language", data={"locale": "en", "next": "/"})
    _, page = rows(admin)
    assert "Activity record" in page and "Unit" in page


def test_records_of_every_feature_are_named_and_linked(app, as_user, perm_world, in_db):
    from datetime import date

    from tracker.models import ItemSource
    from tracker.ledger import operations as ledger_ops
    from tracker.projects import operations as project_ops

    def make():
        admin = db.session.get(User, perm_world.users["admin"].id)
        b1 = db.session.get(OrgUnit, perm_world.units["b1"].id)
        owner = db.session.get(User, perm_world.users["member"].id)
        project = project_ops.create_project(admin, title="党员先锋岗创建", unit=b1, owner=owner,
                                             start_date=date(2026, 10, 1), due_date=date(2026, 12, 31))
        item = ledger_ops.create_item(admin, unit=b1, problem="会议记录不全", source=ItemSource.inspection,
                                      owner=owner, deadline=date(2026, 12, 31))
        return project.id, project.code, item.id, item.code

    project_id, project_code, item_id, item_code = in_db(make)
    _, page = rows(as_user("m_leader"))
    assert f'<a href="/projects/{project_id}">{project_code}' in page
    assert f'<a href="/ledger/{item_id}">{item_code}' in page
