"""Review round pages: the list, a new round and its settings, the assignment, the states, vetoes."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..audit import timeline
from ..clock import local_today
from ..domain_errors import N_, DomainError, Reason, StaleEdit
from ..extensions import db
from ..forms import attempt, form_status, optional_int, version_of
from ..htmx import redirect_to, render
from ..i18n import reason_text
from ..models import ReviewRound, RoundMode
from ..scoping import get_unit_or_404
from . import bp, operations, queries
from .forms import MoveForm, OverrideForm, RoundEditForm, RoundForm, VetoForm
from .labels import MOVE_LABELS
from .policy import (
    can_create_round, can_decide_veto, can_edit_round, can_manage_round, can_see_results, can_see_unit_report,
    is_on_team,
)
from .views import named
from .workflow import RoundState, allowed_moves


def _load_managed(round_id: int) -> ReviewRound:
    round_ = queries.get_round_or_404(round_id, current_user)
    if not can_manage_round(current_user, round_):
        abort(403)
    return round_


def _to_round(round_: ReviewRound, anchor: str = ""):
    return redirect_to(url_for("reviews.show", round_id=round_.id) + anchor)


@bp.get("/")
def index():
    return render("reviews/index.html", rounds=queries.rounds_of(current_user),
                  can_create=can_create_round(current_user), can_manage=lambda r: can_manage_round(current_user, r))


def _new_round_form() -> RoundForm:
    """The new round's form, its choices the user's units and rubrics; the current quarter first."""
    form = RoundForm(**({"quarter": (local_today().month - 1) // 3 + 1} if request.method == "GET" else {}))
    form.unit_id.choices = queries.running_unit_choices(current_user)
    form.excluded.choices = queries.left_out_choices(current_user)
    form.rubric_id.choices = queries.current_rubric_choices(current_user)
    return form


def _new_round_values(form: RoundForm) -> dict:
    return dict(name=form.name.data, year=form.year.data, quarter=form.quarter.data,
                excluded=form.excluded.data or [], mode=RoundMode(form.mode.data), k=form.k.data,
                has_self_assessment=form.has_self_assessment.data, self_assessment_due=form.self_assessment_due.data,
                review_due=form.review_due.data, appeal_due=form.appeal_due.data,
                rectification_due=form.rectification_due.data)


@bp.route("/new", methods=["GET", "POST"])
def new():
    if not can_create_round(current_user):
        abort(403)
    form = _new_round_form()
    if form.validate_on_submit():
        unit = get_unit_or_404(form.unit_id.data, current_user)
        if not can_create_round(current_user, unit):
            abort(403)
        round_ = attempt(form, operations.create_round, current_user, unit=unit,
                         rubric=queries.get_rubric_or_404(form.rubric_id.data, current_user),
                         **_new_round_values(form), default="name")
        if round_:
            db.session.commit()
            flash(_("Round %(name)s created.", name=round_.name), "success")
            return redirect(url_for("reviews.show", round_id=round_.id))
    return render("reviews/new.html", form=form, status=form_status(form))


def _show(round_: ReviewRound, status: int = 200, override_errors: dict | None = None,
          override_typed: dict | None = None, refusal: list[str] | None = None, veto_forms: dict | None = None):
    """The round's page; its leaders also see the pairs, every sheet, the moves, vetoes and timeline."""
    manage = can_manage_round(current_user, round_)
    pairs, units, sheets = queries.pairs_of(round_), queries.participants(round_), queries.sheets_of(round_)
    names = {u.id: u.name for u in units} | {round_.unit_id: round_.unit.name}
    warnings = {pid: [named(r, names) for r in rs]
                for pid, rs in queries.pair_warnings(round_, pairs).items()} if manage else {}
    return render(
        "reviews/show.html", round=round_, manage=manage, pairs=pairs if manage else [], units=units,
        excluded_units=queries.excluded_units(round_), sheets=sheets if manage else [],
        my_sheets=[s for s in sheets if is_on_team(current_user, s)], warnings=warnings,
        loads=[named(r, names) for r in queries.load_warnings(round_, pairs)] if manage else [],
        moves=[(to, MOVE_LABELS[to]) for to in allowed_moves(round_.state)] if manage else [],
        override_errors=override_errors or {}, override_typed=override_typed or {},
        activities=timeline(round_) if manage else [], refusal=refusal or [],
        vetoes=queries.veto_marks(round_) if manage else [], veto_forms=veto_forms or {}, new_veto_form=VetoForm,
        can_decide_veto=can_decide_veto(current_user, round_), can_edit=can_edit_round(current_user, round_),
        can_see_results=can_see_results(current_user, round_),
        my_units=[u for u in units if can_see_unit_report(current_user, round_, u)], status=status)


def _refused(round_id: int, error: DomainError):
    """Back on the round's page, the reasons above the buttons that can fix them."""
    db.session.rollback()
    return _show(_load_managed(round_id), error.status, refusal=[reason_text(r) for r in error.reasons])


@bp.get("/<int:round_id>")
def show(round_id: int):
    return _show(queries.get_round_or_404(round_id, current_user))


