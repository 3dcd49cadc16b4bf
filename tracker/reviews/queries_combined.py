"""Reading review rounds across rounds: the 半年考评 / 年终总评 ranking of every unit."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa

from ..extensions import db
from ..models import OrgUnit, ReviewRound, RoundResult, User
from ..scoping import units_in_scope
from . import scoring
from .policy import can_see_whole_ranking
from .queries import visible_rounds
from .queries_results import scale_of
from .workflow import PUBLIC_STATES

#: The quarters each period combines.
PERIODS: dict[str, tuple[int, ...]] = {"h1": (1, 2), "h2": (3, 4), "year": (1, 2, 3, 4)}


@dataclass
class CombinedRow:
    """One unit in a half-year or annual ranking."""

    unit_id: int
    name: str
    #: Per quarter, the mean of the unit's totals in that quarter's rounds (None: not scored).
    quarters: dict[int, Decimal | None]
    #: Per quarter, how many rounds counted (two rounds in one quarter both count).
    rounds: dict[int, int]
    total: Decimal | None
    grade: str | None
    rank: int | None
    vetoed: bool = False


@dataclass
class CombinedRanking:
    """The ranking of every unit scored in one unit's published rounds of one period."""

    unit: OrgUnit | None
    year: int | None
    period: str
    quarters: tuple[int, ...]
    weights: dict[int, Decimal | int]
    rounds: list[ReviewRound] = field(default_factory=list)
    rows: list[CombinedRow] = field(default_factory=list)


def ranking_units(user: User) -> list[OrgUnit]:
    """The units whose published rounds the user can see, for choosing the ranking's unit."""
    ids = sa.select(ReviewRound.unit_id).where(
        ReviewRound.id.in_(visible_rounds(user).with_only_columns(ReviewRound.id)),
        ReviewRound.state.in_([s.value for s in PUBLIC_STATES]))
    return list(db.session.scalars(sa.select(OrgUnit).where(OrgUnit.id.in_(ids)).order_by(OrgUnit.path)))


def ranking_years(unit: OrgUnit) -> list[int]:
    """The years of `unit`'s published rounds, newest first."""
    return list(db.session.scalars(
        sa.select(ReviewRound.year).where(ReviewRound.unit_id == unit.id,
                                          ReviewRound.state.in_([s.value for s in PUBLIC_STATES]))
        .distinct().order_by(ReviewRound.year.desc())))


def combined_ranking(unit: OrgUnit | None, year: int | None, period: str,
                     weights: Mapping[int, Decimal | int]) -> CombinedRanking:
    """Every unit with a total in `unit`'s published rounds of `year` in `period` ("h1", "h2",
    "year"), ranked by its combined score.

    A quarter's score is the mean of the unit's totals in that quarter's rounds; the period's
    score combines the quarters by `weights` (normalised over the quarters the unit was scored
    in). Grades follow the thresholds of the latest round's rubric; a unit vetoed in any round
    of the period is graded 差 and ranks after the others, as in a round.
    """
    quarters = PERIODS.get(period, PERIODS["year"])
    ranking = CombinedRanking(unit, year, period, quarters, {q: weights.get(q, 1) for q in quarters})
    if unit is None or year is None:
        return ranking
    ranking.rounds = list(db.session.scalars(
        sa.select(ReviewRound).where(ReviewRound.unit_id == unit.id, ReviewRound.year == year,
                                     ReviewRound.quarter.in_(quarters),
                                     ReviewRound.state.in_([s.value for s in PUBLIC_STATES]))
        .order_by(ReviewRound.quarter, ReviewRound.id)))
    if not ranking.rounds:
        return ranking
    quarter_of = {r.id: r.quarter for r in ranking.rounds}
    totals: dict[int, dict[int, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    vetoed: set[int] = set()
    names: dict[int, str] = {}
    for round_id, unit_id, name, total, is_vetoed in db.session.execute(
            sa.select(RoundResult.round_id, RoundResult.unit_id, OrgUnit.name, RoundResult.total,
                      RoundResult.is_vetoed)
            .join(OrgUnit, OrgUnit.id == RoundResult.unit_id)
            .where(RoundResult.round_id.in_(quarter_of), RoundResult.total.is_not(None))):
        totals[unit_id][quarter_of[round_id]].append(Decimal(total))
        names[unit_id] = name
        if is_vetoed:
            vetoed.add(unit_id)
    scale = scale_of(ranking.rounds[-1].rubric)
    results = []
    means: dict[int, dict[int, Decimal | None]] = {}
    for unit_id, by_quarter in totals.items():
        means[unit_id] = {q: scoring.mean_total(by_quarter.get(q, [])) for q in quarters}
        combined = scoring.combine_rounds([means[unit_id][q] for q in quarters], [ranking.weights[q] for q in quarters])
        grade = None if combined is None else scoring.Grade.POOR if unit_id in vetoed else scale.grade(combined)
        results.append(scoring.UnitResult(unit_id, combined, grade, None,
                                          vetoed_by=(0,) if unit_id in vetoed else ()))
    for r in scoring.rank_results(results):
        ranking.rows.append(CombinedRow(
            r.unit_id, names[r.unit_id],
            {q: scoring.cents(v) if v is not None else None for q, v in means[r.unit_id].items()},
            {q: len(totals[r.unit_id].get(q, [])) for q in quarters},
            r.total, r.grade.value if r.grade else None, r.rank, r.vetoed))
    return ranking


def rows_for(user: User, ranking: CombinedRanking) -> list[CombinedRow]:
    """The rows of the ranking the user may read: all for its leaders, else their own units'."""
    if ranking.unit is None or can_see_whole_ranking(user, ranking.unit):
        return ranking.rows
    mine = set(db.session.scalars(units_in_scope(user)))
    return [row for row in ranking.rows if row.unit_id in mine]
