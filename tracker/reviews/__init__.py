"""Quarterly review rounds (季度互查互评): rubrics, assignment, scoresheets, appeals, the circular."""

from __future__ import annotations

from functools import partial

from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

from .. import hooks
from ..audit import names_by_id
from ..i18n import register_labels
from ..models import AppealStatus, ItemKind, Method, ReviewRound, RoundMode, RoundState, Rubric

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
    hooks.register_record_kind("review_rubric", _l("Rubric"), "reviews.rubric", "rubric_id",
                               partial(names_by_id, Rubric.id, Rubric.name))
    register_labels(
        subjects=("review_round", "review_rubric", "review_scoresheet"),
        verbs=labels.VERB_LABELS,
        values={"state": RoundState.labels(),
                "status": AppealStatus.labels(),
                "decision": labels.DECISION_LABELS,
                "method": Method.labels(),
                "kind": ItemKind.labels()},
        fields={**labels.FIELD_LABELS, **SHEET_FIELD_LABELS},
    )
    app.jinja_env.globals.update(
        round_state_label=lambda s: RoundState.label_of(s, s),
        grade_label=lambda g: labels.GRADE_LABELS.get(g, g) if g else "—",
        item_kind_label=ItemKind.label_of,
        method_label=lambda m: Method.label_of(m, ""),
        mode_label=RoundMode.label_of,
        appeal_label=AppealStatus.label_of,
        period_label=lambda p: labels.PERIOD_LABELS.get(p, p),
        review_history=queries_results.review_history,
        sheets_to_fill=queries.sheets_to_fill,
    )
    app.jinja_env.filters["points"] = labels.points
    hooks.register_attachment_owner("review_scoresheet", queries.get_sheet_or_404)
    hooks.add_unit_panel("reviews/_unit_panel.html")
    hooks.add_home_widget("reviews/_dashboard.html")
    hooks.add_work_source(queries.my_work)
    hooks.register_record_kind("review_round", _l("Review round"), "reviews.show", "round_id",
                               partial(names_by_id, ReviewRound.id, ReviewRound.name))
    hooks.register_record_kind("review_scoresheet", _l("Scoresheet"), "reviews.sheet", "sheet_id", queries.sheet_names)
