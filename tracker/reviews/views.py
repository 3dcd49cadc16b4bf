"""Review round pages: rounds, their assignment and vetoes, the circular, a unit's deductions and appeals.

Scoresheets are in `views_sheets`, rubrics in `views_rubrics`, the half-year ranking in `views_combined`.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from flask import Response, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..audit import timeline
from ..clock import local_today
from ..extensions import db
from ..htmx import redirect_to, render
from ..i18n import reason_text
from ..models import (
    Appeal, ItemKind, OrgUnit, ReviewPair, ReviewRound, RoundMode, RoundUnit, Rubric, RubricItem, Score, Scoresheet,
)
from ..domain_errors import N_, DomainError, Reason, StaleEdit
from ..scoping import get_unit_or_404, scoped_units
from ..orgs.labels import indented_choices
from . import bp, operations, queries
from .forms import AnswerForm, AppealForm, MoveForm, OverrideForm, RoundEditForm, RoundForm, VetoForm
from .labels import GRADE_LABELS, MOVE_LABELS
from .policy import (
    MANAGERS, can_create_round, can_decide_veto, can_edit_round, can_edit_sheet, can_file_appeal, can_manage_round,
    can_see_results, can_see_unit_report, get_round_or_404, get_rubric_or_404, is_on_team, visible_rounds,
    visible_rubrics,
)
from .workflow import RoundState, allowed_moves, is_public


@bp.before_request
@login_required
def _require_login():
    pass


def manager_units() -> list[OrgUnit]:
    return scoped_units(current_user, *MANAGERS, active_only=True)


def beside(form, error: DomainError, default: str = "name") -> None:
    """Put a refusal's reasons beside the form fields it names (FieldErrors), else beside `default`."""
    errors = getattr(error, "errors", None) or {default: error.reasons}
    for name, reasons in errors.items():
        field = getattr(form, name, None) or getattr(form, default)
        field.errors = list(field.errors) + [reason_text(r) for r in reasons]


def named(reason: Reason, names: dict[int, str]) -> str:
    """A reason from the pure modules (unit ids in %(a)s/%(b)s) with the units' names."""
    params = {k: names.get(v, v) if k in ("a", "b") else v for k, v in reason.params.items()}
    return reason_text(Reason(reason.message, params, reason.code))


# --- Rounds --------------------------------------------------------------------------------------

@bp.get("/")
def index():
    rounds = db.session.scalars(visible_rounds(current_user).order_by(
        ReviewRound.year.desc(), ReviewRound.quarter.desc(), ReviewRound.id.desc())).all()
    return render("reviews/index.html", rounds=rounds, can_create=can_create_round(current_user),
                  can_manage=lambda r: can_manage_round(current_user, r))


def _round_form(form: RoundForm) -> None:
    units = manager_units()
    form.unit_id.choices = indented_choices(u for u in units if u.kind.level < 2)
    form.excluded.choices = [(u.id, u.name) for u in units if u.kind.level >= 2]
    rubrics = db.session.scalars(visible_rubrics(current_user).where(Rubric.is_current.is_(True))
                                 .order_by(Rubric.name)).all()
    form.rubric_id.choices = [(r.id, f"{r.name}（{_('version %(n)d', n=r.edition)}）") for r in rubrics]


@bp.route("/new", methods=["GET", "POST"])
def new():
    if not can_create_round(current_user):
        abort(403)
    form = RoundForm()
    _round_form(form)
    if request.method == "GET":
        today = local_today()
        form.quarter.data = (today.month - 1) // 3 + 1
    if form.validate_on_submit():
        root = get_unit_or_404(form.unit_id.data, current_user)
        if not current_user.has_role_over(root, *MANAGERS):
            abort(403)
        rubric = get_rubric_or_404(form.rubric_id.data, current_user)
        try:
            round_ = operations.create_round(
                current_user, name=form.name.data, year=form.year.data, quarter=form.quarter.data, rubric=rubric,
                unit=root, excluded=form.excluded.data or [], mode=RoundMode(form.mode.data), k=form.k.data,
                has_self_assessment=form.has_self_assessment.data, self_assessment_due=form.self_assessment_due.data,
                review_due=form.review_due.data, appeal_due=form.appeal_due.data,
                rectification_due=form.rectification_due.data)
        except operations.FieldErrors as error:
            db.session.rollback()
            beside(form, error)
        else:
            db.session.commit()
            flash(_("Round %(name)s created.", name=round_.name), "success")
            return redirect(url_for("reviews.show", round_id=round_.id))
    return render("reviews/new.html", form=form, status=422 if form.errors else 200)


