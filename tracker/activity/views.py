"""The audit view."""

from __future__ import annotations

from flask import abort, request
from flask_login import current_user, login_required

from ..htmx import render
from . import bp, policy, queries


@bp.get("/")
@login_required
def index():
    if not policy.can_audit(current_user):
        abort(404)
    form = queries.filter_form(current_user, request.args)
    if not form.validate():
        return render("activity/index.html", "activity/_rows.html", status=422, form=form, page=None)
    page = queries.activity_page(current_user, form)
    return render("activity/index.html", "activity/_rows.html", form=form, page=page)
