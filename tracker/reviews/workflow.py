"""A review round's states, the moves between them and the guard of each move (Flask-free)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..domain_errors import N_, DomainError, Reason
from ..models.review import RoundState

S = RoundState

#: The moves a leader can make; publishing again from `published` refreshes the circular.
TRANSITIONS: dict[RoundState, tuple[RoundState, ...]] = {
    S.draft: (S.self_assessment, S.reviewing),
    S.self_assessment: (S.reviewing, S.draft),
    S.reviewing: (S.appeal, S.published, S.self_assessment),
    S.appeal: (S.published, S.reviewing),
    S.published: (S.published, S.appeal, S.closed),
    S.closed: (),
}

#: States in which reviewer teams may still change their sheets.
SCORING_STATES = frozenset({S.reviewing})
#: States in which a unit may still change its self-assessment.
SELF_STATES = frozenset({S.self_assessment, S.reviewing})
#: States in which the results (and so everything in the sheets) are public to the units.
PUBLIC_STATES = frozenset({S.published, S.closed})


@dataclass(frozen=True)
class RoundFacts:
    """What the guards need to know about a round, gathered by the caller."""

    state: RoundState
    has_self_assessment: bool = False
    units: int = 0
    pairs: int = 0
    #: Names of the review sheets neither submitted nor excluded (e.g. "一支部 → 二支部").
    unsubmitted: Sequence[str] = field(default_factory=tuple)
    #: Names of appeals still waiting for an answer.
    pending_appeals: Sequence[str] = field(default_factory=tuple)
    #: Whether the rectification deadline (整改时限) of the deductions is set.
    has_rectification_due: bool = True
    #: Vetoes marked by some reviewers but not a majority, not yet decided by a leader
    #: (e.g. "二支部 · 意识形态工作出现重大问题 (1/2)").
    undecided_vetoes: Sequence[str] = field(default_factory=tuple)


def allowed_moves(state: RoundState) -> tuple[RoundState, ...]:
    return TRANSITIONS[RoundState(state)]


def move_problems(facts: RoundFacts, to: RoundState) -> list[Reason]:
    """Every reason the round cannot move from `facts.state` to `to`; empty when it can."""
    to = RoundState(to)
    if to not in TRANSITIONS[RoundState(facts.state)]:
        return [Reason(N_("The round cannot make this move from its current state."), code="no_such_move")]
    reasons: list[Reason] = []
    if to is S.self_assessment and not facts.has_self_assessment:
        reasons.append(Reason(N_("This round has no self-assessment."), code="no_self_assessment"))
    if to in (S.self_assessment, S.reviewing) and facts.state is S.draft:
        if facts.units < 2:
            reasons.append(Reason(N_("At least two units must take part."), code="too_few_units"))
        if not facts.pairs:
            reasons.append(Reason(N_("Generate the assignment first."), code="no_assignment"))
    if to in (S.appeal, S.published) and facts.state in (S.reviewing, S.appeal, S.published):
        for name in facts.unsubmitted:
            reasons.append(Reason(N_("The scoresheet %(sheet)s is not submitted; a leader can exclude it "
                                     "with a reason."), {"sheet": name}, code="unsubmitted"))
    if to is S.published:
        if not facts.has_rectification_due:
            reasons.append(Reason(N_("Set the rectification deadline first: every deduction goes into the "
                                     "ledger with it."), code="no_rectification_due"))
        for name in facts.pending_appeals:
            reasons.append(Reason(N_("The appeal on %(appeal)s has no answer yet."),
                                  {"appeal": name}, code="pending_appeal"))
        for name in facts.undecided_vetoes:
            reasons.append(Reason(N_("The veto %(veto)s was marked by only some of the reviewers; a leader must "
                                     "apply or clear it, with a reason, before publishing."),
                                  {"veto": name}, code="veto_undecided"))
    return reasons


def ensure_transition(facts: RoundFacts, to: RoundState) -> None:
    """Raise `DomainError` (409) with every reason when the move is not allowed."""
    reasons = move_problems(facts, to)
    if reasons:
        raise DomainError(*reasons)


#: States in which the round's name and deadlines can still change (until it is published).
EDITABLE_STATES = frozenset({S.draft, S.self_assessment, S.reviewing, S.appeal})
#: States in which a leader decides a veto the reviewers split on (the sheets are in by then).
VETO_STATES = frozenset({S.reviewing, S.appeal})

#: The deadlines of a round in the order they must fall (自评 ≤ 互评 ≤ 申诉 ≤ 整改).
DEADLINES = ("self_assessment_due", "review_due", "appeal_due", "rectification_due")


#: Why a date is refused, by the earlier deadline it falls before.
_BEFORE = {
    "self_assessment_due": N_("This date is before the self-assessment deadline (%(date)s): the deadlines run "
                              "self-assessment ≤ review ≤ appeals ≤ rectification."),
    "review_due": N_("This date is before the review deadline (%(date)s): the deadlines run "
                     "self-assessment ≤ review ≤ appeals ≤ rectification."),
    "appeal_due": N_("This date is before the appeal deadline (%(date)s): the deadlines run "
                     "self-assessment ≤ review ≤ appeals ≤ rectification."),
}


def deadline_problems(dates: dict[str, object]) -> dict[str, list[Reason]]:
    """Per deadline field, why it falls out of order: each set date must not be earlier than the
    set dates before it in `DEADLINES`. The reason sits on the later field and names the latest
    earlier deadline it precedes.
    """
    problems: dict[str, list[Reason]] = {}
    earlier: list[tuple[str, object]] = []
    for name in DEADLINES:
        value = dates.get(name)
        if value is None:
            continue
        late = [(other, when) for other, when in earlier if when > value]
        if late:
            other, when = max(late, key=lambda pair: pair[1])
            problems[name] = [Reason(_BEFORE[other], {"date": str(when)}, code="deadline_order")]
        earlier.append((name, value))
    return problems


def is_editable(state: RoundState) -> bool:
    return RoundState(state) in EDITABLE_STATES


def can_score(state: RoundState, is_self: bool) -> bool:
    """Whether a sheet may still be edited in a round in `state`."""
    return RoundState(state) in (SELF_STATES if is_self else SCORING_STATES)


def can_appeal(state: RoundState) -> bool:
    return RoundState(state) is S.appeal


def is_public(state: RoundState) -> bool:
    return RoundState(state) in PUBLIC_STATES
