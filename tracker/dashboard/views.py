"""The home page."""

from __future__ import annotations

import sqlalchemy as sa
from flask import redirect, url_for
from flask_login import current_user, login_required

from ..extensions import db
from ..htmx import render
from ..models import OrgUnit, Role
from ..scoping import units_in_scope, users_in_scope
from . import bp


@bp.get("/")
def root():
    return redirect(url_for("dashboard.index"))


@bp.get("/home")
@login_required
def index():
    unit_ids = units_in_scope(current_user)
    counts = {
        "units": db.session.scalar(sa.select(sa.func.count()).select_from(
            sa.select(OrgUnit.id).where(OrgUnit.id.in_(unit_ids), OrgUnit.is_active.is_(True)).subquery())),
        "users": db.session.scalar(sa.select(sa.func.count(sa.distinct(users_in_scope(current_user).subquery().c.user_id)))),
    }
    # A member runs no unit: the page speaks of their branch, not of a scope they govern.
    member_only = not current_user.scope_paths(Role.admin, Role.leader, Role.secretary)
    return render("dashboard/index.html", counts=counts, member_only=member_only)

