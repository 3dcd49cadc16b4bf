"""Bulk user import from Excel: the template, a dry-run preview, then every user or none."""

from __future__ import annotations

from functools import partial

from flask import Response, abort, current_app, flash, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.passwords import generate_password
from ..extensions import db
from ..htmx import redirect_to, render
from ..i18n import reason_text
from ..models import Role
from ..domain_errors import DomainError
from ..sheets import SheetError, content_disposition, preview_upload
from ..tempfiles import forget_kept, kept_for_confirmation
from . import bp, operations
from .excel import UserImportPlan, plan_user_import, template_workbook
from .forms import ConfirmUserImportForm, UserImportForm

SESSION_KEY = "users_import"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_admin() -> None:
    if not current_user.scope_paths(Role.admin):
        abort(403)


@bp.get("/import/template.xlsx")
def import_template():
    _require_admin()
    response = Response(template_workbook(current_user), mimetype=XLSX)
    response.headers["Content-Disposition"] = content_disposition("用户导入模板.xlsx", "users-template.xlsx")
    return response


@bp.route("/import", methods=["GET", "POST"])
def import_sheet():
    _require_admin()
    form = UserImportForm()
    plan, token = None, None
    if form.validate_on_submit():
        if not form.file.data or not form.file.data.filename:
            form.file.errors.append(_("Choose the .xlsx file to import."))
        else:
            try:
                plan, token = preview_upload(SESSION_KEY, form.file.data, partial(plan_user_import, current_user))
            except SheetError as error:
                form.file.errors.extend(reason_text(r) for r in error.reasons)
    confirm = ConfirmUserImportForm(formdata=None, token=token)
    status = 422 if form.errors or (plan and plan.problems) else 200
    return render("users/import.html", form=form, plan=plan, confirm=confirm, status=status)


def _kept_plan(token: str | None) -> UserImportPlan | None:
    """The kept sheet, checked again (names may have been taken meanwhile); None once it expired.
    A sheet that no longer imports as it is must be fixed and uploaded again: it is not kept."""
    path = kept_for_confirmation(SESSION_KEY, token)
    if path is None:
        return None
    with path.open("rb") as fh:
        plan = plan_user_import(current_user, fh)
    if not plan.ready:
        forget_kept(SESSION_KEY)
    return plan


def _start_again(message: str):
    db.session.rollback()
    forget_kept(SESSION_KEY)
    flash(message, "error")
    return redirect_to(url_for("users.import_sheet"))


@bp.post("/import/confirm")
def import_confirm():
    _require_admin()
    form = ConfirmUserImportForm()
    plan = _kept_plan(form.token.data)
    if plan is None:
        return _start_again(_("The uploaded sheet has expired. Please upload it again."))
    if not form.validate() or not plan.ready:
        return render("users/import.html", form=UserImportForm(formdata=None), plan=plan, confirm=form, status=422)
    chosen = form.password_mode.data == "choose"
    password = form.password.data if chosen else generate_password()
    try:
        created = operations.import_users(current_user, plan.users, password)
    except DomainError as error:
        return _start_again(" ".join(reason_text(r) for r in error.reasons))
    db.session.commit()
    forget_kept(SESSION_KEY)
    current_app.logger.info("user import by %s: %d users", current_user.username, len(created))
    response = render("users/imported.html", users=created, password=None if chosen else password)
    response.headers["Cache-Control"] = "no-store"  # the initial password is shown once
    return response
