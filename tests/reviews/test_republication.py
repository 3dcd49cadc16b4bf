"""Re-publishing after appeals reconciles the ledger with the circular, each deduction exactly once."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from tracker.audit import timeline
from tracker.extensions import db
from tracker.models import Activity, Appeal, ItemStatus, LedgerItem, Score, Scoresheet
from tracker.reviews import operations as ops
from tracker.reviews import queries_results
from tracker.reviews.workflow import RoundState

from .conftest import start_round, submit_all

D = Decimal
LATE = "支委会10月未召开"
VACANCY = "组织委员缺额未补选"
LECTURE = "党课仅开展1次"


def _items(round_):
    return db.session.scalars(sa.select(LedgerItem).where(
        LedgerItem.origin_type == "review_round", LedgerItem.origin_id == round_.id).order_by(LedgerItem.id)).all()


def _score(round_, unit, note):
    """The first score with `note` about `unit` that nobody appealed yet."""
    return db.session.scalars(sa.select(Score).join(Scoresheet).where(
        Scoresheet.round_id == round_.id, Scoresheet.reviewee_unit_id == unit.id, Score.note == note,
        Score.id.not_in(sa.select(Appeal.score_id))).order_by(Score.id)).first()


def _published(world):
    """第2党支部 deducted on three indicators by both reviewers; published once."""
    round_ = start_round(world)
    submit_all(world, round_, {1: {3: ("4", LATE), 0: ("4.5", VACANCY), 5: ("4", LECTURE)}})
    ops.move_round(world.user("leader"), round_, RoundState.published)
    return round_


def _appeal(world, round_, note, points, answer):
    appeal = ops.file_appeal(world.user("sec2"), _score(round_, world.branches[1], note), "已整改，材料附后")
    ops.answer_appeal(world.user("leader"), appeal, adjust=True, points=points, answer=answer)


def test_republication_updates_changed_items_voids_withdrawn_ones_and_adds_none_twice(app, world):
    with app.app_context():
        round_ = _published(world)
        assert len(_items(round_)) == 3
        ops.move_round(world.user("leader"), round_, RoundState.appeal)
        # One reviewer's 4 → 4.5 on 支委会: the mean deduction goes from 1 to 0.75.
        _appeal(world, round_, LATE, "4.5", "会议记录补齐，减少扣分")
        # Both reviewers' 组织委员 deduction withdrawn (adjusted to full points).
        for _ in range(2):
            _appeal(world, round_, VACANCY, "5", "已于9月补选，撤销扣分")
        ops.move_round(world.user("leader"), round_, RoundState.published)
        ops.move_round(world.user("leader"), round_, RoundState.published)  # again: nothing more changes

        items = {i.indicator: i for i in _items(round_)}
        assert len(items) == 3
        late = next(i for title, i in items.items() if title.startswith("三会一课：支委会"))
        vacancy = next(i for title, i in items.items() if title.startswith("支部委员会按期换届"))
        lecture = next(i for title, i in items.items() if title.startswith("三会一课：党课"))
        assert late.status is ItemStatus.open and late.deduction == D("0.75") and late.problem == LATE
        assert vacancy.status is ItemStatus.void
        assert lecture.status is ItemStatus.open and lecture.deduction == D(1)
        [corrected] = [a for a in timeline(late) if a.verb == "corrected"]
        assert corrected.before == {"deduction": "1.00"} and corrected.after == {"deduction": "0.75"}
        assert corrected.note == "通报更正"
        [voided] = [a for a in timeline(vacancy) if a.verb == "voided"]
        assert voided.note == "通报更正"
        circular = queries_results.deduction_rows(round_, queries_results.results_table(round_))
        live = [i for i in _items(round_) if i.status is not ItemStatus.void]
        assert len(circular) == len(live) == 2
        republished = [a for a in timeline(round_) if a.verb == "republished"]
        assert republished[-1].after["ledger_updated"] == 1 and republished[-1].after["ledger_voided"] == 1
        assert "ledger_updated" not in republished[0].after  # the second re-publication changed nothing


def test_a_closed_item_is_flagged_not_voided(app, world):
    with app.app_context():
        round_ = _published(world)
        vacancy = next(i for i in _items(round_) if i.indicator.startswith("支部委员会按期换届"))
        # Rectified, verified and closed before the appeal window reopened (the ledger's own steps
        # need an uploaded file; the journeys walk them).
        vacancy.status, vacancy.closed_at = ItemStatus.closed, vacancy.created_at
        db.session.flush()
        ops.move_round(world.user("leader"), round_, RoundState.appeal)
        for _ in range(2):
            _appeal(world, round_, VACANCY, "5", "已于9月补选，撤销扣分")
        ops.move_round(world.user("leader"), round_, RoundState.published)
        db.session.refresh(vacancy)
        assert vacancy.status is ItemStatus.closed
        assert "通报更正" in vacancy.remark
        [flag] = [a for a in timeline(vacancy) if a.verb == "flagged"]
        assert flag.after["withdrawn"] is True and flag.note == "通报更正"
        ops.move_round(world.user("leader"), round_, RoundState.published)
        assert len([a for a in timeline(vacancy) if a.verb == "flagged"]) == 1


def test_a_deduction_new_at_republication_creates_its_item(app, world):
    with app.app_context():
        round_ = start_round(world)
        # One of 第5党支部's two reviewers marks a veto; the leader first clears it, then, in the
        # appeal window after publication, finds it was right and applies it.
        submit_all(world, round_, {1: {3: ("4", LATE)}}, vetoes={(4, 0): (24, "意识形态阵地管理缺位")})
        veto = round_.rubric.indicators[24]
        ops.decide_veto(world.user("leader"), round_, world.unit(4), veto, apply=False, reason="待进一步核实")
        ops.move_round(world.user("leader"), round_, RoundState.published)
        assert len(_items(round_)) == 1
        ops.move_round(world.user("leader"), round_, RoundState.appeal)
        ops.decide_veto(world.user("leader"), round_, world.unit(4), veto, apply=True, reason="经核实属实")
        ops.move_round(world.user("leader"), round_, RoundState.published)
        ops.move_round(world.user("leader"), round_, RoundState.published)
        items = _items(round_)
        assert len(items) == 2 and items[-1].problem == "意识形态阵地管理缺位"
        assert items[-1].unit_id == world.branches[4].id and items[-1].owner_id == world.user("sec5").id
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Activity).where(
            Activity.subject_type == "ledger_item", Activity.subject_id == items[-1].id,
            Activity.verb == "created")) == 1
