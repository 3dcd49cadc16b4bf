"""Benchmark: publishing a review round of 3,000 branches × k=3 and serving its results page.

Builds (outside the timings) a 机关党委 with 30 党总支 and 3,000 党支部, a secretary per branch, a
20-indicator rubric, a peer round with its assignment and 9,000 submitted scoresheets
(180,000 scores). Then times:

- publishing: aggregation, the stored ranking and one ledger item per deduction (≤ 30 s);
- publishing again: idempotent, no new ledger item;
- GET /reviews/<id>/results for the round's leader, median of several requests (≤ 300 ms).

    /work/main/.venv/bin/python bench/bench_reviews.py
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from tracker import create_app  # noqa: E402
from tracker.config import database_url  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.models import (  # noqa: E402
    LedgerItem, Membership, OrgUnit, Post, ReviewRound, Role, RoundResult, Rubric, RubricItem, Score, Scoresheet, UnitKind,
    User,
)

BRANCHES = 3000
GENERALS = 30
K = 3
INDICATORS = 20
PAGE_RUNS = 7
SECONDS_PUBLISH = 30
MS_PAGE = 300


def build(rng: random.Random) -> tuple[int, int]:
    """The organisation, people, rubric, round, assignment and submitted sheets; (round id, leader id)."""
    from tracker.auth.passwords import hash_password
    from tracker.reviews import operations as ops
    from tracker.reviews.workflow import RoundState

    root = OrgUnit(name="压测机关党委", kind=UnitKind.organ_committee, path="")
    db.session.add(root)
    db.session.flush()
    root.path = f"/{root.id}/"
    generals = []
    for g in range(GENERALS):
        unit = OrgUnit(name=f"第{g + 1}党总支", kind=UnitKind.general_branch, parent_id=root.id, path="", sort_order=g)
        db.session.add(unit)
        generals.append(unit)
    db.session.flush()
    for unit in generals:
        unit.path = f"{root.path}{unit.id}/"
    db.session.flush()
    first = db.session.scalar(sa.select(sa.func.max(OrgUnit.id))) + 1
    db.session.execute(sa.insert(OrgUnit), [
        {"id": first + b, "name": f"第{b + 1}党支部", "kind": UnitKind.branch, "parent_id": generals[b % GENERALS].id,
         "path": f"{generals[b % GENERALS].path}{first + b}/", "sort_order": b, "is_active": True, "version": 1}
        for b in range(BRANCHES)])
    password = hash_password("bench-pass-1")
    leader = User(username="bench_leader", full_name="考核组", password_hash=password)
    db.session.add(leader)
    db.session.flush()
    db.session.add(Membership(user_id=leader.id, unit_id=root.id, role=Role.leader))
    first_user = leader.id + 1
    db.session.execute(sa.insert(User), [
        {"id": first_user + b, "username": f"bench_sec{b}", "full_name": f"书记{b}", "password_hash": password,
         "is_active_flag": True, "version": 1} for b in range(BRANCHES)])
    db.session.execute(sa.insert(Membership), [
        {"user_id": first_user + b, "unit_id": first + b, "role": Role.secretary, "post": Post.secretary}
        for b in range(BRANCHES)])

    rubric = Rubric(unit_id=root.id, name="压测考评细则", edition=1, bonus_cap=Decimal(0))
    db.session.add(rubric)
    db.session.flush()
    rubric.family_id = rubric.id
    for c in range(4):
        category = RubricItem(rubric_id=rubric.id, title=f"一级指标{c + 1}", points=Decimal(25), position=c)
        db.session.add(category)
        db.session.flush()
        for i in range(INDICATORS // 4):
            db.session.add(RubricItem(rubric_id=rubric.id, parent_id=category.id, title=f"考核内容{c + 1}.{i + 1}",
                                      points=Decimal(5), rule="少一次扣0.5分", position=i))
    db.session.flush()
    db.session.expire_all()
    leader = db.session.get(User, leader.id)
    round_ = ops.create_round(leader, name="压测季度互查互评", year=2026, quarter=4, rubric=db.session.get(Rubric, rubric.id),
                              unit=db.session.get(OrgUnit, root.id), k=K, seed=2026,
                              rectification_due=date(2027, 3, 31))
    started = time.perf_counter()
    ops.generate_assignment(leader, round_)
    print(f"assignment of {BRANCHES} units, k={K}: {time.perf_counter() - started:.2f} s (incl. inserting pairs and sheets)")
    ops.move_round(leader, round_, RoundState.reviewing)
    items = [i.id for i in round_.rubric.indicators]
    # Each branch has two weak indicators most of its reviewers mark down; a few marks elsewhere.
    weak = {b: rng.sample(items, 2) for b in range(first, first + BRANCHES)}
    sheets = db.session.execute(sa.select(Scoresheet.id, Scoresheet.reviewee_unit_id)
                                .where(Scoresheet.round_id == round_.id)).all()
    now = datetime.now(timezone.utc)
    rows = []
    for sheet_id, reviewee in sheets:
        for item in items:
            deduct = rng.random() < (0.8 if item in weak[reviewee] else 0.02)
            rows.append({"sheet_id": sheet_id, "item_id": item, "is_veto": False,
                         "points": Decimal(rng.choice(["3", "3.5", "4", "4.5"])) if deduct else Decimal(5),
                         "note": "三会一课记录不全，少开一次" if deduct else None})
    db.session.execute(sa.insert(Score), rows)
    db.session.execute(sa.update(Scoresheet).where(Scoresheet.round_id == round_.id)
                       .values(submitted_at=now, highlights=sa.case((Scoresheet.id % 40 == 0, "支部品牌建设有特色"),
                                                                     else_=None)))
    db.session.commit()
    return round_.id, leader.id


def main() -> int:
    # Its own database, never DATABASE_URL: the benchmark drops every table first.
    url = os.environ.get("BENCH_DATABASE_URL") or "sqlite:////tmp/bench_reviews.db"
    if url.startswith("sqlite:////"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url(url), "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False, "SECRET_KEY": "bench",
                      "ARGON2_PARAMS": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}})
    from tracker.reviews import operations as ops
    from tracker.reviews.workflow import RoundState

    with app.app_context():
        db.drop_all()
        db.create_all()
        started = time.perf_counter()
        round_id, leader_id = build(random.Random(7))
        print(f"setup: {time.perf_counter() - started:.1f} s")

        def publish() -> float:
            db.session.expire_all()
            round_ = db.session.get(ReviewRound, round_id)
            leader = db.session.get(User, leader_id)
            begun = time.perf_counter()
            ops.move_round(leader, round_, RoundState.published)
            db.session.commit()
            return time.perf_counter() - begun

        first = publish()
        count = db.session.scalar(sa.select(sa.func.count()).select_from(LedgerItem))
        results = db.session.scalar(sa.select(sa.func.count()).select_from(RoundResult))
        print(f"publish: {first:.2f} s — {results} results, {count} ledger items")
        again = publish()
        count_again = db.session.scalar(sa.select(sa.func.count()).select_from(LedgerItem))
        print(f"publish again: {again:.2f} s — {count_again} ledger items (idempotent: {count_again == count})")

    client = app.test_client()
    client.post("/login", data={"username": "bench_leader", "password": "bench-pass-1"})
    timings = []
    for _ in range(PAGE_RUNS):
        begun = time.perf_counter()
        response = client.get(f"/reviews/{round_id}/results")
        timings.append((time.perf_counter() - begun) * 1000)
        assert response.status_code == 200, response.status_code
    page_ms = statistics.median(timings)
    print(f"results page ({BRANCHES} units): median {page_ms:.0f} ms over {PAGE_RUNS} requests "
          f"({len(response.data) // 1024} KiB)")
    ok = first <= SECONDS_PUBLISH and count_again == count and page_ms <= MS_PAGE
    print("OK" if ok else "TOO SLOW OR NOT IDEMPOTENT")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
