"""Locale selection, time formatting and translation of domain reasons."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask, current_app, session
from flask_babel import format_date, format_datetime, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .reasons import Reason

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


def register_labels(*, verbs: dict[str, Any] | None = None, fields: dict[str, Any] | None = None,
                    values: dict[str, dict[str, Any]] | None = None) -> None:
    """Let a feature name its activity verbs, fields and field values for timelines."""
    ACTIVITY_LABELS.update(verbs or {})
    FIELD_LABELS.update(fields or {})
    for field, labels in (values or {}).items():
        VALUE_LABELS.setdefault(field, {}).update(labels)


def field_value(field: str, value: Any) -> str:
    """A value recorded in a timeline, as a person reads it."""
    if value is None or value == "":
        return "—"
    label = VALUE_LABELS.get(field, {}).get(str(getattr(value, "value", value)))
    return str(label) if label is not None else display_value(value)


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
    """The user's saved language, else the session's choice, else Simplified Chinese."""
    languages = current_app.config["LANGUAGES"]
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
    app.jinja_env.globals.update(
        activity_label=lambda verb: ACTIVITY_LABELS.get(verb, verb),
        field_label=lambda key: FIELD_LABELS.get(key, key),
        field_value=field_value,
        display_value=display_value,
    )
    app.jinja_env.add_extension("jinja2.ext.i18n")  # Flask-Babel installs the callables

    @app.context_processor
    def _languages():
        from flask_babel import get_locale

        return {"LANGUAGE_NAMES": LANGUAGE_NAMES, "current_locale": str(get_locale())}
