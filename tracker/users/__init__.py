"""User administration: accounts and their roles at units."""

from flask import Blueprint

bp = Blueprint("users", __name__, url_prefix="/users")

from . import import_views, views  # noqa: E402,F401
