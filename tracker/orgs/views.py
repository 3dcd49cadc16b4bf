"""Org tree pages: the tree, a unit, and the admin forms."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..audit import timeline
from ..extensions import db
from ..htmx import render
from ..i18n import reason_text
from ..models import Membership, OrgUnit, UnitKind
from .labels import indented
from .policy import can_admin_unit, can_create_root
from ..domain_errors import DomainError, StaleEdit
from ..scoping import get_unit_or_404, scoped_units
from . import bp, operations
from .forms import MoveForm, NewUnitForm, UnitForm


@bp.before_request
@login_required
def _require_login():
    pass


def _parent_choices(units: list[OrgUnit], *, allow_root: bool, exclude: OrgUnit | None = None):
    choices = [(0, _("(top level)"))] if allow_root else []
    for unit in units:
        if exclude is not None and unit.is_within(exclude):
            continue
        if can_admin_unit(current_user, unit):
            choices.append((unit.id, indented(unit)))
    return choices


@bp.get("/")
def index():
    units = scoped_units(current_user)
    return render("orgs/index.html", units=units, can_admin_unit=can_admin_unit,
                  can_create_root=can_create_root(current_user))


@bp.get("/<int:unit_id>")
def show(unit_id: int):
    unit = get_unit_or_404(unit_id, current_user)
    children = db.session.scalars(
        sa.select(OrgUnit).where(OrgUnit.parent_id == unit.id).order_by(OrgUnit.sort_order, OrgUnit.name)
    ).all()
    memberships = db.session.scalars(
        sa.select(Membership).where(Membership.unit_id == unit.id)
        .options(sa.orm.joinedload(Membership.user)).order_by(Membership.role, Membership.id)
    ).unique().all()
    return render("orgs/show.html", unit=unit, children=children, memberships=memberships,
                  activities=timeline(unit), can_admin=can_admin_unit(current_user, unit))


@bp.route("/new", methods=["GET", "POST"])
def new():
    units = scoped_units(current_user, active_only=True)
    form = NewUnitForm()
    form.parent_id.choices = _parent_choices(units, allow_root=can_create_root(current_user))
    if not form.parent_id.choices:
        abort(403)
    if request.method == "GET" and request.args.get("parent", type=int):
        form.parent_id.data = request.args.get("parent", type=int)
    if form.validate_on_submit():
        parent = get_unit_or_404(form.parent_id.data, current_user) if form.parent_id.data else None
        try:
            unit = operations.create_unit(current_user, form.name.data, UnitKind(form.kind.data),
                                          parent, form.sort_order.data)
        except DomainError as error:
            form.name.errors.extend(reason_text(r) for r in error.reasons)
        else:
            db.session.commit()
            flash(_("Unit %(name)s created.", name=unit.name), "success")
            return redirect(url_for("orgs.show", unit_id=unit.id))
    return render("orgs/form.html", form=form, unit=None, status=422 if form.errors else 200)


@bp.route("/<int:unit_id>/edit", methods=["GET", "POST"])
def edit(unit_id: int):
    unit = get_unit_or_404(unit_id, current_user)
    if not can_admin_unit(current_user, unit):
        abort(403)
    form = UnitForm(obj=unit)
    if request.method == "GET":
        form.kind.data, form.version.data = unit.kind.value, unit.version
    stale = None
    if form.validate_on_submit():
        try:
            operations.update_unit(current_user, unit, version=int(form.version.data or 0),
                                   name=form.name.data, kind=UnitKind(form.kind.data),
                                   sort_order=form.sort_order.data)
        except StaleEdit as error:
            stale = error
            form.version.data = unit.version
        except DomainError as error:
            form.name.errors.extend(reason_text(r) for r in error.reasons)
        else:
            db.session.commit()
            flash(_("Unit %(name)s saved.", name=unit.name), "success")
            return redirect(url_for("orgs.show", unit_id=unit.id))
    status = 409 if stale else 422 if form.errors else 200
    return render("orgs/form.html", form=form, unit=unit, stale=stale, status=status)


@bp.route("/<int:unit_id>/move", methods=["GET", "POST"])
def move(unit_id: int):
    unit = get_unit_or_404(unit_id, current_user)
    if not can_admin_unit(current_user, unit) or unit.parent_id is None:
        abort(403)
    form = MoveForm(parent_id=unit.parent_id)
    form.parent_id.choices = _parent_choices(scoped_units(current_user, active_only=True), allow_root=False)
    if form.validate_on_submit():
        new_parent = get_unit_or_404(form.parent_id.data, current_user)
        try:
            operations.move_unit(current_user, unit, new_parent)
        except DomainError as error:
            form.parent_id.errors.extend(reason_text(r) for r in error.reasons)
        else:
            db.session.commit()
            flash(_("Unit %(name)s moved.", name=unit.name), "success")
            return redirect(url_for("orgs.show", unit_id=unit.id))
    return render("orgs/move.html", form=form, unit=unit, status=422 if form.errors else 200)


@bp.post("/<int:unit_id>/active")
def set_active(unit_id: int):
    unit = get_unit_or_404(unit_id, current_user)
    if not can_admin_unit(current_user, unit):
        abort(403)
    active = request.form.get("active") == "1"
    operations.set_unit_active(current_user, unit, active)
    db.session.commit()
    flash(_("Unit %(name)s activated.", name=unit.name) if active
          else _("Unit %(name)s deactivated.", name=unit.name), "success")
    return redirect(url_for("orgs.show", unit_id=unit.id))

