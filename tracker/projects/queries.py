"""Every read of projects: scoped loaders, the board and the list, checklists, gate facts, choices and roll-ups."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask import abort
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import defaultload, selectinload
from werkzeug.exceptions import NotFound

from ..extensions import db
from ..hooks import Origin, WorkItem, problem_counts
from ..models import (
    ChecklistItem, GeneratedProject, Membership, OrgUnit, Project, ProjectCategory, ProjectTemplate, Role, Target,
    TemplateItem, TemplateTarget, UnitKind, User,
)
from ..orgs.labels import indented_choices
from ..people import sort_people
from ..scoping import int_or_404, scoped, scoped_units, units_in_scope, users_in_scope, visible
from .policy import RUNNERS, can_move
from .workflow import ORDER, GateFacts, Stage


def get_project_or_404(project_id, user: User, *, full: bool = False) -> Project:
    """A project the user sees (in scope or taking part; 404 otherwise); `full` also loads participants and targets."""
    stmt = visible(sa.select(Project).where(Project.id == int_or_404(project_id)), Project, user)
    if full:
        stmt = stmt.options(selectinload(Project.participants), selectinload(Project.targets))
    project = db.session.scalars(stmt).unique().first()
    if project is None:
        abort(404)
    return project


def describe_project(project_id: int, user: User) -> Origin | None:
    """A project the user sees, as the ledger's 登记问题 form names it and prefills category and batch."""
    try:
        project = get_project_or_404(project_id, user)
    except NotFound:
        return None
    return Origin(name=_("project %(code)s “%(title)s”", code=project.code, title=project.title),
                  unit_id=project.unit_id, category=project.category.name if project.category else None,
                  batch=_("%(code)s check", code=project.code))


def get_item_or_404(project: Project, item_id: int) -> ChecklistItem:
    """A checklist item of `project` (404 for an item of another project)."""
    item = db.session.scalars(sa.select(ChecklistItem).where(
        ChecklistItem.id == item_id, ChecklistItem.project_id == project.id)).first()
    if item is None:
        abort(404)
    return item


def get_category_or_404(category_id: int) -> ProjectCategory:
    """A category (the list is shared by the whole tracker)."""
    return db.get_or_404(ProjectCategory, category_id)


def get_template_or_404(template_id: int, *, active: bool = False) -> ProjectTemplate:
    """A project template (shared by the whole tracker); with `active`, 404 for a deactivated one too."""
    template = db.session.get(ProjectTemplate, template_id)
    if template is None or (active and not template.is_active):
        abort(404)
    return template


def get_template_item_or_404(template: ProjectTemplate, item_id: int) -> TemplateItem:
    """A default checklist item of `template` (404 for an item of another template)."""
    item = db.session.get(TemplateItem, item_id)
    if item is None or item.template_id != template.id:
        abort(404)
    return item


def get_template_target_or_404(template: ProjectTemplate, target_id: int) -> TemplateTarget:
    """A default target of `template` (404 for a target of another template)."""
    target = db.session.get(TemplateTarget, target_id)
    if target is None or target.template_id != template.id:
        abort(404)
    return target


def person(user_id: int | None) -> User | None:
    """The person a form chose (its choices were checked by the form), or None."""
    return db.session.get(User, user_id) if user_id else None


def people_by_ids(ids: Iterable[int] | None) -> list[User]:
    """The people a form chose (its choices were checked by the form)."""
    ids = list(ids or [])
    return list(db.session.scalars(sa.select(User).where(User.id.in_(ids)))) if ids else []


def items_by_stage(project: Project) -> dict[Stage, list[ChecklistItem]]:
    """The project's checklist items per stage, in their order."""
    grouped: dict[Stage, list[ChecklistItem]] = {s: [] for s in ORDER}
    for item in db.session.scalars(sa.select(ChecklistItem).where(ChecklistItem.project_id == project.id)
                                   .order_by(ChecklistItem.position, ChecklistItem.id)):
        grouped[item.stage].append(item)
    return grouped


def categories(include_inactive: bool = False) -> list[ProjectCategory]:
    """The categories offered for new records; with `include_inactive`, also deactivated ones (filters)."""
    stmt = sa.select(ProjectCategory).order_by(ProjectCategory.sort_order, ProjectCategory.id)
    if not include_inactive:
        stmt = stmt.where(ProjectCategory.is_active.is_(True))
    return list(db.session.scalars(stmt))


