"""User administration: accounts, their roles at units, and the Excel import of many at once."""

from __future__ import annotations

from functools import partial

from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

from .. import hooks
from ..audit import names_by_id
from ..models import User

bp = Blueprint("users", __name__, url_prefix="/users")

from . import cli, views, views_import  # noqa: E402,F401  (the routes attach to bp)


def register(app: Flask) -> None:
    """The blueprint, the `create-admin` command and how the audit view names an account."""
    app.register_blueprint(bp)
    app.cli.add_command(cli.create_admin_command)
    hooks.register_record_kind("user_account", _l("Account"), "users.show", "user_id", partial(names_by_id, User.id, User.full_name))
