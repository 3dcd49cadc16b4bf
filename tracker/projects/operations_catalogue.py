"""Keeping the catalogue: the category list (admins) and the project templates with their default
checklists and targets (leaders and admins).

Every function takes the actor first, checks the policy (NotAllowed), writes the activity record on
the category or template and only flushes. Projects already made from a template keep what they got.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from ..audit import apply_changes, changes, record_activity
from ..domain_errors import N_, StaleEdit, refuse
from ..extensions import db
from ..models import ProjectCategory, ProjectTemplate, ProjectType, Recurrence, TemplateItem, TemplateTarget, User
from . import policy
from .ordering import move_one_place
from .policy import authorise
from .queries import categories, template_stage_items
from .workflow import Stage

CATEGORY_NAME_MAX = 50
TEMPLATE_NAME_MAX = 100


def _check_name(model, name: str, maximum: int, current_id: int | None = None) -> str:
    """The stripped name, refused (422, code "name") when empty, too long or taken by another row."""
    name = name.strip()
    if not name:
        raise refuse(N_("Enter a name."), "name")
    if len(name) > maximum:
        raise refuse(N_("A name has at most %(max)d characters."), "name", max=maximum)
    taken = db.session.scalar(sa.select(model.id).where(model.name == name, model.id != (current_id or 0)))
    if taken is not None:
        raise refuse(N_("“%(name)s” already exists."), "name", name=name)
    return name


def _set_active(actor: User, record, active: bool, kind: str):
    """Deactivate or reactivate a category or template (`kind`), recording `<kind>_deactivated` or
    `<kind>_reactivated` when it changes."""
    if record.is_active != active:
        record.is_active = active
        record_activity(actor, record, f"{kind}_reactivated" if active else f"{kind}_deactivated",
                        after={"name": record.name})
    db.session.flush()
    return record


def add_category(actor: User, name: str) -> ProjectCategory:
    """Append a category at the end of the list (422 for an empty, too long or duplicate name)."""
    authorise(actor, policy.can_configure_categories)
    name = _check_name(ProjectCategory, name, CATEGORY_NAME_MAX)
    last = db.session.scalar(sa.select(sa.func.max(ProjectCategory.sort_order))) or 0
    category = ProjectCategory(name=name, sort_order=last + 1, is_active=True)
    db.session.add(category)
    db.session.flush()
    record_activity(actor, category, "category_added", after={"name": name})
    return category


def rename_category(actor: User, category: ProjectCategory, name: str, *, version: int) -> ProjectCategory:
    """Rename; projects keep the category and show the new name. StaleEdit when `version` is old."""
    authorise(actor, policy.can_configure_categories)
    if version != category.version:
        raise StaleEdit(category)
    name = _check_name(ProjectCategory, name, CATEGORY_NAME_MAX, category.id)
    if name != category.name:
        record_activity(actor, category, "category_renamed", before={"name": category.name}, after={"name": name})
        category.name = name
    db.session.flush()
    return category


def move_category(actor: User, category: ProjectCategory, direction: str) -> ProjectCategory:
    """Swap the category with its neighbour above ("up") or below ("down"); at an end nothing moves."""
    authorise(actor, policy.can_configure_categories)
    if move_one_place(categories(include_inactive=True), category, direction, "sort_order"):
        record_activity(actor, category, "category_moved", after={"name": category.name})
    db.session.flush()
    return category


def set_category_active(actor: User, category: ProjectCategory, active: bool) -> ProjectCategory:
    """Deactivate (no longer offered for new projects; existing ones keep it) or reactivate.

    Categories are never deleted: projects and the timeline refer to them.
    """
    authorise(actor, policy.can_configure_categories)
    return _set_active(actor, category, active, "category")


@dataclass
class TemplateFields:
    """A project template's own fields, as its form gives them."""

    name: str
    category_id: int | None = None
    type: ProjectType = ProjectType.promotion
    recurrence: Recurrence = Recurrence.none
    duration_days: int = 90
    needs_approval: bool = False
    description: str = ""


def _check_template(fields: TemplateFields, current_id: int | None = None) -> dict:
    name = _check_name(ProjectTemplate, fields.name, TEMPLATE_NAME_MAX, current_id)
    if fields.duration_days < 1:
        raise refuse(N_("A project lasts at least one day."), "duration_days")
    if fields.category_id is not None and db.session.get(ProjectCategory, fields.category_id) is None:
        raise refuse(N_("Choose a category from the list."), "category_id")
    return {"name": name, "category_id": fields.category_id, "type": fields.type, "recurrence": fields.recurrence,
            "duration_days": fields.duration_days, "needs_approval": fields.needs_approval,
            "description": fields.description.strip()}


def create_template(actor: User, fields: TemplateFields) -> ProjectTemplate:
    """A new, empty template (its checklists and targets are added next); 422 for bad input."""
    authorise(actor, policy.can_edit_templates)
    values = _check_template(fields)
    template = ProjectTemplate(is_active=True, **values)
    template.items, template.targets = [], []
    db.session.add(template)
    db.session.flush()
    record_activity(actor, template, "template_created", after={"name": template.name})
    return template


