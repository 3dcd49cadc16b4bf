"""Every read of meeting records: the scoped lookup and list, a branch's members, the quarter summary."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa

from ..extensions import db
from ..models import (Attendance, Cadence, ChecklistItem, Meeting, MeetingAttendance, MeetingCadence, MeetingExemption,
                      MeetingKind, MeetingState, Membership, OrgUnit, Project, ProjectCategory, Role, Stage, UnitKind,
                      User)
from ..pagination import Page, paginate
from ..people import sort_people
from ..orgs.labels import indented_choices
from ..scoping import covers_everything, get_visible_or_404, scoped_units, units_in_scope, visible
from . import policy
from .workflow import CADENCE, Period, Span, due_in, overdue_in, parse_period, quarter_period, slot_key

PER_PAGE = 50


def get_meeting_or_404(ident: Any, user: User) -> Meeting:
    """A meeting record the user sees (in scope, or its host, recorder or an attendee); otherwise 404."""
    return get_visible_or_404(Meeting, ident, user)


def attendance_of(meeting: Meeting) -> list[MeetingAttendance]:
    """The record's attendance rows, in natural order of the members' usernames."""
    rows = db.session.scalars(sa.select(MeetingAttendance).where(MeetingAttendance.meeting_id == meeting.id)).all()
    return sorted(rows, key=lambda row: sort_people([row.user])[0].username)


def branch_members(unit: OrgUnit) -> list[User]:
    """The active people holding any role in the branch or its 党小组s: who attends its meetings."""
    users = db.session.scalars(
        sa.select(User).where(User.is_active_flag.is_(True), User.id.in_(
            sa.select(Membership.user_id).join(OrgUnit, OrgUnit.id == Membership.unit_id)
            .where(OrgUnit.path.startswith(unit.path))))).all()
    return sort_people(users)


def recordable_units(user: User) -> list[OrgUnit]:
    """The branches (and general branches) whose meetings `user` records, in tree order."""
    return [u for u in scoped_units(user, active_only=True) if policy.can_record(user, u)]


#: Past this many units in scope, the unit filter lists only the committees and 党总支s (and the chosen unit).
FILTER_UNIT_LIMIT = 300


def filter_units(user: User, chosen: int | None = None) -> list[tuple[int, str]]:
    """The unit filter's choices in tree order, read as plain rows (thousands of units stay cheap)."""
    stmt = sa.select(OrgUnit.id, OrgUnit.name, OrgUnit.path, OrgUnit.sort_order).where(
        OrgUnit.id.in_(units_in_scope(user)))
    rows = db.session.execute(stmt.limit(FILTER_UNIT_LIMIT + 1)).all()
    if len(rows) > FILTER_UNIT_LIMIT:
        rows = db.session.execute(stmt.where(sa.or_(
            OrgUnit.kind.in_([k for k in UnitKind if k.level < UnitKind.branch.level]), OrgUnit.id == chosen))).all()
    return indented_choices(tree_order_rows(rows))


@dataclass
class MeetingFilter:
    unit: int | None = None
    kind: MeetingKind | None = None
    state: MeetingState | None = None
    period: Period | None = None

    @classmethod
    def from_args(cls, args: Any) -> MeetingFilter:
        def enum_of(enum_cls, value):
            try:
                return enum_cls(value) if value else None
            except ValueError:
                return None

        return cls(unit=args.get("unit", type=int), kind=enum_of(MeetingKind, args.get("kind")),
                   state=enum_of(MeetingState, args.get("state")), period=parse_period(args.get("period")))

    def args(self, **changes: Any) -> dict[str, Any]:
        """The filter as URL arguments (for links that keep it), with `changes`."""
        out = {"unit": self.unit, "kind": self.kind and self.kind.value, "state": self.state and self.state.value,
               "period": self.period and self.period.label}
        out.update(changes)
        return {k: v for k, v in out.items() if v}