def people_in_scope(user: User) -> list[User]:
    """Active people holding a role in the user's units, in natural order (member2 before member10)."""
    return sort_people(db.session.scalars(sa.select(User).where(User.id.in_(users_in_scope(user)),
                                                                User.is_active_flag.is_(True))))


def people_of_unit(unit: OrgUnit) -> list[User]:
    """Who can be given a checklist item: people holding a role at the unit or above it."""
    ancestors = [int(i) for i in unit.path.strip("/").split("/")]
    return sort_people(db.session.scalars(
        sa.select(User).where(User.id.in_(sa.select(Membership.user_id).where(Membership.unit_id.in_(ancestors))),
                              User.is_active_flag.is_(True))))


@dataclass
class BoardFilters:
    unit: OrgUnit | None = None
    owner_id: int | None = None
    category_id: int | None = None
    year: int | None = None
    quarter: int | None = None
    overdue: bool = False
    lanes: str = ""  #: "", "unit" or "owner"


@dataclass
class Lane:
    key: int
    title: str
    columns: dict[Stage, list[Project]] = field(default_factory=lambda: {s: [] for s in ORDER})


@dataclass
class Board:
    lanes: list[Lane]
    counts: dict[Stage, int]
    progress: dict[int, tuple[int, int]]  #: project id → (done, total)
    total: int
    truncated: bool
    movable: set[int] = field(default_factory=set)  #: ids of the cards the user may move


BOARD_LIMIT = 1000


def filtered_projects(user: User, filters: BoardFilters, today: date) -> sa.Select:
    """SELECT the projects `user` sees that the board's filters keep."""
    stmt = visible(sa.select(Project), Project, user)
    if filters.unit is not None:
        stmt = stmt.where(Project.unit_id.in_(OrgUnit.subtree_ids(filters.unit.path)))
    equal = ((Project.owner_id, filters.owner_id), (Project.category_id, filters.category_id),
             (Project.year, filters.year), (Project.quarter, filters.quarter))
    stmt = stmt.where(*(column == value for column, value in equal if value))
    if filters.overdue:
        stmt = stmt.where(Project.due_date < today, Project.stage != Stage.done)
    return stmt


def board(user: User, filters: BoardFilters, today: date) -> Board:
    """The cards of the board in three queries whatever their number: cards, then checklist progress."""
    # Cards show the unit's and the owner's names only: skip the unit's parent and the owner's roles.
    stmt = (filtered_projects(user, filters, today).order_by(Project.due_date, Project.id).limit(BOARD_LIMIT + 1)
            .options(defaultload(Project.unit).lazyload(OrgUnit.parent),
                     defaultload(Project.owner).lazyload(User.memberships)))
    projects = list(db.session.scalars(stmt).unique())
    truncated = len(projects) > BOARD_LIMIT
    projects = projects[:BOARD_LIMIT]
    progress: dict[int, tuple[int, int]] = {}
    if projects:
        rows = db.session.execute(
            sa.select(ChecklistItem.project_id, sa.func.count(ChecklistItem.done_at), sa.func.count())
            .where(ChecklistItem.project_id.in_([p.id for p in projects]))
            .group_by(ChecklistItem.project_id))
        progress = {pid: (done, total) for pid, done, total in rows}
    lanes: dict[int, Lane] = {}
    for project in projects:
        if filters.lanes == "unit":
            key, title = project.unit_id, project.unit.name
        elif filters.lanes == "owner":
            key, title = project.owner_id, project.owner.display_name
        else:
            key, title = 0, ""
        lane = lanes.setdefault(key, Lane(key, title))
        lane.columns[project.stage].append(project)
    ordered = sorted(lanes.values(), key=lambda lane: lane.title)
    if not ordered:
        ordered = [Lane(0, "")]
    counts = {s: sum(len(lane.columns[s]) for lane in ordered) for s in ORDER}
    movable = {p.id for p in projects if can_move(user, p)}
    return Board(ordered, counts, progress, len(projects), truncated, movable)


