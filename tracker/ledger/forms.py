"""Forms of the ledger: items, bulk entry, the steps of an item's life, Excel import."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, DecimalField, Field, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..forms import optional_int
from ..models import AttachmentKind, DeadlineKind, ItemSource, Severity
from ..uploads import ACCEPT_ATTRIBUTE


class _ItemFields(FlaskForm):
    source = SelectField(_l("Source"), validators=[DataRequired()])
    batch = StringField(_l("Inspection batch / round"), validators=[Optional(), Length(max=200)])
    category = StringField(_l("Problem category"), validators=[Optional(), Length(max=100)])
    problem = TextAreaField(_l("Problem"), validators=[DataRequired(), Length(max=4000)])
    indicator = StringField(_l("Indicator"), validators=[Optional(), Length(max=255)])
    deduction = DecimalField(_l("Points deducted"), places=2, validators=[Optional(), NumberRange(min=0, max=999)])
    target = TextAreaField(_l("Target / acceptance standard"), validators=[Optional(), Length(max=4000)])
    measures = TextAreaField(_l("Measures"), validators=[Optional(), Length(max=4000)])
    responsible_leader_id = SelectField(_l("Responsible leader"), coerce=optional_int, validate_choice=True)
    owner_id = SelectField(_l("Owner"), coerce=optional_int, validators=[InputRequired()])
    verifier_id = SelectField(_l("Verifier"), coerce=optional_int)
    severity = SelectField(_l("Severity"), validators=[DataRequired()])
    remark = TextAreaField(_l("Remark"), validators=[Optional(), Length(max=2000)])

    def set_people(self, people: list[tuple[int, str]], owners: list[tuple[int, str]] | None = None) -> None:
        """Offer `people` as verifier and responsible leader, and `owners` (default: them too) as owner."""
        blank = [(None, "—")]
        self.responsible_leader_id.choices = blank + people
        self.owner_id.choices = people if owners is None else owners
        self.verifier_id.choices = blank + people

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.source.choices = ItemSource.choices()
        self.severity.choices = Severity.choices()


class ItemForm(_ItemFields):
    unit_id = SelectField(_l("Responsible unit"), coerce=optional_int, validators=[InputRequired()])
    deadline_kind = SelectField(_l("Kind of deadline"), validators=[DataRequired()])
    deadline = DateField(_l("Deadline"), validators=[Optional()])
    origin_type = HiddenField()
    origin_id = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.deadline_kind.choices = DeadlineKind.choices()

    def prefill(self, unit, origin_type: str | None, origin_id: int | None, origin, source=None) -> None:
        """A new item's defaults: the unit's secretary owns it; found on a record (a project), its
        `source`, category and batch come from there."""
        self.unit_id.data = unit.id
        secretary = unit.secretary
        self.owner_id.data = secretary.id if secretary else None
        self.origin_type.data, self.origin_id.data = origin_type or "", origin_id or ""
        if source is not None:
            self.source.data = source.value
        if origin is not None:
            self.category.data, self.batch.data = origin.category, origin.batch


class EditForm(_ItemFields):
    lessons = TextAreaField(_l("Rules made / lessons applied elsewhere"), validators=[Optional(), Length(max=4000)])
    version = HiddenField()


class BulkForm(FlaskForm):
    unit_id = SelectField(_l("Responsible unit"), coerce=optional_int, validators=[InputRequired()])
    source = SelectField(_l("Source"), validators=[DataRequired()])
    batch = StringField(_l("Inspection batch / round"), validators=[Optional(), Length(max=200)])
    category = StringField(_l("Problem category"), validators=[Optional(), Length(max=100)])
    owner_id = SelectField(_l("Owner"), coerce=optional_int)
    verifier_id = SelectField(_l("Verifier"), coerce=optional_int)
    deadline = DateField(_l("Deadline"), validators=[DataRequired()])
    lines = TextAreaField(_l("Problems, one per line"), validators=[DataRequired(), Length(max=100_000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.source.choices = ItemSource.choices()

    def problems(self) -> list[str]:
        """The problems typed, one a line: bullets and dashes before them and empty lines dropped."""
        lines = [line.strip(" \t-•·") for line in self.lines.data.splitlines()]
        return [line for line in lines if line]


class ProgressForm(FlaskForm):
    percent = IntegerField(_l("Progress (%)"), validators=[InputRequired(), NumberRange(min=0, max=100)])
    text = TextAreaField(_l("Progress made"), validators=[DataRequired(), Length(max=4000)])


class EvidenceForm(FlaskForm):
    kind = SelectField(_l("Type of evidence"), validators=[DataRequired()])
    file = FileField(_l("File"), render_kw={"accept": ACCEPT_ATTRIBUTE})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = AttachmentKind.choices()


class SubmitForm(FlaskForm):
    note = TextAreaField(_l("Completion note"), validators=[Length(max=4000)])
    #: Not typed in: a refusal for want of evidence lands here, and the page shows it at the upload.
    evidence = Field()


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[Length(max=2000)])


class CloseForm(FlaskForm):
    opinion = TextAreaField(_l("Verification opinion"), validators=[Length(max=4000)])


class ExtensionForm(FlaskForm):
    new_deadline = DateField(_l("New deadline"), validators=[Optional()])
    reason = TextAreaField(_l("Reason for the extension"), validators=[Length(max=2000)])


class DecideForm(FlaskForm):
    decision = SelectField(_l("Decision"))
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.decision.choices = [("approve", _l("Approve")), ("refuse", _l("Refuse"))]


class ImportForm(FlaskForm):
    file = FileField(_l("Ledger sheet (.xlsx)"), render_kw={"accept": ".xlsx"})
    unit_id = SelectField(_l("Unit, for a sheet without a 责任单位 column"), coerce=optional_int,
                          validators=[Optional()])


class ConfirmImportForm(FlaskForm):
    token = HiddenField(validators=[DataRequired()])
    unit_id = HiddenField()

