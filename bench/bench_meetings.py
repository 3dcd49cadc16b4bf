"""Benchmark: organisational life with 3,000 units and a year of meeting records (about 60,000).

Measures, through the real app and a logged-in leader at the top unit:
- the quarter summary over every branch (/meetings/summary) and the year view;
- the meeting list (50 rows), unfiltered and with each filter;
- the Excel download of the quarter summary;
and the queries per request, which must not grow with the data.

    python bench/bench_meetings.py            # SQLite file in a temporary directory
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test python bench/bench_meetings.py

Targets (issue 12): the summary ≤ 300 ms median; the list ≤ 100 ms; query counts independent of size.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

UNITS = 3000
GENERALS = 30
PASSWORD = "bench-pass-1"
RUNS = 11
SCHEMA = "tracker_bench_meetings"
KINDS_MONTHLY = ("committee", "group", "theme_day")


def make_app(url: str):
    from tracker import create_app
    from tracker.config import TestConfig, database_url

    overrides = {"SQLALCHEMY_DATABASE_URI": database_url(url), "UPLOAD_DIR": tempfile.mkdtemp(prefix="meet-bench-")}
    if url.startswith("postgres"):
        overrides["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"options": f"-csearch_path={SCHEMA}"}}
    return create_app(type("BenchConfig", (TestConfig,), overrides))


def build(app, url: str) -> int:
    """Units, a secretary per branch, and a year of approved records (a few missing) with attendance."""
    from tracker.auth.passwords import hash_password
    from tracker.clock import local_today
    from tracker.extensions import db
    from tracker.models import Meeting, MeetingAttendance, Membership, OrgUnit, User

    rng = random.Random(2026)
    with app.app_context():
        if url.startswith("postgres"):
            with db.engine.begin() as conn:
                conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
                conn.execute(sa.text(f"CREATE SCHEMA {SCHEMA}"))
        db.create_all()
        units = [{"id": 1, "name": "市直机关党委", "kind": "organ_committee", "parent_id": None, "path": "/1/",
                  "sort_order": 0, "is_active": True, "version": 1}]
        for g in range(2, 2 + GENERALS):
            units.append({"id": g, "name": f"第{g - 1}党总支", "kind": "general_branch", "parent_id": 1,
                          "path": f"/1/{g}/", "sort_order": g, "is_active": True, "version": 1})
        branches = list(range(2 + GENERALS, UNITS + 1))
        for b in branches:
            g = rng.randrange(2, 2 + GENERALS)
            units.append({"id": b, "name": f"第{b}党支部", "kind": "branch", "parent_id": g, "path": f"/1/{g}/{b}/",
                          "sort_order": b, "is_active": True, "version": 1})
        db.session.execute(sa.insert(OrgUnit.__table__), units)
        password = hash_password(PASSWORD)
        now = datetime.now(timezone.utc)
        users = [{"id": 1, "username": "leader", "full_name": "周书记", "password_hash": password, "is_active": True,
                  "created_at": now, "version": 1}]
        members = [{"user_id": 1, "unit_id": 1, "role": "leader", "created_at": now}]
        for i, b in enumerate(branches, start=2):
            users.append({"id": i, "username": f"sec{b}", "full_name": f"书记{b}", "password_hash": password,
                          "is_active": True, "created_at": now, "version": 1})
            members.append({"user_id": i, "unit_id": b, "role": "secretary", "created_at": now})
        db.session.execute(sa.insert(User.__table__), users)
        db.session.execute(sa.insert(Membership.__table__), members)
        today = local_today()
        rows, attendance, meeting_id = [], [], 0
        for i, b in enumerate(branches, start=2):
            for back in range(12):
                index = today.year * 12 + today.month - 1 - back
                year, month = index // 12, index % 12 + 1
                kinds = list(KINDS_MONTHLY) + (["general_meeting", "lecture"] if month % 3 == 2 else [])
                for n, kind in enumerate(kinds):
                    day = date(year, month, min(1 + n, 28))
                    if day >= today or rng.random() < 0.05:
                        continue
                    meeting_id += 1
                    rows.append({"id": meeting_id, "unit_id": b, "kind": kind, "held_on": day, "place": "活动室",
                                 "host_id": i, "recorder_id": i, "invitees": "", "topics": "学习党章",
                                 "content": "", "decisions": "", "state": "approved", "created_at": now,
                                 "updated_at": now, "version": 1})
                    attendance.append({"meeting_id": meeting_id, "user_id": i, "status": "present"})
            if len(rows) >= 10_000:
                db.session.execute(sa.insert(Meeting.__table__), rows)
                db.session.execute(sa.insert(MeetingAttendance.__table__), attendance)
                rows, attendance = [], []
        if rows:
            db.session.execute(sa.insert(Meeting.__table__), rows)
            db.session.execute(sa.insert(MeetingAttendance.__table__), attendance)
        db.session.commit()
        if db.engine.dialect.name == "sqlite":
            with db.engine.begin() as conn:  # committed: the statistics stay for the planner
                conn.exec_driver_sql("ANALYZE")
        else:
            with db.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
        return meeting_id


def measure(app, urls: dict[str, str]) -> dict:
    from tracker.extensions import db

    client = app.test_client()
    assert client.post("/login", data={"username": "leader", "password": PASSWORD}).status_code == 302
    count = {"n": 0}
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", lambda *a, **k: count.__setitem__("n", count["n"] + 1))
    results = {}
    for name, url in urls.items():
        client.get(url)  # warm
        samples = []
        for _ in range(RUNS):
            count["n"] = 0
            start = time.perf_counter()
            response = client.get(url)
            response.get_data()
            samples.append((time.perf_counter() - start, count["n"], response.status_code))
        assert all(s[2] == 200 for s in samples), (url, samples[0])
        median = statistics.median(s[0] for s in samples) * 1000
        results[name] = {"median_ms": round(median, 1), "queries": max(s[1] for s in samples)}
        print(f"  {name:<32} median {median:7.1f} ms, {results[name]['queries']} queries", flush=True)
    return results


def main() -> int:
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp(prefix='meet-bench-')}/bench.db"
    app = make_app(url)
    start = time.perf_counter()
    total = build(app, url)
    print(f"  built {UNITS} units and {total} meeting records in {time.perf_counter() - start:.1f} s", flush=True)
    today = date.today()
    quarter = (today.month - 1) // 3 + 1
    results = measure(app, {
        "summary (quarter, 3,000 units)": f"/meetings/summary?year={today.year}&quarter={quarter}",
        "summary (year)": f"/meetings/summary?year={today.year}",
        "summary.xlsx (quarter)": f"/meetings/summary.xlsx?year={today.year}&quarter={quarter}",
        "list, no filter": "/meetings/",
        "list, kind": "/meetings/?kind=general_meeting",
        "list, unit subtree (总支)": "/meetings/?unit=7",
        "list, period": f"/meetings/?period={today.year}Q{quarter}",
        "list, page 40": "/meetings/?page=40",
    })
    ok = (results["summary (quarter, 3,000 units)"]["median_ms"] <= 300
          and all(v["median_ms"] <= 100 for k, v in results.items() if k.startswith("list")))
    print("  targets met" if ok else "  TARGETS MISSED: summary ≤ 300 ms, list ≤ 100 ms")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
