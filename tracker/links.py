"""Links between features that must not import each other.

A feature that records problems (the rectification ledger) registers a counter here; a feature
whose rules depend on problems found (a project's check-stage gate) asks through `problem_counts`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ProblemCounts:
    open: int = 0  #: problems not yet closed (待整改, 整改中, 待验收, 退回)
    closed: int = 0  #: problems closed (已销号); voided ones count in neither

    def __add__(self, other: ProblemCounts) -> ProblemCounts:
        return ProblemCounts(self.open + other.open, self.closed + other.closed)


ProblemCounter = Callable[[str, int], ProblemCounts]
_counters: list[ProblemCounter] = []


def register_problem_counter(counter: ProblemCounter) -> None:
    """Register `counter(origin_type, origin_id)`; registering the same function twice is a no-op."""
    if counter not in _counters:
        _counters.append(counter)


def problem_counts(origin_type: str, origin_id: int) -> ProblemCounts:
    """How many problems found on one record (e.g. `("project", 42)`) are open and closed."""
    total = ProblemCounts()
    for counter in _counters:
        total = total + counter(origin_type, origin_id)
    return total
