"""The meeting record's transition table and the cadence of each kind (pure)."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.domain_errors import DomainError
from tracker.meetings.workflow import (CADENCE, Cadence, MeetingKind, MeetingState, TRANSITIONS, due_in,
                                       ensure_transition, overdue_in, parse_period, quarter_period)

ALLOWED = {
    (MeetingState.draft, MeetingState.submitted),
    (MeetingState.returned, MeetingState.submitted),
    (MeetingState.submitted, MeetingState.returned),
    (MeetingState.submitted, MeetingState.approved),
}


@pytest.mark.parametrize("current", list(MeetingState))
@pytest.mark.parametrize("to", list(MeetingState))
def test_transition_table(current, to):
    if (current, to) in ALLOWED:
        assert ensure_transition(current, to) == TRANSITIONS[(current, to)]
    else:
        with pytest.raises(DomainError) as refused:
            ensure_transition(current, to)
        assert refused.value.status == 409


def test_default_cadence_follows_the_rules():
    assert {k for k, c in CADENCE.items() if c is Cadence.monthly} == {
        MeetingKind.committee, MeetingKind.group, MeetingKind.theme_day}
    assert {k for k, c in CADENCE.items() if c is Cadence.quarterly} == {MeetingKind.general_meeting, MeetingKind.lecture}
    assert {k for k, c in CADENCE.items() if c is Cadence.yearly} == {MeetingKind.life_meeting, MeetingKind.appraisal}


@pytest.mark.parametrize("kind, q1, q4, year", [
    (MeetingKind.committee, 3, 3, 12),
    (MeetingKind.general_meeting, 1, 1, 4),
    (MeetingKind.life_meeting, 0, 1, 1),
])
def test_due_per_period(kind, q1, q4, year):
    assert due_in(kind, quarter_period(2026, 1)) == q1
    assert due_in(kind, quarter_period(2026, 4)) == q4
    assert due_in(kind, parse_period("2026")) == year


def test_overdue_counts_ended_slots_without_a_meeting():
    q4 = quarter_period(2026, 4)
    # October held, November missed, December not over yet.
    assert overdue_in(MeetingKind.committee, q4, [date(2026, 10, 9)], date(2026, 12, 2)) == 1
    assert overdue_in(MeetingKind.general_meeting, q4, [], date(2026, 12, 2)) == 0
    assert overdue_in(MeetingKind.general_meeting, q4, [], date(2027, 1, 1)) == 1
    assert overdue_in(MeetingKind.general_meeting, q4, [date(2026, 11, 3)], date(2027, 1, 1)) == 0


@pytest.mark.parametrize("text, label", [("2026Q4", "2026Q4"), ("2026-02", "2026-02"), ("2026", "2026"),
                                         ("26Q4", None), ("2026-13", None), ("", None), (None, None)])
def test_periods(text, label):
    period = parse_period(text)
    assert (period.label if period else None) == label
