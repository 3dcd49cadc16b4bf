"""Org tree pages: the tree, a unit, and the admin forms."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..audit import timeline
from ..extensions import db
from ..forms import attempt, form_status, version_of
from ..htmx import render
from ..models import UnitKind
from . import bp, operations
from .forms import MoveForm, NewUnitForm, UnitForm
from .policy import can_admin_unit, can_create_root
from .queries import children_of, get_unit_or_404, memberships_of, parent_choices, scoped_units


@bp.before_request
@login_required
def _require_login():
    pass


def _saved(unit, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("orgs.show", unit_id=unit.id))


@bp.get("/")
def index():
    return render("orgs/index.html", units=scoped_units(current_user), can_admin_unit=can_admin_unit,
                  can_create_root=can_create_root(current_user))


@bp.get("/<int:unit_id>")
def show(unit_id: int):
    unit = get_unit_or_404(unit_id, current_user)
    return render("orgs/show.html", unit=unit, children=children_of(unit), memberships=memberships_of(unit),
                  activities=timeline(unit), can_admin=can_admin_unit(current_user, unit))


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = NewUnitForm(parent_id=request.args.get("parent", type=int))
    form.parent_id.choices = parent_choices(current_user, allow_root=can_create_root(current_user))
    if not form.parent_id.choices:
        abort(403)
    if form.validate_on_submit():
        parent = get_unit_or_404(form.parent_id.data, current_user) if form.parent_id.data else None
        unit = attempt(form, operations.create_unit, current_user, form.name.data, UnitKind(form.kind.data),
                       parent, form.sort_order.data, default="name")
        if unit:
            return _saved(unit, _("Unit %(name)s created.", name=unit.name))
    return render("orgs/form.html", form=form, unit=None, status=form_status(form))


@bp.route("/<int:unit_id>/edit", methods=["GET", "POST"])
def edit(unit_id: int):
    unit = get_unit_or_404(unit_id, current_user)
    if not can_admin_unit(current_user, unit):
        abort(403)
    form = UnitForm(obj=unit, kind=unit.kind.value, version=unit.version)
    if form.validate_on_submit() and attempt(
            form, operations.update_unit, current_user, unit, version=version_of(form),
            name=form.name.data, kind=UnitKind(form.kind.data), sort_order=form.sort_order.data, default="name"):
        return _saved(unit, _("Unit %(name)s saved.", name=unit.name))
    return render("orgs/form.html", form=form, unit=unit, stale=getattr(form, "stale", None),
                  status=form_status(form))


@bp.route("/<int:unit_id>/move", methods=["GET", "POST"])
def move(unit_id: int):
    unit = get_unit_or_404(unit_id, current_user)
    if not can_admin_unit(current_user, unit) or unit.parent_id is None:
        abort(403)
    form = MoveForm(parent_id=unit.parent_id)
    form.parent_id.choices = parent_choices(current_user, allow_root=False)
    if form.validate_on_submit() and attempt(form, operations.move_unit, current_user, unit,
                                             get_unit_or_404(form.parent_id.data, current_user), default="parent_id"):
        return _saved(unit, _("Unit %(name)s moved.", name=unit.name))
    return render("orgs/move.html", form=form, unit=unit, status=form_status(form))


@bp.post("/<int:unit_id>/active")
def set_active(unit_id: int):
    unit = get_unit_or_404(unit_id, current_user)
    if not can_admin_unit(current_user, unit):
        abort(403)
    active = request.form.get("active") == "1"
    operations.set_unit_active(current_user, unit, active)
    return _saved(unit, _("Unit %(name)s activated.", name=unit.name) if active
                  else _("Unit %(name)s deactivated.", name=unit.name))
