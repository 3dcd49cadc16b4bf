"""Review operations: rounds, assignment, scoring rules, appeals, publication and rubric versions."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import (
    AppealStatus, ItemKind, OrgUnit, RoundResult, Score, Scoresheet,
)
from tracker.domain_errors import DomainError
from tracker.reviews import operations as ops
from tracker.reviews import queries, queries_results
from tracker.reviews.workflow import RoundState

from .conftest import fill_sheet, make_round, secretary_of


def _sheets(round_, reviewer=None):
    stmt = sa.select(Scoresheet).where(Scoresheet.round_id == round_.id, Scoresheet.pair_id.is_not(None))
    if reviewer is not None:
        stmt = stmt.where(Scoresheet.reviewer_unit_id == reviewer.id)
    return db.session.scalars(stmt.order_by(Scoresheet.id)).all()


def _started(world, **kw):
    round_ = make_round(world, **kw)
    ops.generate_assignment(world.user("leader"), round_)
    ops.move_round(world.user("leader"), round_, RoundState.reviewing)
    return round_


def _submit_all(world, round_, deductions=None):
    """Every sheet scored and submitted; `deductions` {reviewee index: {position: (points, note)}}."""
    for sheet in _sheets(round_):
        index = [b.id for b in world.branches].index(sheet.reviewee_unit_id)
        actor = world.user(f"sec{[b.id for b in world.branches].index(sheet.reviewer_unit_id) + 1}")
        fill_sheet(sheet, actor, (deductions or {}).get(index))
        ops.submit_sheet(actor, sheet)


def test_a_round_takes_the_active_branches_of_the_subtree(app, world):
    with app.app_context():
        round_ = make_round(world)
        assert [u.name for u in queries.participants(round_)] == [f"第{i}党支部" for i in range(1, 7)]


def test_the_assignment_is_balanced_without_self_reciprocal_or_same_line_pairs(app, world):
    with app.app_context():
        round_ = make_round(world)
        ops.generate_assignment(world.user("leader"), round_)
        pairs = {(p.reviewer_id, p.reviewee_id) for p in queries.pairs_of(round_)}
        ids = [b.id for b in world.branches]
        assert len(pairs) == 12
        assert all(a != b and (b, a) not in pairs for a, b in pairs)
        assert all(sum(1 for a, _ in pairs if a == u) == 2 == sum(1 for _, b in pairs if b == u) for u in ids)
        assert len(_sheets(round_)) == 12


def test_the_next_round_avoids_the_pairs_of_the_previous_one(app, world):
    with app.app_context():
        first = make_round(world, quarter=3, name="三季度")
        ops.generate_assignment(world.user("leader"), first)
        second = make_round(world, quarter=4, name="四季度")
        assert queries.previous_pairs(second) == [{(p.reviewer_id, p.reviewee_id) for p in queries.pairs_of(first)}]
        ops.generate_assignment(world.user("leader"), second)
        again = {(p.reviewer_id, p.reviewee_id) for p in queries.pairs_of(second)} & queries.previous_pairs(second)[0]
        assert not again


@pytest.mark.parametrize("raw,field", [("11", "points"), ("-1", "points"), ("4.3", "points"), ("abc", "points"),
                                       ("", "points"), ("4", "note")])
def test_bad_scores_are_refused_beside_their_field(app, world, raw, field):
    with app.app_context():
        round_ = _started(world)
        sheet = _sheets(round_)[0]
        item = round_.rubric.indicators[0]  # 5 points
        with pytest.raises(ops.FieldErrors) as caught:
            ops.save_score(secretary_of(world, sheet.reviewer_unit_id), sheet, item, points=raw, note="")
        assert caught.value.status == 422 and list(caught.value.errors) == [field]


def test_half_points_with_a_note_are_saved_and_full_points_need_no_note(app, world):
    with app.app_context():
        round_ = _started(world)
        sheet = _sheets(round_)[0]
        first, second = round_.rubric.indicators[:2]
        assert ops.save_score(None, sheet, first, points="4.5", note="委员缺额1名未补选").points == Decimal("4.5")
        assert ops.save_score(None, sheet, second, points="5", note="").note is None


def test_submitting_needs_every_indicator_and_locks_the_sheet(app, world):
    with app.app_context():
        round_ = _started(world)
        sheet = _sheets(round_)[0]
        with pytest.raises(DomainError) as caught:
            ops.submit_sheet(world.user("sec1"), sheet)
        assert caught.value.status == 422 and len(caught.value.reasons) == 23
        fill_sheet(sheet, world.user("sec1"))
        ops.submit_sheet(world.user("sec1"), sheet)
        with pytest.raises(DomainError):
            ops.save_score(None, sheet, round_.rubric.indicators[0], points="1", note="x")


def test_publishing_with_unsubmitted_sheets_lists_them(app, world):
    with app.app_context():
        round_ = _started(world)
        with pytest.raises(DomainError) as caught:
            ops.move_round(world.user("leader"), round_, RoundState.published)
        assert caught.value.status == 409
        assert len([r for r in caught.value.reasons if r.code == "unsubmitted"]) == 12
        assert "→" in caught.value.reasons[0].params["sheet"]


def test_an_excluded_sheet_no_longer_blocks_publication(app, world):
    with app.app_context():
        round_ = _started(world)
        sheets = _sheets(round_)
        _submit_all(world, round_)  # submits all; re-open one by excluding before submit instead
        assert queries.round_facts(round_).unsubmitted == []
        with pytest.raises(DomainError):
            ops.exclude_sheet(world.user("leader"), sheets[0], "出差")  # submitted sheets count


def test_leader_excludes_an_unsubmitted_sheet_with_a_reason(app, world):
    with app.app_context():
        round_ = _started(world)
        sheets = _sheets(round_)
        for sheet in sheets[1:]:
            actor = world.user(f"sec{[b.id for b in world.branches].index(sheet.reviewer_unit_id) + 1}")
            fill_sheet(sheet, actor)
            ops.submit_sheet(actor, sheet)
        with pytest.raises(DomainError):
            ops.exclude_sheet(world.user("leader"), sheets[0], "  ")
        ops.exclude_sheet(world.user("leader"), sheets[0], "检查组成员因公出差，未能按期检查")
        ops.move_round(world.user("leader"), round_, RoundState.published)
        assert round_.state == RoundState.published


def test_override_refuses_self_and_same_line_pairs_with_the_reason(app, world):
    with app.app_context():
        round_ = make_round(world)
        ops.generate_assignment(world.user("leader"), round_)
        pair = queries.pairs_of(round_)[0]
        reviewer = db.session.get(OrgUnit, pair.reviewer_id)
        with pytest.raises(DomainError) as caught:
            ops.override_pair(world.user("leader"), pair, reviewer, reviewer, "调整")
        assert caught.value.status == 422 and caught.value.reasons[0].code == "self"


def test_override_keeps_warnings_and_records_the_reason(app, world):
    with app.app_context():
        round_ = make_round(world)
        ops.generate_assignment(world.user("leader"), round_)
        pairs = queries.pairs_of(round_)
        pair = pairs[0]
        taken = {(p.reviewer_id, p.reviewee_id) for p in pairs}
        target = next(b for b in world.branches if b.id != pair.reviewer_id and (pair.reviewer_id, b.id) not in taken)
        warnings = ops.override_pair(world.user("leader"), pair, db.session.get(OrgUnit, pair.reviewer_id),
                                     db.session.get(OrgUnit, target.id), "避免同一系统互查")
        assert pair.is_overridden and pair.override_reason == "避免同一系统互查"
        assert any(w.code == "unbalanced" for w in warnings)
        sheet = db.session.scalars(sa.select(Scoresheet).where(Scoresheet.pair_id == pair.id)).one()
        assert sheet.reviewee_unit_id == target.id


def test_appeal_adjusts_a_deduction_and_the_totals_follow(app, world):
    with app.app_context():
        round_ = _started(world)
        _submit_all(world, round_, {1: {3: ("4", "支委会10月未召开")}})
        ops.move_round(world.user("leader"), round_, RoundState.appeal)
        score = db.session.scalars(sa.select(Score).join(Scoresheet).where(
            Scoresheet.reviewee_unit_id == world.branches[1].id, Score.points == Decimal(4))).first()
        before = {r.unit_id: r.total for r in queries_results.compute_results(round_)}[world.branches[1].id]
        with pytest.raises(ops.FieldErrors):
            ops.file_appeal(world.user("sec2"), score, " ")
        appeal = ops.file_appeal(world.user("sec2"), score, "10月支委会已召开，会议记录附后")
        with pytest.raises(DomainError):
            ops.file_appeal(world.user("sec2"), score, "再次申诉")
        with pytest.raises(DomainError) as pending:
            ops.move_round(world.user("leader"), round_, RoundState.published)
        assert [r.code for r in pending.value.reasons] == ["pending_appeal"]
        with pytest.raises(ops.FieldErrors):
            ops.answer_appeal(world.user("leader"), appeal, adjust=True, answer="核实", points="6")
        ops.answer_appeal(world.user("leader"), appeal, adjust=True, answer="经核实会议记录，调整为4.5分", points="4.5")
        after = {r.unit_id: r.total for r in queries_results.compute_results(round_)}[world.branches[1].id]
        assert appeal.status is AppealStatus.adjusted and appeal.original_points == Decimal(4)
        assert after - before == Decimal("0.25")  # one of two reviewers: half a point in the mean


def test_publishing_stores_the_ranking_and_freezes_the_rubric(app, world):
    with app.app_context():
        round_ = _started(world)
        _submit_all(world, round_, {0: {0: ("3", "未按期换届")}, 4: {2: ("4", "党员大会三季度未召开")}})
        ops.move_round(world.user("leader"), round_, RoundState.published)
        results = db.session.scalars(sa.select(RoundResult).where(RoundResult.round_id == round_.id)
                                     .order_by(RoundResult.rank, RoundResult.unit_id)).all()
        ranks = [(r.unit_id, r.rank, r.total) for r in results]
        assert [r[1] for r in ranks] == [1, 1, 1, 1, 5, 5]
        assert {r[0] for r in ranks[4:]} == {world.branches[0].id, world.branches[4].id}
        assert ranks[-1][2] == Decimal("98.00")
        assert round_.rubric.is_frozen
        with pytest.raises(DomainError):
            ops.add_rubric_item(None, round_.rubric, title="新增", points=Decimal(1))


def test_a_new_version_of_a_frozen_rubric_is_an_editable_copy(app, world):
    with app.app_context():
        rubric = world.rubric()
        ops.freeze_rubric(None, rubric)
        copy = ops.new_rubric_edition(world.user("leader"), rubric)
        assert copy.edition == 2 and copy.family_id == rubric.family_id and not copy.is_frozen
        assert [i.title for i in copy.indicators] == [i.title for i in rubric.indicators]
        db.session.refresh(rubric)
        assert not rubric.is_current and copy.is_current
        ops.add_rubric_item(None, copy, parent=copy.categories[0], title="支部书记参加轮训", points=Decimal(1))


def test_rubric_xlsx_round_trip(app, world):
    import io

    from tracker.reviews.excel import export_rubric

    with app.app_context():
        data = export_rubric(world.rubric())
        copy = ops.import_rubric(world.user("leader"), db.session.get(OrgUnit, world.root.id), "导入版", io.BytesIO(data))
        original = world.rubric()
        assert [(i.title, i.points, i.kind, i.method) for i in copy.indicators] == \
            [(i.title, i.points, i.kind, i.method) for i in original.indicators]
        assert copy.bonus_cap == Decimal(5)


def test_a_bad_rubric_sheet_lists_every_bad_row(app, world):
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["一级指标", "二级指标/考核内容", "分值", "评分标准", "考评方式"])
    ws.append(["组织生活（10分）", "三会一课", "五分", "少一次扣0.5分", "查阅资料"])
    ws.append([None, "主题党日", 4.3, "", "现场查看"])
    ws.append([None, "组织生活会", 3, "", "查阅资料"])
    buffer = io.BytesIO()
    wb.save(buffer)
    with app.app_context():
        with pytest.raises(DomainError) as caught:
            ops.import_rubric(world.user("leader"), db.session.get(OrgUnit, world.root.id), "坏表",
                              io.BytesIO(buffer.getvalue()))
        assert [r.params["row"] for r in caught.value.reasons] == [2, 3]
        with pytest.raises(DomainError):
            ops.import_rubric(world.user("leader"), db.session.get(OrgUnit, world.root.id), "坏表", io.BytesIO(b"xx"))


def test_unit_history_and_half_year_totals(app, world):
    with app.app_context():
        for quarter in (3, 4):
            round_ = make_round(world, quarter=quarter, name=f"2026年第{quarter}季度")
            ops.generate_assignment(world.user("leader"), round_)
            ops.move_round(world.user("leader"), round_, RoundState.reviewing)
            _submit_all(world, round_, {0: {0: ("4" if quarter == 3 else "4.5", "扣分")}})
            ops.move_round(world.user("leader"), round_, RoundState.published)
        history = queries_results.unit_history(db.session.get(OrgUnit, world.branches[0].id))
        assert [h["total"] for h in history] == [Decimal("99.00"), Decimal("99.50")]
        [year] = queries_results.combined_totals(history, {1: 1, 2: 1, 3: 1, 4: 3})
        assert year["second_half"] == Decimal("99.38") and year["first_half"] is None


def test_every_deduction_becomes_one_ledger_item_however_often_it_is_published(app, world):
    from tracker.models import ItemSource, LedgerItem

    with app.app_context():
        round_ = _started(world)
        _submit_all(world, round_, {1: {3: ("4", "支委会10月未召开"), 0: ("4.5", "组织委员缺额")}})
        ops.move_round(world.user("leader"), round_, RoundState.published)
        ops.move_round(world.user("leader"), round_, RoundState.published)
        items = db.session.scalars(sa.select(LedgerItem).where(LedgerItem.origin_type == "review_round",
                                                               LedgerItem.origin_id == round_.id)
                                   .order_by(LedgerItem.id)).all()
        assert len(items) == 2
        item = next(i for i in items if i.indicator.startswith("三会一课：支委会"))
        assert item.unit_id == world.branches[1].id and item.source is ItemSource.review
        assert item.batch == round_.name and item.problem == "支委会10月未召开"
        assert item.deduction == Decimal(1) and item.deadline == round_.rectification_due
        assert item.owner_id == world.user("sec2").id
        reviewers = {p.reviewer_id for p in queries.pairs_of(round_) if p.reviewee_id == world.branches[1].id}
        assert item.verifier_id in {world.user(f"sec{[b.id for b in world.branches].index(r) + 1}").id
                                    for r in reviewers}
        assert item.dedupe_key == f"review:{round_.id}:{world.branches[1].id}:{item.dedupe_key.split(':')[-1]}"


def test_a_rubric_in_a_round_under_way_holds_still(app, world):
    with app.app_context():
        round_ = _started(world)
        with pytest.raises(DomainError) as caught:
            ops.update_rubric_item(world.user("leader"), round_.rubric.indicators[0], title="改", points=Decimal(3),
                                   rule=None, method=None, kind=ItemKind.normal)
        assert caught.value.reasons[0].code == "in_use"
