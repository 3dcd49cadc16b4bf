"""Review rounds tell their people: the reviewing team's secretary when scoring opens, the appellant
unit's secretary when an appeal is answered, every unit's secretary when the round is published."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import Notification, Score, Scoresheet
from tracker.reviews import operations as ops
from tracker.reviews.workflow import RoundState

from .conftest import make_round, submit_all


def _events(user) -> list[str]:
    return [n.event.value for n in db.session.scalars(
        sa.select(Notification).where(Notification.recipient_id == user.id).order_by(Notification.id))]


def test_scoring_opens_appeals_are_answered_and_the_round_is_published_to_the_right_secretaries(app, world):
    with app.app_context():
        leader = world.user("leader")
        round_ = make_round(world, k=2)
        ops.generate_assignment(leader, round_)
        assert all(_events(world.user(f"sec{i}")) == [] for i in range(1, 7))
        ops.move_round(leader, round_, RoundState.reviewing)
        # Each branch reviews two others: its secretary is told of each of its two sheets, once.
        for i in range(1, 7):
            assert _events(world.user(f"sec{i}")) == ["sheet_assigned", "sheet_assigned"]
        sheet_notice = db.session.scalars(sa.select(Notification).where(
            Notification.event == "sheet_assigned")).first()
        sheet = db.session.get(Scoresheet, sheet_notice.subject_id)
        assert sheet_notice.recipient_id == world.user(
            f"sec{[b.id for b in world.branches].index(sheet.reviewer_unit_id) + 1}").id
        assert "→" in sheet_notice.title and _events(leader) == [] and _events(world.user("member1")) == []

        submit_all(world, round_, {1: {3: ("4", "支委会10月未召开")}})
        ops.move_round(leader, round_, RoundState.appeal)
        score = db.session.scalars(sa.select(Score).join(Scoresheet).where(
            Scoresheet.reviewee_unit_id == world.branches[1].id, Score.points == Decimal(4))).first()
        appeal = ops.file_appeal(world.user("sec2"), score, "10月支委会已召开，会议记录附后")
        ops.answer_appeal(leader, appeal, adjust=False, answer="维持扣分")
        assert _events(world.user("sec2"))[-1] == "appeal_answered"
        assert "appeal_answered" not in _events(world.user("sec1")) + _events(leader)

        ops.move_round(leader, round_, RoundState.published)
        for i in range(1, 7):
            assert Counter(_events(world.user(f"sec{i}")))["round_published"] == 1
        assert "round_published" not in _events(leader)
        # The deductions became ledger items owned by the reviewed unit's secretary: she is told.
        assert "assigned" in _events(world.user("sec2"))
