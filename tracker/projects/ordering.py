"""Moving a row one place up or down in an ordered list: checklist items, template items, categories."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def move_one_place(rows: Sequence[Any], row: Any, direction: str, attribute: str = "position") -> bool:
    """Swap `row` with its neighbour above ("up") or below ("down") in `rows` (in their order) and
    number them all from 1 in `attribute`; False, and nothing changed, when `row` is at that end."""
    rows = list(rows)
    index = next(i for i, r in enumerate(rows) if r.id == row.id)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(rows):
        return False
    rows[index], rows[other] = rows[other], rows[index]
    for position, r in enumerate(rows, start=1):
        if getattr(r, attribute) != position:
            setattr(r, attribute, position)
    return True
