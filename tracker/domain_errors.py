"""Reasons a rule refuses something, and the domain error that carries them (Flask-free)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown (`Reason.text`)."""
    return message


@dataclass(frozen=True)
class Reason:
    """One reason a rule refuses: an untranslated message (marked with `N_`) and its parameters.

    Pure modules build reasons; the web layer translates them with `tracker.i18n.reason_text`.
    """

    message: str
    params: dict[str, Any] = field(default_factory=dict)
    code: str = ""

    def __str__(self) -> str:
        return self.message % self.params if self.params else self.message


class DomainError(Exception):
    """A rule of the domain refused an operation; maps to HTTP `status` with the reasons shown.

    `title` says what was refused, naming the record ("暂不能推进 XM-2026-0001 …"); the page or
    flash shows it above the reasons.
    """

    status = 409
    title: Reason | None = None

    def __init__(self, *reasons: Reason | str, status: int | None = None, title: Reason | None = None):
        self.reasons = [r if isinstance(r, Reason) else Reason(r) for r in reasons]
        if status is not None:
            self.status = status
        if title is not None:
            self.title = title
        super().__init__("; ".join(str(r) for r in self.reasons))

    def titled(self, title: Reason) -> DomainError:
        """This refusal with `title` (kept when it has one already); for `raise error.titled(...)`."""
        if self.title is None:
            self.title = title
        return self


def refuse(message: str, code: str = "", *, status: int = 422, **params: Any) -> DomainError:
    """A refusal with one reason: 422 (bad input, shown beside its field) unless `status` says 409
    (the record's state forbids it). Raise what it returns."""
    return DomainError(Reason(message, params, code=code), status=status)


class NotAllowed(DomainError):
    """The actor may see the record but not do this to it (HTTP 403)."""

    status = 403


class StaleEdit(DomainError):
    """Someone else saved the record after this form was loaded (HTTP 409)."""

    def __init__(self, current: Any):
        self.current = current
        super().__init__(
            Reason(N_("Someone else saved this record after you opened it. "
                      "Their values are shown below; check them and save again."),
                   code="stale")
        )
