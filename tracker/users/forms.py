"""Forms for user administration."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, PasswordField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..auth.passwords import MIN_LENGTH
from ..models import Post, Role


def role_choices():
    return Role.choices()


def post_choices():
    return [("", "—")] + Post.choices()


class RoleFieldsMixin:
    unit_id = SelectField(_l("Unit"), coerce=int)
    role = SelectField(_l("Role"), default=Role.member.value)
    post = SelectField(_l("Branch committee post"), validators=[Optional()])

    def set_choices(self, unit_choices):
        self.unit_id.choices = unit_choices
        self.role.choices = role_choices()
        self.post.choices = post_choices()


class NewUserForm(RoleFieldsMixin, FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(min=2, max=64)],
                           render_kw={"autocapitalize": "none", "autocomplete": "off"})
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=100)])
    password = PasswordField(_l("Initial password"),
                             validators=[DataRequired(), Length(min=MIN_LENGTH, max=256,
                                         message=_l("At least %(min)d characters.", min=MIN_LENGTH))],
                             render_kw={"autocomplete": "new-password"})


def valid_phone(form, field) -> None:
    """The operation's phone rule, so the message stands beside the field."""
    from ..i18n import reason_text
    from ..domain_errors import DomainError
    from .operations import normalise_phone

    try:
        normalise_phone(field.data)
    except DomainError as error:
        raise ValidationError(reason_text(error.reasons[0])) from error


class EditUserForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=100)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=32), valid_phone],
                        render_kw={"inputmode": "tel", "autocomplete": "tel"})
    version = HiddenField()


class RoleForm(RoleFieldsMixin, FlaskForm):
    pass


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"),
                             validators=[DataRequired(), Length(min=MIN_LENGTH, max=256,
                                         message=_l("At least %(min)d characters.", min=MIN_LENGTH))],
                             render_kw={"autocomplete": "new-password"})


class UserImportForm(FlaskForm):
    file = FileField(_l("User sheet (.xlsx)"), render_kw={"accept": ".xlsx"})


class ConfirmUserImportForm(FlaskForm):
    token = HiddenField(validators=[DataRequired()])
    password_mode = RadioField(_l("Initial password"), default="generate", choices=[
        ("generate", _l("Generate one (shown once, on the next page)")), ("choose", _l("Use this one:"))])
    password = PasswordField(_l("Initial password for everyone imported"), render_kw={"autocomplete": "new-password"})

    def validate_password(self, field) -> None:
        if self.password_mode.data == "choose" and not MIN_LENGTH <= len(field.data or "") <= 256:
            raise ValidationError(_l("At least %(min)d characters.", min=MIN_LENGTH))
