"""The quarter (or year) summary of organisational life: 应开 / 已开 / overdue per branch, in Excel too."""

from __future__ import annotations

from flask import Response, request
from flask_babel import gettext as _
from flask_login import current_user

from ..clock import local_today
from ..htmx import render
from ..models import MeetingKind
from ..scoping import get_unit_or_404
from ..sheets import content_disposition
from . import bp, queries
from .excel import summary_workbook
from .workflow import Period, parse_period, quarter_period


def summary_period() -> Period:
    """?year=2026&quarter=4 → that quarter; ?year=2026 alone → the year; otherwise this quarter."""
    today = local_today()
    year = request.args.get("year", type=int)
    quarter = request.args.get("quarter", type=int)
    if year and not 2000 <= year <= 2100:
        year = None
    if quarter in (1, 2, 3, 4):
        return quarter_period(year or today.year, quarter)
    if year:
        return parse_period(str(year))  # type: ignore[return-value]
    return quarter_period(today.year, (today.month - 1) // 3 + 1)


#: Past this many rows the page lists the 党总支 subtotals only, each linking to its branches.
SUMMARY_ROW_LIMIT = 300


def summary_unit():
    """The unit whose subtree the summary covers (?unit=), or None for the user's whole scope."""
    return get_unit_or_404(request.args["unit"], current_user) if request.args.get("unit") else None


def summary_title(period: Period) -> str:
    if "Q" in period.label:
        year, quarter = period.label.split("Q")
        return _("Organisational life, %(year)s quarter %(quarter)s", year=year, quarter=quarter)
    return _("Organisational life, %(year)s", year=period.label)


@bp.get("/summary")
def summary():
    period, unit = summary_period(), summary_unit()
    data = queries.summary(current_user, period, local_today(), within=unit)
    if len(data.rows) > SUMMARY_ROW_LIMIT:
        data = data.collapse()
    return render("meetings/summary.html", data=data, title=summary_title(period), kinds=list(MeetingKind),
                  cadence=queries.cadences(), unit=unit, year=period.start.year,
                  quarter=None if period.label.isdigit() else int(period.label[-1]))


@bp.get("/summary.xlsx")
def summary_xlsx():
    period, unit = summary_period(), summary_unit()
    title = summary_title(period)
    stream = summary_workbook(queries.summary(current_user, period, local_today(), within=unit), title)
    return Response(stream.getvalue(),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": content_disposition(f"{title}.xlsx",
                                                                        f"meetings-{period.label}.xlsx")})
