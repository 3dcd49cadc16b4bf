"""A person's notification settings."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, SelectMultipleField, URLField
from wtforms.validators import Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from ..models import Event, WebhookKind


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SettingsForm(FlaskForm):
    events = CheckboxesField(_l("Tell me about"), choices=Event.choices, validate_choice=True)
    by_email = BooleanField(_l("Also send each notice by e-mail"))
    email = EmailField(_l("E-mail address"), validators=[Optional(), Length(max=254), Regexp(
                           r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Write an address such as name@example.gov.cn."))],
                       filters=[lambda v: (v or "").strip()])


class RobotForm(FlaskForm):
    kind = SelectField(_l("Group robot"), choices=lambda: [("", _l("None"))] + WebhookKind.choices(),
                       validate_choice=True)
    url = URLField(_l("Webhook address"), validators=[Optional(), Length(max=500)],
                   filters=[lambda v: (v or "").strip()])
    secret = PasswordField(_l("Signing secret (钉钉 加签)"), validators=[Optional(), Length(max=200)],
                           filters=[lambda v: (v or "").strip()])
