"""The home page: what needs the user's attention."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("dashboard", __name__)

from . import views  # noqa: E402,F401  (the routes attach to bp)


def register(app: Flask) -> None:
    app.register_blueprint(bp)
