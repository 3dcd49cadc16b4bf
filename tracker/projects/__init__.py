"""Party-building projects through the PDCA loop: board, pages, checklists and templates.

The views attach to `bp` when `tracker.projects.views` is imported (by the app factory), so the
models may import the pure `workflow` module without pulling in the web layer.
"""

from flask import Blueprint

bp = Blueprint("projects", __name__)


@bp.record_once
def _register(_state):
    from ..i18n import register_labels
    from ..navigation import DASHBOARD_WIDGETS
    from .labels import STAGE_LABELS, TYPE_LABELS, VERB_LABELS, FIELD_LABELS

    register_labels(verbs=VERB_LABELS, fields=FIELD_LABELS, values={
        "stage": {k.value: v for k, v in STAGE_LABELS.items()},
        "from": {k.value: v for k, v in STAGE_LABELS.items()},
        "to": {k.value: v for k, v in STAGE_LABELS.items()},
        "type": {k.value: v for k, v in TYPE_LABELS.items()},
    })
    if "projects/_widget.html" not in DASHBOARD_WIDGETS:
        DASHBOARD_WIDGETS.append("projects/_widget.html")


@bp.app_context_processor
def _labels():
    from .labels import STAGE_LABELS, TYPE_LABELS, RECURRENCE_LABELS

    return {"stage_label": STAGE_LABELS.get, "type_label": TYPE_LABELS.get,
            "recurrence_label": RECURRENCE_LABELS.get}
