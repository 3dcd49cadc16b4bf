"""Who may see and do what in review rounds: pure predicates used by templates, views and operations.

Which rounds, sheets and rubrics exist for a user at all (404 otherwise) is `queries`' part; these
predicates say what a user may do with one they see.
"""

from __future__ import annotations

from ..models import OrgUnit, ReviewRound, Role, RoundMode, Rubric, Scoresheet, User
from .workflow import VETO_STATES, RoundState, can_appeal, can_score, is_editable, is_public

MANAGERS = (Role.leader, Role.admin)


def can_create_round(user: User, unit: OrgUnit | None = None) -> bool:
    """Leaders (and admins) run rounds and keep rubrics: over `unit` when given, else anywhere."""
    if unit is None:
        return bool(user.scope_paths(*MANAGERS))
    return user.has_role_over(unit, *MANAGERS)


def can_manage_round(user: User, round_: ReviewRound) -> bool:
    """Leaders (and admins) covering the round's running unit run it: assignment, states, appeals."""
    return user.has_role_over(round_.unit, *MANAGERS)


def can_edit_round(user: User, round_: ReviewRound) -> bool:
    """Its leaders change a round's name and deadlines (units and k before the assignment) until
    it is published."""
    return can_manage_round(user, round_) and is_editable(round_.state)


def can_decide_veto(user: User, round_: ReviewRound) -> bool:
    """Its leaders apply or clear a veto the reviewers split on, while reviewing or appealing."""
    return can_manage_round(user, round_) and round_.state in VETO_STATES


def can_edit_rubric(user: User, rubric: Rubric) -> bool:
    """Leaders (and admins) covering the unit that keeps the rubric edit it and make its versions."""
    return user.has_role_over(rubric.unit, *MANAGERS)


def is_on_team(user: User, sheet: Scoresheet) -> bool:
    """The scoring team: people of the reviewer unit itself (its secretary and members), or in a
    leader-mode round the leaders covering the running unit."""
    if any(m.unit_id == sheet.reviewer_unit_id for m in user.memberships):
        return True
    return sheet.round.mode is RoundMode.leader and not sheet.is_self and can_manage_round(user, sheet.round)


def can_edit_sheet(user: User, sheet: Scoresheet) -> bool:
    """Its team, while the sheet is open (not submitted, not excluded) and the round scores."""
    return (is_on_team(user, sheet) and not sheet.is_locked and not sheet.is_excluded
            and can_score(sheet.round.state, sheet.is_self))


def can_see_sheet(user: User, sheet: Scoresheet) -> bool:
    """Its team always; a self-assessment nobody else until it is submitted (a draft is private);
    the round's leaders; and, once public, those covering the reviewed unit."""
    if is_on_team(user, sheet):
        return True
    if sheet.is_self and not sheet.is_locked:
        return False
    if can_manage_round(user, sheet.round):
        return True
    return is_public(sheet.round.state) and user.has_role_over(sheet.reviewee_unit)


def can_see_unit_report(user: User, round_: ReviewRound, unit: OrgUnit) -> bool:
    """A unit's deductions: its leaders always; the unit itself in the appeal window and after."""
    if can_manage_round(user, round_):
        return True
    return (is_public(round_.state) or round_.state is RoundState.appeal) and user.has_role_over(unit)


def can_file_appeal(user: User, round_: ReviewRound, unit: OrgUnit) -> bool:
    """The reviewed unit's secretary contests deductions during the appeal window."""
    return can_appeal(round_.state) and any(
        m.unit_id == unit.id and m.role is Role.secretary for m in user.memberships
    )


def can_see_results(user: User, round_: ReviewRound) -> bool:
    """The round's leaders always; everyone who sees the round once it is published."""
    return can_manage_round(user, round_) or is_public(round_.state)


def can_see_whole_ranking(user: User, unit: OrgUnit) -> bool:
    """Leaders over the running unit see a half-year or annual ranking whole; others only the
    rows of the units they cover."""
    return user.has_role_over(unit, *MANAGERS)
