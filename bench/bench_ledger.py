"""Benchmark: the rectification ledger with 100,000 items over 3,000 units.

Measures, through the real app and a logged-in leader at the top unit:
- the ledger page (50 rows, one filter at a time): median time and queries per request;
- the roll-up over 3,000 units;
- the Excel export of all rows (in a child process: time and peak RSS from getrusage);
- the import of a 10,000-row sheet (dry-run preview + confirm).

    python bench/bench_ledger.py            # SQLite file in a temporary directory
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test python bench/bench_ledger.py

Targets (issue 4): page ≤ 60 ms median and ≤ 12 queries; roll-up ≤ 300 ms; export ≤ 20 s and
≤ 300 MB; import of 10,000 rows ≤ 20 s.
"""

from __future__ import annotations

import io
import json
import os
import random
import re
import statistics
import subprocess
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
ITEMS = 100_000
IMPORT_ROWS = 10_000
PASSWORD = "bench-pass-1"
RUNS = 15
SCHEMA = "tracker_bench_ledger"


def make_app(url: str):
    from tracker import create_app
    from tracker.config import TestConfig, database_url

    overrides = {"SQLALCHEMY_DATABASE_URI": database_url(url), "UPLOAD_DIR": tempfile.mkdtemp(prefix="ledger-bench-")}
    if url.startswith("postgres"):
        overrides["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"options": f"-csearch_path={SCHEMA}"}}
    return create_app(type("BenchConfig", (TestConfig,), overrides))


def build(app, url: str) -> None:
    """Create the schema and fill it with bulk inserts: 3,000 units, their secretaries, 100,000 items."""
    from tracker.auth.passwords import hash_password
    from tracker.extensions import db
    from tracker.ledger.operations import local_today
    from tracker.models import LedgerItem, Membership, OrgUnit, User

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
        owner_of = {b: i for i, b in enumerate(branches, start=2)}
        today = local_today()
        sources = ["project_check", "review", "inspection", "self_check", "org_life", "report", "other"]
        statuses = ["open"] * 3 + ["in_progress"] * 3 + ["submitted", "returned", "closed", "closed", "closed",
                                                          "reopened", "void"]
        batches = [f"2026年第{q}季度互查互评" for q in range(1, 5)] + ["2026年巡察", "2026年自查"]
        categories = ["组织建设", "思想建设", "作风建设", "纪律建设", "三会一课", "主题党日"]
        rows = []
        for seq in range(1, ITEMS + 1):
            unit = rng.choice(branches)
            status = rng.choice(statuses)
            created = now - timedelta(days=rng.randrange(5, 200))
            closed = created + timedelta(days=rng.randrange(3, 60)) if status == "closed" else None
            rows.append({
                "code": f"ZG-2026-{seq:06d}", "year": 2026, "seq": seq, "source": rng.choice(sources),
                "batch": rng.choice(batches), "category": rng.choice(categories), "unit_id": unit,
                "problem": f"第{seq}号问题：支部“三会一课”记录不规范，党课学习内容缺失", "owner_id": owner_of[unit],
                "verifier_id": 1, "deadline_kind": "date", "deadline": today + timedelta(days=rng.randrange(-60, 90)),
                "severity": rng.choice(["normal", "normal", "major", "severe"]), "status": status,
                "progress": 100 if status in ("submitted", "closed") else rng.randrange(0, 90, 10),
                "completed_at": closed, "closed_at": closed, "created_at": created, "updated_at": created,
                "version": 1, "target": "整改到位", "measures": "制定整改措施，明确责任人",
            })
            if len(rows) == 10_000:
                db.session.execute(sa.insert(LedgerItem.__table__), rows)
                rows = []
        db.session.commit()
        if db.engine.dialect.name == "sqlite":
            with db.engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
        else:
            # What autovacuum does after a bulk insert in production (the test server runs without
            # it): statistics, and the visibility map that lets covering indexes answer alone.
            with db.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")


class QueryCounter:
    def __init__(self, engine):
        self.count = 0
        sa.event.listen(engine, "before_cursor_execute", self._on)

    def _on(self, *args, **kwargs):
        self.count += 1


def timed_get(client, url: str, counter: QueryCounter) -> tuple[float, int, int]:
    counter.count = 0
    start = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - start
    response.get_data()
    return elapsed, counter.count, response.status_code


def bench_pages(app) -> dict:
    from tracker.extensions import db

    client = app.test_client()
    assert client.post("/login", data={"username": "leader", "password": PASSWORD}).status_code == 302
    with app.app_context():
        counter = QueryCounter(db.engine)
    results = {}
    urls = {
        "no filter": "/ledger/",
        "source": "/ledger/?source=review",
        "status": "/ledger/?status=in_progress",
        "countdown overdue": "/ledger/?countdown=overdue",
        "countdown ≤10 days": "/ledger/?countdown=within_10",
        "unit subtree (总支)": "/ledger/?unit=7",
        "owner": "/ledger/?owner=500",
        "batch": "/ledger/?batch=2026年巡察",
        "sorted by deadline, page 40": "/ledger/?sort=deadline&dir=asc&page=40",
        "htmx table (source)": "/ledger/?source=inspection",
    }
    for name, url in urls.items():
        headers = {"HX-Request": "true"} if name.startswith("htmx") else {}
        client.get(url, headers=headers)  # warm
        samples = []
        for _ in range(RUNS):
            counter.count = 0
            start = time.perf_counter()
            response = client.get(url, headers=headers)
            response.get_data()
            samples.append((time.perf_counter() - start, counter.count, response.status_code))
        median = statistics.median(s[0] for s in samples) * 1000
        queries = max(s[1] for s in samples)
        assert all(s[2] == 200 for s in samples), samples[0]
        results[name] = {"median_ms": round(median, 1), "queries": queries}
        print(f"  ledger page, {name:<28} median {median:7.1f} ms, {queries} queries")
    samples = [timed_get(client, "/ledger/rollup", counter) for _ in range(7)]
    median = statistics.median(s[0] for s in samples) * 1000
    results["rollup"] = {"median_ms": round(median, 1), "queries": samples[0][1]}
    print(f"  roll-up over {UNITS} units: median {median:.1f} ms, {samples[0][1]} queries")
    return results


EXPORT_CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[2])
from bench.bench_ledger import PASSWORD, make_app
app = make_app(sys.argv[1])
client = app.test_client()
assert client.post("/login", data={"username": "leader", "password": PASSWORD}).status_code == 302
start = time.perf_counter()
response = client.get("/ledger/export.xlsx", buffered=False)
size = 0
for chunk in response.response:
    size += len(chunk)
