"""Forms for projects, checklists, verdicts, the catalogue (categories, project templates), assignment
and owner reassignment; what each gives its operation, and a saved record as a stale form's notice shows it."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, DateField, DecimalField, FieldList, Form, FormField, HiddenField, IntegerField, SelectField,
    SelectMultipleField, StringField, TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..models import ChecklistItem, Project, ProjectType, Recurrence, User
from .operations import TargetInput
from .operations_catalogue import TemplateFields
from .queries import ProjectChoices
from .workflow import Stage

NON_NEGATIVE = NumberRange(min=0, message=_l("Targets and actual values cannot be negative."))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class TargetForm(Form):
    indicator = StringField(_l("Indicator"), validators=[Optional(), Length(max=200)])
    measure = StringField(_l("Unit of measure"), validators=[Optional(), Length(max=20)])
    target_value = DecimalField(_l("Target value"), places=None, validators=[Optional(), NON_NEGATIVE])
    actual_value = DecimalField(_l("Actual value"), places=None, validators=[Optional(), NON_NEGATIVE])

    def validate_target_value(self, field):
        if self.indicator.data and field.data is None:
            raise ValidationError(_l("Enter the target value."))


class ProjectForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(message=_l("Enter a title.")), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    unit_id = SelectField(_l("Carrying unit"), coerce=int)
    assigning_unit_id = SelectField(_l("Assigning unit"), coerce=int)
    category_id = SelectField(_l("Category"), coerce=int)
    type = SelectField(_l("Type"))
    owner_id = SelectField(_l("Owner"), coerce=int)
    participant_ids = SelectMultipleField(_l("Participants"), coerce=int, validators=[Optional()])
    start_date = DateField(_l("Start date"), validators=[InputRequired(message=_l("Enter a date."))])
    due_date = DateField(_l("Due date"), validators=[InputRequired(message=_l("Enter a date."))])
    quarter = SelectField(_l("Quarter"), coerce=int)
    needs_approval = BooleanField(_l("Needs approval (立项审批)"))
    target_rows = FieldList(FormField(TargetForm), _l("Quantified targets"), min_entries=3, max_entries=20)
    version = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.type.choices = ProjectType.choices()
        self.quarter.choices = [(0, "—")] + [(q, f"Q{q}") for q in range(1, 5)]

    def set_choices(self, choices: ProjectChoices, project: Project | None = None) -> None:
        """Offer `choices`; editing, the project's own units are kept whatever was sent (they are not edited here)."""
        self.unit_id.choices, self.assigning_unit_id.choices = choices.units, choices.assigning_units
        self.category_id.choices = choices.categories
        self.owner_id.choices = [(u.id, u.display_name) for u in choices.people]
        self.participant_ids.choices = [(u.id, u.display_name) for u in choices.people]
        if project is not None:
            self.unit_id.data, self.assigning_unit_id.data = project.unit_id, project.assigning_unit_id or 0

    def values(self, owner: User | None, participants: list[User]) -> dict[str, Any]:
        """What `create_project` and `update_project` take from the form (the people looked up by the caller)."""
        return dict(title=self.title.data, description=self.description.data or "",
                    category_id=self.category_id.data or None, type=ProjectType(self.type.data), owner=owner,
                    start_date=self.start_date.data, due_date=self.due_date.data, quarter=self.quarter.data or None,
                    needs_approval=self.needs_approval.data, participants=participants,
                    targets=[TargetInput(t.indicator.data, t.measure.data or "", t.target_value.data,
                                         t.actual_value.data)
                             for t in self.target_rows if (t.indicator.data or "").strip()])

    def load(self, project) -> None:
        """Show a saved project: the fields `obj=` cannot fill, and one empty target row to add."""
        self.version.data, self.type.data = project.version, project.type.value
        self.category_id.data, self.quarter.data = project.category_id or 0, project.quarter or 0
        self.participant_ids.data = [u.id for u in project.participants]
        while len(self.target_rows.entries) < len(project.targets) + 1:
            self.target_rows.append_entry()
        for entry, target in zip(self.target_rows.entries, project.targets):
            entry.form.indicator.data, entry.form.measure.data = target.indicator, target.measure
            entry.form.target_value.data, entry.form.actual_value.data = target.target_value, target.actual_value
        for entry in self.target_rows.entries[len(project.targets):]:
            entry.form.indicator.data = entry.form.measure.data = ""
            entry.form.target_value.data = entry.form.actual_value.data = None

    def validate_due_date(self, field):
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError(_l("The due date cannot be before the start date."))


class MoveForm(FlaskForm):
    to = StringField(_l("Move to"), validators=[DataRequired()])
    reason = TextAreaField(_l("Reason (needed to send back)"), validators=[Optional(), Length(max=2000)])
    next = HiddenField()


class VerdictForm(FlaskForm):
    verdict = TextAreaField(_l("Check verdict (验收意见)"),
                            validators=[DataRequired(message=_l("Write the verdict.")), Length(max=5000)])


class RefuseApprovalForm(FlaskForm):
    reason = TextAreaField(_l("Why it is not approved"), validators=[Length(max=2000)])


