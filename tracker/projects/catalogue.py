"""The catalogue the tracker ships with: the category list and the project templates (real content, in
Chinese), and installing them where they are missing (the demo, test databases)."""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from ..models import ProjectCategory, ProjectTemplate, ProjectType, Recurrence, TemplateItem, TemplateTarget
from .workflow import Stage

#: The configurable category list starts with these (the migration seeds the same list).
DEFAULT_CATEGORIES = ["政治建设", "思想建设", "组织建设", "作风建设", "纪律建设", "制度建设", "三会一课", "主题党日",
                      "党员教育", "示范点创建", "书记项目"]

R, O = True, False  # required / optional checklist item

#: The project templates the tracker ships with: fields, default targets and checklist items per stage.
SHIPPED_TEMPLATES = [
    {
        "name": "三会一课季度计划",
        "category": "三会一课",
        "type": ProjectType.promotion,
        "recurrence": Recurrence.quarterly,
        "duration_days": 90,
        "description": "按照《中国共产党支部工作条例（试行）》要求，落实支部党员大会、支部委员会、党小组会和党课制度，"
                       "做到计划在前、记录规范、资料齐全。",
        "targets": [("支部党员大会", "次", 1), ("支部委员会会议", "次", 3), ("党小组会", "次", 3),
                    ("党课", "次", 1), ("党员参会率", "%", 90)],
        "items": {
            Stage.plan: [("制定本季度三会一课计划，明确时间、议题和主讲人", R),
                         ("支部委员会研究确定季度学习重点", R),
                         ("计划报上级党组织备案", O)],
            Stage.run: [("召开支部党员大会并形成会议记录", R),
                        ("每月召开支部委员会会议", R),
                        ("党小组每月开展学习讨论", R),
                        ("支部书记讲党课并留存课件", R),
                        ("在会议记录本如实记载出缺席及补学情况", O)],
            Stage.check: [("对照计划逐项核对落实情况", R),
                          ("查阅会议记录、签到表和影像资料", R),
                          ("统计党员参会率和补学情况", R)],
            Stage.rectify: [("对缺项漏项制定补课安排", R), ("完善会议记录规范", O)],
        },
    },
    {
        "name": "主题党日",
        "category": "主题党日",
        "type": ProjectType.promotion,
        "recurrence": Recurrence.monthly,
        "duration_days": 30,
        "description": "每月固定一天开展主题党日活动，围绕集中学习、交纳党费、志愿服务、重温入党誓词等内容，"
                       "增强党员身份意识。",
        "targets": [("开展主题党日活动", "次", 1), ("党员参加率", "%", 95), ("按时足额交纳党费", "%", 100)],
        "items": {
            Stage.plan: [("确定活动主题和方案，报支委会研究", R), ("提前三天通知全体党员", R)],
            Stage.run: [("组织集中学习", R), ("重温入党誓词", R), ("收缴当月党费并登记", R),
                        ("开展志愿服务或实践活动", O), ("拍摄活动照片、留存签到表", R)],
            Stage.check: [("整理活动记录和照片归档", R), ("听取党员意见建议", O)],
            Stage.rectify: [("对未参加党员组织补学", R)],
        },
    },
    {
        "name": "示范点创建",
        "category": "示范点创建",
        "type": ProjectType.demonstration,
        "recurrence": Recurrence.none,
        "duration_days": 180,
        "needs_approval": True,
        "description": "按照“组织设置规范、班子队伍过硬、制度机制健全、活动开展经常、作用发挥明显、阵地建设达标”"
                       "标准，创建党建工作示范点，形成可复制可推广的经验。",
        "targets": [("完善支部工作制度", "项", 5), ("打造党员活动阵地", "个", 1), ("形成经验材料", "篇", 1),
                    ("党员群众满意度", "%", 90)],
        "items": {
            Stage.plan: [("对照示范点创建标准开展自查，找准短板", R),
                         ("制定创建方案，明确目标、措施和责任分工", R),
                         ("创建方案报上级党组织立项审批", R)],
            Stage.run: [("规范支部组织设置和换届选举", R), ("修订完善支部工作制度并汇编成册", R),
                        ("建设党员活动室，做到有标识、有制度、有资料", R),
                        ("开展党员设岗定责、承诺践诺", R), ("每月报送创建进展", O)],
            Stage.check: [("上级党组织实地考核验收", R), ("查阅创建台账和佐证资料", R),
                          ("开展党员群众满意度测评", R)],
            Stage.rectify: [("针对验收发现的问题逐项整改", R), ("提炼总结经验做法", O)],
        },
    },
]


def ensure_categories() -> dict[str, ProjectCategory]:
    """The category list, created when missing (the migration seeds it; test databases may not)."""
    existing = {c.name: c for c in db.session.scalars(sa.select(ProjectCategory))}
    for i, name in enumerate(DEFAULT_CATEGORIES):
        if name not in existing:
            existing[name] = ProjectCategory(name=name, sort_order=i)
            db.session.add(existing[name])
    db.session.flush()
    return existing


def install_templates() -> list[ProjectTemplate]:
    """Create the shipped project templates that do not exist yet (by name); returns all of them."""
    categories = ensure_categories()
    result = []
    for data in SHIPPED_TEMPLATES:
        template = db.session.scalar(sa.select(ProjectTemplate).where(ProjectTemplate.name == data["name"]))
        if template is None:
            template = ProjectTemplate(
                name=data["name"], description=data["description"], category_id=categories[data["category"]].id,
                type=data["type"], recurrence=data["recurrence"], duration_days=data["duration_days"],
                needs_approval=data.get("needs_approval", False))
            template.targets = [TemplateTarget(indicator=i, measure=m, target_value=v, position=n)
                                for n, (i, m, v) in enumerate(data["targets"])]
            template.items = [TemplateItem(stage=stage, text=text, is_required=required, position=n)
                              for stage, rows in data["items"].items() for n, (text, required) in enumerate(rows)]
            db.session.add(template)
        result.append(template)
    db.session.flush()
    return result
