"""Ledger pages: the table, its groupings and roll-up, an item and its actions, Excel in and out."""

from __future__ import annotations

from flask_login import login_required

from . import bp


@bp.before_request
@login_required
def _require_login():
    pass
