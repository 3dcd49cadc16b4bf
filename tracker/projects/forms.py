"""Forms for projects, checklists, verdicts, template assignment and owner reassignment."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, DateField, DecimalField, FieldList, Form, FormField, HiddenField, IntegerField, SelectField,
    SelectMultipleField, StringField, TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..models import ProjectType, Recurrence
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


class TemplateItemForm(FlaskForm):
    stage = HiddenField()
    text = StringField(_l("Item"), validators=[DataRequired(message=_l("Enter the item's text.")), Length(max=500)])
    is_required = BooleanField(_l("Required"), default=True)


class TemplateTargetForm(FlaskForm):
    indicator = StringField(_l("Indicator"), validators=[DataRequired(message=_l("Enter the indicator.")),
                                                         Length(max=200)])
    measure = StringField(_l("Unit of measure"), validators=[Optional(), Length(max=20)])
    target_value = DecimalField(_l("Target value"), places=None, validators=[
        InputRequired(message=_l("Enter the target value.")), NON_NEGATIVE])


def stage_of(value: str | None) -> Stage | None:
    """The stage named by a form value, or None for anything else (the view answers 400)."""
    try:
        return Stage(value)
    except ValueError:
        return None
