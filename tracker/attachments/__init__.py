"""Downloading stored files; access is checked on every download."""

from flask import Blueprint

bp = Blueprint("attachments", __name__, url_prefix="/files")

from . import views  # noqa: E402,F401