def _show(round_: ReviewRound, status: int = 200, override_errors: dict | None = None,
          override_typed: dict | None = None, refusal: list[str] | None = None, veto_forms: dict | None = None,
          **extra):
    manage = can_manage_round(current_user, round_)
    pairs = operations.pairs_of(round_)
    units = operations.participants(round_)
    names = {u.id: u.name for u in units} | {round_.unit_id: round_.unit.name}
    sheets = db.session.scalars(sa.select(Scoresheet).where(Scoresheet.round_id == round_.id)
                                .order_by(Scoresheet.pair_id.is_(None), Scoresheet.id)).all()
    mine = [s for s in sheets if is_on_team(current_user, s)]
    warnings = {pid: [named(r, names) for r in rs] for pid, rs in operations.pair_warnings(round_, pairs).items()} \
        if manage else {}
    excluded = db.session.scalars(sa.select(OrgUnit).join(RoundUnit, RoundUnit.unit_id == OrgUnit.id).where(
        RoundUnit.round_id == round_.id, RoundUnit.is_excluded.is_(True))).all()
    return render(
        "reviews/show.html", round=round_, manage=manage, pairs=pairs if manage else [], units=units,
        excluded_units=excluded, sheets=sheets if manage else [], my_sheets=mine, warnings=warnings,
        loads=[named(r, names) for r in operations.load_warnings(round_, pairs)] if manage else [],
        moves=[(to, MOVE_LABELS[to]) for to in allowed_moves(RoundState(round_.state))] if manage else [],
        override_errors=override_errors or {}, override_typed=override_typed or {},
        activities=timeline(round_) if manage else [], refusal=refusal or [],
        vetoes=operations.veto_marks(round_) if manage else [], veto_forms=veto_forms or {}, new_veto_form=VetoForm,
        can_decide_veto=can_decide_veto(current_user, round_), can_edit=can_edit_round(current_user, round_),
        can_see_results=can_see_results(current_user, round_), my_units=_my_report_units(round_, units),
        status=status, **extra)


def _my_report_units(round_: ReviewRound, units: list[OrgUnit]) -> list[OrgUnit]:
    return [u for u in units if can_see_unit_report(current_user, round_, u)]


@bp.get("/<int:round_id>")
def show(round_id: int):
    return _show(get_round_or_404(round_id, current_user))


def _load_managed(round_id: int) -> ReviewRound:
    round_ = get_round_or_404(round_id, current_user)
    if not can_manage_round(current_user, round_):
        abort(403)
    return round_


@bp.route("/<int:round_id>/edit", methods=["GET", "POST"])
def edit(round_id: int):
    round_ = _load_managed(round_id)
    if not can_edit_round(current_user, round_):
        raise DomainError(Reason(N_("A published round can no longer be edited.")))
    form = RoundEditForm(obj=round_)
    rows = db.session.scalars(sa.select(RoundUnit).where(RoundUnit.round_id == round_.id)).all()
    assigned = bool(operations.pairs_of(round_)) or round_.state != RoundState.draft
    if assigned or round_.mode is RoundMode.leader:  # shown as facts, no longer fields
        del form.k
    if assigned:
        del form.excluded
    else:
        form.excluded.choices = [(r.unit_id, r.unit.name) for r in sorted(rows, key=lambda r: r.unit.path)]
        if request.method == "GET":
            form.excluded.data = [r.unit_id for r in rows if r.is_excluded]
    stale = None
    if form.validate_on_submit():
        try:
            operations.update_round(
                current_user, round_, version=int(form.version.data or 0), name=form.name.data,
                self_assessment_due=form.self_assessment_due.data if round_.has_self_assessment
                else round_.self_assessment_due, review_due=form.review_due.data,
                appeal_due=form.appeal_due.data, rectification_due=form.rectification_due.data,
                k=form.k.data if "k" in form else None,
                excluded=(form.excluded.data or []) if "excluded" in form else None)
        except StaleEdit as error:
            db.session.rollback()
            stale, round_ = error, _load_managed(round_id)
            form.version.data = round_.version
        except operations.FieldErrors as error:
            db.session.rollback()
            beside(form, error)
        else:
            db.session.commit()
            flash(_("Round %(name)s saved.", name=round_.name), "success")
            return redirect_to(url_for("reviews.show", round_id=round_.id))
    return render("reviews/edit.html", form=form, round=round_, assigned=assigned, stale=stale,
                  excluded_units=[r.unit for r in rows if r.is_excluded],
                  status=409 if stale else 422 if form.errors else 200)


