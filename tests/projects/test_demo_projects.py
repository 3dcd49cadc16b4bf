"""On the demo data, checked from outside: every assigned project saves for its owner."""

from __future__ import annotations

import sqlalchemy as sa

from support import Person
from tracker.extensions import db
from tracker.models import Project, User

DEMO_PASSWORD = "demo12345"


def test_every_assigned_demo_project_saves_for_its_owner(app, runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        rows = db.session.execute(sa.select(Project.id, Project.code, User.username)
                                  .join(User, User.id == Project.owner_id)
                                  .where(Project.assigning_unit_id.is_not(None))).all()
    assert len(rows) >= 12
    people: dict[str, Person] = {}
    for project_id, code, username in rows:
        owner = people.get(username) or people.setdefault(username, Person(app, username, DEMO_PASSWORD))
        edit = f"/projects/{project_id}/edit"
        response = owner.submit(edit, edit, {"target_rows-0-actual_value": "1"})
        assert response.headers["Location"].endswith(f"/projects/{project_id}"), f"{username} cannot save {code}"
