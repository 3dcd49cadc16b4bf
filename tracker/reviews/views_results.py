"""The circular's pages (通报): a round's results and their Excel, a unit's deductions and its appeals."""

from __future__ import annotations

from flask import abort, flash, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from ..forms import attempt
from ..htmx import redirect_to, render
from ..models import ItemKind, OrgUnit, ReviewRound
from . import bp, excel, operations, queries, queries_results
from .forms import AnswerForm, AppealForm
from .labels import GRADE_LABELS
from .policy import can_file_appeal, can_manage_round, can_see_results, can_see_unit_report
from .views import xlsx_response
from .workflow import is_public

#: Deductions listed on the circular's page; the Excel file has all of them.
DEDUCTIONS_SHOWN = 300


def _load_results(round_id: int) -> ReviewRound:
    round_ = queries.get_round_or_404(round_id, current_user)
    if not can_see_results(current_user, round_):
        abort(404)
    return round_


@bp.get("/<int:round_id>/results")
def results(round_id: int):
    round_ = _load_results(round_id)
    table = queries_results.results_table(round_)
    deductions = queries_results.deduction_rows(round_, table, notes_for=DEDUCTIONS_SHOWN)
    summary = queries_results.results_summary(round_, table, deductions)
    return render("reviews/results.html", round=round_, table=table, deductions=deductions,
                  deduction_limit=DEDUCTIONS_SHOWN, indicators=summary.indicators, summary=summary.rows,
                  has_bonus=summary.has_bonus, grade_names={g.value: str(label) for g, label in GRADE_LABELS.items()},
                  highlights=queries_results.highlight_rows(round_, limit=200), chart_json=summary.chart_json(),
                  wide=len(table) <= 60, public=is_public(round_.state))


@bp.get("/<int:round_id>/results.xlsx")
def results_xlsx(round_id: int):
    round_ = _load_results(round_id)
    table = queries_results.results_table(round_)
    data = excel.export_results(round_, table, queries_results.deduction_rows(round_, table),
                                queries_results.highlight_rows(round_))
    return xlsx_response(data, f"{round_.name}_通报.xlsx")


def _unit_report(round_: ReviewRound, unit: OrgUnit, appeal_form=None, answer_forms=None, status=200):
    """A unit's page in a round: its result, deductions, appeals and submitted self-assessment."""
    self_sheet = queries.self_sheet_of(round_, unit)
    return render("reviews/unit.html", round=round_, unit=unit, manage=can_manage_round(current_user, round_),
                  deductions=queries.unit_deductions(round_, unit), appeals=queries.appeals_of(round_, unit),
                  self_sheet=self_sheet if self_sheet is not None and self_sheet.is_locked else None,
                  result=queries_results.result_of(round_, unit),
                  vetoes={v.item.id: v for v in queries.veto_marks(round_, unit.id)},
                  can_appeal=can_file_appeal(current_user, round_, unit),
                  appeal_form=appeal_form or AppealForm(), answer_forms=answer_forms or {},
                  new_answer_form=AnswerForm, status=status)


def _load_unit(round_id: int, unit_id: int) -> tuple[ReviewRound, OrgUnit]:
    round_ = queries.get_round_or_404(round_id, current_user)
    unit = queries.get_participant_or_404(round_, unit_id)
    if not can_see_unit_report(current_user, round_, unit):
        abort(404)
    return round_, unit


def _to_unit(round_: ReviewRound, unit_id: int):
    return redirect_to(url_for("reviews.unit_report", round_id=round_.id, unit_id=unit_id))


@bp.get("/<int:round_id>/units/<int:unit_id>")
def unit_report(round_id: int, unit_id: int):
    return _unit_report(*_load_unit(round_id, unit_id))


@bp.post("/<int:round_id>/units/<int:unit_id>/appeals")
def appeal(round_id: int, unit_id: int):
    round_, unit = _load_unit(round_id, unit_id)
    if not can_file_appeal(current_user, round_, unit):
        abort(403)
    form = AppealForm()
    score = queries.get_score_or_404(round_, unit, form.score_id.data)
    if form.validate() and attempt(form, operations.file_appeal, current_user, score, form.reason.data,
                                   default="reason"):
        db.session.commit()
        flash(_("Appeal filed; a leader will answer it."), "success")
        return _to_unit(round_, unit.id)
    return _unit_report(round_, unit, appeal_form=form, status=422)


@bp.post("/appeals/<int:appeal_id>")
def answer(appeal_id: int):
    appeal_ = queries.get_appeal_or_404(appeal_id, current_user)
    round_, unit = appeal_.score.sheet.round, appeal_.score.sheet.reviewee_unit
    if not can_manage_round(current_user, round_):
        abort(403 if can_see_unit_report(current_user, round_, unit) else 404)
    form = AnswerForm(veto=appeal_.score.item.kind is ItemKind.veto)
    if form.validate() and attempt(form, operations.answer_appeal, current_user, appeal_, default="answer",
                                   adjust=form.decision.data == "adjusted", answer=form.answer.data,
                                   points=form.points.data):
        db.session.commit()
        flash(_("Appeal answered; the totals are recomputed."), "success")
        return _to_unit(round_, unit.id)
    db.session.rollback()
    return _unit_report(round_, unit, answer_forms={appeal_.id: form}, status=422)
