"""Reading the ledger: the filter of the URL, due lights, countdowns and escalation in SQL, roll-ups."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask import g, has_app_context
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from ..extensions import db
from ..hooks import ProblemCounts
from ..pagination import Page
from ..people import sort_people
from ..models import ItemSource, LedgerItem, Membership, OrgUnit, Role, Severity, UnitKind, User
from ..scoping import get_visible_or_404, units_in_scope, visible
from .workflow import (ESCALATION_DAYS, OPEN_STATES, WORKING_STATES, YELLOW_DAYS, Countdown, DueLight, Escalation,
                       ItemStatus, countdown_bounds)


# --- Date arithmetic that reads the same on SQLite and PostgreSQL --------------------------------

class days_between(FunctionElement):
    """Whole days from `start` to `end` (a date minus a date); negative when `end` is earlier."""

    type = sa.Integer()
    inherit_cache = True
    name = "days_between"


@compiles(days_between)
def _days_between_pg(element, compiler, **kw):
    end, start = list(element.clauses)
    return f"(CAST({compiler.process(end, **kw)} AS DATE) - CAST({compiler.process(start, **kw)} AS DATE))"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    end, start = list(element.clauses)
    return (f"CAST(julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)})"
            f" AS INTEGER)")


class days_to_close(FunctionElement):
    """Days (fractional) from an item's creation to its 销号."""

    type = sa.Float()
    inherit_cache = True
    name = "days_to_close"


@compiles(days_to_close)
def _days_to_close_pg(element, compiler, **kw):
    closed, created = list(element.clauses)
    return (f"(EXTRACT(EPOCH FROM ({compiler.process(closed, **kw)} - {compiler.process(created, **kw)}))"
            f" / 86400.0)")


@compiles(days_to_close, "sqlite")
def _days_to_close_sqlite(element, compiler, **kw):
    closed, created = list(element.clauses)
    return f"(julianday({compiler.process(closed, **kw)}) - julianday({compiler.process(created, **kw)}))"


def _working():
    return LedgerItem.status.in_([s.value for s in WORKING_STATES])


def days_left_expr(today: date):
    """Days left until the deadline (negative: overdue); NULL without a running deadline."""
    return sa.case((sa.and_(_working(), LedgerItem.deadline.is_not(None)),
                    days_between(LedgerItem.deadline, sa.literal(today, sa.Date))), else_=None)


def light_expr(today: date):
    """The due light (DueLight value) computed in SQL, as `workflow.due_light` does."""
    return sa.case(
        (sa.or_(sa.not_(_working()), LedgerItem.deadline.is_(None)), DueLight.none.value),
        (LedgerItem.deadline < today, DueLight.red.value),
        (LedgerItem.deadline <= today + timedelta(days=YELLOW_DAYS), DueLight.yellow.value),
        else_=DueLight.green.value,
    )


def overdue_clause(today: date):
    return sa.and_(_working(), LedgerItem.deadline < today)


def escalation_expr(today: date):
    """The escalation level (Escalation value) by days overdue, as `workflow.escalation` does."""
    whens = [(sa.or_(sa.not_(_working()), LedgerItem.deadline.is_(None)), Escalation.none.value)]
    whens += [(LedgerItem.deadline <= today - timedelta(days=days), level.value) for level, days in ESCALATION_DAYS]
    return sa.case(*whens, else_=Escalation.none.value)


# --- The filter of the ledger page (all of it in the URL) ----------------------------------------

#: Sort keys; every sort ends with the id. Codes are handed out in creation order, so sorting by
#: code is sorting by id (the primary key: no sort step at all).
SORTS = {
    "code": (),
    "deadline": (LedgerItem.deadline,),
    "status": (LedgerItem.status,),
    "unit": (LedgerItem.unit_id,),
    "severity": (LedgerItem.severity,),
}
MINE = ("own", "verify")
VIEWS = ("ledger", "problems", "tasks", "responsibility", "deadlines")


