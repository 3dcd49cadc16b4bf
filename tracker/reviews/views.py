"""What the review pages share: the login they require, unit names in the assignment's reasons,
and the Excel download. The pages are in `views_rounds` (rounds, assignment, states, vetoes),
`views_results` (the circular, a unit's deductions and appeals), `views_sheets`, `views_rubrics`
and `views_combined` (the half-year and annual ranking)."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response
from flask_login import login_required

from ..domain_errors import Reason
from ..i18n import reason_text
from . import bp

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.before_request
@login_required
def _require_login():
    pass


def named(reason: Reason, names: dict[int, str]) -> str:
    """A reason from the pure modules (unit ids in %(a)s/%(b)s) with the units' names."""
    params = {k: names.get(v, v) if k in ("a", "b") else v for k, v in reason.params.items()}
    return reason_text(Reason(reason.message, params, reason.code))


def xlsx_response(data: bytes, filename: str) -> Response:
    """An Excel download named `filename` (UTF-8)."""
    response = Response(data, mimetype=XLSX)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
