"""Demo step: the 党支部标准化规范化建设考评 rubric, a published round and a round under way."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import sqlalchemy as sa

from ..extensions import db
from ..models import ItemKind, Method, OrgUnit, ReviewRound, Rubric, RubricItem, Scoresheet
from .content import content
from .org import DemoOrg

#: (一级指标, points, [(二级指标/考核内容, points, 评分标准, 考评方式)]): the categories, then 加分项, then 一票否决项.
CATEGORIES = [(c["category"], c["points"], [(i["text"], i["points"], i["rule"], Method(i["method"])) for i in c["indicators"]])
              for c in content()["rubric"]]
RUBRIC_NAME = "党支部标准化规范化建设考评"


def seed_rubric(root: OrgUnit) -> Rubric:
    """The 100-point rubric with its bonus (cap 5) and veto items."""
    rubric = Rubric(unit_id=root.id, name=RUBRIC_NAME, edition=1, bonus_cap=Decimal(5))
    db.session.add(rubric)
    db.session.flush()
    rubric.family_id = rubric.id
    for position, (title, points, indicators) in enumerate(CATEGORIES):
        kind = ItemKind.bonus if title == "加分项" else ItemKind.veto if title == "一票否决项" else ItemKind.normal
        category = RubricItem(rubric=rubric, title=title, points=Decimal(points), position=position)
        db.session.add(category)
        for i, (text, p, rule, method) in enumerate(indicators):
            db.session.add(RubricItem(rubric=rubric, parent=category, title=text, points=Decimal(p), rule=rule,
                                      method=method, kind=kind, position=i))
    db.session.flush()
    db.session.expire(rubric, ["items"])
    return rubric


def seed(ctx: DemoOrg) -> None:
    rubric = seed_rubric(ctx.root)
    seed_rounds(ctx, rubric)


DEDUCTIONS = [
    (3, "4.5", "支委会9月未召开，会议记录缺失一次"),
    (5, "4.5", "本季度党课仅开展1次，书记讲党课未列入计划"),
    (6, "3.5", "8月主题党日与业务会议合并开展，主题不够鲜明"),
    (8, "4", "抽查3名党员学习笔记，2人记录不全"),
    (9, "4", "2名党员记实档案缺少第三季度活动记录"),
    (14, "2", "党费收缴情况本季度未公示"),
    (16, "2", "网上党支部超过一个月未更新"),
    (17, "3", "《支部委员会议事规则》等主要制度未上墙"),
    (7, "3", "未按期召开年度组织生活会，民主评议党员未开展"),
    (11, "4", "发展党员材料缺少政审材料和培养考察记录各1份"),
    (18, "3", "书记抓党建述职未开展，上年问题整改不到位"),
    (19, "3", "党员先锋岗设立后未开展活动"),
    (20, "2", "“双报到”参与率不足70%"),
    (2, "4.5", "三季度支部党员大会未召开"),
    (0, "2", "支委会未按期换届"),
]
HIGHLIGHTS = [
    "推行“支部+项目”工作法，把党建任务分解到业务科室，做法值得学习",
    "主题党日结合“我为群众办实事”，组织党员到社区开展政策宣讲，群众反映好",
    "党员记实档案电子化管理，一人一档，查阅方便",
    "“三会一课”记录规范，会前有通知、会中有签到、会后有纪要",
    "建立“党员先锋岗”积分制度，季度评比公示，激励作用明显",
    "利用信息化平台开展“每日一学”，党员学习参与率高",
]


def _fill(sheet: Scoresheet, actor, ctx: DemoOrg, salt: int, submit: bool) -> None:
    from ..reviews import operations

    rubric = sheet.round.rubric
    indicators = rubric.indicators
    reviewee = next(i for i, b in enumerate(ctx.branches) if b.id == sheet.reviewee_unit_id)
    chosen = {DEDUCTIONS[(salt + 3 * k) % len(DEDUCTIONS)] for k in range(1 + 2 * reviewee)}
    # Later branches fare worse, so the demo circular shows every grade.
    factor = Decimal(1) + Decimal("0.5") * reviewee
    deducted = {}
    for index, points, note in chosen:
        full = indicators[index].points
        lost = ((full - Decimal(points)) * factor * 2).to_integral_value() / 2
        deducted[index] = (str(max(Decimal(0), full - lost)), note)
    for index, item in enumerate(indicators):
        if item.kind is ItemKind.veto:
            operations.save_score(actor, sheet, item, points=None, note=None, veto=False)
            continue
        if item.kind is ItemKind.bonus:
            points = "1" if (salt + index) % 4 == 0 else "0"
            operations.save_score(actor, sheet, item, points=points, note="获评机关“四强”党支部" if points != "0" else None)
            continue
        points, note = deducted.get(index, (str(item.points), None))
        operations.save_score(actor, sheet, item, points=points, note=note)
    reviewer = ctx.branches.index(next(b for b in ctx.branches if b.id == sheet.reviewer_unit_id))
    team = [ctx.secretaries[reviewer].full_name] + [m.full_name for m in ctx.members[reviewer * 2:reviewer * 2 + 2]]
    operations.save_sheet_text(actor, sheet, "team", "、".join(team))
    operations.save_sheet_text(actor, sheet, "highlights", HIGHLIGHTS[salt % len(HIGHLIGHTS)])
    operations.save_sheet_text(actor, sheet, "observations", "支部工作总体规范，台账资料较齐全，个别制度执行有差距。")
    if submit:
        operations.submit_sheet(actor, sheet)


def _sheets(round_: ReviewRound) -> list[Scoresheet]:
    return list(db.session.scalars(sa.select(Scoresheet).where(Scoresheet.round_id == round_.id,
                                                               Scoresheet.pair_id.is_not(None)).order_by(Scoresheet.id)))


def _correct_after_publication(ctx: DemoOrg, round_: ReviewRound) -> None:
    """After the circular, the appeal window reopens: a deduction only one reviewer made is shown
    to be wrong and restored to full points; publishing again voids its ledger item (通报更正)."""
    from ..models import Score
    from ..reviews import operations, queries
    from ..reviews.workflow import RoundState

    unit = ctx.branches[4]
    scores = db.session.scalars(
        sa.select(Score).join(Scoresheet).where(Scoresheet.round_id == round_.id, Scoresheet.reviewee_unit_id == unit.id,
                                                 Scoresheet.pair_id.is_not(None)).order_by(Score.id)).all()
    deducted = [s for s in scores if queries.is_deduction(s) and s.item.kind is ItemKind.normal]
    alone = next((s for s in deducted if sum(1 for o in deducted if o.item_id == s.item_id) == 1), None)
    if alone is None:
        return
    operations.move_round(ctx.leader, round_, RoundState.appeal)
    appeal = operations.file_appeal(ctx.secretaries[4], alone,
                                    "检查时该项材料在上级部门调阅，现已取回，会议记录和签到表齐全，请予复核。")
    operations.answer_appeal(ctx.leader, appeal, adjust=True, points=str(alone.item.points),
                             answer="经复核原始材料，该项工作已按要求完成，撤销扣分。")
    operations.move_round(ctx.leader, round_, RoundState.published)


def seed_rounds(ctx: DemoOrg, rubric: Rubric) -> None:
    """2026年第三季度 published (deductions in the ledger), 2026年第四季度 under way."""
    from ..models import Score
    from ..reviews import operations, queries
    from ..reviews.workflow import RoundState

    secretary_of = {b.id: ctx.secretaries[i] for i, b in enumerate(ctx.branches)}
    q3 = operations.create_round(
        ctx.leader, name="2026年第三季度党支部互查互评", year=2026, quarter=3, rubric=rubric, unit=ctx.root,
        k=2, review_due=date(2026, 9, 25), appeal_due=date(2026, 10, 10), rectification_due=date(2026, 11, 30),
        seed=20263)
    operations.generate_assignment(ctx.leader, q3)
    operations.move_round(ctx.leader, q3, RoundState.reviewing)
    veto = rubric.indicators[-1]  # 意识形态工作出现重大问题
    marked = next(s for s in _sheets(q3) if s.reviewee_unit_id == ctx.branches[3].id)
    for salt, sheet in enumerate(_sheets(q3)):
        _fill(sheet, secretary_of[sheet.reviewer_unit_id], ctx, salt, submit=False)
        if sheet.id == marked.id:  # one of the branch's two reviewers ticks a veto
            operations.save_score(secretary_of[sheet.reviewer_unit_id], sheet, veto, points=None,
                                  note="支部微信工作群有党员转发未经核实的网络信息", veto=True)
        operations.submit_sheet(secretary_of[sheet.reviewer_unit_id], sheet)
    # The other reviewer did not: the leader decides, with the reason, before anything is published.
    operations.decide_veto(ctx.leader, q3, ctx.branches[3], veto, apply=False,
                           reason="经核查为个别党员转发，支部已当即删除并开展批评教育，不构成意识形态重大问题，"
                                  "不予认定一票否决；列入支部组织生活会查摆。")
    operations.move_round(ctx.leader, q3, RoundState.appeal)
    contested = db.session.scalars(
        sa.select(Score).join(Scoresheet).where(Scoresheet.round_id == q3.id,
                                                 Scoresheet.reviewee_unit_id == ctx.branches[1].id,
                                                 Score.note.is_not(None), Score.points.is_not(None))
        .order_by(Score.id)).first()
    if contested is not None and queries.is_deduction(contested):
        appeal = operations.file_appeal(ctx.secretaries[1], contested,
                                        "该项工作已按要求开展，检查时相关记录尚未归档，现补充提交会议签到表和记录原件。")
        operations.answer_appeal(ctx.leader, appeal, adjust=True, points=str(contested.points + Decimal("0.5")),
                                 answer="经核实补充材料，工作已开展但记录归档不及时，扣分减少0.5分。")
    operations.move_round(ctx.leader, q3, RoundState.published)
    _correct_after_publication(ctx, q3)
    for sheet in db.session.scalars(sa.select(Scoresheet).where(Scoresheet.round_id == q3.id)):
        sheet.submitted_at = datetime(2026, 9, 24, 8, 0, tzinfo=timezone.utc)
    q3.published_at = datetime(2026, 10, 12, 2, 0, tzinfo=timezone.utc)

    q4 = operations.create_round(
        ctx.leader, name="2026年第四季度党支部互查互评", year=2026, quarter=4, rubric=rubric, unit=ctx.root,
        k=2, has_self_assessment=False, review_due=date(2026, 12, 20), appeal_due=date(2026, 12, 31),
        rectification_due=date(2027, 2, 28), seed=20264)
    operations.generate_assignment(ctx.leader, q4)
    operations.move_round(ctx.leader, q4, RoundState.reviewing)
    for salt, sheet in enumerate(_sheets(q4)[:5]):
        _fill(sheet, secretary_of[sheet.reviewer_unit_id], ctx, salt + 2, submit=salt < 3)
    db.session.flush()
