"""Who may see and do what in review rounds; predicates used by templates and re-checked by views.

Scoping: a round exists for a user who covers its running unit or one of its participating
units; a scoresheet exists only for its own team and the round's leaders until publication,
then also for those covering the reviewed unit. Anything else is a 404.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort

from ..extensions import db
from ..models import OrgUnit, ReviewRound, Role, RoundMode, RoundUnit, Rubric, Scoresheet, User
from ..scoping import units_in_scope
from .workflow import VETO_STATES, RoundState, can_appeal, can_score, is_editable, is_public

MANAGERS = (Role.leader, Role.admin)


def can_create_round(user: User) -> bool:
    return bool(user.scope_paths(*MANAGERS))


def can_manage_round(user: User, round_: ReviewRound) -> bool:
    """Leaders (and admins) covering the round's running unit run it: assignment, states, appeals."""
    return user.has_role_over(round_.unit, *MANAGERS)


def can_edit_round(user: User, round_: ReviewRound) -> bool:
    """Its leaders change a round's name and deadlines (units and k before the assignment) until
    it is published."""
    return can_manage_round(user, round_) and is_editable(RoundState(round_.state))


def can_decide_veto(user: User, round_: ReviewRound) -> bool:
    """Its leaders apply or clear a veto the reviewers split on, while reviewing or appealing."""
    return can_manage_round(user, round_) and RoundState(round_.state) in VETO_STATES


def can_edit_rubric(user: User, rubric: Rubric) -> bool:
    return user.has_role_over(rubric.unit, *MANAGERS)


def is_on_team(user: User, sheet: Scoresheet) -> bool:
    """The scoring team: people of the reviewer unit itself (its secretary and members), or in a
    leader-mode round the leaders covering the running unit."""
    if any(m.unit_id == sheet.reviewer_unit_id for m in user.memberships):
        return True
    return sheet.round.mode is RoundMode.leader and not sheet.is_self and can_manage_round(user, sheet.round)


def can_edit_sheet(user: User, sheet: Scoresheet) -> bool:
    return (is_on_team(user, sheet) and not sheet.is_locked and not sheet.is_excluded
            and can_score(RoundState(sheet.round.state), sheet.is_self))


def can_see_sheet(user: User, sheet: Scoresheet) -> bool:
    """Its team always; a self-assessment nobody else until it is submitted (a draft is private);
    the round's leaders; and, once public, those covering the reviewed unit."""
    if is_on_team(user, sheet):
        return True
    if sheet.is_self and not sheet.is_locked:
        return False
    if can_manage_round(user, sheet.round):
        return True
    return is_public(RoundState(sheet.round.state)) and user.has_role_over(sheet.reviewee_unit)


def can_see_unit_report(user: User, round_: ReviewRound, unit: OrgUnit) -> bool:
    """A unit's deductions: its leaders always; the unit itself in the appeal window and after."""
    if can_manage_round(user, round_):
        return True
    state = RoundState(round_.state)
    return (is_public(state) or state is RoundState.appeal) and user.has_role_over(unit)


def can_file_appeal(user: User, round_: ReviewRound, unit: OrgUnit) -> bool:
    """The reviewed unit's secretary contests deductions during the appeal window."""
    return can_appeal(RoundState(round_.state)) and any(
        m.unit_id == unit.id and m.role is Role.secretary for m in user.memberships
    )


def can_see_results(user: User, round_: ReviewRound) -> bool:
    return can_manage_round(user, round_) or is_public(RoundState(round_.state))


def visible_rounds(user: User) -> sa.Select:
    """SELECT the rounds a user can see: run by a unit they cover, or covering one of their units."""
    scope = units_in_scope(user)
    taking_part = sa.select(RoundUnit.round_id).where(RoundUnit.unit_id.in_(scope))
    return sa.select(ReviewRound).where(sa.or_(ReviewRound.unit_id.in_(scope), ReviewRound.id.in_(taking_part)))


def get_round_or_404(ident: Any, user: User) -> ReviewRound:
    round_ = db.session.scalars(visible_rounds(user).where(ReviewRound.id == _int_or_404(ident))).first()
    if round_ is None:
        abort(404)
    return round_


def get_sheet_or_404(ident: Any, user: User) -> Scoresheet:
    """A sheet the user may see (its team, the round's leaders, or anyone in scope once public)."""
    sheet = db.session.get(Scoresheet, _int_or_404(ident))
    if sheet is None:
        abort(404)
    get_round_or_404(sheet.round_id, user)
    if not can_see_sheet(user, sheet):
        abort(404)
    return sheet


def visible_rubrics(user: User) -> sa.Select:
    """SELECT the rubrics kept by a unit the user covers or by a unit above one of their units."""
    above = {i for m in user.memberships for i in m.unit.ancestor_ids}
    return sa.select(Rubric).where(sa.or_(Rubric.unit_id.in_(units_in_scope(user)), Rubric.unit_id.in_(above)))


def get_rubric_or_404(ident: Any, user: User) -> Rubric:
    rubric = db.session.scalars(visible_rubrics(user).where(Rubric.id == _int_or_404(ident))).first()
    if rubric is None:
        abort(404)
    return rubric


def _int_or_404(ident: Any) -> int:
    try:
        return int(ident)
    except (TypeError, ValueError):
        abort(404)
