"""The rectification ledger (整改台账): every problem found, tracked to a verified closure."""

from flask import Blueprint

bp = Blueprint("ledger", __name__, url_prefix="/ledger", cli_group=None)


def blueprint() -> Blueprint:
    """The blueprint with its routes attached.

    The views are imported here rather than at module level because the models import this
    package's pure `workflow` module (the item states), and the views import the models.
    """
    from . import cli, excel_views, views  # noqa: F401

    return bp


@bp.record_once
def _setup(_state):
    from ..attachments import register_owner
    from ..i18n import register_labels
    from ..models import LedgerItem
    from ..scoping import get_visible_or_404
    from ..hooks import register_problem_counter
    from ..navigation import DASHBOARD_WIDGETS, UNIT_PANELS
    from . import labels
    from .operations import count_problems

    register_problem_counter(count_problems)
    register_owner("ledger_item", lambda item_id, user: get_visible_or_404(LedgerItem, item_id, user))
    for panels, template in ((DASHBOARD_WIDGETS, "ledger/_widget.html"), (UNIT_PANELS, "ledger/_unit_panel.html")):
        if template not in panels:
            panels.append(template)
    register_labels(
        subjects=("ledger_item",),
        verbs=labels.VERB_LABELS,
        fields=labels.FIELD_LABELS,
        values={
            "status": {k.value: v for k, v in labels.STATUS_LABELS.items()},
            "source": {k.value: v for k, v in labels.SOURCE_LABELS.items()},
            "severity": {k.value: v for k, v in labels.SEVERITY_LABELS.items()},
            "kind": {k.value: v for k, v in labels.EVIDENCE_LABELS.items()},
            "level": {k.value: v for k, v in labels.ESCALATION_LABELS.items()},
        },
    )
