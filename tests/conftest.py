"""Fixtures for every test: the app, a client, a CLI runner, logins and factories.

Each test runs inside one database transaction that is rolled back at its end; the app's own
commits become SAVEPOINT releases inside it. `TEST_DATABASE_URL` selects PostgreSQL (a fresh
schema per run); without it, SQLite in memory.
"""

from __future__ import annotations

import itertools
import os

import pytest
import sqlalchemy as sa

from tracker import create_app
from tracker.config import TestConfig
from tracker.extensions import db
from tracker.models import OrgUnit, Role, UnitKind, User

from support import PASSWORD, is_postgres, pg_engine_options, reset_pg_schema, schema_name

TEST_SCHEMA = schema_name("tracker_test")


@pytest.fixture(scope="session")
def _app():
    overrides = {}
    if is_postgres():
        reset_pg_schema(os.environ["TEST_DATABASE_URL"], TEST_SCHEMA)
        overrides["SQLALCHEMY_ENGINE_OPTIONS"] = pg_engine_options(TEST_SCHEMA)
    config = type("SuiteConfig", (TestConfig,), overrides)
    app = create_app(config)
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(_app):
    """The app, with every database session of this test inside one rolled-back transaction."""
    with _app.app_context():
        engines = db._app_engines[_app]
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        engines[None] = connection  # Flask-SQLAlchemy's sessions bind to whatever sits here
        original_session = db.session
        db.session = db._make_scoped_session({"join_transaction_mode": "create_savepoint"})
    try:
        yield _app
    finally:
        with _app.app_context():
            db.session.remove()
        db.session = original_session
        engines[None] = engine
        outer.rollback()
        connection.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def in_db(app):
    """Run a function inside an app context and commit: `in_db(lambda: ...)`.

    Objects returned stay loaded (no expiry on commit), for use as plain values in the test.
    """

    def run(fn, *args, **kwargs):
        with app.app_context():
            db.session().expire_on_commit = False
            result = fn(*args, **kwargs)
            db.session.commit()
            return result

    return run


_counter = itertools.count(1)


@pytest.fixture
def make_unit(in_db):
    """Create an org unit: `make_unit("一支部", parent=unit, kind=UnitKind.branch)`."""
    from tracker.orgs.operations import create_unit

    def make(name: str | None = None, parent: OrgUnit | None = None, kind: UnitKind | None = None) -> OrgUnit:
        if kind is None:
            kind = UnitKind.organ_committee if parent is None else UnitKind(
                {0: "general_branch", 1: "branch", 2: "group"}[parent.kind.level]
            )

        def create():
            parent_obj = db.session.get(OrgUnit, parent.id) if parent else None
            return create_unit(None, name or f"单位{next(_counter)}", kind, parent_obj)

        return in_db(create)

    return make


@pytest.fixture
def make_user(in_db):
    """Create a user holding `role` at `unit`: `make_user("sec", unit, Role.secretary)`."""
    from tracker.users.operations import create_user, grant_role

    def make(username: str | None = None, unit: OrgUnit | None = None, role: Role = Role.member,
             password: str = PASSWORD, extra_roles: tuple[tuple[OrgUnit, Role], ...] = ()) -> User:
        def create():
            unit_obj = db.session.get(OrgUnit, unit.id)
            user = create_user(None, username=username or f"user{next(_counter)}", full_name="测试用户",
                               password=password, unit=unit_obj, role=role)
            for other, other_role in extra_roles:
                grant_role(None, user, db.session.get(OrgUnit, other.id), other_role)
            for m in user.memberships:
                m.unit  # noqa: B018  (load for use after the session ends)
            return user

        return in_db(create)

    return make


@pytest.fixture
def login(client):
    """Log the test client in as `user` (a User or a username)."""

    def do(user, password: str = PASSWORD):
        username = user if isinstance(user, str) else user.username
        client.post("/logout")
        response = client.post("/login", data={"username": username, "password": password})
        assert response.status_code == 302, f"login as {username} failed"
        return response

    return do


@pytest.fixture
def htmx_headers():
    return {"HX-Request": "true"}


# --- The permission-matrix harness -------------------------------------------------------------
#
# One world for every feature's matrix: a 机关党委 with two 党总支 and three 党支部, and a second,
# unrelated 党委 whose records are out of everyone's scope. Feature tests parametrize
# (route × role × in/out of scope) and call `access(role, method, url, data)`.

ROLES = ("admin", "leader", "secretary", "member")


class PermWorld:
    """Units and users of the matrix world; `unit("in")` is 一支部, `unit("out")` the stranger's branch."""

    def __init__(self, units: dict, users: dict):
        self.units, self.users = units, users

    def unit(self, scope: str) -> OrgUnit:
        return self.units["b1" if scope == "in" else "bx"]

    def person(self, scope: str) -> User:
        """A member of the branch that is in scope, or of the stranger's branch."""
        return self.users["member" if scope == "in" else "stranger"]


@pytest.fixture
def perm_world(make_unit, make_user) -> PermWorld:
    root = make_unit("机关党委")
    g1 = make_unit("一总支", root)
    g2 = make_unit("二总支", root)
    b1 = make_unit("一支部", g1)
    b2 = make_unit("二支部", g1)
    b3 = make_unit("三支部", g2)
    other = make_unit("外单位党委")
    bx = make_unit("外单位支部", make_unit("外单位总支", other))
    units = {"root": root, "g1": g1, "g2": g2, "b1": b1, "b2": b2, "b3": b3, "other": other, "bx": bx}
    users = {
        "admin": make_user("m_admin", root, Role.admin),
        "leader": make_user("m_leader", g1, Role.leader),
        "secretary": make_user("m_sec", b1, Role.secretary),
        "member": make_user("m_member", b1, Role.member),
        "stranger": make_user("m_stranger", bx, Role.member),
        "outsider": make_user("m_outsider", other, Role.leader),
    }
    return PermWorld(units, users)


@pytest.fixture
def access(app, perm_world):
    """`access(role, method, url, data=None)` → the status a user of `role` gets (None: anonymous)."""
    clients = {}

    def do(role: str | None, method: str, url: str, data: dict | None = None) -> int:
        if role not in clients:
            clients[role] = app.test_client()
            if role is not None:
                user = perm_world.users[role]
                response = clients[role].post("/login", data={"username": user.username, "password": PASSWORD})
                assert response.status_code == 302
        response = clients[role].open(url, method=method, data=data or {})
        return response.status_code

    return do