@bp.post("/<int:round_id>/assignment")
def assign(round_id: int):
    round_ = _load_managed(round_id)
    result = operations.generate_assignment(current_user, round_)
    db.session.commit()
    flash(_("Assignment generated: %(n)d pairs.", n=len(result.pairs)), "success")
    if result.problems:
        flash(_("%(n)d of %(total)d pairs could not avoid a reciprocal or repeated pairing; they are marked "
                "below.", n=len(result.flagged_pairs), total=len(result.pairs)), "warning")
    if result.reciprocity_forced:
        flash(_("With %(units)d units and %(k)d reviewers each, some units must review each other: each needs "
                "%(need)d different partners.", units=len(operations.participants(round_)), k=round_.k,
                need=2 * round_.k), "warning")
    return redirect_to(url_for("reviews.show", round_id=round_.id))


@bp.post("/<int:round_id>/pairs/<int:pair_id>")
def override(round_id: int, pair_id: int):
    round_ = _load_managed(round_id)
    pair = db.session.scalars(sa.select(ReviewPair).where(ReviewPair.id == pair_id,
                                                          ReviewPair.round_id == round_.id)).first()
    if pair is None:
        abort(404)
    form = OverrideForm()
    units = operations.participants(round_)
    form.reviewer_id.choices = form.reviewee_id.choices = [(u.id, u.name) for u in units]
    names = {u.id: u.name for u in units}
    typed = {pair.id: request.form}
    if not form.validate():
        return _show(round_, 422, override_errors={pair.id: [e for es in form.errors.values() for e in es]},
                     override_typed=typed)
    try:
        warnings = operations.override_pair(current_user, pair, db.session.get(OrgUnit, form.reviewer_id.data),
                                            db.session.get(OrgUnit, form.reviewee_id.data), form.reason.data)
    except DomainError as error:
        db.session.rollback()
        return _show(get_round_or_404(round_id, current_user), error.status,
                     override_errors={pair_id: [named(r, names) for r in error.reasons]}, override_typed=typed)
    db.session.commit()
    flash(_("Pair changed."), "success")
    for w in warnings:
        flash(named(w, names), "warning")
    return redirect_to(url_for("reviews.show", round_id=round_.id))


@bp.post("/<int:round_id>/state")
def move(round_id: int):
    round_ = _load_managed(round_id)
    form = MoveForm()
    if not form.validate() or form.to.data not in RoundState.__members__:
        abort(400)
    try:
        operations.move_round(current_user, round_, RoundState(form.to.data),
                              version=int(form.version.data) if form.version.data else None)
    except StaleEdit:
        db.session.rollback()
        flash(_("Someone else changed this round after you opened it; check it and try again."), "warning")
        return redirect_to(url_for("reviews.show", round_id=round_id))
    except DomainError as error:
        # Refused: back on the round's page, the reasons above the buttons that can fix them.
        db.session.rollback()
        return _show(_load_managed(round_id), error.status, refusal=[reason_text(r) for r in error.reasons])
    db.session.commit()
    flash(_("The round is now: %(state)s.", state=_state_label(round_.state)), "success")
    if round_.state == RoundState.published:
        return redirect_to(url_for("reviews.results", round_id=round_.id))
    return redirect_to(url_for("reviews.show", round_id=round_.id))


@bp.post("/<int:round_id>/publish")
def publish(round_id: int):
    round_ = _load_managed(round_id)
    try:
        operations.move_round(current_user, round_, RoundState.published)
    except DomainError as error:
        db.session.rollback()
        return _show(_load_managed(round_id), error.status, refusal=[reason_text(r) for r in error.reasons])
    db.session.commit()
    flash(_("Results published."), "success")
    return redirect_to(url_for("reviews.results", round_id=round_.id))


@bp.post("/<int:round_id>/vetoes/<int:unit_id>/<int:item_id>")
def decide_veto(round_id: int, unit_id: int, item_id: int):
    round_ = _load_managed(round_id)
    unit = db.session.get(OrgUnit, unit_id)
    item = db.session.get(RubricItem, item_id)
    if unit is None or item is None or unit.id not in {u.id for u in operations.participants(round_)} \
            or item.rubric_id != round_.rubric_id:
        abort(404)
    form = VetoForm()
    if form.validate():
        try:
            operations.decide_veto(current_user, round_, unit, item, apply=form.decision.data == "apply",
                                   reason=form.reason.data)
        except operations.FieldErrors as error:
            db.session.rollback()
            beside(form, error, "reason")
        else:
            db.session.commit()
            flash(_("Veto decided: %(unit)s · %(item)s.", unit=unit.name, item=item.title), "success")
            return redirect_to(url_for("reviews.show", round_id=round_.id) + "#vetoes")
    return _show(_load_managed(round_id), 422, veto_forms={(unit.id, item.id): form})


