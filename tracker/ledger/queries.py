"""Reading the ledger: the filter of the URL, due lights, countdowns and escalation in SQL, roll-ups."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from ..extensions import db
from ..models import ItemSource, LedgerItem, OrgUnit, Severity, User
from ..scoping import scoped, units_in_scope
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

SORTS = {
    "code": (LedgerItem.year, LedgerItem.seq),
    "deadline": (LedgerItem.deadline,),
    "status": (LedgerItem.status,),
    "unit": (LedgerItem.unit_id,),
    "created": (LedgerItem.created_at,),
    "severity": (LedgerItem.severity,),
}
VIEWS = ("ledger", "problems", "tasks", "responsibility", "deadlines")


@dataclass
class LedgerFilter:
    unit: int | None = None
    source: str = ""
    batch: str = ""
    category: str = ""
    status: str = ""
    owner: int | None = None
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
            owner=number("owner"), severity=text("severity", {s.value for s in Severity}),
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


def apply_filter(stmt: sa.Select, f: LedgerFilter, user: User, today: date) -> sa.Select:
    """Restrict `stmt` (selecting from ledger_item) to the user's scope and the filter."""
    stmt = scoped(stmt, LedgerItem.unit_id, user)
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
    columns = SORTS[f.sort]
    keys = [c.asc() if f.dir == "asc" else c.desc() for c in columns]
    if f.sort == "deadline":
        keys = [c.nulls_last() for c in keys]
    return stmt.order_by(*keys, LedgerItem.id.desc() if f.dir == "desc" else LedgerItem.id.asc())


def ledger_rows(f: LedgerFilter, user: User, today: date) -> sa.Select:
    """SELECT (item, days_left, light, escalation) for the ledger table; people and unit load joined."""
    stmt = sa.select(LedgerItem, days_left_expr(today).label("days_left"), light_expr(today).label("light"),
                     escalation_expr(today).label("escalation"))
    stmt = stmt.options(*(sa.orm.defaultload(rel).lazyload(User.memberships)
                          for rel in (LedgerItem.owner, LedgerItem.verifier, LedgerItem.responsible_leader)))
    return ordered(apply_filter(stmt, f, user, today), f)


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

    @property
    def rate(self) -> float | None:
        """整改率: the share of (non-void) items closed, in percent."""
        return round(100.0 * self.closed / self.total, 1) if self.total else None


def rollup(f: LedgerFilter, user: User, today: date, unit_ids: Any = None) -> list[UnitRollup]:
    """Per unit: total (void excluded), closed, open, overdue, average days to close — one query."""
    closed = LedgerItem.status == ItemStatus.closed.value
    stmt = sa.select(
        LedgerItem.unit_id,
        sa.func.count(LedgerItem.id).label("total"),
        sa.func.sum(sa.case((closed, 1), else_=0)).label("closed"),
        sa.func.sum(sa.case((LedgerItem.status.in_([s.value for s in OPEN_STATES]), 1), else_=0)).label("open"),
        sa.func.sum(sa.case((overdue_clause(today), 1), else_=0)).label("overdue"),
        sa.func.avg(sa.case((closed, days_to_close(LedgerItem.closed_at, LedgerItem.created_at)),
                            else_=None)).label("avg_days"),
    ).where(LedgerItem.status != ItemStatus.void.value).group_by(LedgerItem.unit_id)
    stmt = apply_filter(stmt, f, user, today)
    if unit_ids is not None:
        stmt = stmt.where(LedgerItem.unit_id.in_(unit_ids))
    rows = db.session.execute(stmt).all()
    names = dict(db.session.execute(sa.select(OrgUnit.id, OrgUnit.name).where(
        OrgUnit.id.in_([r.unit_id for r in rows]))).all()) if rows else {}
    result = [UnitRollup(r.unit_id, names.get(r.unit_id, "?"), r.total, r.closed or 0, r.open or 0, r.overdue or 0,
                         round(float(r.avg_days), 1) if r.avg_days is not None else None) for r in rows]
    return sorted(result, key=lambda r: (-(r.overdue), r.name))


def rollup_totals(rows: list[UnitRollup]) -> UnitRollup:
    closed_avgs = [(r.avg_days_to_close, r.closed) for r in rows if r.avg_days_to_close is not None and r.closed]
    weight = sum(n for _, n in closed_avgs)
    avg = round(sum(a * n for a, n in closed_avgs) / weight, 1) if weight else None
    return UnitRollup(0, "", sum(r.total for r in rows), sum(r.closed for r in rows), sum(r.open for r in rows),
                      sum(r.overdue for r in rows), avg)


def unit_summary(unit: OrgUnit, user: User, today: date) -> UnitRollup:
    """The roll-up of one unit's whole subtree (for its page)."""
    rows = rollup(LedgerFilter(unit=unit.id), user, today)
    totals = rollup_totals(rows)
    totals.unit_id, totals.name = unit.id, unit.name
    return totals


def my_open_counts(user: User, today: date) -> dict[str, int]:
    """For the home page: my open items, of them overdue, and items waiting for my verification."""
    mine = sa.and_(LedgerItem.owner_id == user.id, LedgerItem.status.in_([s.value for s in OPEN_STATES]))
    row = db.session.execute(sa.select(
        sa.func.sum(sa.case((mine, 1), else_=0)),
        sa.func.sum(sa.case((sa.and_(mine, overdue_clause(today)), 1), else_=0)),
        sa.func.sum(sa.case((sa.and_(
            sa.or_(LedgerItem.verifier_id == user.id,
                   sa.and_(LedgerItem.verifier_id.is_(None), sa.true() if user.is_leader else sa.false())),
            LedgerItem.status == ItemStatus.submitted.value), 1), else_=0)),
        sa.func.sum(sa.case((overdue_clause(today), 1), else_=0)),
    ).where(LedgerItem.unit_id.in_(units_in_scope(user)))).one()
    return {"mine": row[0] or 0, "mine_overdue": row[1] or 0, "to_verify": row[2] or 0, "overdue": row[3] or 0}