def _edit_form(round_: ReviewRound, rows: list, assigned: bool) -> RoundEditForm:
    """The round's settings; `k` and the units left out only until the assignment (and `k` never in
    leader mode), shown as facts after."""
    form = RoundEditForm(obj=round_)
    if assigned or round_.mode is RoundMode.leader:
        del form.k
    if assigned:
        del form.excluded
    else:
        form.excluded.choices = [(r.unit_id, r.unit.name) for r in sorted(rows, key=lambda r: r.unit.path)]
        if request.method == "GET":
            form.excluded.data = [r.unit_id for r in rows if r.is_excluded]
    return form


def _edit_values(form: RoundEditForm, round_: ReviewRound) -> dict:
    return dict(version=version_of(form), name=form.name.data,
                self_assessment_due=form.self_assessment_due.data if round_.has_self_assessment
                else round_.self_assessment_due, review_due=form.review_due.data,
                appeal_due=form.appeal_due.data, rectification_due=form.rectification_due.data,
                k=form.k.data if "k" in form else None,
                excluded=(form.excluded.data or []) if "excluded" in form else None)


@bp.route("/<int:round_id>/edit", methods=["GET", "POST"])
def edit(round_id: int):
    round_ = _load_managed(round_id)
    if not can_edit_round(current_user, round_):
        raise DomainError(Reason(N_("A published round can no longer be edited.")))
    rows, assigned = queries.round_units(round_), queries.is_assigned(round_)
    form = _edit_form(round_, rows, assigned)
    if form.validate_on_submit() and attempt(form, operations.update_round, current_user, round_,
                                             **_edit_values(form, round_), default="name"):
        db.session.commit()
        flash(_("Round %(name)s saved.", name=round_.name), "success")
        return _to_round(round_)
    return render("reviews/edit.html", form=form, round=round_, assigned=assigned, stale=getattr(form, "stale", None),
                  excluded_units=[r.unit for r in rows if r.is_excluded], status=form_status(form))


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
                "%(need)d different partners.", units=len(queries.participants(round_)), k=round_.k,
                need=2 * round_.k), "warning")
    return _to_round(round_)


@bp.post("/<int:round_id>/pairs/<int:pair_id>")
def override(round_id: int, pair_id: int):
    round_ = _load_managed(round_id)
    pair = queries.get_pair_or_404(round_, pair_id)
    units = {u.id: u for u in queries.participants(round_)}
    names = {u.id: u.name for u in units.values()}
    form = OverrideForm()
    form.reviewer_id.choices = form.reviewee_id.choices = list(names.items())
    typed = {pair.id: request.form}
    if not form.validate():
        return _show(round_, 422, override_errors={pair.id: [e for es in form.errors.values() for e in es]},
                     override_typed=typed)
    try:
        warnings = operations.override_pair(current_user, pair, units[form.reviewer_id.data],
                                            units[form.reviewee_id.data], form.reason.data)
    except DomainError as error:
        db.session.rollback()
        return _show(_load_managed(round_id), error.status, override_typed=typed,
                     override_errors={pair_id: [named(r, names) for r in error.reasons]})
    db.session.commit()
    flash(_("Pair changed."), "success")
    for warning in warnings:
        flash(named(warning, names), "warning")
    return _to_round(round_)


@bp.post("/<int:round_id>/state")
def move(round_id: int):
    round_ = _load_managed(round_id)
    form = MoveForm()
    if not form.validate() or form.to.data not in RoundState.__members__:
        abort(400)
    try:
        operations.move_round(current_user, round_, RoundState(form.to.data),
                              version=optional_int(form.version.data))
    except StaleEdit:
        db.session.rollback()
        flash(_("Someone else changed this round after you opened it; check it and try again."), "warning")
        return redirect_to(url_for("reviews.show", round_id=round_id))
    except DomainError as error:
        return _refused(round_id, error)
    db.session.commit()
    flash(_("The round is now: %(state)s.", state=str(round_.state.label)), "success")
    if round_.state is RoundState.published:
        return redirect_to(url_for("reviews.results", round_id=round_.id))
    return _to_round(round_)


@bp.post("/<int:round_id>/publish")
def publish(round_id: int):
    round_ = _load_managed(round_id)
    try:
        operations.move_round(current_user, round_, RoundState.published)
    except DomainError as error:
        return _refused(round_id, error)
    db.session.commit()
    flash(_("Results published."), "success")
    return redirect_to(url_for("reviews.results", round_id=round_.id))


@bp.post("/<int:round_id>/vetoes/<int:unit_id>/<int:item_id>")
def decide_veto(round_id: int, unit_id: int, item_id: int):
    round_ = _load_managed(round_id)
    unit = queries.get_participant_or_404(round_, unit_id)
    item = queries.get_round_item_or_404(round_, item_id)
    form = VetoForm()
    if form.validate() and attempt(form, operations.decide_veto, current_user, round_, unit, item,
                                   apply=form.decision.data == "apply", reason=form.reason.data, default="reason"):
        db.session.commit()
        flash(_("Veto decided: %(unit)s · %(item)s.", unit=unit.name, item=item.title), "success")
        return _to_round(round_, "#vetoes")
    db.session.rollback()
    return _show(_load_managed(round_id), 422, veto_forms={(unit.id, item.id): form})
