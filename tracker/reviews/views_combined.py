"""The 半年考评 / 年终总评 page: every unit ranked by its rounds combined, and its Excel."""

from __future__ import annotations

from flask import abort, current_app, request
from flask_login import current_user

from ..htmx import render
from . import bp, excel, queries_combined
from .labels import PERIOD_LABELS
from .policy import can_see_whole_ranking
from .queries_combined import PERIODS, CombinedRanking, CombinedRow
from .views import xlsx_response


def _ranking() -> tuple[CombinedRanking, list[CombinedRow], list, list[int]]:
    """The ranking the query string asks for, among the units whose published rounds the user sees."""
    units = queries_combined.ranking_units(current_user)
    unit_id = request.args.get("unit", type=int)
    unit = next((u for u in units if u.id == unit_id), None) if unit_id else (units[0] if units else None)
    if unit_id and unit is None:
        abort(404)
    years = queries_combined.ranking_years(unit) if unit else []
    year = request.args.get("year", type=int)
    if year not in years:
        year = years[0] if years else None
    period = request.args.get("period", "year")
    if period not in PERIODS:
        period = "year"
    ranking = queries_combined.combined_ranking(unit, year, period, current_app.config["REVIEW_QUARTER_WEIGHTS"])
    return ranking, queries_combined.rows_for(current_user, ranking), units, years


@bp.get("/combined")
def combined():
    ranking, rows, units, years = _ranking()
    return render("reviews/combined.html", ranking=ranking, rows=rows, units=units, years=years,
                  periods=PERIOD_LABELS, all_rows=ranking.unit is not None
                  and can_see_whole_ranking(current_user, ranking.unit))


@bp.get("/combined.xlsx")
def combined_xlsx():
    ranking, rows, _units, _years = _ranking()
    if ranking.unit is None or ranking.year is None:
        abort(404)
    data = excel.export_combined(ranking, rows)
    return xlsx_response(data, f"{ranking.unit.name}_{ranking.year}年{excel.PERIOD_NAMES[ranking.period]}.xlsx")