def meeting_page(f: MeetingFilter, user: User, page: int = 1) -> Page:
    """The meeting records `user` sees, filtered, newest first, one page: the count and the page's
    ids from a SELECT of ids alone, then only the page's rows with their unit and people."""
    stmt = sa.select(Meeting.id)
    if not covers_everything(user):
        stmt = visible(stmt, Meeting, user)
    if f.unit:
        stmt = stmt.where(Meeting.unit_id.in_(
            sa.select(OrgUnit.id).where(OrgUnit.path.startswith(
                sa.select(OrgUnit.path).where(OrgUnit.id == f.unit).scalar_subquery()))))
    if f.kind:
        stmt = stmt.where(Meeting.kind == f.kind)
    if f.state:
        stmt = stmt.where(Meeting.state == f.state)
    if f.period:
        stmt = stmt.where(Meeting.held_on.between(f.period.start, f.period.end))
    found = paginate(stmt.order_by(Meeting.held_on.desc(), Meeting.id.desc()), page, PER_PAGE)
    by_id = {m.id: m for m in db.session.scalars(sa.select(Meeting).where(Meeting.id.in_(found.items)))}
    found.items = [by_id[i] for i in found.items if i in by_id]
    return found


@dataclass(frozen=True)
class HeadCount:
    expected: int = 0  #: 应到
    present: int = 0  #: 实到
    leave: int = 0  #: 请假


def head_counts(meeting_ids: list[int]) -> dict[int, HeadCount]:
    """应到 / 实到 / 请假 of each record, in one query."""
    if not meeting_ids:
        return {}
    rows = db.session.execute(
        sa.select(MeetingAttendance.meeting_id, sa.func.count(),
                  sa.func.sum(sa.case((MeetingAttendance.status == Attendance.present, 1), else_=0)),
                  sa.func.sum(sa.case((MeetingAttendance.status == Attendance.leave, 1), else_=0)))
        .where(MeetingAttendance.meeting_id.in_(meeting_ids)).group_by(MeetingAttendance.meeting_id))
    return {mid: HeadCount(total, present or 0, leave or 0) for mid, total, present, leave in rows}


# --- The quarter summary ---------------------------------------------------------------------------

@dataclass
class Cell:
    due: int = 0  #: 应开
    held: int = 0  #: 已开 (approved records)
    overdue: int = 0  #: slots ended with no meeting held

    def add(self, other: Cell) -> None:
        self.due += other.due
        self.held += other.held
        self.overdue += other.overdue


@dataclass
class SummaryRow:
    unit_id: int
    name: str
    depth: int
    is_subtotal: bool = False
    cells: dict[MeetingKind, Cell] = field(default_factory=lambda: {k: Cell() for k in MeetingKind})

    @property
    def met(self) -> int:
        """Meetings due that were held (a surplus in one kind does not fill a gap in another)."""
        return sum(min(c.held, c.due) for c in self.cells.values())

    @property
    def due(self) -> int:
        return sum(c.due for c in self.cells.values())

    @property
    def rate(self) -> float | None:
        return self.met / self.due if self.due else None


@dataclass
class Summary:
    period: Period
    rows: list[SummaryRow]
    total: SummaryRow
    collapsed: bool = False  #: only the 党总支 subtotals are listed (too many branches to read at once)

    def collapse(self) -> Summary:
        """The summary with the subtotals only, and the branches that sit under no 党总支."""
        rows, inside = [], 0
        for row in reversed(self.rows):
            if row.is_subtotal:
                rows.append(row)
                inside = row.depth
            elif not (inside and row.depth > inside):
                rows.append(row)
                inside = 0
        return Summary(self.period, rows[::-1], self.total, collapsed=True)


