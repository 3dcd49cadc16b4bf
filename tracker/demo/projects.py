"""Demo step: templates and projects in every stage across the six branches."""

from __future__ import annotations

from datetime import timedelta

from ..clock import local_today
from ..extensions import db
from ..models import Project, TemplateSubscription
from ..projects import operations as ops
from ..projects.operations import TargetInput
from ..projects.operations_assignment import generate_recurring, instantiate
from ..projects.catalogue import ensure_categories, install_templates
from ..projects.workflow import ORDER, Stage
from .content import content
from .org import DemoOrg

#: (title, category, type, description, targets, plan items, run items) per branch.
OWN_PROJECTS = [(p["title"], p["category"], p["type"], p["description"],
                 [(t["indicator"], t["measure"], t["value"]) for t in p["targets"]], p["plan_items"], p["run_items"])
                for p in content()["project"]]

#: Where each branch's projects stand: (三会一课 quarterly, own project).
STAGES = [(Stage.run, Stage.plan), (Stage.check, Stage.run), (Stage.plan, Stage.check),
          (Stage.done, Stage.rectify), (Stage.run, Stage.done), (Stage.check, Stage.run)]
#: Days from today to the own project's due date (negative: overdue).
DUE_IN = [40, -5, 2, 25, -12, 60]


def _advance(project: Project, target: Stage, ctx: DemoOrg, owner) -> None:
    """Walk a project forward through the real gates (ticking what each gate needs) up to `target`."""
    from ..models import ChecklistItem, utcnow

    path = {Stage.run: [Stage.run], Stage.check: [Stage.run, Stage.check],
            Stage.done: [Stage.run, Stage.check, Stage.done], Stage.rectify: [Stage.run, Stage.check]}.get(target, [])
    for step in path:
        stage_done = ORDER[ORDER.index(step) - 1] if step != Stage.done else Stage.check
        for item in db.session.scalars(db.select(ChecklistItem).where(
                ChecklistItem.project_id == project.id, ChecklistItem.stage == stage_done,
                ChecklistItem.done_at.is_(None))):
            if item.is_required or step == Stage.done:
                item.done_by_id, item.done_at = owner.id, utcnow()
        if project.needs_approval and project.approved_at is None:
            ops.approve_project(ctx.leader, project)
        if step == Stage.done:
            ops.record_verdict(ctx.leader, project, "经实地检查、查阅资料，各项目标任务完成，资料齐全，同意验收。")
        ops.move_project(owner, project, step)
    if target is Stage.rectify:
        # The check found two problems: they go into the ledger, linked, and the gate lets the
        # project into 整改 because they are open.
        from ..ledger.operations import create_item
        from ..models.ledger import ItemSource

        for problem, measures in (
            ("党员先锋岗承诺事项公开不及时，部分承诺未在公示栏更新", "每月5日前更新承诺事项公示，支委会专人核对"),
            ("群众评议覆盖面不足，仅收回评议表12份", "扩大评议范围至服务对象，评议表不少于40份"),
        ):
            create_item(ctx.leader, unit=project.unit, problem=problem, measures=measures,
                        source=ItemSource.project_check, batch=f"{project.code} 检查", owner=owner,
                        verifier=ctx.leader, deadline=local_today() + timedelta(days=20),
                        origin_type="project", origin_id=project.id)
        ops.record_verdict(ctx.leader, project, "检查发现：承诺事项公开不及时，群众评议覆盖面不足，需限期整改。")
        ops.move_project(ctx.leader, project, Stage.rectify)


def seed(ctx: DemoOrg) -> list[Project]:
    today = local_today()
    templates = {t.name: t for t in install_templates()}
    categories = ensure_categories()
    sanhui = templates["三会一课季度计划"]
    for branch in ctx.branches:
        db.session.add(TemplateSubscription(template_id=sanhui.id, unit_id=branch.id, assigning_unit_id=ctx.root.id))
    db.session.flush()
    generated = {p.unit_id: p for p in generate_recurring(ctx.leader, f"{today.year}Q{(today.month - 1) // 3 + 1}")}
    generated = [generated[b.id] for b in ctx.branches]
    created = []
    for i, branch in enumerate(ctx.branches):
        owner = ctx.secretaries[i]
        members = ctx.members[2 * i: 2 * i + 2]
        quarterly = generated[i]
        _advance(quarterly, STAGES[i][0], ctx, owner)
        title, category, kind, description, targets, plan_items, run_items = OWN_PROJECTS[i]
        due = today + timedelta(days=DUE_IN[i])
        own = ops.create_project(
            owner, title=title, unit=branch, owner=owner, start_date=min(today - timedelta(days=60), due),
            due_date=due, description=description, category_id=categories[category].id, type=kind,
            assigning_unit=ctx.root, quarter=(today.month - 1) // 3 + 1, participants=members,
            targets=[TargetInput(a, b, c) for a, b, c in targets])
        for stage, texts in ((Stage.plan, plan_items), (Stage.run, run_items)):
            for n, text in enumerate(texts):
                ops.add_item(owner, own, stage=stage, text=text, assignee=members[n % 2],
                             due_date=today + timedelta(days=7 * (n + 1) - 10))
        ops.add_item(owner, own, stage=Stage.check, text="上级党组织检查验收", assignee=owner)
        _advance(own, STAGES[i][1], ctx, owner)
        created += [quarterly, own]
    for i in (0, 3):
        demo = instantiate(ctx.leader, templates["示范点创建"], ctx.branches[i], ctx.secretaries[i],
                               start_date=today - timedelta(days=30), assigning_unit=ctx.root,
                               title=f"{ctx.branches[i].name}党建示范点创建")
        _advance(demo, Stage.plan if i == 0 else Stage.run, ctx, ctx.secretaries[i])
        if i == 0:  # its 立项审批 refused with a reason: the secretary revises the plan and asks again
            ops.refuse_approval(ctx.leader, demo, "创建方案中阵地建设目标不够具体，请细化措施和时间节点后重新申请。")
        created.append(demo)
    return created


