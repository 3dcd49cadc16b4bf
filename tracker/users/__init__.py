"""User administration: accounts, their roles at units, and the Excel import of many at once."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("users", __name__, url_prefix="/users")

from . import cli, views, views_import  # noqa: E402,F401  (the routes attach to bp)


def register(app: Flask) -> None:
    """The blueprint and the `create-admin` command."""
    app.register_blueprint(bp)
    app.cli.add_command(cli.create_admin_command)
