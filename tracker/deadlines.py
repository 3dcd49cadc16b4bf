"""Due lights (green / yellow / red), the same for every dated thing: ledger items, projects, checklist items.

Pure: no Flask, no database. The ledger's list computes the same light in SQL
(`ledger.queries.light_expr`), and a test holds the two together.
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from .models.base import LabelledEnum

#: Days left at which a running deadline turns yellow.
YELLOW_DAYS = 3


class DueLight(LabelledEnum):
    none = "none", _l("No running deadline")  #: no running deadline (no date, or nothing left to do)
    green = "green", _l("On time")  #: more than YELLOW_DAYS left
    yellow = "yellow", _l("Due soon")  #: YELLOW_DAYS or fewer left
    red = "red", _l("Overdue")  #: overdue


def due_light(deadline: date | None, today: date, running: bool = True) -> DueLight:
    """The light of a deadline on `today`; `running` False (done, closed, void) has none."""
    if deadline is None or not running:
        return DueLight.none
    left = (deadline - today).days
    if left < 0:
        return DueLight.red
    return DueLight.yellow if left <= YELLOW_DAYS else DueLight.green