def summary(user: User, period: Period, today: date, within: OrgUnit | None = None) -> Summary:
    """Per branch in `user`'s scope (inside `within`, if given) and per kind: 应开 / 已开 / overdue in
    `period`, a subtotal row after each 党总支's branches, and the total. Two queries whatever the size."""
    stmt = (sa.select(OrgUnit.id, OrgUnit.name, OrgUnit.path, sa.type_coerce(OrgUnit.kind, sa.String).label("kind"),
                      OrgUnit.parent_id, OrgUnit.sort_order)
            .where(OrgUnit.id.in_(units_in_scope(user)), OrgUnit.is_active.is_(True),
                   OrgUnit.kind.in_([UnitKind.general_branch, UnitKind.branch])))
    if within is not None:
        stmt = stmt.where(OrgUnit.path.startswith(within.path))
    units = db.session.execute(stmt).all()
    units = tree_order_rows(units)
    cadence = cadences()
    unit_ids = [u.id for u in units] if within is not None else units_in_scope(user)
    # One row per branch and kind, counted by the database: meetings held, and the ended slots
    # (months, quarters, the year) holding at least one, which make the overdue count.
    key = _slot_key_sql(cadence)
    key_today = sa.case({k.value: slot_key(today, cadence[k]) for k in MeetingKind}, value=Meeting.kind)
    yearly = [k for k in MeetingKind if cadence[k] is Cadence.yearly]
    counts = db.session.execute(
        # The kind as its stored text: thousands of rows need no enum conversion.
        sa.select(Meeting.unit_id, sa.type_coerce(Meeting.kind, sa.String), sa.func.count(),
                  sa.func.count(sa.distinct(sa.case((key < key_today, key)))))
        .where(Meeting.unit_id.in_(unit_ids), Meeting.state == MeetingState.approved,
               # Yearly kinds count the year so far (their one slot is the year); the others the period.
               Meeting.held_on.between(since_of(period), period.end),
               sa.or_(Meeting.held_on >= period.start, Meeting.kind.in_(yearly)))
        .group_by(Meeting.unit_id, Meeting.kind)).all()
    held = {(unit_id, kind): (n, ended) for unit_id, kind, n, ended in counts}
    exempt = exemptions_in(period, unit_ids)
    due = {kind: due_in(kind, period, cadence[kind]) for kind in MeetingKind}
    ended_due = {kind: overdue_in(kind, period, [], today, cadence[kind]) for kind in MeetingKind}
    rows: list[SummaryRow] = []
    total = SummaryRow(0, "", 0, is_subtotal=True)
    open_totals: list[tuple[str, SummaryRow]] = []  # the 党总支s whose branches are being listed
    for unit in units:
        while open_totals and not unit.path.startswith(open_totals[-1][0]):
            rows.append(open_totals.pop()[1])
        if unit.kind == UnitKind.general_branch.value:
            open_totals.append((unit.path, SummaryRow(unit.id, unit.name, _depth(unit.path), is_subtotal=True)))
            continue
        row = SummaryRow(unit.id, unit.name, _depth(unit.path))
        targets = [total] + [t for _path, t in open_totals]
        for kind in MeetingKind:
            n, ended_held = held.get((unit.id, kind.value), (0, 0))
            cell = row.cells[kind]
            cell.held = n
            spans = exempt.get((unit.id, kind), []) + exempt.get((unit.id, None), [])
            if spans:
                cell.due = due_in(kind, period, cadence[kind], spans)
                cell.overdue = max(0, overdue_in(kind, period, [], today, cadence[kind], spans) - ended_held)
            else:
                cell.due, cell.overdue = due[kind], max(0, ended_due[kind] - ended_held)
            for target in targets:
                target.cells[kind].add(cell)
        rows.append(row)
    rows.extend(t for _path, t in reversed(open_totals))
    return Summary(period, rows, total)


def _slot_key_sql(cadence: dict[MeetingKind, Cadence]) -> sa.ColumnElement[int]:
    """The SQL twin of `workflow.slot_key`: the slot a meeting's day falls in, by its kind's cadence."""
    year = sa.cast(sa.extract("year", Meeting.held_on), sa.Integer)
    month = sa.cast(sa.extract("month", Meeting.held_on), sa.Integer)
    by_cadence = {Cadence.monthly: year * 100 + month, Cadence.quarterly: year * 10 + (month + 2) // 3,
                  Cadence.yearly: year, Cadence.none: year}
    return sa.case({k.value: by_cadence[cadence[k]] for k in MeetingKind}, value=Meeting.kind)


def cadences() -> dict[MeetingKind, Cadence]:
    """How often each kind is due: the administrator's choice, else the default."""
    chosen = dict(db.session.execute(sa.select(MeetingCadence.kind, MeetingCadence.cadence)).tuples().all())
    return {kind: chosen.get(kind, CADENCE[kind]) for kind in MeetingKind}


