"""Benchmark: the board and a stage move with 30,000 projects and 300,000 checklist items (SQLite).

    /work/main/.venv/bin/python bench/bench_projects.py [--db /tmp/bench_projects.db] [--runs 30]

100 党委, each with 3 党支部 of 100 projects (10 checklist items and 1 target each). `/board` for
one 党委 subtree shows its 300 cards; the script reports the queries per request (counted with a
`before_cursor_execute` listener) and the median server time, then the median of stage moves.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

COMMITTEES, BRANCHES_PER, PROJECTS_PER_BRANCH, ITEMS_PER_PROJECT = 100, 3, 100, 10
STAGES = ["plan", "run", "check", "rectify", "done"]


def build(app, rng: random.Random) -> dict:
    from tracker.auth.passwords import hash_password
    from tracker.extensions import db
    from tracker.models import (ChecklistItem, Membership, OrgUnit, Project, ProjectCategory, Target, User)

    now = datetime.now(timezone.utc)
    with app.app_context():
        db.drop_all()
        db.create_all()
        conn = db.session.connection()
        conn.execute(sa.insert(ProjectCategory), [{"id": 1, "name": "三会一课", "sort_order": 0, "is_active": True}])
        units, users, memberships = [], [], []
        uid = 0
        for c in range(COMMITTEES):
            cid = len(units) + 1
            units.append({"id": cid, "name": f"第{c + 1}党委", "kind": "committee", "parent_id": None, "sort_order": c,
                          "is_active": True, "path": f"/{cid}/", "version": 1})
            for b in range(BRANCHES_PER):
                bid = len(units) + 1
                units.append({"id": bid, "name": f"第{c + 1}党委第{b + 1}支部", "kind": "branch", "parent_id": cid,
                              "sort_order": b, "is_active": True, "path": f"/{cid}/{bid}/", "version": 1})
                uid += 1
                users.append({"id": uid, "username": f"sec{c}_{b}", "full_name": f"书记{c}-{b}", "password_hash": "x",
                              "is_active": True, "created_at": now, "version": 1})
                memberships.append({"user_id": uid, "unit_id": bid, "role": "secretary", "created_at": now})
        uid += 1
        leader_id = uid
        users.append({"id": uid, "username": "bench_leader", "full_name": "领导", "password_hash": hash_password("bench-pass-1"),
                      "is_active": True, "created_at": now, "version": 1})
        memberships.append({"user_id": uid, "unit_id": 1, "role": "leader", "created_at": now})
        conn.execute(sa.insert(OrgUnit), units)
        conn.execute(sa.insert(User), users)
        conn.execute(sa.insert(Membership), memberships)
        secretaries = {m["unit_id"]: m["user_id"] for m in memberships if m["role"] == "secretary"}
        projects, targets, items = [], [], []
        pid = iid = 0
        today = date.today()
        for unit in units:
            if unit["kind"] != "branch":
                continue
            for _ in range(PROJECTS_PER_BRANCH):
                pid += 1
                start = today - timedelta(days=rng.randint(0, 200))
                stage = rng.choice(STAGES)
                projects.append({"id": pid, "code": f"XM-2026-{pid:05d}", "year": 2026, "seq": pid,
                                 "title": f"党建项目{pid}", "description": "", "category_id": 1, "type": "promotion",
                                 "unit_id": unit["id"], "assigning_unit_id": None, "owner_id": secretaries[unit["id"]],
                                 "quarter": 4, "start_date": start, "due_date": start + timedelta(days=rng.randint(10, 300)),
                                 "needs_approval": False, "stage": stage, "cycle": 1, "created_at": now,
                                 "updated_at": now, "version": 1})
                targets.append({"project_id": pid, "indicator": "开展活动", "measure": "次", "target_value": 4, "position": 0})
                for n in range(ITEMS_PER_PROJECT):
                    iid += 1
                    item_stage = STAGES[n % 4]
                    done = STAGES.index(item_stage) < STAGES.index(stage) or (item_stage == "plan")
                    items.append({"project_id": pid, "stage": item_stage, "text": f"清单事项{n}", "is_required": True,
                                  "position": n, "done_at": now if done else None})
        conn.execute(sa.insert(Project), projects)
        conn.execute(sa.insert(Target), targets)
        for chunk in range(0, len(items), 50_000):
            conn.execute(sa.insert(ChecklistItem), items[chunk:chunk + 50_000])
        db.session.commit()
        conn = db.session.connection()
        conn.exec_driver_sql("ANALYZE")
        db.session.commit()
        plan_in_subtree = db.session.scalars(sa.select(Project.id).where(
            Project.stage == "plan", Project.unit_id.in_(OrgUnit.subtree_ids("/1/")))).all()
        counts = (db.session.scalar(sa.select(sa.func.count()).select_from(Project)),
                  db.session.scalar(sa.select(sa.func.count()).select_from(ChecklistItem)))
    return {"leader_id": leader_id, "plan_ids": plan_in_subtree, "counts": counts}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="/tmp/bench_projects.db")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    Path(args.db).unlink(missing_ok=True)

    from tracker import create_app
    from tracker.config import TestConfig
    from tracker.extensions import db

    config = type("BenchConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{args.db}",
                                                 "RATELIMIT_ENABLED": False})
    app = create_app(config)
    started = time.perf_counter()
    data = build(app, random.Random(2026))
    print(f"data: {data['counts'][0]:,} projects, {data['counts'][1]:,} checklist items "
          f"(built in {time.perf_counter() - started:.1f} s)")

    queries = {"n": 0}
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", lambda *a, **k: queries.__setitem__("n", queries["n"] + 1))
    client = app.test_client()
    assert client.post("/login", data={"username": "bench_leader", "password": "bench-pass-1"}).status_code == 302

    def timed(method: str, url: str, **kwargs) -> tuple[float, int, object]:
        queries["n"] = 0
        t0 = time.perf_counter()
        response = client.open(url, method=method, **kwargs)
        return (time.perf_counter() - t0) * 1000, queries["n"], response

    _, _, first = timed("GET", "/board?unit=1")
    page = first.get_data(as_text=True)
    cards = page.count('class="board-card"')
    board_times, board_queries = [], set()
    for _ in range(args.runs):
        ms, n, response = timed("GET", "/board?unit=1")
        assert response.status_code == 200
        board_times.append(ms)
        board_queries.add(n)
    small_ms, small_q, _ = timed("GET", "/board?unit=2")  # one branch: 100 cards
    print(f"/board?unit=1: {cards} cards, queries per request {sorted(board_queries)} "
          f"(a 100-card branch board: {small_q}), median {statistics.median(board_times):.1f} ms, "
          f"p90 {sorted(board_times)[int(len(board_times) * 0.9) - 1]:.1f} ms over {args.runs} runs")

    move_times, back_times = [], []
    for pid in data["plan_ids"][: args.runs]:
        ms, n, response = timed("POST", f"/projects/{pid}/move", data={"to": "run", "next": "/board"})
        assert response.status_code == 302, response.status_code
        move_times.append(ms)
        ms, _, response = timed("POST", f"/projects/{pid}/move", data={"to": "plan", "reason": "基准测试退回"})
        assert response.status_code == 302
        back_times.append(ms)
    print(f"stage move plan→run (gates checked): median {statistics.median(move_times):.1f} ms; "
          f"send back run→plan: median {statistics.median(back_times):.1f} ms over {len(move_times)} moves "
          f"({n} queries per move)")


if __name__ == "__main__":
    main()
