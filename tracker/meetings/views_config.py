"""Configuring organisational life: how often each kind is due, and branches excused for a span."""

from __future__ import annotations

from flask import abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from ..forms import attempt, form_status
from ..htmx import redirect_to, render
from ..models import Cadence, MeetingKind
from ..orgs.labels import indented_choices
from . import bp, operations, policy, queries
from .forms import ExemptionForm, cadence_form


def _config(status: int = 200, form=None, exemption_form=None):
    units = queries.exemption_units(current_user)
    exemption_form = exemption_form or ExemptionForm(formdata=None)
    exemption_form.unit_id.choices = indented_choices(units)
    current = queries.cadences()
    return render("meetings/config.html", status=status, kinds=list(MeetingKind), current=current,
                  form=form or cadence_form(current), exemption_form=exemption_form,
                  exemptions=queries.exemptions(current_user), can_set=policy.can_set_cadence(current_user),
                  can_exempt=bool(units))


def _saved(message: str):
    db.session.commit()
    flash(message, "success")
    return redirect_to(url_for("meetings.config"))


@bp.route("/cadence", methods=["GET", "POST"])
def config():
    if request.method == "GET":
        return _config()
    if not policy.can_set_cadence(current_user):
        abort(403)
    form = cadence_form(queries.cadences())
    if not form.validate_on_submit():
        return _config(422, form=form)
    top = next(m.unit for m in current_user.memberships if m.unit.parent_id is None)
    for kind in MeetingKind:
        operations.set_cadence(current_user, kind, Cadence(form[kind.value].data), top)
    return _saved(_("Cadence saved."))


@bp.post("/exemptions")
def add_exemption():
    form = ExemptionForm()
    form.unit_id.choices = indented_choices(queries.exemption_units(current_user) or abort(403))
    unit = next((u for u in queries.exemption_units(current_user) if u.id == form.unit_id.data), None)
    if form.validate_on_submit() and unit and attempt(
            form, operations.add_exemption, current_user, unit, MeetingKind(form.kind.data) if form.kind.data else None,
            form.starts_on.data, form.ends_on.data, form.reason.data, default="reason"):
        return _saved(_("Exemption added."))
    return _config(form_status(form) if form.errors else 422, exemption_form=form)


@bp.post("/exemptions/<int:exemption_id>/delete")
def remove_exemption(exemption_id: int):
    exemption = queries.get_exemption_or_404(exemption_id, current_user)
    operations.remove_exemption(current_user, exemption)
    return _saved(_("Exemption withdrawn."))
