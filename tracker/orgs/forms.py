"""Forms for org units."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from ..models import UnitKind


class UnitForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    kind = SelectField(_l("Kind"), validators=[DataRequired()])
    sort_order = IntegerField(_l("Sort order"), default=0,
                              validators=[InputRequired(), NumberRange(min=0, max=9999)])
    version = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = UnitKind.choices()


class NewUnitForm(UnitForm):
    parent_id = SelectField(_l("Parent unit"), coerce=int)


class MoveForm(FlaskForm):
    parent_id = SelectField(_l("New parent unit"), coerce=int, validators=[DataRequired()])
