"""Locale selection, time formatting and translation of domain reasons."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask, current_app, has_request_context, session
from flask_babel import format_date, format_datetime, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .domain_errors import Reason

LANGUAGE_NAMES = {"zh_Hans_CN": "中文", "en": "English"}

#: How activity verbs read in a timeline; features add their own verbs with `register_labels`.
ACTIVITY_LABELS: dict[str, Any] = {
    "created": _l("created"),
    "updated": _l("updated"),
    "moved": _l("moved"),
    "activated": _l("activated"),
    "deactivated": _l("deactivated"),
    "role_granted": _l("granted a role"),
    "role_revoked": _l("removed a role"),
    "password_changed": _l("changed the password"),
    "password_reset": _l("reset the password"),
    "attachment_added": _l("attached a file"),
}

#: How record fields read in a timeline's before → after.
FIELD_LABELS: dict[str, Any] = {
    "name": _l("Name"),
    "kind": _l("Kind"),
    "sort_order": _l("Sort order"),
    "parent": _l("Parent unit"),
    "is_active": _l("Active"),
    "full_name": _l("Full name"),
    "phone": _l("Phone"),
    "username": _l("Username"),
    "unit": _l("Unit"),
    "role": _l("Role"),
    "post": _l("Branch committee post"),
    "file": _l("File"),
}


#: How stored values of a field read (enum values, mostly): {field: {value: label}}.
VALUE_LABELS: dict[str, dict[str, Any]] = {}

#: Labels that hold only for some kinds of record (`Activity.subject_type`): one feature's
#: "status" or "title" must not rename another's. {subject_type: (verbs, fields, values)}.
_SUBJECT_LABELS: dict[str, tuple[dict[str, Any], dict[str, Any], dict[str, dict[str, Any]]]] = {}


def register_labels(*, subjects: tuple[str, ...] = (), verbs: dict[str, Any] | None = None,
                    fields: dict[str, Any] | None = None,
                    values: dict[str, dict[str, Any]] | None = None) -> None:
    """Name activity verbs, fields and field values for timelines.

    With `subjects` (table names such as "project"), the labels apply to those records only;
    without, to every record that has no label of its own.
    """
    targets = [_SUBJECT_LABELS.setdefault(s, ({}, {}, {})) for s in subjects] or [
        (ACTIVITY_LABELS, FIELD_LABELS, VALUE_LABELS)]
    for verb_labels, field_labels, value_labels in targets:
        verb_labels.update(verbs or {})
        field_labels.update(fields or {})
        for field, labels in (values or {}).items():
            value_labels.setdefault(field, {}).update(labels)


def _lookup(index: int, subject: str | None, key: str) -> Any:
    scoped = _SUBJECT_LABELS.get(subject or "")
    if scoped is not None and key in scoped[index]:
        return scoped[index][key]
    return (ACTIVITY_LABELS, FIELD_LABELS, VALUE_LABELS)[index].get(key)


def activity_label(verb: str, subject: str | None = None) -> str:
    """How an activity's verb reads for a record of kind `subject`."""
    label = _lookup(0, subject, verb)
    return str(label) if label is not None else verb


def field_label(field: str, subject: str | None = None) -> str:
    label = _lookup(1, subject, field)
    return str(label) if label is not None else field


def field_value(field: str, value: Any, subject: str | None = None) -> str:
    """A value recorded in a timeline, as a person reads it."""
    if value is None or value == "":
        return "—"
    if field == "phone":  # a timeline is read by people who may not see the number (older records too)
        from .users.operations import mask_phone

        return mask_phone(str(value)) or "—"
    label = (_lookup(2, subject, field) or {}).get(str(getattr(value, "value", value)))
    return str(label) if label is not None else display_value(value)


def choice_label(field: Any, value: Any) -> str:
    """A saved value as the form field offers it: a select's option label, else `display_value`."""
    raw = getattr(value, "value", value)
    for choice in getattr(field, "choices", None) or ():
        key, label = choice[0], choice[1]
        if key == raw or str(key) == str(raw):
            return str(label)
    return display_value(value)


def display_value(value: Any) -> str:
    """A stored value as a person reads it: enums by their value, dates localised, None as a dash."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, datetime):
        return local_datetime(value)
    if isinstance(value, date):
        return local_date(value)
    return str(getattr(value, "value", value))


def select_locale() -> str:
    """The user's saved language, else the session's choice, else Simplified Chinese (also outside a
    request: commands, the demo and the worker write in the default language)."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def reason_text(reason: Reason | str) -> str:
    """A reason in the user's language, its parameters filled in."""
    if isinstance(reason, Reason):
        text = gettext(reason.message)
        return text % reason.params if reason.params else text
    return gettext(reason)


def local_datetime(value: datetime | None, fmt: str = "yyyy-MM-dd HH:mm") -> str:
    """A UTC timestamp shown in the configured time zone (Asia/Shanghai)."""
    return format_datetime(value, fmt) if value else ""


def local_date(value: date | None, fmt: str = "yyyy-MM-dd") -> str:
    return format_date(value, fmt) if value else ""


def init_app(app: Flask) -> None:
    app.jinja_env.filters["reason"] = reason_text
    app.jinja_env.filters["localtime"] = local_datetime
    app.jinja_env.filters["localdate"] = local_date
    for helper in (activity_label, field_label, field_value, display_value, choice_label):
        app.add_template_global(helper)
    app.jinja_env.add_extension("jinja2.ext.i18n")  # Flask-Babel installs the callables

    @app.context_processor
    def _languages():
        from flask_babel import get_locale

        return {"LANGUAGE_NAMES": LANGUAGE_NAMES, "current_locale": str(get_locale())}
