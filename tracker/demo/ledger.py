"""Demo step: a rectification ledger across the six branches, in every state and from every source."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

from werkzeug.datastructures import FileStorage

from ..clock import local_today
from ..extensions import db
from ..ledger import operations as ops
from ..ledger.workflow import next_progress_due
from ..models import AttachmentKind, DeadlineKind, ItemSource, Severity, utcnow
from .content import content
from .org import DemoOrg

# A 1×1 PNG: enough for a photo of evidence in the demo.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4f10000000049454e44ae426082")

#: (problem, category, source, indicator, deduction, target, measures, severity)
PROBLEMS = [(p["problem"], p["category"], ItemSource(p["source"]), p.get("indicator"),
             Decimal(p["deduction"]) if "deduction" in p else None, p["target"], p["measures"], Severity(p["severity"]))
            for p in content()["problem"]]

# The state each demo item is brought to, in turn, with the deadline offset in days from today.
PLAN = [
    ("open", 25), ("in_progress", 12), ("submitted", 8), ("closed", -20), ("returned", 5), ("overdue", -4),
    ("reopened", 15), ("void", 30), ("overdue_long", -18), ("in_progress", 2), ("closed", -40), ("overdue_mid", -9),
]
BATCHES = ["2026年第三季度互查互评", "2026年机关党委巡察", "2026年上半年自查"]
#: The demo item that is 立行立改 (its PLAN entry is overdue by 4 days).
IMMEDIATE_N = 5


def _file(data: bytes, name: str) -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name)


def seed(ctx: DemoOrg) -> None:
    """Create about two dozen items: two per branch, through every state, some overdue or extended."""
    today = local_today()
    leader = ctx.leader
    n = 0
    for b, branch in enumerate(ctx.branches):
        secretary = ctx.secretaries[b]
        members = ctx.members[2 * b:2 * b + 2]
        neighbour_secretary = ctx.secretaries[(b + 1) % len(ctx.branches)]
        for k in range(2):
            problem, category, source, indicator, deduction, target, measures, severity = PROBLEMS[(2 * b + k) % 12]
            state, offset = PLAN[(2 * b + k) % len(PLAN)]
            owner = secretary if k == 0 else members[0]
            verifier = neighbour_secretary if source is ItemSource.review else None
            # One 立行立改 item, registered 11 days ago: its window of 7 days ran out 4 days ago (提醒).
            immediate = n == IMMEDIATE_N
            item = ops.create_item(
                leader, unit=branch, problem=problem, source=source, owner=owner, verifier=verifier,
                responsible_leader=leader, deadline=today + timedelta(days=offset),
                deadline_kind=DeadlineKind.immediate if immediate else DeadlineKind.date,
                batch=BATCHES[n % 3] if source in (ItemSource.review, ItemSource.inspection, ItemSource.self_check)
                else None,
                category=category, indicator=indicator, deduction=deduction, target=target, measures=measures,
                severity=severity, dedupe_key=f"demo:{b}:{k}")
            item.created_at = utcnow() - timedelta(days=11 if immediate else 45 - 2 * n)
            _bring_to(item, state, owner, leader, n)
            n += 1
    # One ongoing item (长期坚持) at the top unit's first general branch, registered 40 days ago with no
    # progress since: its monthly report is about ten days overdue (告诫).
    ongoing = ops.create_item(leader, unit=ctx.general_branches[0], problem="理论学习中心组学习制度执行不够经常",
                              source=ItemSource.inspection, owner=ctx.secretaries[0],
                              deadline_kind=DeadlineKind.ongoing, category="思想建设",
                              measures="每月开展一次集中学习，长期坚持", dedupe_key="demo:ongoing")
    ongoing.created_at = utcnow() - timedelta(days=40)
    ongoing.deadline = next_progress_due(today - timedelta(days=40))
    db.session.flush()


def advance_review_items(ctx: DemoOrg) -> None:
    """Bring the first deductions of the published round along the loop: the reviewed branch
    rectifies and submits; the reviewing branch's secretary verifies (one closed, one returned,
    one still waiting for her)."""
    from sqlalchemy import select

    from ..models import ItemSource, ItemStatus, LedgerItem

    items = db.session.scalars(select(LedgerItem).where(
        LedgerItem.source == ItemSource.review, LedgerItem.origin_type == "review_round",
        LedgerItem.status == ItemStatus.open, LedgerItem.verifier_id.is_not(None)).order_by(LedgerItem.id)).all()
    for n, (item, state) in enumerate(zip(items, ("closed", "returned", "submitted", "submitted"))):
        _bring_to(item, state, item.owner, ctx.leader, n + 1)


def _bring_to(item, state: str, owner, leader, n: int) -> None:
    if state == "open":
        return
    if state.startswith("overdue"):
        ops.report_progress(owner, item, percent=30, text="已制定整改方案，正在推进")
        if state == "overdue_mid":
            request = ops.request_extension(owner, item, new_deadline=local_today() + timedelta(days=20),
                                            reason="涉及多名党员档案，需与上级组织部门核对")
            ops.decide_extension(leader, request, approve=False, note="时限内可完成，不同意延期，请抓紧落实")
        return
    ops.report_progress(owner, item, percent=40, text="已召开支委会研究整改措施，明确责任分工")
    if state == "in_progress":
        if n % 2:
            ops.request_extension(owner, item, new_deadline=item.deadline + timedelta(days=14),
                                  reason="需结合季度主题党日一并落实")
        return
    if state == "void":
        ops.void_item(leader, item, reason="与巡察反馈问题重复登记，合并处理")
        return
    ops.add_evidence(owner, item, _file(PNG, "整改后现场照片.png"), AttachmentKind.photo)
    ops.add_evidence(owner, item, _file("支部委员会会议记录\n时间：2026年11月\n议题：研究整改措施\n".encode(),
                                        "支委会会议记录.txt"), AttachmentKind.minutes)
    if n % 3 == 0 and item.deadline and item.deadline + timedelta(days=10) >= local_today():
        request = ops.request_extension(owner, item, new_deadline=item.deadline + timedelta(days=10),
                                        reason="整改材料需上级审核后归档")
        ops.decide_extension(leader, request, approve=True, note="同意延期10天")
    ops.submit_item(owner, item, note="已按整改措施逐项落实，相关材料已归档")
    if state == "submitted":
        return
    verifier = item.verifier or leader  # the secretary of the reviewing branch verifies what her branch found
    if state == "returned":
        ops.return_item(verifier, item, reason="佐证材料不充分，请补充整改前后对比材料")
        return
    ops.close_item(verifier, item, opinion="整改措施落实到位，佐证材料齐全，同意销号")
    item.lessons = "修订完善支部工作制度，举一反三开展全面自查"
    if state == "reopened":
        ops.reopen_item(leader, item, reason="回头看发现部分问题有反弹，需巩固整改成果")
