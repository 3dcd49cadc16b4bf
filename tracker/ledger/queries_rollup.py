"""The ledger's roll-up per unit (整改率, overdue, days to close), grouped by 党总支, and one unit's summary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from ..extensions import db
from ..models import LedgerItem, OrgUnit, UnitKind, User
from .queries import LedgerFilter, apply_filter, days_to_close, overdue_clause
from .workflow import ItemStatus


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
