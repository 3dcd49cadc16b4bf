"""Scoresheet pages: one team's scores of one unit, saved field by field, evidence, submission."""

from __future__ import annotations

from flask import abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..audit import timeline
from ..extensions import db
from ..htmx import redirect_to, render
from ..i18n import reason_text
from ..models import AttachmentKind, Scoresheet
from ..domain_errors import N_, DomainError, refuse
from ..uploads import ACCEPT_ATTRIBUTE, attachments_of, store_upload
from . import bp, operations, queries
from .forms import EvidenceForm, ExcludeForm
from .policy import can_edit_sheet, can_manage_round, is_on_team
from .queries import get_sheet_or_404


def _sheet_context(sheet: Scoresheet) -> dict:
    return {"sheet": sheet, "editable": can_edit_sheet(current_user, sheet),
            "self_sheet": queries.submitted_self_sheet(sheet), "manage": can_manage_round(current_user, sheet.round),
            "accept": ACCEPT_ATTRIBUTE, "attachments": attachments_of(sheet), "problems": queries.sheet_problems(sheet)}


@bp.get("/sheets/<int:sheet_id>")
def sheet(sheet_id: int):
    sheet_ = get_sheet_or_404(sheet_id, current_user)
    return render("reviews/sheet.html", **_sheet_context(sheet_), activities=timeline(sheet_))


def _editable_sheet(sheet_id: int) -> Scoresheet:
    sheet_ = get_sheet_or_404(sheet_id, current_user)
    if not is_on_team(current_user, sheet_):
        abort(404 if not can_manage_round(current_user, sheet_.round) else 403)
    return sheet_


@bp.post("/sheets/<int:sheet_id>/scores/<int:item_id>")
def score(sheet_id: int, item_id: int):
    sheet_ = _editable_sheet(sheet_id)
    item = queries.get_round_item_or_404(sheet_.round, item_id, indicator=True)
    errors, status = _save_field(operations.save_score, current_user, sheet_, item, points=request.form.get("points"),
                                 note=request.form.get("note"), veto=request.form.get("veto") == "1")
    sheet_ = get_sheet_or_404(sheet_id, current_user)
    return render("reviews/sheet.html", "reviews/_score_saved.html", **_sheet_context(sheet_), item=item,
                  errors=errors, typed=request.form if errors else None, status=status)


def _save_field(save, *args, **kwargs) -> tuple[dict[str, list[str]], int]:
    """Run one field save of a scoresheet: commit it, or roll back and return its errors (422)."""
    try:
        save(*args, **kwargs)
    except operations.FieldErrors as error:
        db.session.rollback()
        return {k: [reason_text(r) for r in v] for k, v in error.errors.items()}, 422
    db.session.commit()
    return {}, 200


@bp.post("/sheets/<int:sheet_id>/fields/<name>")
def sheet_field(sheet_id: int, name: str):
    sheet_ = _editable_sheet(sheet_id)
    if name not in operations.SHEET_TEXT_FIELDS:
        abort(404)
    errors, status = _save_field(operations.save_sheet_text, current_user, sheet_, name, request.form.get(name))
    sheet_ = get_sheet_or_404(sheet_id, current_user)
    return render("reviews/sheet.html", "reviews/_sheet_text.html", **_sheet_context(sheet_), name=name,
                  errors=errors, typed=request.form if errors else None, status=status)


@bp.post("/sheets/<int:sheet_id>/evidence")
def evidence(sheet_id: int):
    sheet_ = _editable_sheet(sheet_id)
    form = EvidenceForm()
    error_text = None
    if not can_edit_sheet(current_user, sheet_):
        abort(409)
    try:
        store_upload(current_user, form.file.data, owner=sheet_, unit_id=sheet_.reviewer_unit_id,
                     kind=AttachmentKind.other)
    except DomainError as error:
        db.session.rollback()
        error_text = " ".join(reason_text(r) for r in error.reasons)
    else:
        db.session.commit()
    sheet_ = get_sheet_or_404(sheet_id, current_user)
    return render("reviews/sheet.html", "reviews/_evidence.html", **_sheet_context(sheet_),
                  evidence_error=error_text, status=422 if error_text else 200)


@bp.post("/sheets/<int:sheet_id>/submit")
def submit(sheet_id: int):
    sheet_ = _editable_sheet(sheet_id)
    operations.submit_sheet(current_user, sheet_)
    db.session.commit()
    flash(_("Scoresheet submitted and locked."), "success")
    return redirect_to(url_for("reviews.sheet", sheet_id=sheet_.id))


@bp.post("/sheets/<int:sheet_id>/exclude")
def exclude(sheet_id: int):
    sheet_ = get_sheet_or_404(sheet_id, current_user)
    if not can_manage_round(current_user, sheet_.round):
        abort(403)
    form = ExcludeForm()
    if not form.validate():
        raise refuse(N_("Give the reason for the exclusion."), "reason")
    operations.exclude_sheet(current_user, sheet_, form.reason.data)
    db.session.commit()
    flash(_("Scoresheet left out of the results."), "success")
    return redirect_to(url_for("reviews.show", round_id=sheet_.round_id))


