"""Quarterly review rounds (季度互查互评): rubrics, assignment, scoresheets, appeals, the circular."""

from flask import Blueprint

bp = Blueprint("reviews", __name__, url_prefix="/reviews")

from . import views, views_combined, views_rubrics, views_sheets  # noqa: E402,F401


@bp.record_once
def _register(_state):
    from ..i18n import register_labels
    from ..navigation import DASHBOARD_WIDGETS, UNIT_PANELS
    from .labels import (
        APPEAL_LABELS, DECISION_LABELS, FIELD_LABELS, KIND_LABELS, METHOD_LABELS, STATE_LABELS, VERB_LABELS,
    )

    register_labels(
        subjects=("review_round", "review_rubric", "review_scoresheet"),
        verbs=VERB_LABELS,
        values={"state": {k.value: v for k, v in STATE_LABELS.items()},
                "status": {k.value: v for k, v in APPEAL_LABELS.items()},
                "decision": DECISION_LABELS,
                "method": {k.value: v for k, v in METHOD_LABELS.items()},
                "kind": {k.value: v for k, v in KIND_LABELS.items()}},
        fields=FIELD_LABELS,
    )
    from ..attachments import register_owner
    from .policy import get_sheet_or_404

    register_owner("review_scoresheet", get_sheet_or_404)
    if "reviews/_unit_panel.html" not in UNIT_PANELS:
        UNIT_PANELS.append("reviews/_unit_panel.html")
    if "reviews/_dashboard.html" not in DASHBOARD_WIDGETS:
        DASHBOARD_WIDGETS.append("reviews/_dashboard.html")


@bp.app_context_processor
def _labels():
    from .labels import (
        APPEAL_LABELS, GRADE_LABELS, KIND_LABELS, METHOD_LABELS, MODE_LABELS, PERIOD_LABELS, STATE_LABELS,
    )

    return {
        "round_state_label": lambda s: STATE_LABELS.get(s, s),
        "grade_label": lambda g: GRADE_LABELS.get(g, g) if g else "—",
        "item_kind_label": KIND_LABELS.get,
        "method_label": lambda m: METHOD_LABELS.get(m, "") if m else "",
        "mode_label": MODE_LABELS.get,
        "appeal_label": APPEAL_LABELS.get,
        "period_label": lambda p: PERIOD_LABELS.get(p, p),
    }


@bp.app_template_filter("points")
def _points(value) -> str:
    """Points as people write them: 5, 4.5, 99.25 (no trailing zeros); a dash when missing."""
    from decimal import Decimal

    if value is None or value == "":
        return "—"
    text = format(Decimal(str(value)).normalize(), "f")
    return text