def update_template(actor: User, template: ProjectTemplate, fields: TemplateFields, *,
                    version: int) -> ProjectTemplate:
    """Save the template's own fields; projects already made from it do not change. StaleEdit when old."""
    authorise(actor, policy.can_edit_templates)
    if version != template.version:
        raise StaleEdit(template)
    values = _check_template(fields, template.id)
    apply_changes(actor, template, values, "template_updated", readable=_category_names)
    db.session.flush()
    return template


def _category_names(before: dict, after: dict) -> None:
    """The timeline shows a template's category by name, not id."""
    if "category_id" in after:
        def name(category_id):
            return db.session.get(ProjectCategory, category_id).name if category_id else None

        before["category"], after["category"] = name(before.pop("category_id")), name(after.pop("category_id"))


def set_template_active(actor: User, template: ProjectTemplate, active: bool) -> ProjectTemplate:
    """An inactive template is not offered for assignment and generates no recurring projects."""
    authorise(actor, policy.can_edit_templates)
    return _set_active(actor, template, active, "template")


def _check_item_text(text: str) -> str:
    if not text.strip():
        raise refuse(N_("Enter the item's text."), "text")
    if len(text.strip()) > 500:
        raise refuse(N_("An item has at most %(max)d characters."), "text", max=500)
    return text.strip()


def add_template_item(actor: User, template: ProjectTemplate, *, stage: Stage, text: str,
                      is_required: bool = True) -> TemplateItem:
    """Append a default checklist item to `stage`; projects assigned from now on get it."""
    authorise(actor, policy.can_edit_templates)
    text = _check_item_text(text)
    items = template_stage_items(template, stage)
    item = TemplateItem(stage=stage, text=text, is_required=is_required,
                        position=(max((i.position for i in items), default=0) + 1))
    template.items.append(item)
    db.session.flush()
    record_activity(actor, template, "template_item_added", after={"item": text, "stage": stage.value})
    return item


def edit_template_item(actor: User, template: ProjectTemplate, item: TemplateItem, *, text: str,
                       is_required: bool) -> TemplateItem:
    """Change a default item's text or required flag; projects already made keep their own copy."""
    authorise(actor, policy.can_edit_templates)
    text = _check_item_text(text)
    before, after = changes(item, {"text": text, "is_required": is_required})
    if after:
        item.text, item.is_required = text, is_required
        record_activity(actor, template, "template_item_edited", before=before, after=after)
    db.session.flush()
    return item


def remove_template_item(actor: User, template: ProjectTemplate, item: TemplateItem) -> None:
    """Remove a default item; projects already made keep their own copy of it."""
    authorise(actor, policy.can_edit_templates)
    template.items.remove(item)
    record_activity(actor, template, "template_item_removed", before={"item": item.text, "stage": item.stage.value})
    db.session.flush()


def reorder_template_item(actor: User, template: ProjectTemplate, item: TemplateItem, direction: str) -> TemplateItem:
    """Move a default item one place up or down within its stage."""
    authorise(actor, policy.can_edit_templates)
    if move_one_place(template_stage_items(template, item.stage), item, direction):
        record_activity(actor, template, "template_item_moved", after={"item": item.text})
    db.session.flush()
    return item


def _check_target(indicator: str, measure: str, target_value) -> tuple[str, str, Decimal]:
    if not indicator.strip():
        raise refuse(N_("Enter the indicator."), "indicator")
    if target_value is None:
        raise refuse(N_("Enter the target value."), "target_value")
    value = Decimal(str(target_value))
    if value < 0:
        raise refuse(N_("Targets and actual values cannot be negative."), "target_value")
    return indicator.strip(), measure.strip(), value


def add_template_target(actor: User, template: ProjectTemplate, *, indicator: str, measure: str,
                        target_value) -> TemplateTarget:
    """Append a default target (indicator, unit of measure, target value ≥ 0)."""
    authorise(actor, policy.can_edit_templates)
    indicator, measure, value = _check_target(indicator, measure, target_value)
    target = TemplateTarget(indicator=indicator, measure=measure, target_value=value,
                            position=max((t.position for t in template.targets), default=-1) + 1)
    template.targets.append(target)
    db.session.flush()
    record_activity(actor, template, "template_target_added", after={"target": f"{indicator} {value:g}{measure}"})
    return target


def edit_template_target(actor: User, template: ProjectTemplate, target: TemplateTarget, *, indicator: str,
                         measure: str, target_value) -> TemplateTarget:
    """Change a default target; projects already made keep theirs."""
    authorise(actor, policy.can_edit_templates)
    indicator, measure, value = _check_target(indicator, measure, target_value)
    old = f"{target.indicator} {Decimal(target.target_value):g}{target.measure}"
    new = f"{indicator} {value:g}{measure}"
    if old != new:
        target.indicator, target.measure, target.target_value = indicator, measure, value
        record_activity(actor, template, "template_target_edited", before={"target": old}, after={"target": new})
    db.session.flush()
    return target


def remove_template_target(actor: User, template: ProjectTemplate, target: TemplateTarget) -> None:
    """Remove a default target; projects already made keep theirs."""
    authorise(actor, policy.can_edit_templates)
    template.targets.remove(target)
    record_activity(actor, template, "template_target_removed",
                    before={"target": f"{target.indicator} {Decimal(target.target_value):g}{target.measure}"})
    db.session.flush()