@dataclass
class ProjectChoices:
    """What the project form offers: carrying and assigning units, categories, owners and participants."""

    units: list[tuple[int, str]]
    assigning_units: list[tuple[int, str]]
    categories: list[tuple[int, str]]
    people: list[User]


def project_choices(user: User, project: Project | None = None) -> ProjectChoices:
    """The project form's choices; editing, also the project's own units and people even when outside
    the editor's scope (an assigned project's 下达单位 sits above its owner's branch), so a save keeps them."""
    people = people_in_scope(user)
    if project is None:
        return ProjectChoices(unit_choices(user, *RUNNERS), [(0, "—")] + unit_choices(user),
                              [(0, "—")] + [(c.id, c.name) for c in categories()], people)
    # Neither unit is edited on the form: the choices hold exactly the saved ones. A deactivated
    # category stays on the projects that have it.
    assigning = project.assigning_unit.name if project.assigning_unit else "—"
    return ProjectChoices([(project.unit_id, project.unit.name)], [(project.assigning_unit_id or 0, assigning)],
                          [(0, "—")] + category_choices(project.category_id),
                          sort_people({u.id: u for u in [*people, project.owner, *project.participants]}.values()))


def unit_choices(user: User, *roles: Role) -> list[tuple[int, str]]:
    """The active units of `user`'s scope (where they hold one of `roles`, any role when none), indented."""
    return indented_choices(scoped_units(user, *roles, active_only=True))


def assignable_units(user: User) -> tuple[list[OrgUnit], list[OrgUnit]]:
    """The branches and general branches a leader may assign a template to, in tree order, split into
    those with an active secretary to own the project and those without one (not offered)."""
    units = [u for u in scoped_units(user, Role.leader, Role.admin, active_only=True)
             if u.kind in (UnitKind.branch, UnitKind.general_branch)]
    staffed = set(db.session.scalars(
        sa.select(Membership.unit_id).join(User, User.id == Membership.user_id)
        .where(Membership.unit_id.in_([u.id for u in units]), Membership.role == Role.secretary,
               User.is_active_flag.is_(True))))
    return [u for u in units if u.id in staffed], [u for u in units if u.id not in staffed]


def summary_for(user: User, today: date) -> dict:
    """The home widget: the user's own open projects, and the overdue ones in their scope."""
    mine = list(db.session.scalars(
        visible(sa.select(Project), Project, user)
        .where(Project.owner_id == user.id, Project.stage != Stage.done).order_by(Project.due_date).limit(8)))
    overdue_stmt = scoped(sa.select(Project), Project.unit_id, user).where(
        Project.due_date < today, Project.stage != Stage.done)
    overdue_count = db.session.scalar(sa.select(sa.func.count()).select_from(overdue_stmt.subquery())) or 0
    overdue = list(db.session.scalars(overdue_stmt.order_by(Project.due_date).limit(8)))
    by_stage = defaultdict(int)
    for stage, count in db.session.execute(
            sa.select(Project.stage, sa.func.count()).where(Project.unit_id.in_(units_in_scope(user)))
            .group_by(Project.stage)):
        by_stage[stage] = count
    return {"today": today, "mine": mine, "overdue": overdue, "overdue_count": overdue_count, "by_stage": by_stage}


def stage_counts_under(unit: OrgUnit) -> dict[Stage, int]:
    """Projects per stage in a unit's subtree (the unit page's panel; the page itself is scope-checked)."""
    counts = {s: 0 for s in ORDER}
    for stage, count in db.session.execute(
            sa.select(Project.stage, sa.func.count()).where(Project.unit_id.in_(OrgUnit.subtree_ids(unit.path)))
            .group_by(Project.stage)):
        counts[stage] = count
    return counts


def category_usage() -> dict[int, int]:
    """How many projects use each category (over the whole tracker: the list itself is global)."""
    return dict(db.session.execute(sa.select(Project.category_id, sa.func.count()).where(
        Project.category_id.is_not(None)).group_by(Project.category_id)).all())


def template_usage() -> dict[int, int]:
    """How many projects were made from each template."""
    return dict(db.session.execute(sa.select(Project.template_id, sa.func.count()).where(
        Project.template_id.is_not(None)).group_by(Project.template_id)).all())


