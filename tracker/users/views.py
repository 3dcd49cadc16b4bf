"""User administration pages."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..audit import timeline
from ..extensions import db
from ..htmx import render
from ..i18n import reason_text
from ..models import Post, Role, User
from ..pagination import paginate
from ..orgs.labels import indented_choices
from .policy import can_admin_unit, can_manage_user, can_see_phone
from ..domain_errors import DomainError, StaleEdit
from ..scoping import get_unit_or_404, get_user_or_404, scoped_units, users_in_scope
from . import bp, operations
from .forms import EditUserForm, NewUserForm, ResetPasswordForm, RoleForm


@bp.before_request
@login_required
def _require_login():
    pass


def _admin_unit_choices():
    units = scoped_units(current_user, Role.admin, active_only=True)
    return indented_choices(units)


def _load_manageable(user_id: int) -> User:
    user = get_user_or_404(user_id, current_user)
    if not can_manage_user(current_user, user):
        abort(403)
    return user


@bp.get("/")
def index():
    q = request.args.get("q", "").strip()
    stmt = sa.select(User).where(User.id.in_(users_in_scope(current_user)))
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(sa.or_(sa.func.lower(User.username).like(like), User.full_name.like(f"%{q}%")))
    page = paginate(stmt.order_by(User.username), request.args.get("page", 1, type=int),
                    current_app.config["PAGE_SIZE"])
    return render("users/index.html", "users/_table.html", page=page, q=q,
                  can_create=bool(current_user.scope_paths(Role.admin)))


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = NewUserForm()
    form.set_choices(_admin_unit_choices())
    if not form.unit_id.choices:
        abort(403)
    if request.method == "GET":  # "add a person" on a unit's page comes with the unit chosen
        form.unit_id.data = request.args.get("unit", type=int)
    if form.validate_on_submit():
        unit = get_unit_or_404(form.unit_id.data, current_user)
        if not can_admin_unit(current_user, unit):
            abort(403)
        try:
            user = operations.create_user(
                current_user, username=form.username.data, full_name=form.full_name.data,
                password=form.password.data, unit=unit, role=Role(form.role.data),
                post=Post(form.post.data) if form.post.data else None)
        except DomainError as error:
            form.username.errors.extend(reason_text(r) for r in error.reasons)
        else:
            db.session.commit()
            flash(_("User %(name)s created.", name=user.display_name), "success")
            return redirect(url_for("users.show", user_id=user.id))
    return render("users/new.html", form=form, status=422 if form.errors else 200)


def _show(user: User, form=None, role_form=None, password_form=None, stale=None, status=200):
    manageable = can_manage_user(current_user, user)
    if form is None:
        form = EditUserForm(obj=user, version=user.version)
    if role_form is None:
        role_form = RoleForm()
        role_form.set_choices(_admin_unit_choices())
    return render("users/show.html", "users/_roles.html", user=user, form=form, role_form=role_form,
                  password_form=password_form or ResetPasswordForm(), manageable=manageable,
                  show_phone=can_see_phone(current_user, user),
                  activities=timeline(user), stale=stale, status=status)


@bp.get("/<int:user_id>")
def show(user_id: int):
    return _show(get_user_or_404(user_id, current_user))


@bp.post("/<int:user_id>")
def update(user_id: int):
    user = _load_manageable(user_id)
    form = EditUserForm()
    if not form.validate():
        return _show(user, form=form, status=422)
    try:
        operations.update_user(current_user, user, version=int(form.version.data or 0),
                               full_name=form.full_name.data, phone=form.phone.data)
    except StaleEdit as error:
        form.version.data = user.version
        return _show(user, form=form, stale=error, status=409)
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for("users.show", user_id=user.id))


@bp.post("/<int:user_id>/roles")
def grant(user_id: int):
    user = _load_manageable(user_id)
    form = RoleForm()
    form.set_choices(_admin_unit_choices())
    if form.validate():
        unit = get_unit_or_404(form.unit_id.data, current_user)
        try:
            operations.grant_role(current_user, user, unit, Role(form.role.data),
                                  Post(form.post.data) if form.post.data else None)
        except DomainError as error:
            form.unit_id.errors.extend(reason_text(r) for r in error.reasons)
        else:
            db.session.commit()
            flash(_("Role granted."), "success")
            return _show(user)
    return _show(user, role_form=form, status=422)


@bp.post("/<int:user_id>/roles/<int:membership_id>/revoke")
def revoke(user_id: int, membership_id: int):
    user = _load_manageable(user_id)
    membership = next((m for m in user.memberships if m.id == membership_id), None)
    if membership is None:
        abort(404)
    operations.revoke_role(current_user, membership)
    db.session.commit()
    flash(_("Role removed."), "success")
    return _show(user)


@bp.post("/<int:user_id>/password")
def reset_password(user_id: int):
    user = _load_manageable(user_id)
    form = ResetPasswordForm()
    if not form.validate():
        return _show(user, password_form=form, status=422)
    operations.reset_password(current_user, user, form.password.data)
    db.session.commit()
    flash(_("Password reset for %(name)s.", name=user.display_name), "success")
    return redirect(url_for("users.show", user_id=user.id))


@bp.post("/<int:user_id>/active")
def set_active(user_id: int):
    user = _load_manageable(user_id)
    active = request.form.get("active") == "1"
    operations.set_user_active(current_user, user, active)
    db.session.commit()
    flash(_("Account activated.") if active else _("Account deactivated."), "success")
    return redirect(url_for("users.show", user_id=user.id))


