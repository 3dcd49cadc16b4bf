"""Downloading stored files; access follows the record a file is attached to (see `hooks`)."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("attachments", __name__, url_prefix="/files")

from . import views  # noqa: E402,F401  (the routes attach to bp)


def register(app: Flask) -> None:
    app.register_blueprint(bp)
