"""Factories for project tests: `make_project`, and a project in and out of the matrix world's scope."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tracker.extensions import db
from tracker.hooks import ProblemCounts
from tracker.models import OrgUnit, Project, User


@pytest.fixture
def make_project(in_db):
    """`make_project(unit, owner, stage=..., targets=1, items={Stage.plan: [("text", required)]}, **fields)`."""
    from tracker.projects import operations as ops
    from tracker.projects.operations import TargetInput

    def make(unit: OrgUnit, owner: User, *, targets: int = 1, items=None, **fields) -> Project:
        def create():
            start = fields.pop("start_date", date(2026, 10, 1))
            fields["participants"] = [db.session.get(User, u.id) for u in fields.pop("participants", ())]
            project = ops.create_project(
                None, title=fields.pop("title", "党员积分制管理试点"), unit=db.session.get(OrgUnit, unit.id),
                owner=db.session.get(User, owner.id), start_date=start,
                due_date=fields.pop("due_date", start + timedelta(days=60)),
                targets=[TargetInput(f"指标{i}", "次", 4) for i in range(targets)], **fields)
            for stage, rows in (items or {}).items():
                for row in rows:
                    text, required, *rest = row + (None,) * (3 - len(row)) if isinstance(row, tuple) else (row, True, None)
                    ops.add_item(None, project, stage=stage, text=text, is_required=required,
                                 assignee=db.session.get(User, rest[0].id) if rest and rest[0] else None)
            return project

        return in_db(create)

    return make


@pytest.fixture
def problems(monkeypatch):
    """Pretend the ledger holds problems: `problems[project_id] = ProblemCounts(open, closed)`."""
    import tracker.hooks as hooks

    found: dict[int, ProblemCounts] = {}
    monkeypatch.setattr(hooks, "_counters", [])
    hooks.register_problem_counter(lambda kind, ident: found.get(ident, ProblemCounts()) if kind == "project"
                                   else ProblemCounts())
    return found
