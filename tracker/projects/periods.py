"""The periods recurring templates owe projects for: parsing, labels and titles (pure: no session, no Flask)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import TYPE_CHECKING

from ..domain_errors import N_, refuse
from ..models.project import Recurrence

if TYPE_CHECKING:
    from ..models import OrgUnit, ProjectTemplate

_PERIOD = re.compile(r"^(\d{4})(?:Q([1-4])|-(0[1-9]|1[0-2]))?$")


def quarter_of(day: date) -> int:
    """The quarter (1–4) holding `day`."""
    return (day.month - 1) // 3 + 1


def parse_period(period: str) -> tuple[Recurrence, date, date, int | None]:
    """'2026Q4' (quarterly), '2026-11' (monthly) or '2026' (yearly) → recurrence, first day, last day, quarter.

    Raises DomainError (422, code "period") for anything else.
    """
    match = _PERIOD.match(period.strip())
    if not match:
        raise refuse(N_("Write the period as 2026Q4, 2026-11 or 2026."), "period")
    year = int(match.group(1))
    if match.group(2):
        q = int(match.group(2))
        start = date(year, 3 * q - 2, 1)
        end = (date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)) - timedelta(days=1)
        return Recurrence.quarterly, start, end, q
    if match.group(3):
        month = int(match.group(3))
        start = date(year, month, 1)
        end = (date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)) - timedelta(days=1)
        return Recurrence.monthly, start, end, quarter_of(start)
    return Recurrence.yearly, date(year, 1, 1), date(year, 12, 31), None


def period_title(recurrence: Recurrence, start: date) -> str:
    """How a period reads in a generated project's title: 2026年第4季度, 2026年11月, 2026年度."""
    if recurrence is Recurrence.quarterly:
        return f"{start.year}年第{quarter_of(start)}季度"
    if recurrence is Recurrence.monthly:
        return f"{start.year}年{start.month}月"
    return f"{start.year}年度"


def period_of(recurrence: Recurrence, day: date) -> tuple[str, date, date, int | None]:
    """The period of `recurrence` holding `day`: its label (2026Q4, 2026-11, 2026), first and last day, quarter."""
    if recurrence is Recurrence.quarterly:
        label = f"{day.year}Q{quarter_of(day)}"
    elif recurrence is Recurrence.monthly:
        label = f"{day.year}-{day.month:02d}"
    else:
        label = f"{day.year}"
    _recurrence, start, end, quarter = parse_period(label)
    return label, start, end, quarter


def recurring_title(unit: OrgUnit, template: ProjectTemplate, recurrence: Recurrence, start: date) -> str:
    """The one title of a recurring template's project, however it was made: 一支部主题党日（2026年12月）."""
    return f"{unit.name}{template.name}（{period_title(recurrence, start)}）"
