"""Ledger Excel routes: export of the filtered view, import with a dry-run preview."""

from __future__ import annotations

from functools import partial

from flask import Response, abort, current_app, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..clock import local_today
from ..extensions import db
from ..models import OrgUnit
from ..htmx import redirect_to, render
from ..i18n import reason_text
from ..domain_errors import DomainError
from ..forms import attempt
from ..sheets import content_disposition, preview_upload
from ..tempfiles import forget_kept, kept_for_confirmation
from . import bp, policy, queries
from .excel import export_to_tempfile, plan_import, template_workbook
from .operations import import_plan
from .forms import ConfirmImportForm, ImportForm

SESSION_KEY = "ledger_import"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/export.xlsx")
def export():
    today = local_today()
    path = export_to_tempfile(queries.LedgerFilter.from_args(request.args), current_user, today)

    def stream():
        with path.open("rb") as fh:
            while chunk := fh.read(256 * 1024):
                yield chunk

    stamp = today.strftime("%Y%m%d")
    response = Response(stream(), mimetype=XLSX)
    # Removed when the server closes the response: streamed to the end, cut off, or never started.
    response.call_on_close(lambda: path.unlink(missing_ok=True))
    response.headers["Content-Disposition"] = content_disposition(f"整改台账_{stamp}.xlsx", f"ledger_{stamp}.xlsx")
    response.headers["Content-Length"] = str(path.stat().st_size)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/import", methods=["GET", "POST"])
def import_sheet():
    if not policy.can_create_anywhere(current_user):
        abort(403)
    form = ImportForm()
    form.unit_id.choices = [("", _("From the sheet's 责任单位 column"))] + queries.unit_choices(current_user,
                                                                                             creatable=True)
    plan, token, filename = None, None, None
    if form.validate_on_submit():
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            form.file.errors.append(_("Choose the .xlsx file to import."))
        else:
            read = partial(plan_import, current_user, unit=_import_unit(form.unit_id.data))
            plan, token = attempt(form, preview_upload, SESSION_KEY, upload, read, default="file") or (None, None)
            filename = upload.filename[:200] if plan else None
    confirm = ConfirmImportForm(formdata=None, token=token, unit_id=form.unit_id.data or "")
    status = 422 if form.errors or (plan and plan.bad) else 200
    return render("ledger/import.html", form=form, plan=plan, confirm=confirm, status=status, filename=filename)


@bp.post("/import/confirm")
def import_confirm():
    if not policy.can_create_anywhere(current_user):
        abort(403)
    form = ConfirmImportForm()
    path = kept_for_confirmation(SESSION_KEY, form.token.data) if form.validate_on_submit() else None
    if path is None:
        flash(_("The uploaded sheet has expired. Please upload it again."), "error")
        return redirect_to(url_for("ledger.import_sheet"))
    try:
        with path.open("rb") as fh:
            plan = plan_import(current_user, fh, unit=_import_unit(form.unit_id.data))
        created = import_plan(current_user, plan)
    except DomainError as error:
        return _start_again(" ".join(reason_text(r) for r in error.reasons))
    db.session.commit()
    forget_kept(SESSION_KEY)
    current_app.logger.info("ledger import by %s: %d items", current_user.username, len(created))
    flash(_("%(n)d items imported; %(skipped)d rows were already in the ledger.", n=len(created),
            skipped=len(plan.skipped)), "success")
    return redirect_to(url_for("ledger.index", sort="code", dir="desc"))


@bp.get("/import/template.xlsx")
def import_template():
    if not policy.can_create_anywhere(current_user):
        abort(403)
    response = Response(template_workbook(), mimetype=XLSX)
    response.headers["Content-Disposition"] = content_disposition("整改台账导入模板.xlsx", "ledger-template.xlsx")
    return response


def _import_unit(unit_id: object) -> OrgUnit | None:
    """The unit chosen for a sheet without a 责任单位 column: one the user records problems for."""
    try:
        unit = db.session.get(OrgUnit, int(unit_id)) if unit_id not in (None, "") else None
    except (TypeError, ValueError):
        return None
    return unit if unit is not None and policy.can_create_in(current_user, unit) else None


def _start_again(message: str):
    """The import was refused: nothing is kept, and the page that follows asks for the sheet again."""
    db.session.rollback()
    forget_kept(SESSION_KEY)
    flash(message, "error")
    return redirect_to(url_for("ledger.import_sheet"))
