"""Aggregation of a round's scoresheets into totals, grades and ranks (Decimal throughout)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

CENT = Decimal("0.01")


class Kind(StrEnum):
    """How an indicator counts towards the total."""

    #: Scored from 0 to its points; the means are summed into the total.
    NORMAL = "normal"
    #: 加分: scored from 0 up; its mean counts up to its points (the cap).
    BONUS = "bonus"
    #: 一票否决: each reviewer marks it triggered or not; a majority sets the lowest grade.
    VETO = "veto"


class Grade(StrEnum):
    """A unit's grade; the caller translates the code (好 / 较好 / 一般 / 差)."""

    #: 好
    EXCELLENT = "excellent"
    #: 较好
    GOOD = "good"
    #: 一般
    FAIR = "fair"
    #: 差, also the grade of any vetoed unit
    POOR = "poor"


@dataclass(frozen=True)
class Indicator:
    """One rubric indicator. A bonus indicator's `points` is its cap; a veto's is unused."""

    id: int
    points: Decimal
    kind: Kind = Kind.NORMAL


@dataclass(frozen=True)
class GradeScale:
    """The lowest total for each grade above poor (inclusive); defaults 90 / 80 / 60."""

    excellent: Decimal = Decimal(90)
    good: Decimal = Decimal(80)
    fair: Decimal = Decimal(60)

    def __post_init__(self) -> None:
        if not self.excellent >= self.good >= self.fair:
            raise ValueError("grade thresholds must not increase from excellent to fair")

    def grade(self, total: Decimal) -> Grade:
        """The grade a (non-vetoed) total earns."""
        if total >= self.excellent:
            return Grade.EXCELLENT
        if total >= self.good:
            return Grade.GOOD
        if total >= self.fair:
            return Grade.FAIR
        return Grade.POOR


@dataclass(frozen=True)
class UnitScores:
    """What the reviewers of one unit submitted.

    `scores` maps a normal or bonus indicator id to each submitted reviewer's score. `vetoes`
    maps a veto indicator id to each submitted reviewer's mark, True meaning "triggered".
    `veto_decisions` maps a veto indicator id to a leader's decision (True: applied, False:
    cleared), which overrides the marks.
    """

    unit_id: int
    scores: Mapping[int, Sequence[Decimal]] = field(default_factory=dict)
    vetoes: Mapping[int, Sequence[bool]] = field(default_factory=dict)
    veto_decisions: Mapping[int, bool] = field(default_factory=dict)

    @property
    def has_sheets(self) -> bool:
        return any(self.scores.values()) or any(self.vetoes.values())


@dataclass(frozen=True)
class UnitResult:
    """A unit's place in the round. `total`, `grade` and `rank` are None without any sheet.

    `breakdown` holds, per scored normal or bonus indicator, the mean rounded to cents (a bonus
    mean already capped at its points); `bonus` is the bonus counted in `total`.
    """

    unit_id: int
    total: Decimal | None
    grade: Grade | None
    rank: int | None
    breakdown: Mapping[int, Decimal] = field(default_factory=dict)
    bonus: Decimal = Decimal(0)
    vetoed_by: tuple[int, ...] = ()
    #: Veto items some reviewers marked without a majority and no leader decided: they do not
    #: count yet, and the round cannot be published while any is left (see `split_veto`).
    veto_pending: tuple[int, ...] = ()
    #: The bonus means summed before the rubric's cap (`bonus` is what the cap let count).
    bonus_scored: Decimal = Decimal(0)

    @property
    def vetoed(self) -> bool:
        return bool(self.vetoed_by)


def cents(value: Decimal) -> Decimal:
    """`value` rounded to 2 decimals, halves away from zero (四舍五入)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def indicator_mean(scores: Sequence[Decimal]) -> Decimal | None:
    """The mean of the reviewers' scores, dropping one highest and one lowest when there are 3+.

    None when nobody scored. The result is not rounded.
    """
    values = sorted(_decimal(s) for s in scores)
    if not values:
        return None
    if len(values) >= 3:
        values = values[1:-1]
    return sum(values, Decimal(0)) / len(values)


def vetoed(marks: Sequence[bool]) -> bool:
    """True when a strict majority of the submitted reviewers marked the veto triggered.

    A tie (one of two reviewers) does not trigger it: the leader settles it in the appeal.
    """
    return sum(1 for mark in marks if mark) * 2 > len(marks)


def split_veto(marks: Sequence[bool]) -> bool:
    """True when some reviewers marked the veto but not a strict majority: a leader decides it.

    A veto is never dropped silently: such a split is neither applied nor ignored until a leader
    applies or clears it with a reason.
    """
    return any(marks) and not vetoed(marks)


def veto_applies(marks: Sequence[bool], decision: bool | None = None) -> bool:
    """Whether a veto counts: the leader's decision when there is one, else a strict majority."""
    return decision if decision is not None else vetoed(marks)


def aggregate(
    indicators: Iterable[Indicator],
    units: Iterable[UnitScores],
    scale: GradeScale = GradeScale(),
    bonus_cap: Decimal | None = None,
) -> list[UnitResult]:
    """Totals, grades and ranks of every unit, best first (unranked units last, by id).

    Per indicator the mean of `indicator_mean`, rounded to cents so the published breakdown adds
    up to the total; each bonus mean is capped at its points and the bonus sum at `bonus_cap`
    (no further cap when None). total = normal means + bonus. A vetoed unit (see `vetoed`) keeps
    its total but is graded poor and ranked after every unit not vetoed. Ranks are shared by
    equal totals (1, 1, 3). Raises ValueError for an unknown indicator, a score of the wrong
    kind, or a score outside 0..points (a bonus score has no upper bound: the cap applies).
    """
    by_id = {i.id: i for i in indicators}
    return rank_results([_unit_result(by_id, unit, scale, bonus_cap) for unit in units])


