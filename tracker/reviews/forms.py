"""Forms of review rounds: rubrics and their items, rounds, pair overrides, appeals."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField, DateField, DecimalField, HiddenField, IntegerField, SelectField, SelectMultipleField, StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..clock import local_today
from ..models import ItemKind, Method, RoundMode


class RubricForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    bonus_cap = DecimalField(_l("Bonus cap"), places=1, default=0, validators=[InputRequired(), NumberRange(min=0, max=100)])
    grade_excellent = DecimalField(_l("好 (excellent) from"), places=1, default=90,
                                   validators=[InputRequired(), NumberRange(min=0, max=1000)])
    grade_good = DecimalField(_l("较好 (good) from"), places=1, default=80,
                              validators=[InputRequired(), NumberRange(min=0, max=1000)])
    grade_fair = DecimalField(_l("一般 (fair) from"), places=1, default=60,
                              validators=[InputRequired(), NumberRange(min=0, max=1000)])
    version = HiddenField()


class RubricItemForm(FlaskForm):
    parent_id = SelectField(_l("First-level indicator"), coerce=int, default=0)
    title = StringField(_l("Content"), validators=[DataRequired(), Length(max=300)])
    points = DecimalField(_l("Points"), places=1, validators=[InputRequired(), NumberRange(min=0, max=1000)])
    rule = TextAreaField(_l("Scoring rule"), validators=[Optional(), Length(max=2000)])
    method = SelectField(_l("Method"), default="")
    kind = SelectField(_l("Kind"), default=ItemKind.normal.value)

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.parent_id.choices = [(0, str(_l("(new category)")))] + [(c.id, c.title) for c in categories]
        self.method.choices = [("", "—")] + Method.choices()
        self.kind.choices = ItemKind.choices()


class ImportRubricForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    unit_id = SelectField(_l("Kept by"), coerce=int)
    file = FileField(_l("Excel file (考评表)"))


class NewRubricForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    unit_id = SelectField(_l("Kept by"), coerce=int)


class RoundForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    year = IntegerField(_l("Year"), default=lambda: local_today().year,
                        validators=[InputRequired(), NumberRange(min=2000, max=2100)])
    quarter = SelectField(_l("Quarter"), coerce=int)
    rubric_id = SelectField(_l("Rubric"), coerce=int)
    unit_id = SelectField(_l("Units taking part (a subtree)"), coerce=int)
    excluded = SelectMultipleField(_l("Units left out"), coerce=int)
    mode = SelectField(_l("Mode"), default=RoundMode.peer.value)
    k = IntegerField(_l("Reviewers per unit"), default=2, validators=[InputRequired(), NumberRange(min=1, max=6)])
    has_self_assessment = BooleanField(_l("Units assess themselves first"))
    self_assessment_due = DateField(_l("Self-assessment due"), validators=[Optional()])
    review_due = DateField(_l("Review due"), validators=[Optional()])
    appeal_due = DateField(_l("Appeals due"), validators=[Optional()])
    rectification_due = DateField(_l("Rectification due"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.mode.choices = RoundMode.choices()
        self.quarter.choices = [(q, str(q)) for q in (1, 2, 3, 4)]


class RoundEditForm(FlaskForm):
    """A round's settings while it is not yet published; `k` and `excluded` until it is assigned."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    excluded = SelectMultipleField(_l("Units left out"), coerce=int)
    k = IntegerField(_l("Reviewers per unit"), validators=[InputRequired(), NumberRange(min=1, max=6)])
    self_assessment_due = DateField(_l("Self-assessment due"), validators=[Optional()])
    review_due = DateField(_l("Review due"), validators=[Optional()])
    appeal_due = DateField(_l("Appeals due"), validators=[Optional()])
    rectification_due = DateField(_l("Rectification due"), validators=[Optional()])
    version = HiddenField()


class VetoForm(FlaskForm):
    """A leader's decision on a veto the reviewers split on."""

    decision = SelectField(_l("Decision"))
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.decision.choices = [("apply", str(_l("Apply the veto: the grade is 差"))),
                                 ("clear", str(_l("Clear the veto")))]


class OverrideForm(FlaskForm):
    reviewer_id = SelectField(_l("Reviewer unit"), coerce=int)
    reviewee_id = SelectField(_l("Reviewed unit"), coerce=int)
    reason = StringField(_l("Reason for the change"), validators=[DataRequired(), Length(max=500)])


class MoveForm(FlaskForm):
    to = HiddenField(validators=[DataRequired()])
    version = HiddenField()


class ExcludeForm(FlaskForm):
    reason = StringField(_l("Reason for leaving it out"), validators=[DataRequired(), Length(max=500)])


class AppealForm(FlaskForm):
    score_id = HiddenField(validators=[DataRequired()])
    reason = TextAreaField(_l("Reason for the appeal"), validators=[DataRequired(), Length(max=2000)])


class AnswerForm(FlaskForm):
    decision = SelectField(_l("Decision"))
    points = StringField(_l("Adjusted points"))
    answer = TextAreaField(_l("Answer"), validators=[DataRequired(), Length(max=2000)])

    def __init__(self, *args, veto: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if veto:  # on a veto mark, the answer decides the veto for the unit
            self.decision.choices = [("upheld", str(_l("Uphold: apply the veto (the grade is 差)"))),
                                     ("adjusted", str(_l("Clear the veto")))]
        else:
            self.decision.choices = [("upheld", str(_l("Uphold the deduction"))),
                                     ("adjusted", str(_l("Adjust the points")))]


class EvidenceForm(FlaskForm):
    file = FileField(_l("Evidence"))
