"""Ledger Excel routes: export of the filtered view, import with a dry-run preview."""

from __future__ import annotations

import secrets
from pathlib import Path
from urllib.parse import quote

from flask import Response, abort, current_app, flash, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from ..htmx import redirect_to, render
from ..i18n import reason_text
from ..reasons import DomainError
from ..uploads import upload_dir
from . import bp, operations, policy, queries
from .excel import ImportFileError, export_to_tempfile, import_plan, plan_import
from .forms import ConfirmImportForm, ImportForm

SESSION_KEY = "ledger_import"


def content_disposition(filename: str, fallback: str) -> str:
    """An attachment header with an ASCII fallback and the UTF-8 name (RFC 6266 / RFC 5987)."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


@bp.get("/export.xlsx")
def export():
    today = operations.local_today()
    path = export_to_tempfile(queries.LedgerFilter.from_args(request.args), current_user, today)

    def stream():
        try:
            with path.open("rb") as fh:
                while chunk := fh.read(256 * 1024):
                    yield chunk
        finally:
            path.unlink(missing_ok=True)

    stamp = today.strftime("%Y%m%d")
    response = Response(stream(), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response.headers["Content-Disposition"] = content_disposition(f"整改台账_{stamp}.xlsx", f"ledger_{stamp}.xlsx")
    response.headers["Content-Length"] = str(path.stat().st_size)
    response.headers["Cache-Control"] = "no-store"
    return response


def _may_import() -> bool:
    return any(policy.can_create_in(current_user, m.unit) for m in current_user.memberships)


def _import_dir() -> Path:
    path = upload_dir() / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _stored_import(token: str | None) -> Path | None:
    """The uploaded sheet kept for this session between preview and confirm, if the token matches."""
    kept = session.get(SESSION_KEY) or {}
    if not token or kept.get("token") != token or not token.isalnum():
        return None
    path = _import_dir() / token
    return path if path.exists() else None


@bp.route("/import", methods=["GET", "POST"])
def import_sheet():
    if not _may_import():
        abort(403)
    form = ImportForm()
    plan, token = None, None
    if form.validate_on_submit():
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            form.file.errors.append(_("Choose the .xlsx file to import."))
        else:
            token = secrets.token_hex(16)
            path = _import_dir() / token
            upload.save(path)
            try:
                with path.open("rb") as fh:
                    plan = plan_import(current_user, fh)
            except ImportFileError as error:
                path.unlink(missing_ok=True)
                form.file.errors.extend(reason_text(r) for r in error.reasons)
                plan, token = None, None
            else:
                session[SESSION_KEY] = {"token": token, "name": upload.filename[:200]}
    confirm = ConfirmImportForm(formdata=None, token=token)
    status = 422 if form.errors or (plan and plan.bad) else 200
    return render("ledger/import.html", form=form, plan=plan, confirm=confirm, status=status,
                  filename=(session.get(SESSION_KEY) or {}).get("name"))


@bp.post("/import/confirm")
def import_confirm():
    if not _may_import():
        abort(403)
    form = ConfirmImportForm()
    path = _stored_import(form.token.data) if form.validate_on_submit() else None
    if path is None:
        flash(_("The uploaded sheet has expired. Please upload it again."), "error")
        return redirect_to(url_for("ledger.import_sheet"))
    try:
        with path.open("rb") as fh:
            plan = plan_import(current_user, fh)
        created = import_plan(current_user, plan)
    except DomainError as error:
        db.session.rollback()
        flash(" ".join(reason_text(r) for r in error.reasons), "error")
        return redirect_to(url_for("ledger.import_sheet"))
    db.session.commit()
    path.unlink(missing_ok=True)
    session.pop(SESSION_KEY, None)
    current_app.logger.info("ledger import by %s: %d items", current_user.username, len(created))
    flash(_("%(n)d items imported; %(skipped)d rows were already in the ledger.", n=len(created),
            skipped=len(plan.skipped)), "success")
    return redirect_to(url_for("ledger.index", sort="code", dir="desc"))
