"""The stage table and its gates, without a database."""

import pytest

from tracker.projects.workflow import ORDER, GateFacts, Stage, ensure_transition, gate_reasons, move_kind, next_cycle
from tracker.domain_errors import DomainError

#: Every facts a gate could ask for, satisfied.
READY = GateFacts(open_required={}, open_items={}, targets=1, needs_approval=False, approved=False,
                  problems_open=0, verdict_recorded=True)

FORWARD = {("plan", "run"), ("run", "check"), ("check", "done"), ("check", "rectify"), ("rectify", "check")}


def expected_kind(source: Stage, target: Stage) -> str | None:
    if (source.value, target.value) in FORWARD:
        return "forward"
    if ORDER.index(target) < ORDER.index(source):
        return "back"
    return None


@pytest.mark.parametrize("source", list(Stage), ids=str)
@pytest.mark.parametrize("target", list(Stage), ids=str)
def test_the_whole_stage_table(source, target):
    kind = expected_kind(source, target)
    assert move_kind(source, target) == kind
    facts = READY if (source, target) != (Stage.check, Stage.rectify) else GateFacts(problems_open=1)
    reasons = gate_reasons(source, target, facts, reason="原因")
    if kind is None:
        assert [r.code for r in reasons] == ["no_transition"]
    else:
        assert reasons == []
    if kind == "back":
        assert [r.code for r in gate_reasons(source, target, facts, reason="  ")] == ["reason_required"]


def test_plan_gate_lists_every_reason():
    facts = GateFacts(open_required={Stage.plan: 2}, targets=0, needs_approval=True, approved=False)
    codes = [r.code for r in gate_reasons(Stage.plan, Stage.run, facts)]
    assert codes == ["plan_items", "no_target", "not_approved"]
    assert gate_reasons(Stage.plan, Stage.run, GateFacts(targets=1, needs_approval=True, approved=True)) == []


def test_optional_items_do_not_block_plan_or_run():
    facts = GateFacts(open_items={Stage.plan: 3, Stage.run: 3}, targets=1)
    assert gate_reasons(Stage.plan, Stage.run, facts) == []
    assert gate_reasons(Stage.run, Stage.check, facts) == []
    assert [r.code for r in gate_reasons(Stage.run, Stage.check, GateFacts(open_required={Stage.run: 1}))] == ["run_items"]


def test_check_to_done_needs_checklist_no_open_problems_and_a_verdict_by_another():
    facts = GateFacts(open_items={Stage.check: 1}, problems_open=2, verdict_recorded=False)
    assert [r.code for r in gate_reasons(Stage.check, Stage.done, facts)] == ["check_items", "open_problems", "no_verdict"]
    owner_verdict = GateFacts(verdict_recorded=True, verdict_by_owner=True)
    assert [r.code for r in gate_reasons(Stage.check, Stage.done, owner_verdict)] == ["verdict_by_owner"]


def test_check_to_rectify_needs_an_open_problem_and_rectify_to_check_none():
    assert [r.code for r in gate_reasons(Stage.check, Stage.rectify, GateFacts())] == ["no_problems"]
    assert [r.code for r in gate_reasons(Stage.rectify, Stage.check, GateFacts(problems_open=1))] == ["open_problems"]
    assert gate_reasons(Stage.rectify, Stage.check, GateFacts(problems_closed=3)) == []


def test_the_loop_spirals_only_from_rectify_back_to_check():
    assert next_cycle(Stage.rectify, Stage.check, 1) == 2
    assert next_cycle(Stage.check, Stage.done, 2) == 2
    assert next_cycle(Stage.done, Stage.check, 2) == 2


def test_ensure_move_raises_a_409_with_the_reasons():
    with pytest.raises(DomainError) as error:
        ensure_transition(Stage.plan, Stage.run, GateFacts())
    assert error.value.status == 409 and [r.code for r in error.value.reasons] == ["no_target"]
