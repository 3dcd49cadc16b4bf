"""Logging in and out, passwords and the language switch."""

from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l

from ..extensions import db, login_manager
from ..htmx import is_htmx
from ..models import User

bp = Blueprint("auth", __name__)


from . import cli, throttle, views  # noqa: E402  (the routes attach to bp)


def register(app: Flask) -> None:
    """The blueprint, the login manager, the login throttle and the `unlock` command."""
    app.register_blueprint(bp)
    _init_login(app)
    throttle.init_app(app)
    app.cli.add_command(cli.unlock_command)


def _init_login(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def _load_user(user_id: str) -> User | None:
        try:
            user = db.session.get(User, int(user_id))
        except (TypeError, ValueError):
            return None
        return user if user is not None and user.is_active else None

    @login_manager.unauthorized_handler
    def _unauthorized():
        login_url = url_for("auth.login", next=request.full_path.rstrip("?"))
        if is_htmx():
            # An expired login answers htmx with a full-page redirect to the login form.
            response = app.make_response(("", 401))
            response.headers["HX-Redirect"] = login_url
            return response
        flash(str(login_manager.login_message), "info")
        return redirect(login_url)