def _state_label(state) -> str:
    return str(RoundState(state).label)


# --- Results -------------------------------------------------------------------------------------

#: Deductions listed on the circular's page; the Excel file has all of them.
DEDUCTIONS_SHOWN = 300

def _load_results(round_id: int) -> ReviewRound:
    round_ = get_round_or_404(round_id, current_user)
    if not can_see_results(current_user, round_):
        abort(404)
    return round_


@bp.get("/<int:round_id>/results")
def results(round_id: int):
    round_ = _load_results(round_id)
    table = operations.results_table(round_)
    deductions = operations.deduction_rows(round_, table, notes_for=DEDUCTIONS_SHOWN)
    indicators = [i for i in round_.rubric.indicators if i.kind is not ItemKind.veto]
    sums = {str(i.id): [0.0, 0] for i in indicators}
    counts = {g.value: 0 for g in GRADE_LABELS}
    for r in table:
        if r["total"] is None:
            continue
        counts[r["grade"]] = counts.get(r["grade"], 0) + 1
        for key, value in r["breakdown"].items():
            if key in sums:
                sums[key][0] += float(value)
                sums[key][1] += 1
    deducted: dict[int, int] = {}
    for d in deductions:
        deducted[d["item_id"]] = deducted.get(d["item_id"], 0) + 1
    summary = [{"item": i, "mean": round(sums[str(i.id)][0] / sums[str(i.id)][1], 2) if sums[str(i.id)][1] else None,
                "deducted": deducted.get(i.id, 0)} for i in indicators]
    chart = {"labels": [str(GRADE_LABELS[g]) for g in GRADE_LABELS], "counts": [counts[g.value] for g in GRADE_LABELS],
             "title": _("Units per grade")}
    return render("reviews/results.html", round=round_, table=table, deductions=deductions,
                  deduction_limit=DEDUCTIONS_SHOWN, indicators=indicators, summary=summary,
                  has_bonus=any(i.kind is ItemKind.bonus for i in indicators),
                  grade_names={g.value: str(label) for g, label in GRADE_LABELS.items()},
                  highlights=operations.highlight_rows(round_, limit=200), chart_json=json.dumps(chart, ensure_ascii=False),
                  wide=len(table) <= 60, public=is_public(RoundState(round_.state)))


@bp.get("/<int:round_id>/results.xlsx")
def results_xlsx(round_id: int):
    from .xlsx import export_results

    round_ = _load_results(round_id)
    table = operations.results_table(round_)
    rows = [{**r, "grade": str(GRADE_LABELS.get(r["grade"], "")) if r["grade"] else "",
             "total": float(r["total"]) if r["total"] is not None else None, "bonus": float(r["bonus"] or 0),
             "bonus_scored": float(r["bonus_scored"] or 0),
             "breakdown": {k: float(v) for k, v in r["breakdown"].items() if k.isdigit()}} for r in table]
    deductions = [{**d, "points": float(d["points"]) if d["points"] is not None else "一票否决"}
                  for d in operations.deduction_rows(round_, table)]
    data = export_results(round_, round_.rubric, rows, deductions, operations.highlight_rows(round_))
    return xlsx_response(data, f"{round_.name}_通报.xlsx")


def xlsx_response(data: bytes, filename: str) -> Response:
    from urllib.parse import quote

    response = Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


# --- A unit's report: deductions and appeals -----------------------------------------------------

def _unit_report(round_: ReviewRound, unit: OrgUnit, appeal_form=None, answer_forms=None, status=200):
    manage = can_manage_round(current_user, round_)
    appeals = {a.score_id: a for a in db.session.scalars(
        sa.select(Appeal).where(Appeal.round_id == round_.id, Appeal.unit_id == unit.id))}
    self_sheet = queries.self_sheet_of(round_, unit)
    table = operations.results_table(round_)
    mine = next((r for r in table if r["unit_id"] == unit.id), None)
    return render("reviews/unit.html", round=round_, unit=unit, manage=manage,
                  deductions=queries.unit_deductions(round_, unit), appeals=appeals,
                  self_sheet=self_sheet if self_sheet is not None and self_sheet.is_locked else None, result=mine,
                  vetoes={v.item.id: v for v in operations.veto_marks(round_, unit.id)},
                  can_appeal=can_file_appeal(current_user, round_, unit),
                  appeal_form=appeal_form or AppealForm(), answer_forms=answer_forms or {},
                  new_answer_form=AnswerForm, status=status)


