"""Display names of stages, types, recurrences and the project timeline's verbs and fields."""

from flask_babel import lazy_gettext as _l

from ..models import ProjectType, Recurrence
from .workflow import Stage

STAGE_LABELS = {
    Stage.plan: _l("Plan"),
    Stage.run: _l("Run"),
    Stage.check: _l("Check"),
    Stage.rectify: _l("Rectify"),
    Stage.done: _l("Done"),
}

TYPE_LABELS = {
    ProjectType.innovation: _l("Innovation and exploration"),
    ProjectType.demonstration: _l("Model demonstration"),
    ProjectType.promotion: _l("System promotion"),
}

RECURRENCE_LABELS = {
    Recurrence.none: _l("Does not recur"),
    Recurrence.monthly: _l("Monthly"),
    Recurrence.quarterly: _l("Quarterly"),
    Recurrence.yearly: _l("Yearly"),
}

VERB_LABELS = {
    "stage_moved": _l("moved the project"),
    "stage_returned": _l("sent the project back"),
    "approved": _l("approved the project"),
    "verdict_recorded": _l("recorded the check verdict"),
    "item_added": _l("added a checklist item"),
    "item_edited": _l("edited a checklist item"),
    "item_ticked": _l("ticked a checklist item"),
    "item_unticked": _l("unticked a checklist item"),
    "item_reordered": _l("reordered a checklist item"),
    "owner_changed": _l("changed the owner"),
}

FIELD_LABELS = {
    "title": _l("Title"),
    "code": _l("Code"),
    "stage": _l("Stage"),
    "cycle": _l("Cycle"),
    "owner": _l("Owner"),
    "due_date": _l("Due date"),
    "start_date": _l("Start date"),
    "category": _l("Category"),
    "type": _l("Type"),
    "description": _l("Description"),
    "verdict": _l("Check verdict"),
    "item": _l("Checklist item"),
    "targets": _l("Targets"),
    "participants": _l("Participants"),
    "template": _l("Template"),
    "quarter": _l("Quarter"),
    "needs_approval": _l("Needs approval"),
}
