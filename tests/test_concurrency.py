"""The embedded default under load: many people logging in and saving at once on one SQLite file."""

from __future__ import annotations

import threading

import pytest

from tracker import create_app
from tracker.config import TestConfig
from tracker.extensions import db
from tracker.models import Role, UnitKind

from support import PASSWORD

USERS = 12
ROUNDS = 6


@pytest.fixture
def file_app(tmp_path):
    """An app on its own SQLite file (WAL), outside the per-test transaction, as `make run` serves it."""
    config = type("FileConfig", (TestConfig,), {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'load.db'}",
        # Real argon2 cost, so a login is slow enough to overlap another's write.
        "ARGON2_PARAMS": {"time_cost": 2, "memory_cost": 8 * 1024, "parallelism": 1},
    })
    app = create_app(config)
    with app.app_context():
        db.create_all()
        from tracker.orgs.operations import create_unit
        from tracker.users.operations import create_user

        unit = create_unit(None, "机关党委", UnitKind.organ_committee, None)
        for n in range(USERS):
            create_user(None, username=f"load{n}", full_name=f"用户{n}", password=PASSWORD, unit=unit,
                        role=Role.member)
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


def _hammer(app, usernames: list[str]) -> list[str]:
    """Each user logs in and switches language ROUNDS times, all at once; returns every failure."""
    failures: list[str] = []
    start = threading.Barrier(len(usernames))

    def work(username: str) -> None:
        client = app.test_client()
        start.wait()
        for n in range(ROUNDS):
            client.post("/logout")
            response = client.post("/login", data={"username": username, "password": PASSWORD})
            if response.status_code != 302:
                failures.append(f"{username} login {n}: {response.status_code}")
            response = client.post("/language", data={"locale": ("en", "zh_Hans_CN")[n % 2], "next": "/"})
            if response.status_code != 302:
                failures.append(f"{username} language {n}: {response.status_code}")

    threads = [threading.Thread(target=work, args=(name,)) for name in usernames]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures


def test_many_people_log_in_and_save_at_once(file_app):
    assert _hammer(file_app, [f"load{n}" for n in range(USERS)]) == []


def test_one_account_logging_in_from_many_places_at_once(file_app):
    assert _hammer(file_app, ["load0"] * 6) == []
