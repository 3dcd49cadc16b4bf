"""One deterministic generator of realistic data for the benchmarks (and for trying the app at scale).

    .venv/bin/python bench/generate.py --scale small|city|province --database-url URL [--force] [--seed N]

It runs the Alembic migrations on an empty database (refusing a non-empty one unless --force, which
drops everything first), then bulk-loads with SQLAlchemy Core inserts in batches (executemany, which
SQLAlchemy 2 turns into multi-row INSERTs on both engines):

| scale    | branches | users  | projects | checklist items | ledger items | review rounds |
|----------|----------|--------|----------|-----------------|--------------|---------------|
| small    | 20       | 200    | 200      | 2,000           | 1,000        | 4 × k=3       |
| city     | 300      | 3,000  | 3,000    | 30,000          | 10,000       | 4 × k=3       |
| province | 3,000    | 30,000 | 30,000   | 300,000         | 100,000      | 4 × k=3       |

The tree: one 机关党委 (the top unit) → general branches (党总支, 10 or 30 branches each) → branches.
People: `leader` (leader at the top unit), a secretary per general branch (`zz0001`…), and per
branch a secretary (`sec0001`…, post 书记), a member (`mem0001`…) and further members (`m0001_3`…),
all with the password `demo12345` (hashed once: every user shares the hash).

Records follow what the operations would have written: codes `XM-<year>-<seq:04d>` and
`ZG-<year>-<seq:04d>` numbered per year, materialised paths `/1/5/`, versions 1, projects in every
stage with the checklists of earlier stages ticked, a target, a verdict by someone other than the
owner once done, an open project-check item for each project in 整改; ledger items in every state
with their notes, evidence rows, progress entries and extension requests, verifiers in other
branches (never the owner); four published peer rounds of the current year (k = 3, a 20-indicator
rubric) with submitted scoresheets, results, and a ledger item per deduction linked back to the round;
a `created` activity row for each project and ledger item. Dates are spread around today (the
Asia/Shanghai date), so due lights, overdue filters and countdowns all have rows.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, time as dtime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

PASSWORD = "demo12345"
BATCH = 5000


@dataclass(frozen=True)
class Scale:
    branches: int
    per_general: int  # branches per general branch
    users_per_branch: int  # secretary + member + further members
    projects_per_branch: int
    items_per_project: int
    ledger_items: int


SCALES = {
    "small": Scale(branches=20, per_general=10, users_per_branch=10, projects_per_branch=10, items_per_project=10,
                   ledger_items=1_000),
    "city": Scale(branches=300, per_general=10, users_per_branch=10, projects_per_branch=10, items_per_project=10,
                  ledger_items=10_000),
    "province": Scale(branches=3_000, per_general=30, users_per_branch=10, projects_per_branch=10,
                      items_per_project=10, ledger_items=100_000),
}

CATEGORIES = ["政治建设", "思想建设", "组织建设", "作风建设", "纪律建设", "制度建设", "三会一课", "主题党日",
              "党员教育", "示范点创建", "书记项目"]
PROJECT_TITLES = ["“三会一课”规范化建设", "主题党日活动提质增效", "党员先锋岗创建", "支部标准化规范化建设",
                  "“书记讲党课”常态化", "党员积分制管理", "红色教育基地共建", "青年理论学习小组",
                  "党建+业务深度融合", "志愿服务进社区", "廉政文化进支部", "示范党支部创建"]
PROBLEMS = ["三会一课记录不全，少开一次支委会", "党费收缴台账不规范，个别月份未按时收缴",
            "主题党日活动形式单一，缺少实效", "党员学习笔记内容简单，心得体会流于形式",
            "组织生活会查摆问题不够深入，批评与自我批评辣味不足", "发展党员材料缺少政审意见",
            "支部阵地建设资料未及时更新", "谈心谈话覆盖不全，记录缺失", "党建与业务工作结合不紧密",
            "制度上墙但执行不到位，督促检查不够"]
MEASURES = ["建立台账，专人负责，每月检查", "完善制度，明确时限，按季度通报", "开展专题学习，逐人谈话",
            "补齐材料，规范归档，举一反三"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰春梅海燕文辉晓东"
STAGES = ["plan", "run", "check", "rectify", "done"]
STAGE_WEIGHTS = [30, 30, 15, 5, 20]
STATUSES = ["open", "in_progress", "submitted", "returned", "closed", "reopened", "void"]
STATUS_WEIGHTS = [20, 30, 10, 5, 27, 3, 5]
SOURCES = ["inspection", "self_check", "org_life", "report", "other"]
INDICATORS = 20
K = 3
ROUNDS = 4


def utc(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, dtime(hour, 0), tzinfo=timezone.utc)


class Loader:
    """Batched Core inserts into one connection, counting rows per table."""

    def __init__(self, conn, tables):
        self.conn, self.tables, self.counts = conn, tables, {}

    def insert(self, name: str, rows: list[dict]) -> None:
        table = self.tables[name]
        for start in range(0, len(rows), BATCH):
            self.conn.execute(table.insert(), rows[start:start + BATCH])
        self.counts[name] = self.counts.get(name, 0) + len(rows)


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def generate(conn, scale_name: str, seed: int = 2026, today: date | None = None, log=print) -> dict:
    """Insert the whole data set through `conn` (an empty, migrated database); returns the counts."""
    from tracker.auth.passwords import hash_password
    from tracker.clock import local_today
    from tracker.extensions import db

    scale = SCALES[scale_name]
    rng = random.Random(seed)
    today = today or local_today()
    year = today.year
    now = utc(today)
    tables = db.metadata.tables
    load = Loader(conn, tables)
    started = time.perf_counter()

    def step(what: str) -> None:
        log(f"  {what}: {time.perf_counter() - started:.1f} s", flush=True)

    # --- Organisation ---------------------------------------------------------------------------------
    units = [{"id": 1, "name": "省直机关工委", "kind": "work_committee", "parent_id": None, "sort_order": 0,
              "is_active": True, "path": "/1/", "version": 1}]
    generals_n = -(-scale.branches // scale.per_general)
    generals = []
    for g in range(generals_n):
        uid = len(units) + 1
        generals.append(uid)
        units.append({"id": uid, "name": f"第{g + 1:03d}党总支", "kind": "general_branch", "parent_id": 1,
                      "sort_order": g, "is_active": True, "path": f"/1/{uid}/", "version": 1})
    branches = []
    for b in range(scale.branches):
        uid = len(units) + 1
        parent = generals[b // scale.per_general]
        branches.append(uid)
        units.append({"id": uid, "name": f"第{b + 1:04d}党支部", "kind": "branch", "parent_id": parent,
                      "sort_order": b % scale.per_general, "is_active": True,
                      "path": f"/1/{parent}/{uid}/", "version": 1})
    load.insert("org_unit", units)
    parent_of = {u["id"]: u["parent_id"] for u in units}

    # --- People: one hash for everyone ----------------------------------------------------------------
    password_hash = hash_password(PASSWORD)
    users, memberships = [], []

    def add_user(username: str, full_name: str, unit_id: int, role: str, post: str | None = None) -> int:
        uid = len(users) + 1
        users.append({"id": uid, "username": username, "full_name": full_name, "password_hash": password_hash,
                      "is_active": True, "locale": None, "phone": None, "created_at": now, "version": 1})
        memberships.append({"id": len(memberships) + 1, "user_id": uid, "unit_id": unit_id, "role": role,
                            "post": post, "created_at": now})
        return uid

    leader = add_user("leader", "工委考核组长", 1, "leader")
    for n, g in enumerate(generals, start=1):
        add_user(f"zz{n:04d}", person(rng), g, "secretary", "secretary")
    secretary_of, members_of = {}, {}
    for n, b in enumerate(branches, start=1):
        secretary_of[b] = add_user(f"sec{n:04d}", person(rng), b, "secretary", "secretary")
        members = [add_user(f"mem{n:04d}", person(rng), b, "member")]
        for j in range(3, scale.users_per_branch + 1):
            members.append(add_user(f"m{n:04d}_{j}", person(rng), b, "member"))
        members_of[b] = members
    load.insert("user_account", users)
    load.insert("membership", memberships)
    step(f"{len(units)} units, {len(users)} users")

    # --- Projects -------------------------------------------------------------------------------------
    # The migrations seed the category list; add whatever of ours is missing.
    category_ids = dict(conn.execute(sa.text("SELECT name, id FROM project_category")).all())
    missing = [name for name in CATEGORIES if name not in category_ids]
    if missing:
        first = max(category_ids.values(), default=0) + 1
        load.insert("project_category", [{"id": first + i, "name": name, "sort_order": first + i, "is_active": True,
                                          "version": 1} for i, name in enumerate(missing)])
        category_ids.update({name: first + i for i, name in enumerate(missing)})
    category_choices = sorted(category_ids[name] for name in CATEGORIES)
    projects, targets, checklist, participants, activities = [], [], [], [], []
    seq_by_year: dict[int, int] = {}
    rectifying = []  # (project id, unit id, owner id, registered date)
    pid = cid = 0
    per_stage_items = {"plan": 4, "run": 3, "check": 3}
    for b in branches:
        people = [secretary_of[b], *members_of[b]]
        for _ in range(scale.projects_per_branch):
            pid += 1
            p_year = year if rng.random() < 0.8 else year - 1
            seq = seq_by_year[p_year] = seq_by_year.get(p_year, 0) + 1
            start = date(p_year, 1, 1) + timedelta(days=rng.randint(0, 300))
            if start > today:
                start = today - timedelta(days=rng.randint(0, 60))
            due = start + timedelta(days=rng.randint(30, 240))
            stage = rng.choices(STAGES, STAGE_WEIGHTS)[0]
            owner = rng.choice(people[:3])
            verdict_by = secretary_of[b] if owner != secretary_of[b] else leader
            done_stage = stage == "done"
            projects.append({
                "id": pid, "code": f"XM-{p_year}-{seq:04d}", "year": p_year, "seq": seq,
                "title": f"{rng.choice(PROJECT_TITLES)}（{units[b - 1]['name']}）", "description": "按季度推进，闭环管理。",
                "category_id": rng.choice(category_choices), "type": rng.choice(["innovation", "demonstration",
                                                                                   "promotion"]),
                "unit_id": b, "assigning_unit_id": 1, "owner_id": owner, "quarter": (start.month - 1) // 3 + 1,
                "start_date": start, "due_date": due, "needs_approval": False, "approved_by_id": None,
                "approved_at": None, "approval_refusal": None, "approval_refused_by_id": None,
                "approval_refused_at": None, "stage": stage, "cycle": 2 if stage == "done" and rng.random() < 0.1 else 1,
                "verdict": "目标任务全部完成，资料齐全，同意验收。" if done_stage else None,
                "verdict_by_id": verdict_by if done_stage else None, "verdict_at": utc(due) if done_stage else None,
                "template_id": None, "created_by_id": leader, "created_at": utc(start), "updated_at": utc(start),
                "version": 1,
            })
            targets.append({"id": pid, "project_id": pid, "indicator": "开展专题活动", "measure": "次",
                            "target_value": Decimal(4), "actual_value": Decimal(rng.randint(0, 4)), "position": 0})
            other = rng.choice([m for m in people if m != owner])
            participants.append({"project_id": pid, "user_id": other})
            position_stage = STAGES.index(stage)
            for st, n_items in per_stage_items.items():
                for pos in range(n_items):
                    cid += 1
                    finished = STAGES.index(st) < position_stage or (STAGES.index(st) == position_stage
                                                                     and rng.random() < 0.4)
                    assignee = rng.choice(people)
                    checklist.append({
                        "id": cid, "project_id": pid, "stage": st, "text": f"{st}阶段任务{pos + 1}：{rng.choice(MEASURES)}",
                        "is_required": pos < n_items - 1, "assignee_id": assignee,
                        "due_date": start + timedelta(days=10 * (STAGES.index(st) + 1) + pos),
                        "position": pos, "done_by_id": assignee if finished else None,
                        "done_at": utc(start + timedelta(days=5 * (STAGES.index(st) + 1))) if finished else None,
                        "evidence_id": None, "version": 1,
                    })
            activities.append({"created_at": utc(start), "actor_id": leader, "subject_type": "project",
                               "subject_id": pid, "unit_id": b, "verb": "created",
                               "after": {"code": projects[-1]["code"], "title": projects[-1]["title"]},
                               "before": None, "note": None})
            if stage == "rectify":
                rectifying.append((pid, b, owner, start + timedelta(days=40)))
    load.insert("project", projects)
    load.insert("project_target", targets)
    load.insert("project_participant", participants)
    load.insert("checklist_item", checklist)
    step(f"{len(projects)} projects, {len(checklist)} checklist items")
    del projects, checklist, targets, participants

    # --- Rubric and four published peer rounds --------------------------------------------------------
    load.insert("review_rubric", [{
        "id": 1, "unit_id": 1, "name": "党支部季度互查互评考核细则", "family_id": 1, "edition": 1,
        "bonus_cap": Decimal(0), "grade_excellent": Decimal(90), "grade_good": Decimal(80),
        "grade_fair": Decimal(60), "frozen_at": utc(date(year, 3, 31)), "is_current": True,
        "created_at": utc(date(year, 1, 2)), "version": 1}])
    rubric_items, indicators, category_title = [], [], {}
    for c, cat in enumerate(["政治建设", "组织建设", "制度落实", "作用发挥"]):
        cat_id = len(rubric_items) + 1
        rubric_items.append({"id": cat_id, "rubric_id": 1, "parent_id": None, "position": c, "title": cat,
                             "points": Decimal(25), "rule": None, "method": None, "kind": "normal"})
        for i in range(INDICATORS // 4):
            item_id = len(rubric_items) + 1
            rubric_items.append({"id": item_id, "rubric_id": 1, "parent_id": cat_id, "position": i,
                                 "title": f"{cat}考核内容{i + 1}", "points": Decimal(5),
                                 "rule": "少一次扣0.5分", "method": rng.choice(["documents", "site", "visit",
                                                                                "spot_check"]),
                                 "kind": "normal"})
            indicators.append(item_id)
            category_title[item_id] = cat
    load.insert("review_rubric_item", rubric_items)

    rounds, round_units, pairs, sheets, scores, results, links = [], [], [], [], [], [], []
    review_items = []  # ledger items of deductions: dicts completed below
    sheet_id = pair_id = score_id = 0
    n = len(branches)
    k = min(K, n - 1)
    for q in range(1, ROUNDS + 1):
        rid = q
        quarter_end = date(year, 3 * q, 1) + timedelta(days=31)
        quarter_end = quarter_end.replace(day=1) - timedelta(days=1)
        published = min(quarter_end + timedelta(days=15), today)
        name = f"{year}年第{'一二三四'[q - 1]}季度党支部互查互评"
        rounds.append({"id": rid, "name": name, "year": year, "quarter": q, "rubric_id": 1, "unit_id": 1,
                       "mode": "peer", "k": k, "seed": seed + q, "has_self_assessment": False,
                       "self_assessment_due": None, "review_due": quarter_end, "appeal_due": quarter_end + timedelta(days=7),
                       "rectification_due": quarter_end + timedelta(days=60), "state": "published",
                       "published_at": utc(published), "created_by_id": leader,
                       "created_at": utc(quarter_end - timedelta(days=30)), "version": 1})
        base = len(round_units)
        round_units.extend([{"id": base + i + 1, "round_id": rid, "unit_id": b, "is_excluded": False}
                            for i, b in enumerate(branches)])
        order = branches[:]
        random.Random(seed * 10 + q).shuffle(order)
        offsets = [1 + q % 2 + d * (1 + q % 3) for d in range(k)] if n > 3 * k + 4 else list(range(1, k + 1))
        weak = {b: rng.sample(indicators, 2) for b in branches}
        sheet_scores: dict[int, dict[int, list[Decimal]]] = {b: {i: [] for i in indicators} for b in branches}
        notes: dict[tuple[int, int], list[int]] = {}
        for i, reviewer in enumerate(order):
            for off in offsets:
                reviewee = order[(i + off) % n]
                pair_id += 1
                sheet_id += 1
                pairs.append({"id": pair_id, "round_id": rid, "reviewer_id": reviewer, "reviewee_id": reviewee,
                              "is_overridden": False, "override_reason": None})
                sheets.append({"id": sheet_id, "round_id": rid, "pair_id": pair_id, "reviewer_unit_id": reviewer,
                               "reviewee_unit_id": reviewee, "team": "检查组：" + person(rng) + "、" + person(rng),
                               "highlights": "支部品牌建设有特色" if sheet_id % 40 == 0 else None,
                               "observations": None, "submitted_at": utc(quarter_end),
                               "submitted_by_id": secretary_of[reviewer], "excluded_reason": None,
                               "excluded_by_id": None, "version": 1})
                for item in indicators:
                    deduct = rng.random() < (0.8 if item in weak[reviewee] else 0.02)
                    points = Decimal(rng.choice(["3", "3.5", "4", "4.5"])) if deduct else Decimal(5)
                    score_id += 1
                    scores.append({"id": score_id, "sheet_id": sheet_id, "item_id": item, "points": points,
                                   "note": rng.choice(PROBLEMS) if deduct else None, "is_veto": False})
                    sheet_scores[reviewee][item].append(points)
                    if deduct:
                        notes.setdefault((reviewee, item), []).append(reviewer)
        # Results: per indicator the mean without the highest and lowest (k = 3), ranked by total.
        totals = {}
        for b in branches:
            breakdown = {}
            for item in indicators:
                values = sorted(sheet_scores[b][item])
                if len(values) >= 3:
                    values = values[1:-1]
                breakdown[item] = (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.01"))
            totals[b] = (sum(breakdown.values(), Decimal(0)), breakdown)
        ranked = sorted(branches, key=lambda b: (-totals[b][0], b))
        rank, previous = 0, None
        for place, b in enumerate(ranked, start=1):
            total, breakdown = totals[b]
            if total != previous:
                rank, previous = place, total
            grade = "excellent" if total >= 90 else "good" if total >= 80 else "fair" if total >= 60 else "poor"
            stored = {str(i): str(v) for i, v in breakdown.items()}
            stored["deducted"] = [i for i, v in breakdown.items() if v < 5]
            results.append({"id": len(results) + 1, "round_id": rid, "unit_id": b, "total": total, "grade": grade,
                            "rank": rank, "bonus": Decimal(0), "is_vetoed": False, "breakdown": stored})
            for item in stored["deducted"]:
                reviewers = notes.get((b, item), [])
                verifier = secretary_of[reviewers[0]] if reviewers else leader
                review_items.append({"round": rid, "round_name": name, "unit": b, "item": item,
                                     "deduction": Decimal(5) - breakdown[item], "verifier": verifier,
                                     "registered": published, "due": quarter_end + timedelta(days=60)})
        del sheet_scores
    load.insert("review_round", rounds)
    load.insert("review_round_unit", round_units)
    load.insert("review_pair", pairs)
    load.insert("review_scoresheet", sheets)
    load.insert("review_score", scores)
    load.insert("review_result", results)
    step(f"{len(rounds)} rounds, {len(sheets)} scoresheets, {len(scores)} scores")
    del pairs, sheets, scores, results

    # --- The ledger ------------------------------------------------------------------------------------
    specs = []  # (source, unit, registered, extra) in the order of registration
    for r in review_items:
        specs.append(("review", r["unit"], r["registered"], r))
    for project_id, unit, _owner, registered in rectifying:
        specs.append(("project_check", unit, min(registered, today), {"project": project_id}))
    remaining = max(scale.ledger_items - len(specs), 0)
    if len(specs) > scale.ledger_items:
        specs = specs[:scale.ledger_items]
    for _ in range(remaining):
        specs.append((rng.choice(SOURCES), rng.choice(branches), today - timedelta(days=rng.randint(0, 400)), {}))
    specs.sort(key=lambda s: s[2])
    items, progress, extensions, attachments = [], [], [], []
    ledger_seq: dict[int, int] = {}
    for lid, (source, unit, registered, extra) in enumerate(specs, start=1):
        if source == "project_check":
            status = "open"
        else:
            status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
        owner = secretary_of[unit] if source == "review" or rng.random() < 0.5 else rng.choice(members_of[unit])
        if source == "review":
            verifier = extra["verifier"]
        elif rng.random() < 0.7:  # a secretary of another branch verifies (peer 验收)
            other = rng.choice(branches)
            verifier = secretary_of[other] if other != unit else leader
        else:
            verifier = leader
        if verifier == owner:
            verifier = leader
        kind = "date" if source == "review" else rng.choices(["date", "immediate", "ongoing"], [80, 10, 10])[0]
        if source == "review":
            deadline = extra["due"]
        elif kind == "immediate":
            deadline = registered + timedelta(days=7)
        elif kind == "ongoing":
            deadline = registered + timedelta(days=30)
        else:
            deadline = registered + timedelta(days=rng.choice([15, 30, 30, 60, 90, 180]))
        l_year = registered.year
        seq = ledger_seq[l_year] = ledger_seq.get(l_year, 0) + 1
        code = f"ZG-{l_year}-{seq:04d}"
        created = utc(registered)
        finished = status in ("submitted", "closed", "reopened")
        completed = min(registered + timedelta(days=rng.randint(3, 60)), today)
        closed_on = min(completed + timedelta(days=rng.randint(1, 10)), today)
        progress_pct = 100 if finished else (rng.choice([10, 30, 50, 70, 90]) if status in ("in_progress",
                                                                                           "returned") else 0)
        row = {
            "id": lid, "code": code, "year": l_year, "seq": seq, "source": source, "batch": None, "category": None,
            "unit_id": unit, "problem": rng.choice(PROBLEMS), "indicator": None, "deduction": None,
            "target": "问题整改到位，建立长效机制", "measures": rng.choice(MEASURES),
            "responsible_leader_id": secretary_of[unit] if owner != secretary_of[unit] else None,
            "owner_id": owner, "verifier_id": verifier, "deadline_kind": kind, "deadline": deadline,
            "severity": rng.choices(["normal", "major", "severe"], [80, 15, 5])[0], "status": status,
            "progress": progress_pct,
            "completion_note": "已按整改措施完成，佐证材料已上传。" if finished else None,
            "verification_opinion": "整改到位，同意销号。" if status in ("closed", "reopened") else None,
            # 回头看 (reopen) clears both times, as the operation does; the opinion stays.
            "completed_at": utc(completed, 10) if status in ("submitted", "closed") else None,
            "closed_at": utc(closed_on, 11) if status == "closed" else None,
            "lessons": "举一反三，修订支部工作制度" if status == "closed" and rng.random() < 0.3 else None,
            "remark": "回头看发现问题反弹" if status == "reopened" else None,
            "origin_type": None, "origin_id": None, "dedupe_key": None, "created_by_id": leader,
            "created_at": created, "updated_at": created, "version": 1,
        }
        if source == "review":
            row.update(batch=extra["round_name"], category=category_title[extra["item"]],
                       indicator=rubric_items[extra["item"] - 1]["title"], deduction=extra["deduction"],
                       target="少一次扣0.5分", origin_type="review_round", origin_id=extra["round"],
                       dedupe_key=f"review:{extra['round']}:{unit}:{extra['item']}")
            links.append({"id": len(links) + 1, "round_id": extra["round"], "unit_id": unit, "item_id": extra["item"],
                          "ledger_item_id": lid, "deduction": extra["deduction"], "problem": row["problem"],
                          "withdrawn_at": None, "created_at": created})
        elif source == "project_check":
            row.update(origin_type="project", origin_id=extra["project"], batch="项目检查")
        else:
            row["batch"] = f"{registered.year}年第{(registered.month - 1) // 3 + 1}季度{['巡察', '自查', '组织生活会', '述职评议', '专项检查'][SOURCES.index(source)]}"
            row["category"] = rng.choice(CATEGORIES[:6])
        items.append(row)
        activities.append({"created_at": created, "actor_id": leader, "subject_type": "ledger_item", "subject_id": lid,
                           "unit_id": unit, "verb": "created", "after": {"code": code, "status": "open"},
                           "before": None, "note": None})
        if status == "void":  # a leader voids with a reason, recorded in the timeline
            activities.append({"created_at": utc(min(registered + timedelta(days=5), today)), "actor_id": leader,
                               "subject_type": "ledger_item", "subject_id": lid, "unit_id": unit, "verb": "voided",
                               "before": {"status": "open"}, "after": {"status": "void"},
                               "note": "重复登记，与其他问题合并整改"})
        if status in ("in_progress", "returned", "submitted", "closed", "reopened") or kind == "ongoing":
            for e in range(rng.randint(1, 2)):
                on = min(registered + timedelta(days=7 * (e + 1)), today)
                progress.append({"item_id": lid, "on_date": on, "percent": min(progress_pct, 30 * (e + 1)) or 10,
                                 "text": "已召开支委会研究整改措施，正在逐项落实。", "author_id": owner,
                                 "created_at": utc(on)})
        if finished:
            attachments.append({"owner_type": "ledger_item", "owner_id": lid, "unit_id": unit,
                                "kind": "minutes", "original_name": "整改会议记录.pdf",
                                "stored_name": f"bench{lid:08d}.pdf", "mime_type": "application/pdf",
                                "size_bytes": 20480, "uploaded_by_id": owner, "uploaded_at": utc(completed)})
        if status == "in_progress" and rng.random() < 0.05:
            extensions.append({"item_id": lid, "old_deadline": deadline, "new_deadline": deadline + timedelta(days=30),
                               "reason": "涉及制度修订，需党员大会讨论通过", "status": "pending",
                               "requested_by_id": owner, "requested_at": utc(min(deadline, today)),
                               "decided_by_id": None, "decided_at": None, "decision_note": None})
    load.insert("ledger_item", items)
    load.insert("ledger_progress", progress)
    load.insert("ledger_extension", extensions)
    load.insert("attachment", attachments)
    load.insert("review_ledger_link", links)
    activities.sort(key=lambda a: a["created_at"])
    load.insert("activity", activities)
    step(f"{len(items)} ledger items, {len(activities)} activity rows")
    _reset_sequences(conn)
    return load.counts


def _reset_sequences(conn) -> None:
    """PostgreSQL: move each id sequence past the ids given explicitly (SQLite needs nothing)."""
    if conn.dialect.name != "postgresql":
        return
    from tracker.extensions import db

    for table in db.metadata.sorted_tables:
        if "id" in table.c and table.c.id.primary_key:
            conn.execute(sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"))


def make_app(url: str):
    from tracker import create_app
    from tracker.config import database_url

    return create_app({"SQLALCHEMY_DATABASE_URI": database_url(url), "WTF_CSRF_ENABLED": False,
                       "RATELIMIT_ENABLED": False,
                       "SECRET_KEY": "bench-only-secret-key-0123456789abcdef"})


def is_empty(engine) -> bool:
    names = set(sa.inspect(engine).get_table_names())
    if not names:
        return True
    if names <= {"alembic_version"}:
        return True
    with engine.connect() as conn:
        return not conn.execute(sa.text("SELECT 1 FROM user_account LIMIT 1")).first() if "user_account" in names \
            else False


def wipe(engine) -> None:
    """Drop every table (and the Alembic stamp) so the migrations start from nothing."""
    meta = sa.MetaData()
    meta.reflect(bind=engine)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            for table in meta.tables:
                conn.execute(sa.text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))
        else:
            meta.drop_all(bind=conn)


def build(url: str, scale: str, *, force: bool = False, seed: int = 2026, today: date | None = None,
          log=print) -> dict:
    """Migrate an empty database at `url` and fill it; returns the row counts per table."""
    from flask_migrate import upgrade

    from tracker.extensions import db

    app = make_app(url)
    with app.app_context():
        engine = db.engine
        if not is_empty(engine):
            if not force:
                raise SystemExit(f"{url}: the database is not empty (use --force to wipe it first)")
            wipe(engine)
        elif sa.inspect(engine).get_table_names():
            wipe(engine)
        started = time.perf_counter()
        upgrade()
        log(f"  migrations: {time.perf_counter() - started:.1f} s", flush=True)
        with engine.begin() as conn:
            counts = generate(conn, scale, seed=seed, today=today, log=log)
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
        else:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("ANALYZE")
        log(f"  total: {time.perf_counter() - started:.1f} s", flush=True)
        engine.dispose()
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--force", action="store_true", help="wipe a non-empty database first")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    print(f"generating {args.scale} into {args.database_url}", flush=True)
    counts = build(args.database_url, args.scale, force=args.force, seed=args.seed)
    for table, count in sorted(counts.items()):
        print(f"  {table}: {count:,}")
    print(f"logins (password {PASSWORD}): leader (top unit), zz0001 (general branch secretary), "
          f"sec0001 (secretary of 第0001党支部), mem0001 (member of 第0001党支部)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