@dataclass
class LedgerFilter:
    unit: int | None = None
    source: str = ""
    batch: str = ""
    category: str = ""
    status: str = ""
    owner: int | None = None
    mine: str = ""  #: "own": items I own; "verify": items waiting for my verification (待我验收)
    severity: str = ""
    countdown: str = ""
    origin_type: str = ""
    origin_id: int | None = None
    q: str = ""
    sort: str = "code"
    dir: str = "desc"
    view: str = "ledger"

    @classmethod
    def from_args(cls, args: Any) -> LedgerFilter:
        """Read the filter from query arguments, dropping values that are not valid choices."""
        def text(name: str, allowed: Any = None, limit: int = 200) -> str:
            value = (args.get(name) or "").strip()[:limit]
            return value if allowed is None or value in allowed else ""

        def number(name: str) -> int | None:
            try:
                value = int(args.get(name) or "")
            except ValueError:
                return None
            return value if value > 0 else None

        sort = text("sort", SORTS) or "code"
        view = text("view", VIEWS) or "ledger"
        return cls(
            unit=number("unit"), source=text("source", {s.value for s in ItemSource}), batch=text("batch"),
            category=text("category"), status=text("status", {s.value for s in ItemStatus} | {"active"}),
            owner=number("owner"), mine=text("mine", MINE), severity=text("severity", {s.value for s in Severity}),
            countdown=text("countdown", {c.value for c in Countdown}), origin_type=text("origin_type", limit=40),
            origin_id=number("origin_id"), q=text("q", limit=100), sort=sort,
            dir="asc" if args.get("dir") == "asc" else "desc", view=view,
        )

    def args(self, **changes: Any) -> dict[str, Any]:
        """The filter as URL arguments (empty ones left out), with `changes` applied."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        defaults = {"sort": "code", "dir": "desc", "view": "ledger"}
        return {k: v for k, v in values.items() if v not in (None, "") and defaults.get(k) != v}

    @property
    def is_empty(self) -> bool:
        return not any(v for k, v in self.args().items() if k not in ("sort", "dir", "view"))


def get_item_or_404(item_id: Any, user: User) -> LedgerItem:
    """An item the user sees (in scope, or owner / verifier / responsible leader of it); otherwise 404."""
    return get_visible_or_404(LedgerItem, item_id, user)


def covers_everything(user: User) -> bool:
    """True when the user's scope holds every organisation tree in the database (a top leader)."""
    cache = g.setdefault("ledger_covers_everything", {}) if has_app_context() else {}
    if user.id not in cache:
        roots = [int(path.strip("/").split("/")[0]) for path in user.scope_paths() if path.count("/") == 2]
        cache[user.id] = bool(roots) and not db.session.scalar(sa.select(sa.func.count(OrgUnit.id)).where(
            OrgUnit.parent_id.is_(None), OrgUnit.id.not_in(roots)))
    return cache[user.id]


def in_scope(stmt: sa.Select, user: User) -> sa.Select:
    """`scoping.visible` for ledger lists (scope or taking part), left out when it holds for every row.

    For a leader at the top of the only tree, `unit_id IN (<thousands of ids>)` restricts
    nothing but leads the query planner to probe every id and sort; without it the filter's
    own index (and the primary key's order) serve the page.
    """
    return stmt if covers_everything(user) else visible(stmt, LedgerItem, user)


def apply_filter(stmt: sa.Select, f: LedgerFilter, user: User, today: date) -> sa.Select:
    """Restrict `stmt` (selecting from ledger_item) to the user's scope and the filter."""
    stmt = in_scope(stmt, user)
    if f.unit:
        unit = db.session.get(OrgUnit, f.unit)
        stmt = stmt.where(LedgerItem.unit_id.in_(OrgUnit.subtree_ids(unit.path) if unit else sa.select(sa.null())))
    if f.source:
        stmt = stmt.where(LedgerItem.source == f.source)
    if f.batch:
        stmt = stmt.where(LedgerItem.batch == f.batch)
    if f.category:
        stmt = stmt.where(LedgerItem.category == f.category)
    if f.status == "active":
        stmt = stmt.where(LedgerItem.status.in_([s.value for s in OPEN_STATES]))
    elif f.status:
        stmt = stmt.where(LedgerItem.status == f.status)
    if f.owner:
        stmt = stmt.where(LedgerItem.owner_id == f.owner)
    if f.mine == "own":
        stmt = stmt.where(LedgerItem.owner_id == user.id)
    elif f.mine == "verify":
        stmt = stmt.where(awaiting_verification_by(user))
    if f.severity:
        stmt = stmt.where(LedgerItem.severity == f.severity)
    if f.countdown:
        low, high = countdown_bounds(Countdown(f.countdown), today)
        stmt = stmt.where(_working(), LedgerItem.deadline.is_not(None))
        if low is not None:
            stmt = stmt.where(LedgerItem.deadline >= low)
        if high is not None:
            stmt = stmt.where(LedgerItem.deadline <= high)
    if f.origin_type:
        stmt = stmt.where(LedgerItem.origin_type == f.origin_type)
    if f.origin_id:
        stmt = stmt.where(LedgerItem.origin_id == f.origin_id)
    if f.q:
        like = f"%{f.q.replace('%', '').replace('_', '')}%"
        stmt = stmt.where(sa.or_(LedgerItem.problem.like(like), LedgerItem.code.like(like)))
    return stmt