def exemptions_in(period: Period, unit_ids: Any) -> dict[tuple[int, MeetingKind | None], list[Span]]:
    """The exempted spans overlapping `period` of the units `unit_ids` (a list or a SELECT), by unit and kind."""
    rows = db.session.execute(sa.select(MeetingExemption.unit_id, MeetingExemption.kind, MeetingExemption.starts_on,
                                        MeetingExemption.ends_on)
                              .where(MeetingExemption.unit_id.in_(unit_ids),
                                     MeetingExemption.starts_on <= period.end, MeetingExemption.ends_on >= since_of(period)))
    found: dict[tuple[int, MeetingKind | None], list[Span]] = defaultdict(list)
    for unit_id, kind, start, end in rows:
        found[(unit_id, MeetingKind(kind) if kind else None)].append((start, end))
    return found


def since_of(period: Period) -> date:
    """The first day a period's slots may start on (yearly slots start on 1 January)."""
    return min(period.start, date(period.start.year, 1, 1))


def exemptions(user: User) -> list[MeetingExemption]:
    """The exemptions of the units in `user`'s scope, latest first."""
    return list(db.session.scalars(sa.select(MeetingExemption).where(
        MeetingExemption.unit_id.in_(units_in_scope(user))).order_by(MeetingExemption.starts_on.desc(),
                                                                      MeetingExemption.id.desc())))


def _depth(path: str) -> int:
    return path.count("/") - 2


def tree_order_rows(rows: list) -> list:
    """Rows (id, name, path, kind, parent_id, sort_order) in depth-first tree order."""
    by_id = {r.id: r for r in rows}

    def key(row):
        chain = [by_id.get(int(p)) for p in row.path.strip("/").split("/")]
        return [(r.sort_order, r.name, r.id) if r else (0, "", int(p))
                for r, p in zip(chain, row.path.strip("/").split("/"))]

    return sorted(rows, key=key)


# --- The loop: the checklist item an approved record ticks -----------------------------------------

#: Which project category's checklist a kind ticks, and the words its item names the kind with.
CHECKLIST_MATCH: dict[MeetingKind, tuple[str, tuple[str, ...]]] = {
    MeetingKind.general_meeting: ("三会一课", ("支部党员大会",)),
    MeetingKind.committee: ("三会一课", ("支部委员会",)),
    MeetingKind.group: ("三会一课", ("党小组",)),
    MeetingKind.lecture: ("三会一课", ("党课",)),
    MeetingKind.theme_day: ("主题党日", ("主题党日", "集中学习")),
}


def checklist_items_for(meeting: Meeting) -> list[tuple[Project, ChecklistItem]]:
    """The open run-stage checklist items naming the record's kind, in its branch's 三会一课 / 主题党日
    projects whose span holds the meeting day, and whose cadence the approved records now meet."""
    match = CHECKLIST_MATCH.get(meeting.kind)
    if match is None:
        return []
    category, words = match
    projects = db.session.scalars(
        sa.select(Project).join(ProjectCategory, ProjectCategory.id == Project.category_id)
        .where(Project.unit_id == meeting.unit_id, ProjectCategory.name == category,
               Project.start_date <= meeting.held_on, Project.due_date >= meeting.held_on)).all()
    found = []
    for project in projects:
        span = Period("", project.start_date, project.due_date)
        cadence = cadences()[meeting.kind]
        needed = max(1, due_in(meeting.kind, span, cadence)) if cadence is Cadence.monthly else 1
        held = db.session.scalar(sa.select(sa.func.count(Meeting.id)).where(
            Meeting.unit_id == meeting.unit_id, Meeting.kind == meeting.kind, Meeting.state == MeetingState.approved,
            Meeting.held_on.between(project.start_date, project.due_date))) or 0
        if held < needed:
            continue
        items = db.session.scalars(sa.select(ChecklistItem).where(
            ChecklistItem.project_id == project.id, ChecklistItem.stage == Stage.run, ChecklistItem.done_at.is_(None))
            .order_by(ChecklistItem.position, ChecklistItem.id)).all()
        item = next((i for word in words for i in items if word in i.text), None)
        if item is not None:
            found.append((project, item))
    return found


