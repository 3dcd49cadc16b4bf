"""What the review writes share: refusals by form field, and points in steps of half a point."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from ...domain_errors import N_, DomainError, NotAllowed, Reason

HALF = Decimal("0.5")


class FieldErrors(DomainError):
    """Input refused field by field (422): `errors` maps a field name to its reasons.

    Its `reasons` carry the field's name as their code, so `tracker.forms.attempt` puts each
    beside its field; `errors` keeps the reasons with their own codes.
    """

    status = 422

    def __init__(self, errors: Mapping[str, list[Reason]]):
        self.errors = dict(errors)
        super().__init__(*(Reason(r.message, r.params, code=name)
                           for name, reasons in self.errors.items() for r in reasons))


def ensure_allowed(allowed: bool, code: str, message: str | None = None) -> None:
    """Raise NotAllowed (403) unless the policy `allowed` it; `code` says which rule refused."""
    if not allowed:
        raise NotAllowed(Reason(message or NO_PERMISSION, code=code))


def plain(value: Decimal) -> str:
    """Points as people write them: 8, 8.5 (no trailing zeros)."""
    return format(value.normalize(), "f")


#: Why a policy refused (views check the same predicates first, so people rarely read it).
NO_PERMISSION = N_("You do not have permission to do this.")