class ItemForm(FlaskForm):
    stage = HiddenField()
    text = StringField(_l("Item"), validators=[DataRequired(message=_l("Enter the item's text.")), Length(max=500)])
    is_required = BooleanField(_l("Required"), default=True)
    assignee_id = SelectField(_l("Assignee"), coerce=int, validators=[Optional()])
    due_date = DateField(_l("Due date"), validators=[Optional()])
    version = HiddenField()

    def values(self, assignee: User | None) -> dict[str, Any]:
        """What `add_item` and `edit_item` take from the form (the assignee looked up by the caller)."""
        return dict(text=self.text.data, is_required=self.is_required.data, assignee=assignee,
                    due_date=self.due_date.data)


class AssignForm(FlaskForm):
    unit_ids = MultiCheckboxField(_l("Branches"), coerce=int)
    all_units = BooleanField(_l("All the branches offered"))
    start_date = DateField(_l("Start date"), validators=[InputRequired(message=_l("Enter a date."))])
    due_date = DateField(_l("Due date"), validators=[Optional()])
    recurring = BooleanField(_l("Also generate it for these branches every period"))

    def validate_unit_ids(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one branch."))

    def validate_due_date(self, field):
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError(_l("The due date cannot be before the start date."))


class ReassignForm(FlaskForm):
    project_ids = SelectMultipleField(_l("Projects"), coerce=int)
    owner_id = SelectField(_l("New owner"), coerce=int, validators=[DataRequired()])

    def validate_project_ids(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one project."))


class CategoryForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(message=_l("Enter a name.")),
                                               Length(max=50, message=_l("A name has at most %(max)d characters."))])
    version = HiddenField()


class TemplateForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(message=_l("Enter a name.")),
                                               Length(max=100, message=_l("A name has at most %(max)d characters."))])
    category_id = SelectField(_l("Category"), coerce=int)
    type = SelectField(_l("Type"))
    recurrence = SelectField(_l("Recurrence"))
    duration_days = IntegerField(_l("Duration in days"), default=90, validators=[
        InputRequired(message=_l("Enter a number of days.")),
        NumberRange(min=1, max=3660, message=_l("Between 1 and 3660 days."))])
    needs_approval = BooleanField(_l("Needs approval (立项审批)"))
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    version = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.type.choices = ProjectType.choices()
        self.recurrence.choices = Recurrence.choices()

    def fields(self) -> TemplateFields:
        """The template's own fields as `create_template` and `update_template` take them."""
        return TemplateFields(name=self.name.data or "", category_id=self.category_id.data or None,
                              type=ProjectType(self.type.data), recurrence=Recurrence(self.recurrence.data),
                              duration_days=self.duration_days.data, needs_approval=self.needs_approval.data,
                              description=self.description.data or "")


class TemplateItemForm(FlaskForm):
    stage = HiddenField()
    text = StringField(_l("Item"), validators=[DataRequired(message=_l("Enter the item's text.")), Length(max=500)])
    is_required = BooleanField(_l("Required"), default=True)

    def values(self) -> dict[str, Any]:
        """What `add_template_item` and `edit_template_item` take from the form."""
        return dict(text=self.text.data, is_required=self.is_required.data)


class TemplateTargetForm(FlaskForm):
    indicator = StringField(_l("Indicator"), validators=[DataRequired(message=_l("Enter the indicator.")),
                                                         Length(max=200)])
    measure = StringField(_l("Unit of measure"), validators=[Optional(), Length(max=20)])
    target_value = DecimalField(_l("Target value"), places=None, validators=[
        InputRequired(message=_l("Enter the target value.")), NON_NEGATIVE])

    def values(self) -> dict[str, Any]:
        """What `add_template_target` and `edit_template_target` take from the form."""
        return dict(indicator=self.indicator.data, measure=self.measure.data or "", target_value=self.target_value.data)


def stage_of(value: str | None) -> Stage | None:
    """The stage named by a form value, or None for anything else (the view answers 400)."""
    try:
        return Stage(value)
    except ValueError:
        return None


def form_version(value: Any) -> int | None:
    """The version a form showed, None when it sent none; anything but a number reads as an old form (0)."""
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _number(value: Any) -> str:
    return format(Decimal(value).normalize(), "f")


def saved_project(project: Project) -> SimpleNamespace:
    """The saved project as a person reads it, field by field of `ProjectForm` (for the stale-edit notice)."""
    def actual(t) -> str:
        return _number(t.actual_value) + t.measure if t.actual_value is not None else "—"

    targets = [_("%(indicator)s: target %(target)s%(measure)s, actual %(actual)s", indicator=t.indicator,
                 target=_number(t.target_value), measure=t.measure, actual=actual(t)) for t in project.targets]
    return SimpleNamespace(
        title=project.title, description=project.description, category_id=project.category_id or 0,
        type=project.type.value, owner_id=project.owner_id, start_date=project.start_date,
        due_date=project.due_date, quarter=project.quarter or 0, needs_approval=project.needs_approval,
        participant_ids="、".join(u.display_name for u in project.participants) or None,
        target_rows="；".join(targets) or None)


def saved_item(item: ChecklistItem) -> SimpleNamespace:
    """The saved checklist item, field by field of `ItemForm` (for the stale-edit notice)."""
    return SimpleNamespace(text=item.text, is_required=item.is_required, assignee_id=item.assignee_id or 0,
                           due_date=item.due_date)


def stale_notice(form: Any, saved: Any) -> SimpleNamespace | None:
    """What the stale-edit notice shows after `attempt` kept a `StaleEdit` on `form`: its reasons and
    `saved(record)`, the saved values as the form's fields read them; None after any other outcome."""
    error = getattr(form, "stale", None)
    return SimpleNamespace(reasons=error.reasons, current=saved(error.current)) if error is not None else None
