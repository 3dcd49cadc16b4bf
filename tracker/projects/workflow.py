"""The PDCA stages of a project, their transition table and the gates (pure, Flask-free)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..domain_errors import N_, DomainError, Reason
from ..models.project import Stage

ORDER: list[Stage] = [Stage.plan, Stage.run, Stage.check, Stage.rectify, Stage.done]

#: The forward moves, each guarded by a gate; any move to an earlier stage is a 退回 with a reason.
FORWARD: dict[Stage, frozenset[Stage]] = {
    Stage.plan: frozenset({Stage.run}),
    Stage.run: frozenset({Stage.check}),
    Stage.check: frozenset({Stage.rectify, Stage.done}),
    Stage.rectify: frozenset({Stage.check}),
    Stage.done: frozenset(),
}


@dataclass(frozen=True)
class GateFacts:
    """What the gates look at, gathered by the caller (the database and the ledger)."""

    open_required: dict[Stage, int] = field(default_factory=dict)  #: required items not done, per stage
    open_items: dict[Stage, int] = field(default_factory=dict)  #: all items not done, per stage
    targets: int = 0  #: quantified targets set
    needs_approval: bool = False
    approved: bool = False
    approval_refusal: str | None = None  #: why 立项审批 was refused, until the owner asks again
    problems_open: int = 0  #: linked rectification items not closed
    problems_closed: int = 0
    verdict_recorded: bool = False
    verdict_by_owner: bool = False


def move_kind(source: Stage, target: Stage) -> str | None:
    """'forward' (a gated move), 'back' (退回, needs a reason) or None (not a move at all)."""
    if target in FORWARD[source]:
        return "forward"
    if target.position < source.position:
        return "back"
    return None


def gate_reasons(source: Stage, target: Stage, facts: GateFacts, reason: str | None = None) -> list[Reason]:
    """Every reason the move `source` → `target` is refused; an empty list means it may go."""
    kind = move_kind(source, target)
    if kind is None:
        return [Reason(N_("A project cannot go straight to this stage from its current one."), code="no_transition")]
    if kind == "back":
        if not (reason or "").strip():
            return [Reason(N_("Write why the project goes back to an earlier stage."), code="reason_required")]
        return []
    reasons: list[Reason] = []
    if source is Stage.plan:
        if facts.open_required.get(Stage.plan, 0):
            reasons.append(Reason(N_("%(count)d required plan checklist items are not done yet."),
                                  {"count": facts.open_required[Stage.plan]}, code="plan_items"))
        if facts.targets < 1:
            reasons.append(Reason(N_("Set at least one quantified target."), code="no_target"))
        if facts.needs_approval and not facts.approved and facts.approval_refusal:
            reasons.append(Reason(N_("The approval (立项审批) was refused: %(reason)s Revise the project and ask again."),
                                  {"reason": facts.approval_refusal}, code="approval_refused"))
        elif facts.needs_approval and not facts.approved:
            reasons.append(Reason(N_("The project needs approval (立项审批) by a leader of the assigning unit."),
                                  code="not_approved"))
    elif source is Stage.run:
        if facts.open_required.get(Stage.run, 0):
            reasons.append(Reason(N_("%(count)d required run checklist items are not done yet."),
                                  {"count": facts.open_required[Stage.run]}, code="run_items"))
    elif source is Stage.check and target is Stage.rectify:
        if facts.problems_open < 1:
            reasons.append(Reason(N_("No open rectification item is linked to the project: "
                                     "register the problems found first."), code="no_problems"))
    elif source is Stage.check and target is Stage.done:
        if facts.open_items.get(Stage.check, 0):
            reasons.append(Reason(N_("%(count)d check checklist items are not done yet."),
                                  {"count": facts.open_items[Stage.check]}, code="check_items"))
        if facts.problems_open:
            reasons.append(Reason(N_("%(count)d linked rectification items are still open."),
                                  {"count": facts.problems_open}, code="open_problems"))
        if not facts.verdict_recorded:
            reasons.append(Reason(N_("No check verdict (验收意见) has been recorded."), code="no_verdict"))
        elif facts.verdict_by_owner:
            reasons.append(Reason(N_("The check verdict must be recorded by someone other than the project owner."),
                                  code="verdict_by_owner"))
    elif source is Stage.rectify:
        if facts.problems_open:
            reasons.append(Reason(N_("%(count)d linked rectification items are not closed (已销号) yet."),
                                  {"count": facts.problems_open}, code="open_problems"))
    return reasons


def ensure_transition(source: Stage, target: Stage, facts: GateFacts, reason: str | None = None) -> str:
    """Raise DomainError (409) with every reason the move is refused; return its kind otherwise."""
    reasons = gate_reasons(source, target, facts, reason)
    if reasons:
        raise DomainError(*reasons)
    return move_kind(source, target)  # type: ignore[return-value]


def next_cycle(source: Stage, target: Stage, cycle: int) -> int:
    """The cycle counter after a move: back from rectify to check the loop spirals up by one."""
    return cycle + 1 if (source, target) == (Stage.rectify, Stage.check) else cycle
