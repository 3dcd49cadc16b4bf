"""Round states: which moves exist, and what each guard refuses with which reason."""

import pytest

from tracker.domain_errors import DomainError
from tracker.reviews.workflow import (
    TRANSITIONS, RoundFacts, RoundState as S, can_appeal, can_score, ensure_transition, is_public, move_problems,
)

READY = dict(units=6, pairs=12)


def codes(facts, to):
    return [r.code for r in move_problems(facts, to)]


@pytest.mark.parametrize("start", list(S))
@pytest.mark.parametrize("to", list(S))
def test_only_listed_moves_exist(start, to):
    facts = RoundFacts(start, has_self_assessment=True, **READY)
    assert ("no_such_move" in codes(facts, to)) == (to not in TRANSITIONS[start])


def test_a_closed_round_never_moves():
    assert all(codes(RoundFacts(S.closed, **READY), to) == ["no_such_move"] for to in S)


def test_reviewing_needs_an_assignment_and_two_units():
    assert codes(RoundFacts(S.draft, units=1), S.reviewing) == ["too_few_units", "no_assignment"]
    assert codes(RoundFacts(S.draft, **READY), S.reviewing) == []


def test_self_assessment_only_when_the_round_has_one():
    assert codes(RoundFacts(S.draft, **READY), S.self_assessment) == ["no_self_assessment"]
    assert codes(RoundFacts(S.draft, has_self_assessment=True, **READY), S.self_assessment) == []


def test_publishing_lists_every_unsubmitted_sheet_and_pending_appeal():
    facts = RoundFacts(S.appeal, unsubmitted=("一支部 → 二支部", "二支部 → 三支部"),
                       pending_appeals=("三支部 · 三会一课",), **READY)
    with pytest.raises(DomainError) as caught:
        ensure_transition(facts, S.published)
    assert caught.value.status == 409
    assert [r.params for r in caught.value.reasons] == [
        {"sheet": "一支部 → 二支部"}, {"sheet": "二支部 → 三支部"}, {"appeal": "三支部 · 三会一课"}]


def test_the_appeal_window_also_needs_every_sheet():
    assert codes(RoundFacts(S.reviewing, unsubmitted=("x",), **READY), S.appeal) == ["unsubmitted"]
    assert codes(RoundFacts(S.reviewing, **READY), S.appeal) == []


def test_republishing_is_a_move_from_published():
    assert codes(RoundFacts(S.published, **READY), S.published) == []


def test_who_may_do_what_in_each_state():
    assert can_score(S.reviewing, is_self=False) and not can_score(S.appeal, is_self=False)
    assert can_score(S.self_assessment, is_self=True) and not can_score(S.self_assessment, is_self=False)
    assert can_appeal(S.appeal) and not can_appeal(S.reviewing)
    assert is_public(S.published) and is_public(S.closed) and not is_public(S.appeal)


def test_publishing_needs_the_rectification_deadline():
    facts = RoundFacts(S.appeal, has_rectification_due=False, **READY)
    assert codes(facts, S.published) == ["no_rectification_due"]
    assert codes(facts, S.reviewing) == []
