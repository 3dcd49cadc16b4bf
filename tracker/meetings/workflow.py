"""A meeting record's states, its transitions and their guard, and the cadence of each kind (pure)."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date, timedelta

from ..domain_errors import N_, DomainError, Reason
from ..models.meeting import MeetingKind, MeetingState

__all__ = ["CADENCE", "Cadence", "MeetingKind", "MeetingState", "Period", "TRANSITIONS", "due_in", "ensure_transition",
           "overdue_in", "parse_period", "quarter_period"]

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


class Cadence(enum.StrEnum):
    monthly = "monthly"  #: 每月
    quarterly = "quarterly"  #: 每季度
    yearly = "yearly"  #: 每年


#: How often each kind is due (domain.md §4).
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


def _slots(kind: MeetingKind, period: Period) -> list[tuple[date, date]]:
    """The spans inside `period` in each of which one meeting of `kind` is due: its months, the
    quarter, or (for yearly kinds, in the period holding the year's last day) the whole year."""
    cadence = CADENCE[kind]
    if cadence is Cadence.monthly:
        return [(date(y, m, 1), _month_end(y, m)) for y, m in period.months()]
    if cadence is Cadence.quarterly:
        return [(quarter_period(y, (m - 1) // 3 + 1).start, quarter_period(y, (m - 1) // 3 + 1).end)
                for y, m in period.months() if m % 3 == 1]
    return [(date(y, 1, 1), date(y, 12, 31)) for y, m in period.months() if m == 12]


def due_in(kind: MeetingKind, period: Period) -> int:
    """应开: how many meetings of `kind` a branch owes in `period` by its cadence."""
    return len(_slots(kind, period))


def overdue_in(kind: MeetingKind, period: Period, held_days: list[date], today: date) -> int:
    """How many of the period's slots for `kind` have ended (before `today`) with no meeting held in them."""
    return sum(1 for start, end in _slots(kind, period)
               if end < today and not any(start <= day <= end for day in held_days))
