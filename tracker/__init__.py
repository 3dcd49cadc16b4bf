"""The party-building tracker: `create_app` builds the Flask application."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from .config import Config

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: type | dict[str, Any] | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, error handlers and CLI commands.

    `config` is a config class (default `Config`, read from the environment) or a dict of
    overrides applied on top of it.
    """
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_relative_config=True,
    )
    if isinstance(config, dict):
        app.config.from_object(Config)
        app.config.update(config)
    else:
        app.config.from_object(config or Config)
    app.config.setdefault("UPLOAD_DIR", None)
    if not app.config["UPLOAD_DIR"]:
        app.config["UPLOAD_DIR"] = str(Path(app.instance_path) / "uploads")
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    from .secret_key import configure_secret_key

    configure_secret_key(app)

    from . import models  # noqa: F401  (registers the tables)
    from .extensions import babel, csrf, db, htmx, login_manager, migrate
    from .i18n import select_locale

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    htmx.init_app(app)
    _trust_proxies(app)

    from .auth.passwords import configure_hasher
    from .database import configure_engines

    if app.config.get("ARGON2_PARAMS"):
        configure_hasher(**app.config["ARGON2_PARAMS"])

    configure_engines(app)

    from . import auth, errors, i18n, navigation, security
    from .auth import throttle

    auth.init_login(app)
    throttle.init_app(app)
    security.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    navigation.init_app(app)
    _register_blueprints(app)

    from .cli import register_commands

    register_commands(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Behind PROXY_FIX_X_FOR reverse proxies, take the client's address and scheme from their
    X-Forwarded-For / X-Forwarded-Proto headers (without a proxy, those headers are anyone's)."""
    hops = int(app.config.get("PROXY_FIX_X_FOR") or 0)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]


def _register_blueprints(app: Flask) -> None:
    from .attachments import bp as attachments_bp
    from .auth import bp as auth_bp
    from .dashboard import bp as dashboard_bp
    from .health import bp as health_bp
    from .ledger import blueprint as ledger_blueprint
    from .orgs import bp as orgs_bp
    from .projects.views import bp as projects_bp  # the views attach to the blueprint on import
    from .reviews import bp as reviews_bp
    from .users import bp as users_bp

    for bp in (attachments_bp, auth_bp, dashboard_bp, health_bp, ledger_blueprint(), orgs_bp, projects_bp,
               reviews_bp, users_bp):
        app.register_blueprint(bp)
