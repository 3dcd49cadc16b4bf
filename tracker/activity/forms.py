"""The audit view's filters (read from the URL, so a filtered view can be bookmarked and exported)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SearchField, SelectField
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from ..forms import optional_int


class ActivityFilter(FlaskForm):
    class Meta:
        csrf = False

    person = SearchField(_l("Person"), validators=[Optional(), Length(max=100)],
                         filters=[lambda v: (v or "").strip()])
    unit = SelectField(_l("Unit (with the units below it)"), coerce=optional_int, validate_choice=True)
    kind = SelectField(_l("Kind of record"), default="", validate_choice=True)
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])
    before = IntegerField(validators=[Optional(), NumberRange(min=1)])  # the page's keyset: older than this id

    def validate_until(self, field) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The end date is before the start date."))
