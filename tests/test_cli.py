"""The CLI: seed-demo and create-admin."""

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import Membership, OrgUnit, Role, UnitKind, User


def test_seed_demo_creates_the_demo_organisation_once(app, runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "demo12345" in first.output and "sec1" in first.output
    with app.app_context():
        kinds = db.session.scalars(sa.select(OrgUnit.kind)).all()
        assert kinds.count(UnitKind.organ_committee) == 1
        assert kinds.count(UnitKind.general_branch) == 2
        assert kinds.count(UnitKind.branch) == 6
        usernames = set(db.session.scalars(sa.select(User.username)))
        assert {"admin", "leader", "sec1", "sec6", "member1", "member12"} <= usernames
        sec1 = db.session.scalars(sa.select(User).where(User.username == "sec1")).one()
        assert sec1.memberships[0].role is Role.secretary and sec1.memberships[0].unit.kind is UnitKind.branch
        counts = (db.session.scalar(sa.select(sa.func.count(OrgUnit.id))),
                  db.session.scalar(sa.select(sa.func.count(Membership.id))))
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0 and "nothing changed" in second.output
    with app.app_context():
        assert counts == (db.session.scalar(sa.select(sa.func.count(OrgUnit.id))),
                          db.session.scalar(sa.select(sa.func.count(Membership.id))))


def test_seeded_leader_logs_in(runner, client):
    runner.invoke(args=["seed-demo"])
    assert client.post("/login", data={"username": "leader", "password": "demo12345"}).status_code == 302


def test_seed_demo_if_empty_leaves_a_used_database_alone(runner, make_unit):
    make_unit("现有党委")
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "not seeded" in result.output


def test_create_admin(app, runner, client):
    result = runner.invoke(args=["create-admin", "--username", "root", "--password", "long-enough-1",
                                 "--unit-name", "市委机关工委"])
    assert result.exit_code == 0, result.output
    assert client.post("/login", data={"username": "root", "password": "long-enough-1"}).status_code == 302
    assert "市委机关工委" in client.get("/orgs/").get_data(as_text=True)


def test_create_admin_refuses_a_short_password(runner):
    result = runner.invoke(args=["create-admin", "--username", "root", "--password", "short"])
    assert result.exit_code != 0 and "8" in result.output
