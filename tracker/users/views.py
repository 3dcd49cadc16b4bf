"""User administration pages."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..audit import timeline
from ..extensions import db
from ..forms import attempt, form_status, version_of
from ..htmx import render
from ..models import Post, Role, User
from ..pagination import paginate
from ..scoping import get_unit_or_404
from . import bp, operations
from .forms import EditUserForm, NewUserForm, ResetPasswordForm, RoleForm
from .policy import can_manage_user, can_see_phone
from .queries import admin_unit_choices, get_user_or_404, users_list


@bp.before_request
@login_required
def _require_login():
    pass


def _load_manageable(user_id: int) -> User:
    user = get_user_or_404(user_id, current_user)
    if not can_manage_user(current_user, user):
        abort(403)
    return user


def _post(form) -> Post | None:
    return Post(form.post.data) if form.post.data else None


@bp.get("/")
def index():
    q = request.args.get("q", "").strip()
    page = paginate(users_list(current_user, q), request.args.get("page", 1, type=int), current_app.config["PAGE_SIZE"])
    return render("users/index.html", "users/_table.html", page=page, q=q,
                  can_create=bool(current_user.scope_paths(Role.admin)))


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = NewUserForm(unit_id=request.args.get("unit", type=int))  # "add a person" on a unit's page
    form.set_choices(admin_unit_choices(current_user))
    if not form.unit_id.choices:
        abort(403)
    if form.validate_on_submit():
        user = attempt(form, operations.create_user, current_user, username=form.username.data,
                       full_name=form.full_name.data, password=form.password.data,
                       unit=get_unit_or_404(form.unit_id.data, current_user), role=Role(form.role.data),
                       post=_post(form), default="username")
        if user:
            db.session.commit()
            flash(_("User %(name)s created.", name=user.display_name), "success")
            return redirect(url_for("users.show", user_id=user.id))
    return render("users/new.html", form=form, status=form_status(form))


def _show(user: User, form=None, role_form=None, password_form=None, status=200):
    if role_form is None:
        role_form = RoleForm()
        role_form.set_choices(admin_unit_choices(current_user))
    form = form or EditUserForm(obj=user, version=user.version)
    return render("users/show.html", "users/_roles.html", user=user, form=form, role_form=role_form,
                  password_form=password_form or ResetPasswordForm(),
                  manageable=can_manage_user(current_user, user), show_phone=can_see_phone(current_user, user),
                  activities=timeline(user), stale=getattr(form, "stale", None), status=status)


def _saved(user: User, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("users.show", user_id=user.id))


@bp.get("/<int:user_id>")
def show(user_id: int):
    return _show(get_user_or_404(user_id, current_user))


@bp.post("/<int:user_id>")
def update(user_id: int):
    user = _load_manageable(user_id)
    form = EditUserForm()
    if form.validate() and attempt(form, operations.update_user, current_user, user,
                                   version=version_of(form), full_name=form.full_name.data,
                                   phone=form.phone.data, default="phone"):
        return _saved(user, _("Saved."))
    return _show(user, form=form, status=form_status(form))


@bp.post("/<int:user_id>/roles")
def grant(user_id: int):
    user = _load_manageable(user_id)
    form = RoleForm()
    form.set_choices(admin_unit_choices(current_user))
    if form.validate() and attempt(form, operations.grant_role, current_user, user,
                                   get_unit_or_404(form.unit_id.data, current_user), Role(form.role.data),
                                   _post(form), default="unit_id"):
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
    return _saved(user, _("Password reset for %(name)s.", name=user.display_name))


@bp.post("/<int:user_id>/active")
def set_active(user_id: int):
    user = _load_manageable(user_id)
    active = request.form.get("active") == "1"
    operations.set_user_active(current_user, user, active)
    return _saved(user, _("Account activated.") if active else _("Account deactivated."))
