"""A 机关党委 with two 党总支 and six 党支部, their people, and the demo rubric, for review tests."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import ItemKind, OrgUnit, Post, ReviewRound, Role, Rubric, Scoresheet, UnitKind, User


@dataclass
class World:
    root: OrgUnit
    generals: list
    branches: list
    leader: User
    secretaries: list
    members: list
    rubric_id: int
    indicator_ids: list
    category_ids: list

    def rubric(self) -> Rubric:
        return db.session.get(Rubric, self.rubric_id)

    def user(self, username: str) -> User:
        return db.session.scalars(sa.select(User).where(User.username == username)).one()

    def unit(self, index: int) -> OrgUnit:
        return db.session.get(OrgUnit, self.branches[index].id)


@pytest.fixture
def world(in_db) -> World:
    from tracker.demo.reviews import seed_rubric
    from tracker.orgs.operations import create_unit
    from tracker.users.operations import create_user

    def build():
        root = create_unit(None, "测试机关党委", UnitKind.organ_committee)
        generals = [create_unit(None, f"第{i + 1}党总支", UnitKind.general_branch, root) for i in range(2)]
        branches = [create_unit(None, f"第{i + 1}党支部", UnitKind.branch, generals[i // 3]) for i in range(6)]
        leader = create_user(None, username="leader", full_name="周书记", password="secret-pass-1", unit=root,
                             role=Role.leader)
        secretaries = [create_user(None, username=f"sec{i + 1}", full_name=f"书记{i + 1}", password="secret-pass-1",
                                   unit=b, role=Role.secretary, post=Post.secretary) for i, b in enumerate(branches)]
        members = [create_user(None, username=f"member{i + 1}", full_name=f"党员{i + 1}", password="secret-pass-1",
                               unit=branches[i], role=Role.member) for i in range(6)]
        rubric = seed_rubric(root)
        for u in [leader, *secretaries, *members]:
            for m in u.memberships:
                m.unit  # noqa: B018
        db.session.refresh(rubric)
        return World(root, generals, branches, leader, secretaries, members, rubric.id,
                     [i.id for i in rubric.indicators], [c.id for c in rubric.categories])

    return in_db(build)


def fill_sheet(sheet: Scoresheet, actor: User, deductions: dict[int, tuple[str, str]] | None = None,
               highlights: str | None = None) -> None:
    """Score every indicator of `sheet` at full points, except `deductions` {position: (points, note)}."""
    from tracker.reviews import operations

    deductions = deductions or {}
    for position, item in enumerate(sheet.round.rubric.indicators):
        if item.kind is ItemKind.veto:
            continue
        points, note = deductions.get(position, (str(item.points if item.kind is ItemKind.normal else 0), None))
        operations.save_score(actor, sheet, item, points=points, note=note)
    if highlights:
        operations.save_sheet_text(actor, sheet, "highlights", highlights)


def make_round(world: World, *, k: int = 2, self_assessment: bool = False, name="2026年第四季度党支部互查互评",
               quarter: int = 4) -> ReviewRound:
    from datetime import date

    from tracker.reviews import operations

    leader = world.user("leader")
    return operations.create_round(
        leader, name=name, year=2026, quarter=quarter, rubric=world.rubric(),
        unit=db.session.get(OrgUnit, world.root.id), k=k, has_self_assessment=self_assessment,
        review_due=date(2026, 12, 10), appeal_due=date(2026, 12, 15), rectification_due=date(2027, 1, 31), seed=7)


def points(value) -> Decimal:
    return Decimal(str(value))


def review_sheets(round_: ReviewRound, reviewee: OrgUnit | None = None) -> list[Scoresheet]:
    """The round's review sheets (not self-assessments), about `reviewee` if given, in id order."""
    stmt = sa.select(Scoresheet).where(Scoresheet.round_id == round_.id, Scoresheet.pair_id.is_not(None))
    if reviewee is not None:
        stmt = stmt.where(Scoresheet.reviewee_unit_id == reviewee.id)
    return list(db.session.scalars(stmt.order_by(Scoresheet.id)))


def secretary_of(world: World, unit_id: int) -> User:
    return world.user(f"sec{[b.id for b in world.branches].index(unit_id) + 1}")


def start_round(world: World, **kw) -> ReviewRound:
    """A round over the six branches, assigned and open for review."""
    from tracker.reviews import operations
    from tracker.reviews.workflow import RoundState

    round_ = make_round(world, **kw)
    operations.generate_assignment(world.user("leader"), round_)
    operations.move_round(world.user("leader"), round_, RoundState.reviewing)
    return round_


def submit_all(world: World, round_: ReviewRound, deductions: dict | None = None,
               vetoes: dict | None = None) -> None:
    """Every review sheet scored by its team's secretary and submitted.

    `deductions` {reviewee index: {position: (points, note)}} apply on every sheet about that
    unit; `vetoes` {(reviewee index, nth reviewer): (veto position, note)} mark a veto on one sheet.
    """
    from tracker.reviews import operations

    ids = [b.id for b in world.branches]
    seen: dict[int, int] = {}
    for sheet in review_sheets(round_):
        index = ids.index(sheet.reviewee_unit_id)
        nth = seen.get(index, 0)
        seen[index] = nth + 1
        actor = secretary_of(world, sheet.reviewer_unit_id)
        fill_sheet(sheet, actor, (deductions or {}).get(index))
        veto = (vetoes or {}).get((index, nth))
        if veto is not None:
            item = round_.rubric.indicators[veto[0]]
            operations.save_score(actor, sheet, item, points=None, note=veto[1], veto=True)
        operations.submit_sheet(actor, sheet)
