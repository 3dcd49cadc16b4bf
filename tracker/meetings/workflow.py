"""A meeting record's states, its transitions and their guard, and the cadence of each kind (pure)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from ..domain_errors import N_, DomainError, Reason
from ..models.meeting import Cadence, MeetingKind, MeetingState

__all__ = ["CADENCE", "Cadence", "MeetingKind", "MeetingState", "Period", "TRANSITIONS", "due_in", "ensure_transition",
           "overdue_in", "parse_period", "quarter_period", "slot_key", "slots"]

#: (from, to) → the verb the timeline records.
TRANSITIONS: dict[tuple[MeetingState, MeetingState], str] = {
    (MeetingState.draft, MeetingState.submitted): "submitted",
    (MeetingState.returned, MeetingState.submitted): "submitted",
    (MeetingState.submitted, MeetingState.returned): "returned",
    (MeetingState.submitted, MeetingState.approved): "approved",
}

#: The states in which the branch still edits its record freely.
EDITABLE = frozenset({MeetingState.draft, MeetingState.returned})


def ensure_transition(current: MeetingState, to: MeetingState) -> str:
    """The verb of `current` → `to`; raises DomainError (409) when the record cannot go there."""
    verb = TRANSITIONS.get((current, to))
    if verb is None:
        raise DomainError(Reason(N_("A meeting record cannot go from “%(current)s” to “%(to)s”."),
                                 {"current": current.value, "to": to.value}, code="state"))
    return verb


#: How often each kind is due by default (domain.md §4); an administrator may choose otherwise.
CADENCE: dict[MeetingKind, Cadence] = {
    MeetingKind.general_meeting: Cadence.quarterly,
    MeetingKind.committee: Cadence.monthly,
    MeetingKind.group: Cadence.monthly,
    MeetingKind.lecture: Cadence.quarterly,
    MeetingKind.theme_day: Cadence.monthly,
    MeetingKind.life_meeting: Cadence.yearly,
    MeetingKind.appraisal: Cadence.yearly,
}


@dataclass(frozen=True)
class Period:
    """A span of calendar days, as a filter or a summary reads it."""

    label: str  #: 2026Q4, 2026-11 or 2026
    start: date
    end: date

    def months(self) -> list[tuple[int, int]]:
        """(year, month) of every month the period covers."""
        out, year, month = [], self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            out.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return out


_PERIOD = re.compile(r"^(\d{4})(?:Q([1-4])|-(0[1-9]|1[0-2]))?$")


def _month_end(year: int, month: int) -> date:
    return (date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)) - timedelta(days=1)


def quarter_period(year: int, quarter: int) -> Period:
    return Period(f"{year}Q{quarter}", date(year, 3 * quarter - 2, 1), _month_end(year, 3 * quarter))


def parse_period(text: str | None) -> Period | None:
    """'2026Q4', '2026-11' or '2026' as a Period; None for anything else (no filter)."""
    match = _PERIOD.match((text or "").strip())
    if not match:
        return None
    year = int(match.group(1))
    if match.group(2):
        return quarter_period(year, int(match.group(2)))
    if match.group(3):
        month = int(match.group(3))
        return Period(f"{year}-{month:02d}", date(year, month, 1), _month_end(year, month))
    return Period(str(year), date(year, 1, 1), date(year, 12, 31))


Span = tuple[date, date]


def slots(kind: MeetingKind, period: Period, cadence: Cadence | None = None,
          exempt: Iterable[Span] = ()) -> list[Span]:
    """The spans inside `period` in each of which one meeting of `kind` is due at `cadence` (default:
    `CADENCE`): its months, its quarters, or (yearly, in the period holding the year's last day) the
    whole year. A span an exemption overlaps is not due."""
    exempt = list(exempt)
    return [(start, end) for start, end in _slots(cadence or CADENCE[kind], period)
            if not any(e_start <= end and start <= e_end for e_start, e_end in exempt)]


def _slots(cadence: Cadence, period: Period) -> list[Span]:
    if cadence is Cadence.none:
        return []
    if cadence is Cadence.monthly:
        return [(date(y, m, 1), _month_end(y, m)) for y, m in period.months()]
    if cadence is Cadence.quarterly:
        return [(quarter_period(y, (m - 1) // 3 + 1).start, quarter_period(y, (m - 1) // 3 + 1).end)
                for y, m in period.months() if m % 3 == 1]
    return [(date(y, 1, 1), date(y, 12, 31)) for y, m in period.months() if m == 12]


def slot_key(day: date, cadence: Cadence) -> int:
    """Which slot `day` falls in at `cadence`, as a number that grows with time: 202611 (monthly),
    20264 (quarterly), 2026 (yearly). `queries` has its SQL twin."""
    if cadence is Cadence.monthly:
        return day.year * 100 + day.month
    if cadence is Cadence.quarterly:
        return day.year * 10 + (day.month + 2) // 3
    return day.year


def due_in(kind: MeetingKind, period: Period, cadence: Cadence | None = None, exempt: Iterable[Span] = ()) -> int:
    """应开: how many meetings of `kind` a branch owes in `period` at `cadence`, less exempted spans."""
    return len(slots(kind, period, cadence, exempt))


def overdue_in(kind: MeetingKind, period: Period, held_days: list[date], today: date,
               cadence: Cadence | None = None, exempt: Iterable[Span] = ()) -> int:
    """How many of the period's due slots for `kind` have ended (before `today`) with no meeting held in them."""
    return sum(1 for start, end in slots(kind, period, cadence, exempt)
               if end < today and not any(start <= day <= end for day in held_days))
