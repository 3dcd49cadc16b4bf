"""The operations enforce the policy themselves (NotAllowed), whoever calls them, and every write
leaves its trace on the timeline."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tracker.audit import timeline
from tracker.domain_errors import NotAllowed
from tracker.extensions import db
from tracker.models import OrgUnit
from tracker.reviews import operations as ops
from tracker.reviews import queries
from tracker.reviews.workflow import RoundState

from .conftest import make_round, review_sheets, secretary_of, start_round, submit_all


def test_only_the_rounds_leaders_run_it(app, world):
    with app.app_context():
        round_ = make_round(world)
        secretary = world.user("sec1")
        with pytest.raises(NotAllowed):
            ops.generate_assignment(secretary, round_)
        ops.generate_assignment(world.user("leader"), round_)
        with pytest.raises(NotAllowed):
            ops.move_round(secretary, round_, RoundState.reviewing)
        with pytest.raises(NotAllowed):
            ops.override_pair(secretary, queries.pairs_of(round_)[0], world.unit(0), world.unit(3), "调整")


def test_only_leaders_over_the_unit_create_a_round_or_a_rubric(app, world):
    with app.app_context():
        root = db.session.get(OrgUnit, world.root.id)
        with pytest.raises(NotAllowed):
            ops.create_round(world.user("sec1"), name="越权", year=2026, quarter=4, rubric=world.rubric(), unit=root)
        with pytest.raises(NotAllowed):
            ops.create_rubric(world.user("sec1"), root, "越权细则")
        with pytest.raises(NotAllowed):
            ops.add_rubric_item(world.user("member1"), world.rubric(), title="越权", points=Decimal(1))


def test_only_the_sheets_team_scores_it_and_each_save_is_recorded(app, world):
    with app.app_context():
        round_ = start_round(world)
        sheet = review_sheets(round_)[0]
        item = round_.rubric.indicators[0]
        with pytest.raises(NotAllowed):
            ops.save_score(world.user("leader"), sheet, item, points=str(item.points), note=None)
        with pytest.raises(NotAllowed):
            ops.save_sheet_text(world.user("leader"), sheet, "highlights", "越权")
        team = secretary_of(world, sheet.reviewer_unit_id)
        ops.save_score(team, sheet, item, points="4", note="记录不全")
        ops.save_sheet_text(team, sheet, "highlights", "台账规范")
        recorded = [(a.verb, a.after) for a in timeline(sheet)]
        assert ("updated", {"highlights": "台账规范"}) in recorded
        assert ("updated", {"points": "4", "note": "记录不全"}) in recorded


def test_only_the_reviewed_units_secretary_appeals(app, world):
    with app.app_context():
        round_ = start_round(world)
        submit_all(world, round_, deductions={1: {0: ("4", "记录不全")}})
        ops.move_round(world.user("leader"), round_, RoundState.appeal)
        score = next(s for sheet in review_sheets(round_, world.unit(1)) for s in sheet.scores
                     if queries.is_deduction(s))
        with pytest.raises(NotAllowed):
            ops.file_appeal(world.user("member2"), score, "不服")
        appeal = ops.file_appeal(world.user("sec2"), score, "材料已补")
        with pytest.raises(NotAllowed):
            ops.answer_appeal(world.user("sec1"), appeal, adjust=False, answer="维持")