def category_choices(keep: int | None = None) -> list[tuple[int, str]]:
    """Active categories for a form, plus the record's current one (`keep`) even when deactivated."""
    rows = categories()
    if keep and all(c.id != keep for c in rows):
        current = db.session.get(ProjectCategory, keep)
        if current is not None:
            rows.append(current)
    return [(c.id, c.name) for c in rows]


def project_templates(*, include_inactive: bool = False) -> list[ProjectTemplate]:
    """The project templates, active first; deactivated ones only for those who edit them (`include_inactive`)."""
    stmt = sa.select(ProjectTemplate).order_by(ProjectTemplate.is_active.desc(), ProjectTemplate.id)
    if not include_inactive:
        stmt = stmt.where(ProjectTemplate.is_active.is_(True))
    return list(db.session.scalars(stmt))


def template_stage_items(template: ProjectTemplate, stage: Stage) -> list[TemplateItem]:
    """A template's default checklist of `stage`, in its order (sorted here: an edit in this session may
    have reordered the loaded collection)."""
    return sorted((i for i in template.items if i.stage == stage), key=lambda i: (i.position, i.id or 0))


def generated_units(template: ProjectTemplate, period: str) -> set[int]:
    """Ids of the units that already have `template`'s project for `period` (its label, e.g. 2026Q4)."""
    return set(db.session.scalars(sa.select(GeneratedProject.unit_id).where(
        GeneratedProject.template_id == template.id, GeneratedProject.period == period)))


def assigning_unit_for(user: User, units: Iterable[OrgUnit]) -> OrgUnit | None:
    """The unit (the 下达单位) where `user` leads or administers that covers all `units`: the nearest one."""
    units = list(units)
    held = sorted((m.unit for m in user.memberships if m.role in (Role.leader, Role.admin)),
                  key=lambda u: -len(u.path))
    return next((u for u in held if all(x.is_within(u) for x in units)), None)


def stage_items(project: Project, stage: Stage) -> list[ChecklistItem]:
    """The project's checklist of `stage`, in its order."""
    return list(db.session.scalars(
        sa.select(ChecklistItem).where(ChecklistItem.project_id == project.id, ChecklistItem.stage == stage)
        .order_by(ChecklistItem.position, ChecklistItem.id)))


def checklist_progress(project: Project) -> tuple[int, int]:
    """(items done, items) of the project's whole checklist: its card's progress bar."""
    done, total = db.session.execute(sa.select(sa.func.count(ChecklistItem.done_at), sa.func.count())
                                     .where(ChecklistItem.project_id == project.id)).one()
    return done, total


def gate_facts(project: Project) -> GateFacts:
    """Gather what the stage gates look at: checklists, targets, approval, verdict and the ledger."""
    rows = db.session.execute(
        sa.select(ChecklistItem.stage, ChecklistItem.is_required, sa.func.count())
        .where(ChecklistItem.project_id == project.id, ChecklistItem.done_at.is_(None))
        .group_by(ChecklistItem.stage, ChecklistItem.is_required)
    ).all()
    open_required: dict[Stage, int] = {}
    open_items: dict[Stage, int] = {}
    for stage, required, count in rows:
        open_items[stage] = open_items.get(stage, 0) + count
        if required:
            open_required[stage] = open_required.get(stage, 0) + count
    targets = db.session.scalar(sa.select(sa.func.count()).where(Target.project_id == project.id)) or 0
    problems = problem_counts("project", project.id)
    return GateFacts(
        open_required=open_required, open_items=open_items, targets=targets,
        needs_approval=project.needs_approval, approved=project.approved_at is not None,
        approval_refusal=project.approval_refusal,
        problems_open=problems.open, problems_closed=problems.closed,
        verdict_recorded=bool(project.verdict), verdict_by_owner=project.verdict_by_id == project.owner_id,
    )


#: The orders of the project list.
SORTS = {
    "due": (Project.due_date, Project.id),
    "code": (Project.year.desc(), Project.seq.desc()),
    "updated": (Project.updated_at.desc(), Project.id.desc()),
    "title": (Project.title, Project.id),
}