def ordered(stmt: sa.Select, f: LedgerFilter) -> sa.Select:
    """Order by the filter's sort, then by id (so an index on the sort column serves it).

    Items without a deadline sort where the database puts NULLs (SQLite first, PostgreSQL last
    when ascending).
    """
    columns = (*SORTS[f.sort], LedgerItem.id)
    return stmt.order_by(*(c.asc() if f.dir == "asc" else c.desc() for c in columns))


def ledger_page(f: LedgerFilter, user: User, today: date, page: int, per_page: int = 50) -> Page:
    """One page of (item, days_left, light, escalation) rows, in three narrow queries.

    A count and the page's ids come from the filtered index-friendly SELECT of ids alone; only
    the page's rows are then loaded with their unit and people and their lights computed.
    """
    ids_stmt = apply_filter(sa.select(LedgerItem.id), f, user, today)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(ids_stmt.subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    ids = list(db.session.scalars(ordered(ids_stmt, f).limit(per_page).offset((page - 1) * per_page)))
    rows = []
    if ids:
        stmt = sa.select(LedgerItem, days_left_expr(today).label("days_left"), light_expr(today).label("light"),
                         escalation_expr(today).label("escalation")).where(LedgerItem.id.in_(ids))
        stmt = stmt.options(*(sa.orm.defaultload(rel).lazyload(User.memberships)
                              for rel in (LedgerItem.owner, LedgerItem.verifier, LedgerItem.responsible_leader)))
        by_id = {row[0].id: row for row in db.session.execute(stmt)}
        rows = [by_id[i] for i in ids if i in by_id]
    return Page(items=rows, page=page, per_page=per_page, total=total)


# --- Roll-up per unit -----------------------------------------------------------------------------

@dataclass
class UnitRollup:
    unit_id: int
    name: str
    total: int
    closed: int
    open: int
    overdue: int
    avg_days_to_close: float | None
    path: str = ""  #: the unit's place in the tree (its 党总支 groups it)

    @property
    def rate(self) -> float | None:
        """整改率: the share of (non-void) items closed, in percent."""
        return round(100.0 * self.closed / self.total, 1) if self.total else None


def rollup(f: LedgerFilter, user: User, today: date, unit_ids: Any = None) -> list[UnitRollup]:
    """Per unit: total (void excluded), closed, open, overdue, average days to close.

    One grouped query with conditional aggregates, joined to the units for their names. Its
    columns are all in the index ix_ledger_item_unit_rollup (unit_id, status, deadline,
    closed_at, created_at), so without further filters SQLite reads that index alone, in unit
    order; PostgreSQL scans the table once into a hash aggregate.
    """
    closed = LedgerItem.status == ItemStatus.closed.value
    total = sa.func.count().filter(LedgerItem.status != ItemStatus.void.value)
    grouped = sa.select(
        LedgerItem.unit_id.label("unit_id"),
        total.label("total"),
        sa.func.count().filter(closed).label("closed"),
        sa.func.count().filter(overdue_clause(today)).label("overdue"),
        sa.func.avg(days_to_close(LedgerItem.closed_at, LedgerItem.created_at)).filter(closed).label("avg_days"),
    ).group_by(LedgerItem.unit_id).having(total > 0)
    if unit_ids is not None:
        grouped = grouped.where(LedgerItem.unit_id.in_(unit_ids))
    counts = apply_filter(grouped, f, user, today).subquery()
    stmt = sa.select(counts, OrgUnit.name, OrgUnit.path).join(OrgUnit, OrgUnit.id == counts.c.unit_id)
    # Plain Core rows on the session's connection: thousands of small rows, no ORM processing.
    result = [UnitRollup(r.unit_id, r.name, r.total, r.closed, r.total - r.closed, r.overdue,
                         round(float(r.avg_days), 1) if r.avg_days is not None else None, r.path)
              for r in db.session.connection().execute(stmt)]
    return sorted(result, key=lambda r: (-r.overdue, r.name))  # names in code point order on every database


def rollup_totals(rows: list[UnitRollup]) -> UnitRollup:
    closed_avgs = [(r.avg_days_to_close, r.closed) for r in rows if r.avg_days_to_close is not None and r.closed]
    weight = sum(n for _, n in closed_avgs)
    avg = round(sum(a * n for a, n in closed_avgs) / weight, 1) if weight else None
    return UnitRollup(0, "", sum(r.total for r in rows), sum(r.closed for r in rows), sum(r.open for r in rows),
                      sum(r.overdue for r in rows), avg)


@dataclass
class RollupGroup:
    """The roll-up rows under one 党总支 and their subtotal (`unit_id` None: units under none)."""

    unit_id: int | None
    name: str
    rows: list[UnitRollup]

    @property
    def subtotal(self) -> UnitRollup:
        return rollup_totals(self.rows)


def rollup_groups(rows: list[UnitRollup]) -> list[RollupGroup]:
    """The roll-up's rows grouped by the 党总支 they sit in (the nearest above them, or themselves),
    groups with the most overdue first; rows under no 党总支 come last, ungrouped."""
    general = dict(db.session.execute(sa.select(OrgUnit.id, OrgUnit.name).where(
        OrgUnit.kind == UnitKind.general_branch)).all())
    groups: dict[int | None, RollupGroup] = {}
    for row in rows:
        chain = [int(part) for part in row.path.strip("/").split("/") if part]
        key = next((unit_id for unit_id in reversed(chain) if unit_id in general), None)
        groups.setdefault(key, RollupGroup(key, general.get(key, ""), [])).rows.append(row)
    ordered = sorted((g for g in groups.values() if g.unit_id is not None),
                     key=lambda g: (-g.subtotal.overdue, g.name))
    return ordered + ([groups[None]] if None in groups else [])


def unit_summary(unit: OrgUnit, user: User, today: date) -> UnitRollup:
    """The roll-up of one unit's whole subtree (for its page)."""
    rows = rollup(LedgerFilter(unit=unit.id), user, today)
    totals = rollup_totals(rows)
    totals.unit_id, totals.name = unit.id, unit.name
    return totals


def awaiting_verification_by(user: User) -> sa.ColumnElement[bool]:
    """Submitted items waiting for `user` to verify: named as their verifier, or (none named) under
    a unit they lead. An owner never verifies their own item."""
    leads = LedgerItem.unit_id.in_(units_in_scope(user, Role.leader, Role.admin))
    return sa.and_(LedgerItem.status == ItemStatus.submitted.value,
                   sa.or_(LedgerItem.owner_id.is_(None), LedgerItem.owner_id != user.id),
                   sa.or_(LedgerItem.verifier_id == user.id, sa.and_(LedgerItem.verifier_id.is_(None), leads)))


def unit_people(unit: OrgUnit) -> list[tuple[int, str]]:
    """The active people holding a role in `unit` or below it (who may own its items), in natural order."""
    people = sort_people(db.session.scalars(sa.select(User).where(
        User.is_active_flag.is_(True), User.id.in_(sa.select(Membership.user_id).where(
            Membership.unit_id.in_(OrgUnit.subtree_ids(unit.path)))))))
    return [(u.id, f"{u.full_name}（{u.username}）") for u in people]


def my_open_counts(user: User, today: date) -> dict[str, int]:
    """For the home page: my open items, of them overdue, the items waiting for my verification
    (待我验收, wherever they sit) and the overdue items of my units."""
    mine = sa.and_(LedgerItem.owner_id == user.id, LedgerItem.status.in_([s.value for s in OPEN_STATES]))
    in_units = LedgerItem.unit_id.in_(units_in_scope(user))
    row = db.session.execute(visible(sa.select(
        sa.func.sum(sa.case((mine, 1), else_=0)),
        sa.func.sum(sa.case((sa.and_(mine, overdue_clause(today)), 1), else_=0)),
        sa.func.sum(sa.case((awaiting_verification_by(user), 1), else_=0)),
        sa.func.sum(sa.case((sa.and_(in_units, overdue_clause(today)), 1), else_=0)),
    ), LedgerItem, user)).one()
    return {"mine": row[0] or 0, "mine_overdue": row[1] or 0, "to_verify": row[2] or 0, "overdue": row[3] or 0}


# --- The ledger as a problem source for other features ------------------------------------------

def count_problems(origin_type: str, origin_id: int) -> ProblemCounts:
    """Open and closed items found on one record (void ones count in neither)."""
    rows = db.session.execute(
        sa.select(LedgerItem.status, sa.func.count()).where(
            LedgerItem.origin_type == origin_type, LedgerItem.origin_id == origin_id)
        .group_by(LedgerItem.status)
    ).all()
    open_, closed = 0, 0
    for status, n in rows:
        if status in OPEN_STATES:
            open_ += n
        elif status is ItemStatus.closed:
            closed += n
    return ProblemCounts(open=open_, closed=closed)
