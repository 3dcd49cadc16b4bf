"""What every feature's forms share: placing a refusal's reasons beside the fields, and coercions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .domain_errors import DomainError, Reason, StaleEdit
from .i18n import reason_text


def place_reasons(form: Any, error: DomainError | list[Reason], fields: Mapping[str, str] | None = None,
                  default: str | None = None) -> None:
    """Show each reason of a refusal beside the field it is about, in the user's language.

    A reason goes to the field `fields` maps its code to, else to the field named like its code,
    else to `default` (the form's first visible field when not given). Nothing typed is lost: the
    form keeps its data and is rendered again with the reasons (422).
    """
    reasons = error.reasons if isinstance(error, DomainError) else error
    fields = fields or {}
    for reason in reasons:
        name = fields.get(reason.code) or (reason.code if reason.code in form else None) or default
        field = form[name] if name and name in form else _first_field(form)
        field.errors = [*field.errors, reason_text(reason)]


def attempt(form: Any, operation: Any, *args: Any, fields: Mapping[str, str] | None = None,
            default: str | None = None, **kwargs: Any) -> Any:
    """Run `operation(*args, **kwargs)` for a submitted form; its result, or None when it refused.

    A refusal (422) puts its reasons beside the fields (`place_reasons`); someone else's newer save
    (`StaleEdit`) is kept on `form.stale` for the page's notice, with the form's version brought
    up to date so the next save goes through. Other refusals (403, 409) propagate to the error
    handlers. The caller commits when a result came back.
    """
    try:
        return operation(*args, **kwargs)
    except StaleEdit as error:
        form.stale = error
        if "version" in form:
            form.version.data = getattr(error.current, "version", form.version.data)
    except DomainError as error:
        if error.status != 422:
            raise
        place_reasons(form, error, fields, default)
    return None


def form_status(form: Any) -> int:
    """The status a form page answers with: 409 after a stale save, 422 with errors, else 200."""
    if getattr(form, "stale", None) is not None:
        return 409
    return 422 if form.errors else 200


def _first_field(form: Any) -> Any:
    return next(f for f in form if f.type not in ("CSRFTokenField", "HiddenField", "SubmitField"))


def version_of(form: Any) -> int:
    """The record version a form was loaded with (its hidden `version` field); a missing or tampered
    value is 0, which no record has, so the save is refused as stale rather than failing."""
    return optional_int(form.version.data) or 0


def optional_int(value: Any) -> int | None:
    """A select's value as an int, or None for an empty choice ("" or "None") or anything not a number."""
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
