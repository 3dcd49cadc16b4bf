"""The CLI: seed-demo and create-admin."""

import pytest
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


def _root_kind(app, name):
    with app.app_context():
        return db.session.scalars(sa.select(OrgUnit.kind).where(OrgUnit.name == name)).one()


def test_create_admin_names_the_kind_its_unit_states(app, runner):
    result = runner.invoke(args=["create-admin", "--username", "root", "--password", "long-enough-1",
                                 "--unit-name", "市直机关工委"])
    assert result.exit_code == 0, result.output
    assert _root_kind(app, "市直机关工委") is UnitKind.work_committee


def test_create_admin_asks_for_the_kind_when_the_name_does_not_say(app, runner):
    result = runner.invoke(args=["create-admin", "--username", "root", "--password", "long-enough-1",
                                 "--unit-name", "中共示范县委"], input="机关\n工委\n")
    assert result.exit_code == 0, result.output
    assert "党委, 工委 or 机关党委" in result.output and "'机关' is not a top-level unit kind" in result.output
    assert _root_kind(app, "中共示范县委") is UnitKind.work_committee


@pytest.mark.parametrize("word, kind", [("党委", UnitKind.committee), ("organ_committee", UnitKind.organ_committee)])
def test_create_admin_takes_the_kind_as_an_option(app, runner, word, kind):
    result = runner.invoke(args=["create-admin", "--username", "root", "--password", "long-enough-1",
                                 "--unit-name", "示范单位", "--kind", word])
    assert result.exit_code == 0, result.output
    assert _root_kind(app, "示范单位") is kind


def test_create_admin_states_the_minimum_first_and_asks_again_for_a_short_password(app, runner, client):
    typed = "root\nshort\nlong-enough-1\nlong-enough-1\n"
    result = runner.invoke(args=["create-admin", "--unit-name", "市委机关工委"], input=typed)
    assert result.exit_code == 0, result.output
    prompt = "Password (at least 8 characters)"
    assert result.output.index(prompt) < result.output.index("At least 8 characters.")
    assert result.output.count(prompt) == 2
    assert client.post("/login", data={"username": "root", "password": "long-enough-1"}).status_code == 302


def test_create_admin_with_a_taken_username_says_so(runner, make_unit, make_user):
    make_user("root", make_unit("市委机关工委"), Role.admin)
    result = runner.invoke(args=["create-admin", "--username", "root", "--password", "long-enough-1"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.exception
    assert "This username is taken." in result.output


def test_seed_demo_refuses_a_database_with_other_data(app, runner, make_unit, make_user):
    make_user("zhou", make_unit("现有党委"), Role.admin)
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 1
    assert "already holds other data (units: 1, users: 1)" in result.output and "--force" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(OrgUnit.id))) == 1


def test_seed_demo_force_adds_the_demo_beside_other_data(app, runner, make_unit, make_user):
    make_user("zhou", make_unit("现有党委"), Role.admin)
    result = runner.invoke(args=["seed-demo", "--force"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert {"zhou", "admin", "member12"} <= set(db.session.scalars(sa.select(User.username)))


def test_seed_demo_never_takes_a_real_account_even_forced(app, runner, make_unit, make_user):
    make_user("admin", make_unit("现有党委"), Role.admin)
    for args in (["seed-demo"], ["seed-demo", "--force"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.exception  # no crash
    assert "these of its usernames are already taken: admin." in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1


@pytest.mark.parametrize("value", ["2026-13-01", "tomorrow", "2026/12/01"])
def test_remind_with_a_bad_date_gives_one_line_not_a_traceback(runner, value):
    result = runner.invoke(args=["remind", "--date", value])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.exception  # no crash
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert errors == [f"Error: Invalid value for '--date': '{value}' is not a date: write it as YYYY-MM-DD, "
                      "e.g. 2026-12-31."]
    assert "Traceback" not in result.output


def test_remind_on_a_given_date(runner):
    result = runner.invoke(args=["remind", "--date", "2026-12-01"])
    assert result.exit_code == 0 and "reminders recorded for 2026-12-01" in result.output
