"""The home page."""

from __future__ import annotations

from flask import redirect, url_for
from flask_login import current_user, login_required

from ..clock import local_today
from ..htmx import render
from . import bp
from .queries import my_work, runs_no_unit, scope_counts


@bp.get("/")
def root():
    return redirect(url_for("dashboard.index"))


@bp.get("/home")
@login_required
def index():
    today = local_today()
    return render("dashboard/index.html", counts=scope_counts(current_user), member_only=runs_no_unit(current_user),
                  work=my_work(current_user, today), today=today)
