"""Quarterly review rounds (季度互查互评): rubrics, assignment, scoresheets, appeals, the circular."""

from __future__ import annotations

from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

from .. import hooks
from ..i18n import register_labels

bp = Blueprint("reviews", __name__, url_prefix="/reviews")

#: How a sheet's saved fields read in its timeline (the texts the sheet's form shows them by).
#: They belong in labels.FIELD_LABELS, which another change is editing now; move them there.
SHEET_FIELD_LABELS = {
    "team": _l("Inspection team"),
    "highlights": _l("Highlights worth learning (亮点/值得学习)"),
    "observations": _l("Observations"),
    "note": _l("Note"),
    "is_veto": _l("Veto triggered"),
}

from . import (  # noqa: E402,F401  (the routes attach to bp)
    labels, queries, queries_results, views, views_combined, views_results, views_rounds, views_rubrics, views_sheets,
)


def register(app: Flask) -> None:
    """The blueprint, timeline labels, template helpers (the unit panel's and the home widget's data
    among them) and hooks."""
    app.register_blueprint(bp)
    register_labels(
        subjects=("review_round", "review_rubric", "review_scoresheet"),
        verbs=labels.VERB_LABELS,
        values={"state": {k.value: v for k, v in labels.STATE_LABELS.items()},
                "status": {k.value: v for k, v in labels.APPEAL_LABELS.items()},
                "decision": labels.DECISION_LABELS,
                "method": {k.value: v for k, v in labels.METHOD_LABELS.items()},
                "kind": {k.value: v for k, v in labels.KIND_LABELS.items()}},
        fields={**labels.FIELD_LABELS, **SHEET_FIELD_LABELS},
    )
    app.jinja_env.globals.update(
        round_state_label=lambda s: labels.STATE_LABELS.get(s, s),
        grade_label=lambda g: labels.GRADE_LABELS.get(g, g) if g else "—",
        item_kind_label=labels.KIND_LABELS.get,
        method_label=lambda m: labels.METHOD_LABELS.get(m, "") if m else "",
        mode_label=labels.MODE_LABELS.get,
        appeal_label=labels.APPEAL_LABELS.get,
        period_label=lambda p: labels.PERIOD_LABELS.get(p, p),
        review_history=queries_results.review_history,
        sheets_to_fill=queries.sheets_to_fill,
    )
    app.jinja_env.filters["points"] = labels.points
    hooks.register_attachment_owner("review_scoresheet", queries.get_sheet_or_404)
    hooks.add_unit_panel("reviews/_unit_panel.html")
    hooks.add_home_widget("reviews/_dashboard.html")