elapsed = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": elapsed, "bytes": size, "cpu_seconds": usage.ru_utime + usage.ru_stime,
                  "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def bench_export(url: str) -> dict:
    out = subprocess.run([sys.executable, "-c", EXPORT_CHILD, url, str(ROOT)], capture_output=True, text=True,
                         cwd=ROOT, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"  export of all {ITEMS} rows: {result['seconds']:.1f} s wall ({result['cpu_seconds']:.1f} s CPU for the "
          f"whole child process), {result['bytes'] / 2**20:.1f} MB file, "
          f"peak RSS of the whole process {result['maxrss_mb']:.0f} MB")
    return result


def bench_import(app) -> dict:
    from openpyxl import Workbook

    from tracker.extensions import db
    from tracker.ledger.excel import HEADERS
    from tracker.models import LedgerItem

    rng = random.Random(7)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("整改台账")
    sheet.append(HEADERS)
    for n in range(1, IMPORT_ROWS + 1):
        unit = rng.randrange(2 + GENERALS, UNITS + 1)
        row = {"序号": n, "问题来源": "巡察督查", "检查批次/轮次": "2027年巡察", "问题类别": "组织建设",
               "责任单位(被检查单位)": f"第{unit}党支部", "问题描述": f"导入问题{n}：组织生活会查摆问题不深不透",
               "整改时限": date(2027, 3, 31), "责任人": f"sec{unit}", "整改状态": "待整改"}
        sheet.append([row.get(h) for h in HEADERS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    client = app.test_client()
    assert client.post("/login", data={"username": "leader", "password": PASSWORD}).status_code == 302
    start = time.perf_counter()
    preview = client.post("/ledger/import", data={"file": (io.BytesIO(data), "导入.xlsx")},
                          content_type="multipart/form-data")
    preview_s = time.perf_counter() - start
    page = preview.get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([0-9a-f]+)"', page)
    assert preview.status_code == 200 and token, page[:2000]
    confirm_start = time.perf_counter()
    confirmed = client.post("/ledger/import/confirm", data={"token": token[1]})
    confirm_s = time.perf_counter() - confirm_start
    assert confirmed.status_code == 302
    with app.app_context():
        total = db.session.scalar(sa.select(sa.func.count(LedgerItem.id)))
    assert total == ITEMS + IMPORT_ROWS, total
    print(f"  import of {IMPORT_ROWS} rows: preview {preview_s:.1f} s + confirm {confirm_s:.1f} s "
          f"= {preview_s + confirm_s:.1f} s")
    return {"preview_s": preview_s, "confirm_s": confirm_s}


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL")
    tmp = None
    if not url:
        tmp = tempfile.mkdtemp(prefix="ledger-bench-db-")
        url = f"sqlite:///{tmp}/bench.db"
    app = make_app(url)
    start = time.perf_counter()
    build(app, url)
    print(f"ledger benchmark on {url.split(':')[0]}: {UNITS} units, {ITEMS} items "
          f"(generated in {time.perf_counter() - start:.1f} s)")
    bench_pages(app)
    bench_export(url)
    bench_import(app)
    with app.app_context():
        from tracker.extensions import db

        db.engine.dispose()


if __name__ == "__main__":
    main()
