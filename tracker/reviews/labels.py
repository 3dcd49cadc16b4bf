"""Display names of review states, grades, kinds, methods and timeline verbs (translatable)."""

from decimal import Decimal

from flask_babel import lazy_gettext as _l

from .scoring import Grade
from .workflow import RoundState

#: What the button that moves a round into each state says.
MOVE_LABELS = {
    RoundState.draft: _l("Back to draft"),
    RoundState.self_assessment: _l("Open self-assessment"),
    RoundState.reviewing: _l("Open peer review"),
    RoundState.appeal: _l("Open the appeal window"),
    RoundState.published: _l("Publish the results"),
    RoundState.closed: _l("Close the round"),
}

GRADE_LABELS = {
    Grade.EXCELLENT: _l("Excellent"),
    Grade.GOOD: _l("Good"),
    Grade.FAIR: _l("Fair"),
    Grade.POOR: _l("Poor"),
}

PERIOD_LABELS = {
    "h1": _l("First half of the year (半年考评)"),
    "h2": _l("Second half of the year"),
    "year": _l("Whole year (年终总评)"),
}

VERB_LABELS = {
    "assigned": _l("generated the assignment"),
    "state_changed": _l("changed the state of the round"),
    "pair_overridden": _l("changed a pair"),
    "sheet_excluded": _l("excluded a scoresheet"),
    "submitted": _l("submitted"),
    "appeal_filed": _l("filed an appeal"),
    "appeal_answered": _l("answered an appeal"),
    "published": _l("published the results"),
    "republished": _l("published the results again"),
    "item_added": _l("added an item"),
    "item_updated": _l("changed an item"),
    "item_removed": _l("removed an item"),
    "veto_decided": _l("decided a veto"),
}

#: How a leader's decision on a veto reads.
DECISION_LABELS = {
    "applied": _l("Veto applied"),
    "cleared": _l("Veto cleared"),
}

FIELD_LABELS = {
    "state": _l("State"),
    "pairs": _l("Pairs"),
    "pair": _l("Pair"),
    "units": _l("Units"),
    "sheet": _l("Scoresheet"),
    "item": _l("Indicator"),
    "points": _l("Points"),
    "status": _l("Status"),
    "ledger_items": _l("Ledger items created"),
    "edition": _l("Version"),
    "bonus_cap": _l("Bonus cap"),
    "title": _l("Content"),
    "rule": _l("Scoring rule"),
    "method": _l("Method"),
    "kind": _l("Kind"),
    "unit": _l("Unit"),
    "decision": _l("Decision"),
    "flagged_pairs": _l("Pairs marked (reciprocal or repeated)"),
    "ledger_updated": _l("Ledger items corrected"),
    "ledger_voided": _l("Ledger items voided (通报更正)"),
    "ledger_flagged": _l("Closed ledger items flagged"),
    "k": _l("Reviewers per unit"),
    "self_assessment_due": _l("Self-assessment due"),
    "review_due": _l("Review due"),
    "appeal_due": _l("Appeals due"),
    "rectification_due": _l("Rectification due"),
    "grade_excellent": _l("好 (excellent) from"),
    "grade_good": _l("较好 (good) from"),
    "grade_fair": _l("一般 (fair) from"),
}


def points(value) -> str:
    """Points as people write them: 5, 4.5, 99.25 (no trailing zeros); a dash when missing."""
    if value is None or value == "":
        return "—"
    return format(Decimal(str(value)).normalize(), "f")
