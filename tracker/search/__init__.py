"""Search across the tracker: projects, ledger items, units and people the user may see."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("search", __name__)

from . import views  # noqa: E402,F401  (the routes attach to bp)


def register(app: Flask) -> None:
    """The blueprint."""
    app.register_blueprint(bp)