def projects_list(user: User, q: str = "", stage: Stage | None = None, sort: str = "due") -> sa.Select:
    """SELECT the projects `user` sees whose title or code holds `q`, in `stage` when given, in the `sort` order."""
    stmt = visible(sa.select(Project), Project, user)
    if q:
        stmt = stmt.where(sa.or_(Project.title.contains(q, autoescape=True), Project.code.contains(q, autoescape=True)))
    if stage:
        stmt = stmt.where(Project.stage == stage)
    return stmt.order_by(*SORTS[sort])


# --- Who is told, and what falls due (the inbox's notices) ----------------------------------------


def approvers(project: Project) -> list[User]:
    """Who approves a project (立项审批): the nearest leaders of its assigning unit (else of its unit)."""
    unit = db.session.get(OrgUnit, project.assigning_unit_id or project.unit_id)
    return unit.nearest_holders(Role.leader)


def due_projects(today: date) -> list[tuple[Project, int]]:
    """Every unfinished project due within 7 days or overdue, with its days left (negative: overdue)."""
    rows = db.session.scalars(sa.select(Project).where(
        Project.stage != Stage.done, Project.due_date <= today + timedelta(days=7)).order_by(Project.id))
    return [(p, (p.due_date - today).days) for p in rows]


def due_checklist_items(today: date) -> list[tuple[ChecklistItem, Project, int]]:
    """Every assigned checklist item not yet done, of an unfinished project, due within 7 days or
    overdue, with its project and days left."""
    rows = db.session.execute(sa.select(ChecklistItem, Project).join(Project, Project.id == ChecklistItem.project_id)
                              .where(ChecklistItem.assignee_id.is_not(None), ChecklistItem.done_at.is_(None),
                                     ChecklistItem.due_date <= today + timedelta(days=7), Project.stage != Stage.done)
                              .order_by(ChecklistItem.id)).all()
    return [(item, project, (item.due_date - today).days) for item, project in rows]


def project_names(ids: set[int]) -> dict[int, str]:
    """{id: "XM-2026-0001 title"} of the projects among `ids` (how a notice or the audit view names them)."""
    if not ids:
        return {}
    return {i: f"{code} {title}" for i, code, title in db.session.execute(
        sa.select(Project.id, Project.code, Project.title).where(Project.id.in_(ids)))}


def my_work(user: User, today: date) -> list[WorkItem]:
    """The projects' part of `user`'s work: her unfinished projects, the checklist items assigned to
    her not yet done, and the projects waiting for her approval (立项审批)."""
    rows: list[WorkItem] = []
    for p in db.session.scalars(visible(sa.select(Project), Project, user).where(
            Project.owner_id == user.id, Project.stage != Stage.done).order_by(Project.due_date, Project.id).limit(50)):
        rows.append(WorkItem(_l("My project"), f"{p.code} {p.title}", "projects.show", {"project_id": p.id},
                             _l("Carry on"), p.due_date, p.due_light(today).value,
                             f"{p.unit.name} · {Stage.label_of(p.stage)}"))
    items = db.session.execute(sa.select(ChecklistItem, Project).join(Project, Project.id == ChecklistItem.project_id)
                               .where(ChecklistItem.assignee_id == user.id, ChecklistItem.done_at.is_(None),
                                      Project.stage != Stage.done)
                               .order_by(ChecklistItem.due_date, ChecklistItem.id).limit(50)).all()
    for item, p in items:
        rows.append(WorkItem(_l("My checklist item"), item.text, "projects.show", {"project_id": p.id}, _l("Tick"),
                             item.due_date, item.due_light(today).value, f"{p.code} {p.title}",
                             anchor=f"item-{item.id}"))
    leads = units_in_scope(user, Role.leader, Role.admin)
    waiting = sa.select(Project).where(
        Project.needs_approval.is_(True), Project.approved_at.is_(None), Project.approval_refused_at.is_(None),
        Project.stage == Stage.plan, sa.func.coalesce(Project.assigning_unit_id, Project.unit_id).in_(leads))
    for p in db.session.scalars(waiting.order_by(Project.id).limit(50)):
        rows.append(WorkItem(_l("Approval to decide"), f"{p.code} {p.title}", "projects.show", {"project_id": p.id},
                             _l("Approve or refuse"), p.start_date, "none", p.unit.name))
    return rows