# --- Home widget, unit panel and a person's page ---------------------------------------------------

@dataclass(frozen=True)
class MyCounts:
    returned: int = 0  #: records of my branches sent back to be corrected
    to_approve: int = 0  #: records waiting for my approval
    drafts: int = 0  #: records of my branches not yet submitted


def my_counts(user: User) -> MyCounts:
    """What waits for `user` in organisational life: returned records and drafts of the branches they
    record for (or that they recorded), and submitted records of the units below the ones they lead."""
    recording = sa.or_(Meeting.unit_id.in_(units_in_scope(user, Role.secretary, Role.leader, Role.admin)),
                       Meeting.recorder_id == user.id, Meeting.created_by_id == user.id)
    leads = user.scope_paths(Role.leader, Role.admin)
    below = sa.select(OrgUnit.id).where(sa.or_(*(sa.and_(OrgUnit.path.startswith(p), OrgUnit.path != p)
                                                 for p in leads))) if leads else sa.select(OrgUnit.id).where(sa.false())
    row = db.session.execute(sa.select(
        sa.func.sum(sa.case((sa.and_(Meeting.state == MeetingState.returned, recording), 1), else_=0)),
        sa.func.sum(sa.case((sa.and_(Meeting.state == MeetingState.draft, recording), 1), else_=0)),
        sa.func.sum(sa.case((sa.and_(Meeting.state == MeetingState.submitted, Meeting.unit_id.in_(below),
                                     sa.or_(Meeting.recorder_id.is_(None), Meeting.recorder_id != user.id)), 1),
                            else_=0)),
    ).where(Meeting.state != MeetingState.approved)).one()
    return MyCounts(returned=row[0] or 0, drafts=row[1] or 0, to_approve=row[2] or 0)


def unit_quarter(unit: OrgUnit, user: User, today: date) -> SummaryRow:
    """This quarter's 应开 / 已开 / overdue of the branches in `unit`'s subtree, as one total row."""
    period = quarter_period(today.year, (today.month - 1) // 3 + 1)
    return summary(user, period, today, within=unit).total


@dataclass
class PersonYear:
    year: int
    present: int
    leave: int
    absent: int
    rows: list[tuple[Meeting, MeetingAttendance]]


def person_year(person: User, viewer: User, year: int) -> PersonYear:
    """`person`'s attendance at the meeting records of `year` that `viewer` sees (党员全程记实's start)."""
    rows = db.session.execute(
        visible(sa.select(Meeting, MeetingAttendance), Meeting, viewer)
        .join(MeetingAttendance, MeetingAttendance.meeting_id == Meeting.id)
        .where(MeetingAttendance.user_id == person.id,
               Meeting.held_on.between(date(year, 1, 1), date(year, 12, 31)))
        .order_by(Meeting.held_on.desc(), Meeting.id.desc())).all()
    statuses = [a.status for _m, a in rows]
    return PersonYear(year, statuses.count(Attendance.present), statuses.count(Attendance.leave),
                      statuses.count(Attendance.absent), [tuple(r) for r in rows])


def get_exemption_or_404(ident: Any, user: User) -> MeetingExemption:
    """An exemption of a unit in the user's scope; otherwise 404."""
    return get_visible_or_404(MeetingExemption, ident, user)


def exemption_units(user: User) -> list[OrgUnit]:
    """The branches `user` may excuse from meetings, in tree order."""
    return [u for u in scoped_units(user, active_only=True) if policy.can_exempt(user, u)]


def meeting_names(ids: set[int]) -> dict[int, str]:
    """{id: "2026-11-20 支部党员大会 · 办公室党支部"} of the records among `ids` (notices, the audit view)."""
    if not ids:
        return {}
    rows = db.session.execute(sa.select(Meeting.id, Meeting.held_on, Meeting.kind, OrgUnit.name)
                              .join(OrgUnit, OrgUnit.id == Meeting.unit_id).where(Meeting.id.in_(ids)))
    return {i: f"{held_on.isoformat()} {kind.label} · {unit}" for i, held_on, kind, unit in rows}
