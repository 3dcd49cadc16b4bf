"""The item state machine: every (state, state) pair, the guards, due lights and escalation."""

from datetime import date, timedelta

import pytest

from tracker.ledger.workflow import (TRANSITIONS, Countdown, DueLight, Escalation, ItemStatus, add_months,
                                     close_reasons, countdown_bounds, ensure_transition, escalation, item_light,
                                     extension_reasons, first_deadline, path_to_submit, submit_reasons)
from tracker.domain_errors import DomainError

S = ItemStatus
ALLOWED = {
    (S.open, S.in_progress), (S.in_progress, S.submitted), (S.submitted, S.returned),
    (S.submitted, S.closed), (S.returned, S.in_progress), (S.closed, S.reopened), (S.reopened, S.in_progress),
} | {(s, S.void) for s in S if s is not S.void}


@pytest.mark.parametrize("current", list(S))
@pytest.mark.parametrize("target", list(S))
def test_transition_matrix(current, target):
    if (current, target) in ALLOWED:
        ensure_transition(current, target)
    else:
        with pytest.raises(DomainError) as refused:
            ensure_transition(current, target)
        assert refused.value.status == 409
        assert refused.value.reasons[0].code == f"transition:{current.value}->{target.value}"


def test_the_table_is_the_diagram():
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == ALLOWED


def test_void_is_final():
    assert TRANSITIONS[S.void] == frozenset()


@pytest.mark.parametrize("current,path", [
    (S.in_progress, [S.submitted]), (S.open, [S.in_progress, S.submitted]),
    (S.returned, [S.in_progress, S.submitted]), (S.reopened, [S.in_progress, S.submitted]),
])
def test_an_item_starts_on_its_way_to_verification(current, path):
    assert path_to_submit(current) == path


def test_submitting_needs_a_note_and_evidence():
    assert {r.code for r in submit_reasons("", 0)} == {"note", "evidence"}
    assert [r.code for r in submit_reasons("已补齐签到表", 0)] == ["evidence"]
    assert submit_reasons("已补齐签到表", 1) == []


def test_the_owner_never_closes_and_an_opinion_is_needed():
    assert {r.code for r in close_reasons("", True)} == {"owner_closes", "opinion"}
    assert close_reasons("整改到位，同意销号", False) == []


def test_an_extension_asks_for_a_later_date_with_a_reason():
    today = date(2026, 11, 22)
    assert [r.code for r in extension_reasons(today, today, "材料未齐", today)] == ["new_deadline"]
    assert [r.code for r in extension_reasons(today, today + timedelta(days=5), " ", today)] == ["reason"]
    assert extension_reasons(today, today + timedelta(days=5), "需上级审批", today) == []


@pytest.mark.parametrize("offset,light", [(-1, DueLight.red), (0, DueLight.yellow), (3, DueLight.yellow),
                                          (4, DueLight.green)])
def test_due_lights(offset, light):
    today = date(2026, 11, 22)
    assert item_light(S.in_progress, today + timedelta(days=offset), today) is light
    assert item_light(S.closed, today + timedelta(days=offset), today) is DueLight.none


@pytest.mark.parametrize("overdue,level", [(0, Escalation.none), (1, Escalation.remind), (6, Escalation.remind),
                                           (7, Escalation.warn), (13, Escalation.warn), (14, Escalation.supervise)])
def test_escalation_climbs_with_days_overdue(overdue, level):
    today = date(2026, 11, 22)
    assert escalation(S.open, today - timedelta(days=overdue), today) is level


def test_countdown_bounds():
    today = date(2026, 11, 22)
    assert countdown_bounds(Countdown.overdue, today) == (None, date(2026, 11, 21))
    assert countdown_bounds(Countdown.within_10, today) == (today, date(2026, 12, 2))
    assert countdown_bounds(Countdown.over_20, today) == (date(2026, 12, 13), None)


@pytest.mark.parametrize("day,months,expected", [
    (date(2026, 1, 31), 1, date(2026, 2, 28)), (date(2026, 11, 30), 1, date(2026, 12, 30)),
    (date(2026, 12, 15), 1, date(2027, 1, 15)), (date(2028, 1, 31), 1, date(2028, 2, 29)),
    (date(2026, 5, 31), 13, date(2027, 6, 30)),
])
def test_a_month_later(day, months, expected):
    assert add_months(day, months) == expected


def test_every_kind_of_deadline_runs_to_a_date():
    registered = date(2026, 12, 1)
    assert first_deadline("date", date(2026, 12, 31), registered) == date(2026, 12, 31)
    assert first_deadline("immediate", None, registered) == date(2026, 12, 8)
    assert first_deadline("immediate", None, registered, immediate_days=3) == date(2026, 12, 4)
    assert first_deadline("immediate", date(2026, 12, 5), registered) == date(2026, 12, 5)  # a sheet's own date
    assert first_deadline("ongoing", None, registered) == date(2027, 1, 1)
