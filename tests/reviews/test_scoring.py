"""Scoring: worked examples of means, dropped extremes, bonus caps, vetoes, grades and ranks."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from tracker.reviews.scoring import (
    Grade,
    GradeScale,
    Indicator,
    Kind,
    UnitScores,
    aggregate,
    combine_rounds,
    indicator_mean,
    vetoed,
)

# 三会一课 40, 组织建设 30, 制度落实 30, 加分 up to 5, one 一票否决 item.
RUBRIC = [
    Indicator(1, D(40)),
    Indicator(2, D(30)),
    Indicator(3, D(30)),
    Indicator(10, D(5), Kind.BONUS),
    Indicator(20, D(0), Kind.VETO),
]


def unit(uid: int, *, veto: list[bool] | None = None, bonus: list[str] | None = None,
         **scores: list[str]) -> UnitScores:
    """Scores given as i1=[...], i2=[...], i3=[...] (strings, one per reviewer)."""
    by_indicator = {int(name[1:]): [D(s) for s in values] for name, values in scores.items()}
    if bonus is not None:
        by_indicator[10] = [D(s) for s in bonus]
    return UnitScores(uid, by_indicator, {20: veto} if veto is not None else {})


def results(*units: UnitScores, **options) -> dict[int, object]:
    return {r.unit_id: r for r in aggregate(RUBRIC, units, **options)}


def test_two_reviewers_are_averaged():
    [r] = aggregate(RUBRIC, [unit(7, i1=["38", "36"], i2=["30", "27"], i3=["25", "26"])])
    assert r.breakdown == {1: D("37.00"), 2: D("28.50"), 3: D("25.50")}
    assert r.total == D("91.00")
    assert r.grade is Grade.EXCELLENT


def test_three_reviewers_drop_the_highest_and_the_lowest():
    [r] = aggregate(RUBRIC, [unit(7, i1=["40", "30", "35"], i2=["20", "29", "28"],
                                   i3=["30", "30", "10"])])
    assert r.breakdown == {1: D(35), 2: D(28), 3: D(30)}
    assert r.total == D("93.00")


def test_four_reviewers_drop_only_one_highest_and_one_lowest():
    assert indicator_mean([D(10), D(20), D(30), D(40)]) == D(25)
    assert indicator_mean([D(40), D(40), D(40), D(10)]) == D(40)
    assert indicator_mean([]) is None


def test_means_round_half_up_to_cents_and_the_breakdown_adds_up_to_the_total():
    # 8.125 rounds up to 8.13 (banker's rounding would give 8.12); a third rounds to .33.
    [r] = aggregate(RUBRIC, [unit(7, i1=["8", "8.25"], i2=["1", "1", "2", "0", "9"])])
    assert r.breakdown == {1: D("8.13"), 2: D("1.33")}
    assert r.total == D("9.46") == sum(r.breakdown.values())


def test_bonus_counts_up_to_its_cap():
    [r] = aggregate(RUBRIC, [unit(7, i1=["40", "40"], i2=["25", "25"], i3=["20", "20"],
                                   bonus=["6", "7"])])
    assert r.bonus == D(5)
    assert r.total == D("90.00")


def test_several_bonus_items_are_capped_together():
    rubric = [Indicator(1, D(100)), Indicator(10, D(5), Kind.BONUS),
              Indicator(11, D(5), Kind.BONUS)]
    scores = UnitScores(7, {1: [D(80)], 10: [D(5)], 11: [D(4)]})
    [uncapped] = aggregate(rubric, [scores])
    [capped] = aggregate(rubric, [scores], bonus_cap=D(8))
    assert (uncapped.total, capped.total) == (D(89), D(88))


def test_a_veto_by_most_reviewers_sets_the_lowest_grade_and_ranks_last():
    full = dict(i1=["40", "40", "40"], i2=["30", "30", "30"], i3=["25", "25", "25"])
    by_id = results(
        unit(1, veto=[True, True, False], **full),
        unit(2, i1=["30"], i2=["20"], i3=["5"]),
    )
    assert by_id[1].total == D(95) and by_id[1].vetoed_by == (20,)
    assert by_id[1].grade is Grade.POOR and by_id[1].rank == 2
    assert by_id[2].grade is Grade.POOR and by_id[2].rank == 1


def test_a_veto_needs_a_strict_majority():
    assert vetoed([True, True, False])
    assert not vetoed([True, False])
    assert not vetoed([])
    [r] = aggregate(RUBRIC, [unit(1, veto=[True, False], i1=["40", "40"], i2=["30", "30"],
                                   i3=["30", "30"])])
    assert r.grade is Grade.EXCELLENT and not r.vetoed


def test_equal_totals_share_a_rank_and_the_next_rank_is_skipped():
    ranked = aggregate(RUBRIC, [
        unit(1, i1=["40"], i2=["30"], i3=["15"]),
        unit(2, i1=["35"], i2=["30"], i3=["20"]),
        unit(3, i1=["40"], i2=["30"], i3=["30"]),
        unit(4, i1=["30"], i2=["30"], i3=["20"]),
    ])
    assert [(r.unit_id, r.total, r.rank) for r in ranked] == [
        (3, D(100), 1), (1, D(85), 2), (2, D(85), 2), (4, D(80), 4),
    ]


def test_vetoed_units_rank_after_the_others_and_share_ranks_among_themselves():
    ranked = aggregate(RUBRIC, [
        unit(1, veto=[True], i1=["40"], i2=["30"], i3=["30"]),
        unit(2, veto=[True], i1=["40"], i2=["30"], i3=["30"]),
        unit(3, i1=["10"]),
        unit(4, i1=["10"]),
    ])
    assert [(r.unit_id, r.rank) for r in ranked] == [(3, 1), (4, 1), (1, 3), (2, 3)]


def test_a_unit_without_sheets_has_no_total_and_no_rank():
    ranked = aggregate(RUBRIC, [UnitScores(1, {1: [], 2: []}), unit(2, i1=["10"])])
    assert [(r.unit_id, r.total, r.grade, r.rank) for r in ranked] == [
        (2, D(10), Grade.POOR, 1), (1, None, None, None),
    ]


@pytest.mark.parametrize(("total", "grade"), [
    ("100", Grade.EXCELLENT), ("90", Grade.EXCELLENT), ("89.99", Grade.GOOD),
    ("80", Grade.GOOD), ("79.99", Grade.FAIR), ("60", Grade.FAIR), ("59.99", Grade.POOR),
    ("0", Grade.POOR),
])
def test_default_thresholds(total, grade):
    assert GradeScale().grade(D(total)) is grade


def test_thresholds_are_configurable():
    scale = GradeScale(excellent=D(95), good=D(85), fair=D(70))
    [r] = aggregate(RUBRIC, [unit(1, i1=["40"], i2=["30"], i3=["21"])], scale=scale)
    assert r.total == D(91) and r.grade is Grade.GOOD
    with pytest.raises(ValueError):
        GradeScale(excellent=D(80), good=D(90))


def test_scores_outside_the_indicator_are_refused():
    with pytest.raises(ValueError):
        aggregate(RUBRIC, [unit(1, i1=["41"])])
    with pytest.raises(ValueError):
        aggregate(RUBRIC, [unit(1, i1=["-1"])])
    with pytest.raises(ValueError):
        aggregate(RUBRIC, [UnitScores(1, {20: [D(0)]})])
    with pytest.raises(ValueError):
        aggregate(RUBRIC, [UnitScores(1, {99: [D(1)]})])


def test_rounds_combine_by_normalised_weights():
    # Annual: Q1–Q3 weigh 1 each, Q4 weighs 2.
    assert combine_rounds([D(80), D(90), D(85), D(100)], [1, 1, 1, 2]) == D("91.00")
    # Half-year: 30% / 70%.
    assert combine_rounds([D(80), D(90)], [D("0.3"), D("0.7")]) == D("87.00")


def test_a_round_without_a_total_does_not_count_as_zero():
    assert combine_rounds([D(80), None, D(90)], [1, 1, 2]) == D("86.67")
    assert combine_rounds([None, None], [1, 1]) is None


def test_bad_weights_are_refused():
    with pytest.raises(ValueError):
        combine_rounds([D(80)], [1, 1])
    with pytest.raises(ValueError):
        combine_rounds([D(80), D(90)], [0, 0])
    with pytest.raises(ValueError):
        combine_rounds([D(80), D(90)], [-1, 2])
