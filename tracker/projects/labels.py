"""Display names of the project timeline's verbs and fields (stages and types carry their own `.label`)."""

from flask_babel import lazy_gettext as _l

VERB_LABELS = {
    "stage_moved": _l("moved the project"),
    "stage_returned": _l("sent the project back"),
    "approved": _l("approved the project"),
    "approval_refused": _l("refused to approve the project"),
    "approval_requested": _l("asked again for approval"),
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
    "is_required": _l("Required"),
    "assignee": _l("Assignee"),
    "targets": _l("Targets"),
    "participants": _l("Participants"),
    "template": _l("Template"),
    "quarter": _l("Quarter"),
    "needs_approval": _l("Needs approval"),
    "approval_refusal": _l("Why it was not approved"),
}

#: The timeline of a category or a template (configuration records).
CONFIG_VERB_LABELS = {
    "category_added": _l("added the category"),
    "category_renamed": _l("renamed the category"),
    "category_moved": _l("moved the category"),
    "category_deactivated": _l("deactivated the category"),
    "category_reactivated": _l("reactivated the category"),
    "template_created": _l("created the template"),
    "template_updated": _l("edited the template"),
    "template_deactivated": _l("deactivated the template"),
    "template_reactivated": _l("reactivated the template"),
    "template_item_added": _l("added a default checklist item"),
    "template_item_edited": _l("edited a default checklist item"),
    "template_item_removed": _l("removed a default checklist item"),
    "template_item_moved": _l("reordered a default checklist item"),
    "template_target_added": _l("added a default target"),
    "template_target_edited": _l("edited a default target"),
    "template_target_removed": _l("removed a default target"),
}

CONFIG_FIELD_LABELS = {
    "name": _l("Name"),
    "category": _l("Category"),
    "type": _l("Type"),
    "recurrence": _l("Recurrence"),
    "duration_days": _l("Duration in days"),
    "needs_approval": _l("Needs approval"),
    "description": _l("Description"),
    "item": _l("Checklist item"),
    "text": _l("Checklist item"),
    "is_required": _l("Required"),
    "stage": _l("Stage"),
    "target": _l("Target"),
}
