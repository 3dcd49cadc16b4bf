"""一票否决 marked by one reviewer of several: never dropped silently, decided by a leader with a reason."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import Appeal, ItemSource, LedgerItem, OrgUnit, ReviewRound, RoundResult, Score, Scoresheet
from tracker.domain_errors import DomainError, NotAllowed
from tracker.reviews import operations as ops
from tracker.reviews import queries_results
from tracker.reviews.scoring import Grade, Indicator, Kind, UnitScores, aggregate, split_veto, veto_applies
from tracker.reviews.workflow import RoundState

from .conftest import review_sheets, secretary_of, start_round, submit_all

VETO = 24  # 意识形态工作出现重大问题
NOTE = "支部微信群转发错误言论，未及时处置"

D = Decimal


def _veto_item(round_):
    return round_.rubric.indicators[VETO]


def _marked_round(world, **kw):
    """A round where one of the two reviewers of 第3党支部 marks the veto; every sheet submitted."""
    round_ = start_round(world, **kw)
    submit_all(world, round_, vetoes={(2, 0): (VETO, NOTE)})
    return round_


# --- The pure rule ----------------------------------------------------------------------------------

def test_a_split_veto_is_neither_applied_nor_ignored_until_decided():
    rubric = [Indicator(1, D(100)), Indicator(9, D(0), Kind.VETO)]
    assert split_veto([True, False]) and not split_veto([True, True]) and not split_veto([False, False])
    assert veto_applies([True, False], True) and not veto_applies([True, True], False)
    [pending] = aggregate(rubric, [UnitScores(1, {1: [D(100), D(100)]}, {9: [True, False]})])
    assert pending.veto_pending == (9,) and not pending.vetoed
    [applied] = aggregate(rubric, [UnitScores(1, {1: [D(100), D(100)]}, {9: [True, False]}, {9: True})])
    assert applied.vetoed_by == (9,) and applied.grade is Grade.POOR and applied.veto_pending == ()
    [cleared] = aggregate(rubric, [UnitScores(1, {1: [D(100), D(100)]}, {9: [True, True]}, {9: False})])
    assert not cleared.vetoed and cleared.grade is Grade.EXCELLENT


# --- Operations -------------------------------------------------------------------------------------

def test_publication_waits_for_a_decision_on_a_veto_one_reviewer_marked(app, world):
    with app.app_context():
        round_ = _marked_round(world)
        with pytest.raises(DomainError) as caught:
            ops.move_round(world.user("leader"), round_, RoundState.published)
        [reason] = caught.value.reasons
        assert reason.code == "veto_undecided"
        assert "第3党支部" in reason.params["veto"] and "（1/2）" in reason.params["veto"]
        preview = {r["unit_id"]: r for r in queries_results.results_table(round_)}[world.branches[2].id]
        assert preview["veto_pending"] and preview["grade"] == "excellent"


def test_an_applied_veto_grades_poor_and_becomes_a_ledger_item(app, world):
    with app.app_context():
        round_ = _marked_round(world)
        unit = db.session.get(OrgUnit, world.branches[2].id)
        with pytest.raises(ops.FieldErrors) as caught:
            ops.decide_veto(world.user("leader"), round_, unit, _veto_item(round_), apply=True, reason=" ")
        assert list(caught.value.errors) == ["reason"]
        ops.decide_veto(world.user("leader"), round_, unit, _veto_item(round_), apply=True,
                        reason="经核实，该支部对错误言论未及时处置，情况属实")
        ops.move_round(world.user("leader"), round_, RoundState.published)
        result = db.session.scalars(sa.select(RoundResult).where(RoundResult.round_id == round_.id,
                                                                 RoundResult.unit_id == unit.id)).one()
        assert result.is_vetoed and result.grade == "poor" and result.total == D("100.00")
        assert result.rank == 6  # after every unit not vetoed
        [item] = db.session.scalars(sa.select(LedgerItem).where(LedgerItem.origin_id == round_.id,
                                                                LedgerItem.origin_type == "review_round")).all()
        assert item.unit_id == unit.id and item.problem == NOTE and item.deduction is None
        assert item.source is ItemSource.review and item.owner_id == world.user("sec3").id
        marker = review_sheets(round_, unit)[0]
        assert item.verifier_id == secretary_of(world, marker.reviewer_unit_id).id
        deductions = queries_results.deduction_rows(round_, queries_results.results_table(round_))
        assert [(d["unit_id"], d["veto"]) for d in deductions] == [(unit.id, True)]


def test_a_cleared_veto_keeps_the_grade_and_the_reason_is_recorded(app, world):
    from tracker.audit import timeline

    with app.app_context():
        round_ = _marked_round(world)
        unit = db.session.get(OrgUnit, world.branches[2].id)
        ops.decide_veto(world.user("leader"), round_, unit, _veto_item(round_), apply=False,
                        reason="经核实为个人转发，支部已及时批评教育，不构成重大问题")
        ops.move_round(world.user("leader"), round_, RoundState.published)
        result = {r["unit_id"]: r for r in queries_results.results_table(round_)}[unit.id]
        assert not result["vetoed"] and result["grade"] == "excellent"
        assert not db.session.scalars(sa.select(LedgerItem).where(LedgerItem.origin_id == round_.id)).all()
        entry = next(a for a in timeline(round_) if a.verb == "veto_decided")
        assert entry.after == {"unit": "第3党支部", "item": _veto_item(round_).title, "decision": "cleared"}
        assert entry.note.startswith("经核实为个人转发")


def test_a_veto_is_decided_only_once_the_sheets_about_the_unit_are_in(app, world):
    with app.app_context():
        round_ = start_round(world)
        unit = db.session.get(OrgUnit, world.branches[2].id)
        first, _second = review_sheets(round_, unit)
        actor = secretary_of(world, first.reviewer_unit_id)
        ops.save_score(actor, first, _veto_item(round_), points=None, note=NOTE, veto=True)
        with pytest.raises(DomainError) as caught:
            ops.decide_veto(world.user("leader"), round_, unit, _veto_item(round_), apply=True, reason="属实")
        assert caught.value.reasons[0].code == "waiting"
        with pytest.raises(NotAllowed):
            ops.decide_veto(world.user("sec1"), round_, unit, _veto_item(round_), apply=True, reason="属实")


def test_an_appeal_answer_can_apply_a_veto_as_well_as_clear_one(app, world):
    with app.app_context():
        round_ = start_round(world)
        submit_all(world, round_, vetoes={(2, 0): (VETO, NOTE), (3, 0): (VETO, "网站发布不当言论")})
        ops.move_round(world.user("leader"), round_, RoundState.appeal)
        marks = db.session.scalars(sa.select(Score).join(Scoresheet).where(
            Scoresheet.round_id == round_.id, Score.is_veto.is_(True)).order_by(Scoresheet.reviewee_unit_id)).all()
        third, fourth = marks
        applied = ops.file_appeal(world.user("sec3"), third, "该言论已删除，不属于重大问题")
        cleared = ops.file_appeal(world.user("sec4"), fourth, "该内容系转载官方媒体")
        ops.answer_appeal(world.user("leader"), applied, adjust=False, answer="经核实情况属实，维持一票否决")
        ops.answer_appeal(world.user("leader"), cleared, adjust=True, answer="经核实为官方媒体内容，撤销一票否决")
        ops.move_round(world.user("leader"), round_, RoundState.published)
        results = {r["unit_id"]: r for r in queries_results.results_table(round_)}
        assert results[world.branches[2].id]["vetoed"] and results[world.branches[2].id]["grade"] == "poor"
        assert not results[world.branches[3].id]["vetoed"]
        assert db.session.get(Appeal, cleared.id).answer.startswith("经核实为官方媒体内容")


# --- Pages ------------------------------------------------------------------------------------------

def _marked_round_id(app, world):
    with app.app_context():
        round_ = _marked_round(world)
        db.session.commit()
        return round_.id


def test_the_leader_sees_why_publication_is_refused_and_decides_beside_it(app, client, login, world):
    round_id = _marked_round_id(app, world)
    with app.app_context():
        item_id = _veto_item(db.session.get(ReviewRound, round_id)).id
    login("leader")
    response = client.post(f"/reviews/{round_id}/state", data={"to": "published"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert 'id="refusal"' in html and "仅有部分检查组勾选" in html and "第3党支部" in html
    assert 'id="vetoes"' in html and NOTE in html and "2 个检查组中 1 个勾选" in html
    unit_id = world.branches[2].id
    refused = client.post(f"/reviews/{round_id}/vetoes/{unit_id}/{item_id}", data={"decision": "apply", "reason": ""})
    assert refused.status_code == 422 and "field-error" in refused.get_data(as_text=True)
    done = client.post(f"/reviews/{round_id}/vetoes/{unit_id}/{item_id}",
                       data={"decision": "apply", "reason": "经核实情况属实"})
    assert done.status_code == 302
    page = client.get(f"/reviews/{round_id}").get_data(as_text=True)
    assert "已认定一票否决" in page and "经核实情况属实" in page and "认定了一票否决" in page
    assert client.post(f"/reviews/{round_id}/state", data={"to": "published"}).status_code == 302


def test_only_the_rounds_leaders_decide_a_veto(app, client, login, world):
    round_id = _marked_round_id(app, world)
    with app.app_context():
        item_id = _veto_item(db.session.get(ReviewRound, round_id)).id
    login("sec1")
    response = client.post(f"/reviews/{round_id}/vetoes/{world.branches[2].id}/{item_id}",
                           data={"decision": "clear", "reason": "x"})
    assert response.status_code in (403, 404)
