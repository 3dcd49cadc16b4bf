"""Read-side helpers for the project pages: scoped loading, the board and choice lists."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import defaultload, selectinload

from ..extensions import db
from ..people import sort_people
from ..models import ChecklistItem, Membership, OrgUnit, Project, ProjectCategory, Role, UnitKind, User
from ..scoping import int_or_404, scoped, units_in_scope, users_in_scope, visible
from ..orgs.labels import indented_choices
from .policy import can_move
from .workflow import ORDER, Stage


def load_project_or_404(project_id, user: User, *, full: bool = False) -> Project:
    """A project the user sees (in scope or taking part; 404 otherwise); `full` also loads participants and targets."""
    stmt = visible(sa.select(Project).where(Project.id == int_or_404(project_id)), Project, user)
    if full:
        stmt = stmt.options(selectinload(Project.participants), selectinload(Project.targets))
    project = db.session.scalars(stmt).unique().first()
    if project is None:
        abort(404)
    return project


def describe_project(project_id: int, user: User):
    """A project the user sees, as the ledger's 登记问题 form names it and prefills category and batch."""
    from flask_babel import gettext as _
    from werkzeug.exceptions import NotFound

    from ..hooks import Origin

    try:
        project = load_project_or_404(project_id, user)
    except NotFound:
        return None
    return Origin(name=_("project %(code)s “%(title)s”", code=project.code, title=project.title),
                  unit_id=project.unit_id, category=project.category.name if project.category else None,
                  batch=_("%(code)s check", code=project.code))


def load_item_or_404(project: Project, item_id: int) -> ChecklistItem:
    item = db.session.scalars(sa.select(ChecklistItem).where(
        ChecklistItem.id == item_id, ChecklistItem.project_id == project.id)).first()
    if item is None:
        abort(404)
    return item


def items_by_stage(project: Project) -> dict[Stage, list[ChecklistItem]]:
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
    stmt = visible(sa.select(Project), Project, user)
    if filters.unit is not None:
        stmt = stmt.where(Project.unit_id.in_(OrgUnit.subtree_ids(filters.unit.path)))
    if filters.owner_id:
        stmt = stmt.where(Project.owner_id == filters.owner_id)
    if filters.category_id:
        stmt = stmt.where(Project.category_id == filters.category_id)
    if filters.year:
        stmt = stmt.where(Project.year == filters.year)
    if filters.quarter:
        stmt = stmt.where(Project.quarter == filters.quarter)
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


def unit_choices(user: User, *roles: Role) -> list[tuple[int, str]]:
    from ..scoping import scoped_units

    return indented_choices(scoped_units(user, *roles, active_only=True))


def assignable_units(user: User) -> tuple[list[OrgUnit], list[OrgUnit]]:
    """The branches and general branches a leader may assign a template to, in tree order, split into
    those with an active secretary to own the project and those without one (not offered)."""
    from ..scoping import scoped_units

    units = [u for u in scoped_units(user, Role.leader, Role.admin, active_only=True)
             if u.kind in (UnitKind.branch, UnitKind.general_branch)]
    staffed = set(db.session.scalars(
        sa.select(Membership.unit_id).join(User, User.id == Membership.user_id)
        .where(Membership.unit_id.in_([u.id for u in units]), Membership.role == Role.secretary,
               User.is_active_flag.is_(True))))
    return [u for u in units if u.id in staffed], [u for u in units if u.id not in staffed]


def scope_unit_ids(user: User) -> sa.Select:
    return units_in_scope(user)


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