def rank_results(results: Iterable[UnitResult]) -> list[UnitResult]:
    """`results` with their ranks, best first (unranked last, by id): equal totals share a rank
    (1, 1, 3), and vetoed units rank after every unit not vetoed."""
    results = list(results)
    scored = [r for r in results if r.total is not None]
    clean = [r for r in scored if not r.vetoed]
    ranks = _competition_ranks(clean) | _competition_ranks(
        [r for r in scored if r.vetoed], after=len(clean)
    )
    ranked = [replace(r, rank=ranks.get(r.unit_id)) for r in results]
    return sorted(ranked, key=lambda r: (r.rank is None, r.rank or 0, r.unit_id))


def mean_total(totals: Sequence[Decimal]) -> Decimal | None:
    """The plain mean of several rounds' totals in one quarter (not rounded); None for none.

    Two rounds in one quarter both count: the quarter's score is their mean.
    """
    values = [_decimal(t) for t in totals if t is not None]
    if not values:
        return None
    return sum(values, Decimal(0)) / len(values)


def combine_rounds(
    totals: Sequence[Decimal | None], weights: Sequence[Decimal | int]
) -> Decimal | None:
    """A half-year or annual score: the weighted mean of the rounds' totals, rounded to cents.

    Weights are normalised over the rounds the unit has a total in (a round it was not scored in
    does not count as zero); None when it has none. Raises ValueError on mismatched lengths,
    negative weights, or weights that sum to zero.
    """
    if len(totals) != len(weights):
        raise ValueError("one weight per round is needed")
    weights = [_decimal(w) for w in weights]
    if any(w < 0 for w in weights) or not any(weights):
        raise ValueError("weights must be non-negative and not all zero")
    counted = [(_decimal(t), w) for t, w in zip(totals, weights) if t is not None]
    weight = sum((w for _, w in counted), Decimal(0))
    if not counted or not weight:
        return None
    return cents(sum((t * w for t, w in counted), Decimal(0)) / weight)


def _decimal(value: Decimal | int) -> Decimal:
    # Floats would bring binary rounding into published scores.
    if isinstance(value, float):
        raise TypeError("scores and weights must be Decimal or int, not float")
    return Decimal(value)


def _unit_result(
    by_id: Mapping[int, Indicator],
    unit: UnitScores,
    scale: GradeScale,
    bonus_cap: Decimal | None,
) -> UnitResult:
    for indicator_id in (*unit.scores, *unit.vetoes):
        if indicator_id not in by_id:
            raise ValueError(f"unit {unit.unit_id}: unknown indicator {indicator_id}")
    if not unit.has_sheets:
        return UnitResult(unit.unit_id, None, None, None)
    normal = Decimal(0)
    bonus = Decimal(0)
    breakdown: dict[int, Decimal] = {}
    for indicator_id, scores in unit.scores.items():
        indicator = by_id[indicator_id]
        if indicator.kind is Kind.VETO:
            raise ValueError(f"veto indicator {indicator_id} takes marks, not scores")
        for score in scores:
            if _decimal(score) < 0 or (indicator.kind is Kind.NORMAL and score > indicator.points):
                raise ValueError(f"score {score} outside 0..{indicator.points} "
                                 f"for indicator {indicator_id}")
        mean = indicator_mean(scores)
        if mean is None:
            continue
        if indicator.kind is Kind.BONUS:
            mean = min(mean, indicator.points)
        breakdown[indicator_id] = cents(mean)
        if indicator.kind is Kind.BONUS:
            bonus += breakdown[indicator_id]
        else:
            normal += breakdown[indicator_id]
    bonus_scored = bonus
    if bonus_cap is not None:
        bonus = min(bonus, bonus_cap)
    vetoed_by, pending = [], []
    for indicator_id in dict.fromkeys((*unit.vetoes, *unit.veto_decisions)):
        if indicator_id not in by_id or by_id[indicator_id].kind is not Kind.VETO:
            raise ValueError(f"indicator {indicator_id} is not a veto")
        marks = unit.vetoes.get(indicator_id, ())
        decision = unit.veto_decisions.get(indicator_id)
        if veto_applies(marks, decision):
            vetoed_by.append(indicator_id)
        elif decision is None and split_veto(marks):
            pending.append(indicator_id)
    total = cents(normal + bonus)
    grade = Grade.POOR if vetoed_by else scale.grade(total)
    return UnitResult(unit.unit_id, total, grade, None, breakdown, bonus,
                      tuple(sorted(vetoed_by)), tuple(sorted(pending)), bonus_scored)


def _competition_ranks(results: Sequence[UnitResult], after: int = 0) -> dict[int, int]:
    """Rank by total, best first; equal totals share a rank and the next rank skips (1, 1, 3)."""
    ordered = sorted(results, key=lambda r: r.total, reverse=True)
    ranks: dict[int, int] = {}
    for position, result in enumerate(ordered, start=1):
        previous = ordered[position - 2] if position > 1 else None
        if previous is not None and previous.total == result.total:
            ranks[result.unit_id] = ranks[previous.unit_id]
        else:
            ranks[result.unit_id] = after + position
    return ranks