def _load_unit(round_id: int, unit_id: int) -> tuple[ReviewRound, OrgUnit]:
    round_ = get_round_or_404(round_id, current_user)
    unit = db.session.get(OrgUnit, unit_id)
    if unit is None or unit.id not in {u.id for u in operations.participants(round_)} \
            or not can_see_unit_report(current_user, round_, unit):
        abort(404)
    return round_, unit


@bp.get("/<int:round_id>/units/<int:unit_id>")
def unit_report(round_id: int, unit_id: int):
    return _unit_report(*_load_unit(round_id, unit_id))


@bp.post("/<int:round_id>/units/<int:unit_id>/appeals")
def appeal(round_id: int, unit_id: int):
    round_, unit = _load_unit(round_id, unit_id)
    if not can_file_appeal(current_user, round_, unit):
        abort(403)
    form = AppealForm()
    score = db.session.get(Score, int(form.score_id.data)) if (form.score_id.data or "").isdigit() else None
    if score is None or score.sheet.round_id != round_.id or score.sheet.reviewee_unit_id != unit.id:
        abort(404)
    if form.validate():
        try:
            operations.file_appeal(current_user, score, form.reason.data)
        except operations.FieldErrors as error:
            form.reason.errors.extend(reason_text(r) for r in error.reasons)
        else:
            db.session.commit()
            flash(_("Appeal filed; a leader will answer it."), "success")
            return redirect_to(url_for("reviews.unit_report", round_id=round_.id, unit_id=unit.id))
    return _unit_report(round_, unit, appeal_form=form, status=422)


@bp.post("/appeals/<int:appeal_id>")
def answer(appeal_id: int):
    appeal_ = db.session.get(Appeal, appeal_id)
    if appeal_ is None:
        abort(404)
    round_ = get_round_or_404(appeal_.round_id, current_user)
    if not can_manage_round(current_user, round_):
        if can_see_unit_report(current_user, round_, db.session.get(OrgUnit, appeal_.unit_id)):
            abort(403)
        abort(404)
    form = AnswerForm(veto=appeal_.score.item.kind is ItemKind.veto)
    if form.validate():
        try:
            operations.answer_appeal(current_user, appeal_, adjust=form.decision.data == "adjusted",
                                     answer=form.answer.data, points=form.points.data)
        except operations.FieldErrors as error:
            db.session.rollback()
            beside(form, error, "answer")
        else:
            db.session.commit()
            flash(_("Appeal answered; the totals are recomputed."), "success")
            return redirect_to(url_for("reviews.unit_report", round_id=round_.id, unit_id=appeal_.unit_id))
    return _unit_report(round_, db.session.get(OrgUnit, appeal_.unit_id), answer_forms={appeal_.id: form},
                        status=422)


# --- The unit panel ------------------------------------------------------------------------------

@bp.app_context_processor
def _unit_panel():
    def review_history(unit: OrgUnit) -> dict:
        history = operations.unit_history(unit)
        weights = current_app.config["REVIEW_QUARTER_WEIGHTS"]
        chart = {"labels": [h["round"].name for h in history], "totals": [float(h["total"]) for h in history],
                 "title": _("Total score")}
        return {"history": history, "combined": operations.combined_totals(history, weights),
                "chart_json": json.dumps(chart, ensure_ascii=False)}

    def my_open_sheets() -> list[Scoresheet]:
        """Sheets the user's own units still have to fill in rounds that are open for scoring."""
        from flask_login import current_user as user

        units = {m.unit_id for m in user.memberships}
        if not units:
            return []
        sheets = db.session.scalars(
            sa.select(Scoresheet).join(ReviewRound, ReviewRound.id == Scoresheet.round_id)
            .where(Scoresheet.reviewer_unit_id.in_(units), Scoresheet.submitted_at.is_(None),
                   Scoresheet.excluded_reason.is_(None),
                   ReviewRound.state.in_([RoundState.self_assessment.value, RoundState.reviewing.value]))
            .order_by(ReviewRound.id, Scoresheet.id).limit(20)).all()
        return [s for s in sheets if can_edit_sheet(user, s)]

    return {"review_history": review_history, "my_open_sheets": my_open_sheets}
